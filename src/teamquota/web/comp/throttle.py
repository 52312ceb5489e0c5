"""Login throttling: too many failures for a username or from an address lock it out for
the window (``LOGIN_MAX_FAILURES`` in ``LOGIN_WINDOW_SECONDS``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from teamquota.web.comp.models import LoginFailure


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind ``TEAMQUOTA_TRUSTED_PROXIES`` reverse proxies every
    request comes from the nearest proxy, so the address is the one that proxy saw (the
    N-th entry from the right of X-Forwarded-For; entries further left are whatever the
    client chose to send) — else one proxy would lock everybody out at once."""
    hops = settings.TRUSTED_PROXIES
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_locked(username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    return (recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES
            or recent.filter(address=address).count() >= settings.LOGIN_MAX_FAILURES * 4)


def record_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower(), address=address)


def clear(username: str, address: str) -> None:
    LoginFailure.objects.filter(Q(username=username.lower())).delete()

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

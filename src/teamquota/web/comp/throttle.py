"""Login throttling: too many failures for a username or from an address lock it out for
the window (``LOGIN_MAX_FAILURES`` per username, four times that per address, in
``LOGIN_WINDOW_SECONDS``). Usernames are counted normalised (NFKC, trimmed, case-folded),
and every try is counted in the database before its password is checked."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from teamquota.web.comp.models import LoginFailure
from teamquota.web.comp.models.org import normalize_username


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


def begin_attempt(username: str, address: str) -> LoginFailure | None:
    """Reserve one try for ``username`` (normalised: every spelling of a login shares its
    count) from ``address``; None when the username or the address is locked out.

    Atomic under concurrency without a lock: the try is inserted (committed) first, then
    ranked among the window's tries by insertion order (its own row and every earlier
    one). Of tries racing each other, each sees the earlier ones, so the first ``limit``
    get a password checked and the rest are refused — never all of them, never more."""
    # cut to the columns' sizes: an over-long name must count, not fail the insert
    name, address = normalize_username(username)[:150], address[:64]
    attempt = LoginFailure.objects.create(username=name, address=address)
    since = timezone.now() - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    recent = recent.filter(pk__lte=attempt.pk)  # this try's rank, not the crowd's size
    if (recent.filter(username=name).count() > settings.LOGIN_MAX_FAILURES
            or recent.filter(address=address).count() > settings.LOGIN_MAX_FAILURES * 4):
        attempt.delete()  # refused without a check: a lock-out is not extended by it
        return None
    return attempt


def forget_attempt(attempt: LoginFailure) -> None:
    """The try checked no password (a field left empty): it does not count."""
    attempt.delete()


def clear(username: str) -> None:
    """A successful sign-in: the username's failures no longer count."""
    LoginFailure.objects.filter(username=normalize_username(username)[:150]).delete()

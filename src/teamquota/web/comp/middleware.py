"""API token authentication (``Authorization: Bearer tq_...`` on /api/ requests), the
security headers every response carries, the forced password change, and NUL bytes refused
before any view (PostgreSQL cannot hold them: every lookup with one was a 500)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from teamquota.web.comp.models.security import ApiToken, hash_token

NUL_MESSAGE = ("error[D028]: the request holds a NUL byte (in its path, query or form "
               "values); nothing was done")


class RefuseNulMiddleware:
    """400 to a NUL byte (raw or %00) in the path, a query or form value or key; first in
    the chain, so no view, login or lookup ever sees one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": NUL_MESSAGE, "code": "D028"}, status=400)
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        try:
            sources = [request.GET]
            if request.method == "POST" and request.content_type in (
                    "application/x-www-form-urlencoded", "multipart/form-data"):
                sources.append(request.POST)
            return any("\x00" in key or any("\x00" in v for v in values)
                       for source in sources for key, values in source.lists())
        except Exception:  # noqa: BLE001 - a body Django cannot parse is its own 400
            return False


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        request.token_auth = False  # type: ignore[attr-defined]
        if request.path.startswith("/api/") and header:
            scheme, _, token = header.partition(" ")
            found = (ApiToken.objects.select_related("user")
                     .filter(digest=hash_token(token.strip())).first()
                     if scheme.lower() == "bearer" else None)
            if found is None or not found.user.is_active:
                return JsonResponse({"error": "invalid API token"}, status=401)
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
            request.user = found.user
            request.token_auth = True  # type: ignore[attr-defined]
            # Token requests carry no cookies, so CSRF (a cookie attack) does not apply.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (and Permissions-Policy) on every response.

    Everything the pages use is served by the app itself — htmx, Plotly, our charts and
    behaviour scripts, the style sheet — and pages keep no inline script or event handler
    (chart data travels in ``<script type="application/json">`` blocks, which are data, not
    code). So ``script-src 'self'`` holds, and an injected ``<script>`` or ``onerror=`` in
    any rendered value cannot run. Django's SecurityMiddleware and XFrameOptionsMiddleware
    add nosniff, Referrer-Policy and ``X-Frame-Options: DENY`` (settings.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.TEAMQUOTA_CSP)
        response.headers.setdefault("Permissions-Policy", settings.TEAMQUOTA_PERMISSIONS_POLICY)
        return response


class PasswordChangeRequiredMiddleware:
    """A user whose password sales ops set (a new login or a reset) sees nothing but the
    password page until they choose their own; signing out stays possible."""

    ALLOWED = ("/account/password/", "/logout/", "/static/", "/schemas/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and getattr(user, "must_change_password", False)
                and not request.path.startswith(self.ALLOWED)):
            if getattr(request, "token_auth", False):
                return JsonResponse({"error": "the token's user must first choose a new "
                                              "password (sign in on the web)"}, status=403)
            if request.path.startswith("/api/"):  # the API answers JSON, never a redirect
                return JsonResponse({"error": "choose a new password first, on the "
                                              "password page (/account/password/)"},
                                    status=403)
            return redirect("password_change")
        return self.get_response(request)

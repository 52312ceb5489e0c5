"""Who is asking: the API token (``Authorization: Bearer tq_...``, checked by
``middleware.ApiTokenMiddleware`` before any view) or the browser's session, and whether
their role may call the operation.

Token calls carry no cookie, so CSRF (a cookie attack) does not apply to them; a call
riding a session must carry the CSRF token for any unsafe method, as a form would. The role
is checked here, before the request's parameters are read, so a wrong role is a 403
whatever the body holds.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from teamquota.web.comp.api.errors import ApiError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
ROLE_NAMES = {"sales_ops": "sales ops", "finance": "finance", "leader": "leaders",
              "rep": "reps"}


class ApiAuth(AuthBase):
    """Bearer token or session; ``roles``: the caller must hold one of them (403)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = ("An API token from the API page (/account/tokens/): "
                           "'Authorization: Bearer tq_...'. A signed-in browser session "
                           "works too; its unsafe calls need the CSRF token (X-CSRFToken).")

    def __init__(self, *roles: str) -> None:
        self.roles = roles
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None  # ninja answers AuthenticationError: 401
        if (request.method not in SAFE_METHODS and not getattr(request, "token_auth", False)
                and check_csrf(request) is not None):
            raise ApiError(403, "CSRF token missing or incorrect: a call made with the "
                                "session cookie must send the page's CSRF token "
                                "(X-CSRFToken header); API tokens need none", code="csrf")
        if self.roles and not user.has_role(*self.roles):
            who = " or ".join(ROLE_NAMES.get(r, r) for r in self.roles)
            raise ApiError(403, f"your role does not give access to this operation "
                                f"(only {who})", code="role")
        return user


signed_in = ApiAuth()
sales_ops = ApiAuth("sales_ops")
finance = ApiAuth("finance")
leader = ApiAuth("leader")

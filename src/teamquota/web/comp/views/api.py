"""The API page: create and revoke API tokens (the API itself: ``teamquota.web.comp.api``).

A token is shown once and stored as a SHA-256 digest; it sees exactly what its user sees.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from teamquota.web.comp import access
from teamquota.web.comp.models import ApiToken, record


@access.signed_in
def api_tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            request.user.api_tokens.filter(pk=request.POST.get("revoke")).delete()
            messages.success(request, "Token revoked")
            return redirect("api_tokens")
        name = request.POST.get("name", "").strip()[:100] or "token"
        _, new_token = ApiToken.issue(request.user, name)
        record(request.user, "api.token", "user", request.user.pk,
               f"{request.user.username} created API token '{name}'")
    return render(request, "comp/api_tokens.html", {
        "tokens": request.user.api_tokens.all(), "new_token": new_token})

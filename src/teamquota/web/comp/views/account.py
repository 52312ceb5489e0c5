"""Passwords: every user changes their own; sales ops set a one-time password for a user
who forgot theirs (there is no mail server to send a reset link), which that user must
replace at their next sign-in. Both are audited; neither shows or stores the old one."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models import User, record


@access.signed_in
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()  # User.save revokes the user's API tokens
            User.objects.filter(pk=user.pk).update(must_change_password=False,
                                                   password_set_by=user)
            record(user, "user.password_change", "user", user.pk,
                   f"{user.username} changed their password")
        update_session_auth_hash(request, form.user)  # stay signed in here only
        messages.success(request, "Your password was changed; other sessions were signed "
                                  "out.")
        return redirect("home")
    return render(request, "comp/password_change.html", {
        "form": form, "forced": user.must_change_password})


def reset_refusal(actor: User, target: User) -> str | None:
    """Why ``actor`` may not set a one-time password for ``target`` (None: they may)."""
    if target.pk != actor.pk and not target.is_active:
        return f"{target.username} is deactivated"
    # segregation of duties: whoever knows a finance login's password could approve the
    # payouts of the plans and data they changed themselves (access.user_admin_refusal)
    return access.user_admin_refusal(actor, "set_password", target)


@require_POST
@access.require_role("sales_ops")
def password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    refusal = reset_refusal(request.user, target)
    if refusal:
        messages.error(request, refusal)
        return redirect("users")
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        # ends the user's sessions (their hash changes); User.save revokes their API tokens
        target.set_password(password, by=request.user)
        target.must_change_password = True
        target.save(update_fields=["password", "must_change_password", "password_set_by"])
        record(request.user, "user.password_reset", "user", target.pk,
               f"{request.user.username} set a one-time password for {target.username}")
    messages.success(request, f"{target.username} can sign in once with {password} "
                              "(shown only now) and must then choose their own password.")
    return redirect("users")

"""User administration for sales ops: create logins with roles and a payee, deactivate."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models import Payee, User, record
from teamquota.web.comp.models.org import ROLE_LABELS, ROLES


@access.require_role("sales_ops")
def user_list(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    created = None
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        roles = [r for r in request.POST.getlist("roles") if r in ROLES]
        payee_id = request.POST.get("payee_id", "").strip()
        payee = Payee.objects.filter(payee_id=payee_id).first() if payee_id else None
        if not username or not username.replace("-", "").replace("_", "").isalnum():
            errors.append("username: letters, digits, - and _ only")
        elif User.objects.filter(username=username).exists():
            errors.append(f"username '{username}' is taken")
        if not roles:
            errors.append("choose at least one role")
        if payee_id and payee is None:
            errors.append(f"unknown payee id '{payee_id}'")
        elif payee is not None and User.objects.filter(payee=payee).exists():
            errors.append(f"payee '{payee_id}' already has a login")
        if ("rep" in roles or "leader" in roles) and payee is None:
            errors.append("reps and leaders need their payee id")
        if not errors:
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                user = User.objects.create_user(username=username, password=password,
                                                role_names=",".join(roles), payee=payee,
                                                must_change_password=True)
                record(request.user, "user.create", "user", user.pk,
                       f"{request.user.username} created {username} ({', '.join(roles)})")
            created = (username, password)
    return render(request, "comp/user_list.html", {
        "users": User.objects.select_related("payee").order_by("username"),
        "roles": [(r, ROLE_LABELS[r]) for r in ROLES], "errors": errors, "created": created,
        "form": request.POST})


@require_POST
@access.require_role("sales_ops")
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    if user == request.user:
        messages.error(request, "you cannot deactivate yourself")
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.api_tokens.all().delete()
        record(request.user, "user.deactivate", "user", user.pk,
               f"{request.user.username} deactivated {user.username}")
        messages.success(request, f"{user.username} can no longer sign in")
    return redirect("users")

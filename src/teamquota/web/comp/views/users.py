"""User administration for sales ops: create logins with roles and a payee, change their
roles, deactivate — within what ``access.user_admin_refusal`` allows (never finance or
administrator logins, never the finance role). Each login records who created it and who
last set its password and roles (segregation of duties at approval)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models import Payee, User, record
from teamquota.web.comp.models.org import ROLE_LABELS, ROLES, normalize_username


@access.require_role("sales_ops")
def user_list(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    created = None
    if request.method == "POST" and request.POST.get("action") == "roles":
        errors = _change_roles(request)
    elif request.method == "POST":
        username = normalize_username(request.POST.get("username", ""))
        roles = [r for r in request.POST.getlist("roles") if r in ROLES]
        payee_id = request.POST.get("payee_id", "").strip()
        payee = Payee.objects.filter(payee_id=payee_id).first() if payee_id else None
        refusal = access.user_admin_refusal(request.user, "create", roles=frozenset(roles),
                                            username=username)
        if refusal:
            errors.append(refusal)
        if not username or not username.replace("-", "").replace("_", "").isalnum():
            errors.append("username: letters, digits, - and _ only")
        elif any(normalize_username(u) == username
                 for u in User.objects.values_list("username", flat=True)):
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
                                                must_change_password=True,
                                                created_by=request.user,
                                                password_set_by=request.user,
                                                roles_set_by=request.user)
                record(request.user, "user.create", "user", user.pk,
                       f"{request.user.username} created {username} ({', '.join(roles)})")
            created = (username, password)
    users = list(User.objects.select_related("payee").order_by("username"))
    return render(request, "comp/user_list.html", {
        "users": users, "errors": errors, "created": created, "form": request.POST,
        "manageable": {u.pk for u in users
                       if access.user_admin_refusal(request.user, "deactivate", u) is None},
        "grantable": [(r, ROLE_LABELS[r]) for r in ROLES
                      if r in access.SALES_OPS_ADMINISTERS]})


def _change_roles(request: HttpRequest) -> list[str]:
    target = get_object_or_404(User, pk=request.POST.get("user_id") or 0)
    roles = [r for r in ROLES if r in request.POST.getlist("roles")]
    refusal = access.user_admin_refusal(request.user, "change_roles", target,
                                        frozenset(roles))
    if refusal:
        return [refusal]
    if not roles:
        return ["choose at least one role"]
    if ("rep" in roles or "leader" in roles) and target.payee_id is None:
        return ["reps and leaders need their payee id"]
    before = target.role_label
    with transaction.atomic():
        target.role_names, target.roles_set_by = ",".join(roles), request.user
        target.save(update_fields=["role_names", "roles_set_by"])
        record(request.user, "user.roles", "user", target.pk,
               f"{request.user.username} changed the roles of {target.username}: "
               f"{before} -> {target.role_label}")
    messages.success(request, f"{target.username} now holds: {target.role_label}")
    return []


@require_POST
@access.require_role("sales_ops")
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    refusal = access.user_admin_refusal(request.user, "deactivate", user)
    if refusal:
        messages.error(request, refusal)
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.api_tokens.all().delete()
        record(request.user, "user.deactivate", "user", user.pk,
               f"{request.user.username} deactivated {user.username}")
        messages.success(request, f"{user.username} can no longer sign in")
    return redirect("users")

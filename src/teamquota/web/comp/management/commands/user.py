"""``python -m teamquota.web.manage user ...``: the server administrator's user commands —
the only way to create, reset, deactivate or change the roles of finance and administrator
logins, and to give anyone the finance role (sales ops may not: segregation of duties).

    user create NAME --roles finance[,rep...] [--payee ID]   prints a one-time password
    user password NAME                                       prints a one-time password
    user roles NAME finance[,sales_ops...]
    user deactivate NAME

Each is audited with no actor (the server administrator) and leaves the login's provenance
(created_by, password_set_by, roles_set_by) empty: nobody in the app chose it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from teamquota.web.comp.models import Payee, User, record
from teamquota.web.comp.models.org import ROLES, normalize_username


def _roles(text: str) -> str:
    roles = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise CommandError(f"roles: one or more of {', '.join(ROLES)} (got '{text}')")
    return ",".join(r for r in ROLES if r in roles)


class Command(BaseCommand):
    help = "Create, reset, deactivate or change the roles of a login (finance included)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new login with a one-time password")
        create.add_argument("name")
        create.add_argument("--roles", required=True)
        create.add_argument("--payee", default="")
        sub.add_parser("password", help="set a one-time password").add_argument("name")
        roles = sub.add_parser("roles", help="replace the login's roles")
        roles.add_argument("name")
        roles.add_argument("roles")
        sub.add_parser("deactivate", help="the login can no longer sign in").add_argument(
            "name")

    def handle(self, *args: Any, **options: Any) -> None:
        name = normalize_username(options["name"])
        action = options["action"]
        with transaction.atomic():
            if action == "create":
                self._create(name, _roles(options["roles"]), options["payee"])
                return
            user = User.objects.filter(username=name).first()
            if user is None:
                raise CommandError(f"no user '{name}'")
            if action == "password":
                password = secrets.token_urlsafe(12)
                user.set_password(password)  # by the administrator; revokes API tokens
                user.must_change_password = True
                user.save()
                record(None, "user.password_reset", "user", user.pk,
                       f"the server administrator set a one-time password for {name}")
                self.stdout.write(f"{name}: one-time password: {password}")
            elif action == "roles":
                before, user.role_names = user.role_label, _roles(options["roles"])
                user.roles_set_by = None
                user.save(update_fields=["role_names", "roles_set_by"])
                record(None, "user.roles", "user", user.pk,
                       f"the server administrator changed the roles of {name}: {before} -> "
                       f"{user.role_label}")
                self.stdout.write(f"{name}: roles {user.role_names}")
            else:
                user.is_active = False
                user.save(update_fields=["is_active"])
                user.api_tokens.all().delete()
                record(None, "user.deactivate", "user", user.pk,
                       f"the server administrator deactivated {name}")
                self.stdout.write(f"{name}: deactivated")

    def _create(self, name: str, roles: str, payee_id: str) -> None:
        if any(normalize_username(u) == name
               for u in User.objects.values_list("username", flat=True)):
            raise CommandError(f"username '{name}' is taken")
        payee = Payee.objects.filter(payee_id=payee_id).first() if payee_id else None
        if payee_id and payee is None:
            raise CommandError(f"unknown payee id '{payee_id}'")
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=name, password=password, role_names=roles,
                                        payee=payee, must_change_password=True)
        record(None, "user.create", "user", user.pk,
               f"the server administrator created {name} ({roles})")
        self.stdout.write(f"{name}: created ({roles}); one-time password: {password}")

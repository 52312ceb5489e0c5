"""People and teams: users with roles, payees, the team hierarchy, dated memberships and
dated leaderships."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

ROLES = ("rep", "leader", "finance", "sales_ops")
ROLE_LABELS = {"rep": "Sales rep", "leader": "Sales leader", "finance": "Finance",
               "sales_ops": "Sales ops"}


def normalize_username(name: str) -> str:
    """The one spelling of a username: NFKC (full-width letters become ASCII), trimmed,
    case-folded — so 'Rita', ' rita', 'rita\\t' and 'ｒｉｔａ' are one login and one throttle
    key."""
    return unicodedata.normalize("NFKC", str(name)).strip().casefold()


class NormalizedUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        try:
            return self.get(username=normalize_username(username or ""))
        except self.model.DoesNotExist:
            # a login created before names were normalised keeps its exact spelling
            return self.get(username=username)


class User(AbstractUser):
    """A login. ``role_names`` is a comma-separated subset of :data:`ROLES`; one person may
    hold several (a small company's finance lead may also run sales ops) — segregation of
    duties then still stops them approving what they changed."""

    role_names = models.CharField(max_length=100, default="rep")
    payee = models.OneToOneField("comp.Payee", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="user")
    # set when sales ops chose the password (new login, reset): the user must pick their
    # own before anything else (middleware.PasswordChangeRequiredMiddleware)
    must_change_password = models.BooleanField(default=False)
    # provenance for segregation of duties (access.approval_refusal): whoever created the
    # login, last set its password or last changed its roles could use or shape it. None:
    # the server administrator (``manage user ...``, ``changepassword``) or the user
    # themselves for password_set_by once they chose their own.
    created_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    password_set_by = models.ForeignKey("self", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    roles_set_by = models.ForeignKey("self", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    objects = NormalizedUserManager()

    @classmethod
    def normalize_username(cls, username: str) -> str:
        return normalize_username(username)

    def set_password(self, raw_password: str | None, by: User | None = None) -> None:
        """``by``: who chose it (None: the server administrator's command)."""
        super().set_password(raw_password)
        self.password_set_by = by

    def save(self, *args: Any, **kwargs: Any) -> None:
        # a new password revokes every API token (a reset, a change, changepassword):
        # whoever knew the old password may have made one
        password_changed = self.pk is not None and self._password is not None
        update_fields = kwargs.get("update_fields")
        if password_changed and update_fields is not None and \
                "password_set_by" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "password_set_by"]
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.all().delete()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for r in self.role_names.split(",") if r)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_label(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in ROLES if r in self.roles)


class Payee(models.Model):
    payee_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=200, blank=True, default="")
    role = models.CharField(max_length=100, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    target_incentive = models.DecimalField(max_digits=18, decimal_places=2,
                                           default=Decimal("0"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    team_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    leader = models.ForeignKey(Payee, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="led_teams")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    payee = models.ForeignKey(Payee, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["team", "payee", "start_date"]
        indexes = [models.Index(fields=["team", "start_date"])]

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Leadership(models.Model):
    """``payee`` leads ``team`` from ``start_date`` to ``end_date`` (inclusive; None: still).
    The open span's payee is ``Team.leader`` (services.org keeps the two in step); access
    reads the spans, so a leader sees a team's periods only from the day they led it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="leaderships")
    payee = models.ForeignKey(Payee, on_delete=models.CASCADE, related_name="leaderships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["team", "start_date"]
        indexes = [models.Index(fields=["payee", "start_date"])]

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

"""People and teams: users with roles, payees, the team hierarchy, dated memberships."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models

ROLES = ("rep", "leader", "finance", "sales_ops")
ROLE_LABELS = {"rep": "Sales rep", "leader": "Sales leader", "finance": "Finance",
               "sales_ops": "Sales ops"}


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

"""Plans: immutable YAML versions (an edit makes a new version) and dated assignments."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Plan(models.Model):
    plan_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["plan_id"]

    def __str__(self) -> str:
        return self.name or self.plan_id

    @property
    def current(self) -> PlanVersion | None:
        return self.versions.order_by("-number").first()


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    yaml_text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="plan_versions")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="plan_version_number")]

    def __str__(self) -> str:
        return f"{self.plan.plan_id} v{self.number}"


class PlanAssignment(models.Model):
    """``payee`` is paid by ``plan`` for periods that end within [start_date, end_date]."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    payee = models.ForeignKey("comp.Payee", on_delete=models.CASCADE,
                              related_name="assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["payee", "start_date"]

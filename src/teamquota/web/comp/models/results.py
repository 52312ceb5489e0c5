"""Calculation runs and what they produced; periods and their close workflow.

The Django side of the ledger (docs/ledger.md, rules in ``teamquota.ledger``): an unlocked
period shows the newest run; a locked one its run for ever, with a frozen snapshot; a later
run's differences become adjustment lines of that run booked in an open period; manual
entries belong to the period they are booked in and to no run. Lines are never updated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

# Inputs (targets, deal amounts) and the engine's target column are cents.
MONEY = {"max_digits": 18, "decimal_places": 2}
# A payout line is paid in its currency's minor unit (KWD, BHD, OMR: 3) or a plan's
# ``rounding.places``: the column keeps 3 places, the most any currency the engine knows has
# (core.money.MINOR_UNITS), with the same 16 digits before the point as MONEY, so every
# stored amount fits when the column widens (migration 0011). The web still keeps amounts
# below 10^13 (data.limits, E053), and a 3-place one below 10^12 (``payout_limit``): a
# SQLite decimal is a float, exact to 15 significant digits. A plan paid to more places is
# refused (E052, docs/web.md "Money").
PAYOUT_PLACES = 3
PAYOUT_MONEY = {"max_digits": 16 + PAYOUT_PLACES, "decimal_places": PAYOUT_PLACES}
CENT = Decimal("0.01")


def as_paid(value: Decimal) -> Decimal:
    """A stored payout amount with the places it was paid to: cents when it has no finer
    digit (``Decimal('10.00')``, as before the column widened, so a cent amount reads, prints
    and hashes as it always did), else every place (``Decimal('10.006')``)."""
    if not value.is_finite():
        return value
    cents = value.quantize(CENT)
    return cents if cents == value else value.normalize()


class PayoutAmountField(models.DecimalField):  # type: ignore[type-arg]
    """The payout amount column: ``PAYOUT_MONEY``, read back :func:`as_paid` (SQLite and
    PostgreSQL hand back every column place, ``10.000``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", PAYOUT_MONEY["max_digits"])
        kwargs.setdefault("decimal_places", PAYOUT_MONEY["decimal_places"])
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else as_paid(Decimal(value) if not isinstance(
            value, Decimal) else value)


class Run(models.Model):
    STATUSES = [("queued", "Queued"), ("running", "Running"), ("done", "Done"),
                ("failed", "Failed")]
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    progress = models.CharField(max_length=200, blank=True, default="")
    plan_versions = models.ManyToManyField("comp.PlanVersion", related_name="runs")
    # Imports whose rows the run read: their authors may not approve its payouts.
    imports = models.ManyToManyField("comp.Import", related_name="runs", blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    periods = models.JSONField(default=list, blank=True)
    diagnostics = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True, default="")
    # host:pid:pid start time of the process executing it (services/workers.py)
    worker = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run #{self.pk}"


class Period(models.Model):
    STATUSES = [("open", "Open"), ("calculated", "Calculated"), ("reviewed", "Reviewed"),
                ("approved", "Approved"), ("locked", "Locked")]
    label = models.CharField(max_length=10, unique=True)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=12, choices=STATUSES, default="open")
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(null=True, blank=True)
    # sha256 of what the period pays now (teamquota.ledger.book.fingerprint): reviews and
    # the approval are given for it and lapse when it changes
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_locked(self) -> bool:
        return self.status == "locked"


class PeriodReview(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reviews")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("comp.Team", on_delete=models.CASCADE, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "fingerprint", "team"],
                                               name="one_review_per_team_and_numbers")]


class PeriodSnapshot(models.Model):
    """A locked period frozen: the fingerprint of its lines and the payroll file as written
    at lock, names and e-mails as they were that day."""

    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="snapshot")
    fingerprint = models.CharField(max_length=64)
    payroll_csv = models.TextField()
    sha256 = models.CharField(max_length=64)
    totals = models.JSONField(default=dict)  # currency -> amount (text)
    locked_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)


class ImmutableLine(Exception):
    """Raised by code that tries to change a posted line (a bug, not a user error)."""


class PayoutLine(models.Model):
    """One payout line (the engine's payouts schema), or a ledger entry booked in
    ``period`` for ``adjusts_period`` with its ``cause``: a correction to a locked period
    (``adjustment``/``clawback``, belongs to the run that computed it) or a ``manual``
    entry (no run: it belongs to the period). Written once, never updated."""

    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.CASCADE,
                            related_name="lines")
    period = models.CharField(max_length=10)
    payee = models.ForeignKey("comp.Payee", on_delete=models.PROTECT, related_name="lines")
    plan_id = models.CharField(max_length=64, blank=True, default="")
    component_id = models.CharField(max_length=64)
    line_type = models.CharField(max_length=20)
    team = models.ForeignKey("comp.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    deal_id = models.CharField(max_length=100, blank=True, default="")
    measure_value = models.DecimalField(max_digits=38, decimal_places=4, null=True)
    target_amount = models.DecimalField(null=True, **MONEY)
    attainment = models.DecimalField(max_digits=38, decimal_places=12, null=True)
    factor = models.DecimalField(max_digits=38, decimal_places=12, null=True)
    amount = PayoutAmountField()
    currency = models.CharField(max_length=3)
    rule = models.TextField(blank=True, default="")
    explanation = models.TextField(blank=True, default="")
    adjusts_period = models.CharField(max_length=10, blank=True, default="")
    cause = models.TextField(blank=True, default="")
    # who typed a manual adjustment (engine lines have none): they may not approve it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["period", "payee_id", "component_id", "id"]
        indexes = [models.Index(fields=["run", "payee", "period"]),
                   models.Index(fields=["run", "period"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableLine(f"payout line {self.pk} is posted; book an entry instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def shown(cls, period: Period) -> models.QuerySet[PayoutLine]:
        """What ``period`` pays: its run's lines and corrections booked in it, and the
        manual entries booked in it."""
        return cls.objects.filter(models.Q(run_id=period.run_id) | models.Q(run__isnull=True),
                                  period=period.label)


class AttainmentRow(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="attainment")
    period = models.CharField(max_length=10)
    plan_id = models.CharField(max_length=64, blank=True, default="")
    component_id = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=10)
    subject_id = models.CharField(max_length=100)
    measure_value = models.DecimalField(max_digits=38, decimal_places=4, null=True)
    target_amount = models.DecimalField(null=True, **MONEY)
    attainment = models.DecimalField(max_digits=38, decimal_places=12, null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "subject_type", "subject_id", "period"])]


class CreditRow(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="credits")
    period = models.CharField(max_length=10)
    deal_id = models.CharField(max_length=100)
    subject_type = models.CharField(max_length=10)
    subject_id = models.CharField(max_length=100)
    rule = models.CharField(max_length=20)
    share = models.DecimalField(max_digits=18, decimal_places=8, null=True)
    payee_id = models.CharField(max_length=100, blank=True, default="",
                                help_text="the credited payee a team credit comes through")
    # deal amount (2 places) x share (8 places): exact at 10 places, as the engine keeps it
    amount = models.DecimalField(max_digits=38, decimal_places=10, null=True)
    counts_for_team = models.BooleanField(default=True)
    close_date = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["run", "subject_type", "subject_id", "period"])]


class TeamSummary(models.Model):
    """A team's credited amount in a period, per day and in total, and how many deals
    credited it: summed once when the run's results are stored, so a dashboard never
    re-reads every credit row of a large team (a top team holds most of them)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="team_summaries")
    period = models.CharField(max_length=10)
    team_id = models.CharField(max_length=100)
    credited = models.DecimalField(max_digits=38, decimal_places=10)
    days = models.JSONField(default=list)  # [["2017-02-10", "1000.0000000000"], ...]
    deals = models.IntegerField(default=0)  # distinct deals with a non-zero credit

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "team_id", "period"],
                                               name="one_summary_per_team_and_period")]

"""Payees in a period's register that finance should look at before approving, each with
the rule it broke and the numbers.

Rules (the thresholds are settings, or environment variables of the same name):
- paid above ``TEAMQUOTA_OUTLIER_TI_MULTIPLE`` (default 2) x the payee's target-incentive
  share for the period (annual TI x the period's months / 12, as the engine prorates it);
  exactly the multiple is not an outlier, above it is; a payee with no TI is not judged;
- a negative total;
- a total that changed by more than ``TEAMQUOTA_OUTLIER_CHANGE_PERCENT`` (default 50) percent
  against the previous period (exactly the percentage is not an outlier; a payee not paid
  in the previous period, or paid zero there, is not judged: the change is not a percentage);
- a payout with no credited deal in the period's run (no non-zero credit to the payee,
  directly or through a team).
Amounts compare per currency row; a TI share is judged only in the payee's currency."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

from teamquota.core.money import ZERO, fmt_amount
from teamquota.web.comp.models import CreditRow, PayoutLine, Period
from teamquota.web.comp.services.close_changes import previous_period
from teamquota.web.comp.services.close_register import RegisterRow
from teamquota.web.comp.services.money import shown

DEFAULTS = {"TEAMQUOTA_OUTLIER_TI_MULTIPLE": Decimal("2"),
            "TEAMQUOTA_OUTLIER_CHANGE_PERCENT": Decimal("50")}


@dataclass(frozen=True)
class Outlier:
    row: RegisterRow
    rule: str  # ti_multiple, negative, change, no_deals
    text: str


def threshold(name: str) -> tuple[Decimal, str | None]:
    """A rule's threshold and, for a bad setting, the message saying the default is used."""
    raw = getattr(settings, name, os.environ.get(name))
    if raw is None or raw == "":
        return DEFAULTS[name], None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0:
        return DEFAULTS[name], (f"{name}={str(raw)[:40]!r} is not a positive number; "
                                f"using {DEFAULTS[name]}")
    return value, None


def months(period: Period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month \
        - period.start.month + 1


def ti_share(row: RegisterRow, period: Period) -> Decimal:
    """The payee's target incentive for the period, to the cent (annual x months / 12)."""
    return (row.payee.target_incentive * months(period) / 12).quantize(Decimal("0.01"))


def _ratio(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def _credited_payees(period: Period) -> set[str]:
    direct = CreditRow.objects.filter(run_id=period.run_id, period=period.label,
                                      subject_type="payee").exclude(amount=0)
    through = CreditRow.objects.filter(run_id=period.run_id, period=period.label) \
        .exclude(amount=0).exclude(payee_id="")
    return set(direct.values_list("subject_id", flat=True)) | \
        set(through.values_list("payee_id", flat=True))


def _previous_totals(period: Period) -> tuple[Period | None, dict[tuple[int, str], Decimal]]:
    prev = previous_period(period)
    totals: dict[tuple[int, str], Decimal] = {}
    if prev is not None:
        for payee, currency, amount in PayoutLine.shown(prev).values_list(
                "payee_id", "currency", "amount"):
            totals[(payee, currency)] = totals.get((payee, currency), ZERO) + amount
    return prev, totals


def find_outliers(period: Period, rows: list[RegisterRow]) -> tuple[list[Outlier], list[str]]:
    """The outliers among ``rows`` (the whole register, not a filtered view) and any
    message about a bad threshold setting."""
    multiple, bad_multiple = threshold("TEAMQUOTA_OUTLIER_TI_MULTIPLE")
    percent, bad_percent = threshold("TEAMQUOTA_OUTLIER_CHANGE_PERCENT")
    prev, before = _previous_totals(period)
    credited = _credited_payees(period)
    found: list[Outlier] = []
    for r in rows:
        paid = shown(r.total, r.currency)
        share = ti_share(r, period)
        if share > 0 and r.currency == r.payee.currency and r.total > multiple * share:
            limit = (multiple * share).quantize(Decimal("0.01"))
            found.append(Outlier(r, "ti_multiple", (
                f"paid {paid} = {(r.total / share).quantize(Decimal('0.01'))} x TI share "
                f"{fmt_amount(share)}; the limit is {_ratio(multiple)} x = "
                f"{fmt_amount(limit)}")))
        if r.total < 0:
            found.append(Outlier(r, "negative", f"total {paid} is negative"))
        was = before.get((r.payee.pk, r.currency))
        if prev is not None and was is not None and was != 0:
            change = (r.total - was) / abs(was) * 100
            if abs(change) > percent:
                found.append(Outlier(r, "change", (
                    f"paid {paid}, was {shown(was, r.currency)} in {prev.label}: "
                    f"{'+' if change > 0 else ''}{_ratio(change)}% (more than "
                    f"{_ratio(percent)}%)")))
        if r.total != 0 and r.payee.payee_id not in credited:
            found.append(Outlier(r, "no_deals", (
                f"paid {paid} with no credited deal in {period.label} "
                f"(run #{period.run_id})")))
    return found, [m for m in (bad_multiple, bad_percent) if m]

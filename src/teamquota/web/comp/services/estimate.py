"""The estimator: what closing some open deals would pay a rep and do for their team.

It asks the engine (never a second formula): the rep's team slice of the data, with the
chosen deals set to Won at the estimated amount on the period's last day (or today), is
calculated with the rep's plan and compared with the published results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pyarrow as pa

import teamquota
from teamquota.core.periods import parse_period
from teamquota.data.limits import WEB_MONEY_WHOLE_DIGITS, money_problem
from teamquota.engine.curve import curve_factor
from teamquota.plan.model import Component
from teamquota.web.comp.models import Deal, Membership, Payee, PayoutLine, Period, Run
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.runs import loaded_plan

ZERO = Decimal("0")
CLOSED = ("Won", "Lost")


@dataclass
class Estimate:
    period: str
    before_total: Decimal
    after_total: Decimal
    lines_before: dict[str, Decimal]
    lines_after: dict[str, Decimal]
    team_before: dict[str, Any]
    team_after: dict[str, Any]
    explanations: list[str]


class EstimateError(ValueError):
    """The chosen amounts cannot be estimated (shown on the form)."""


# Grouped numbers: thousands may be grouped with commas or with spaces (one kind in a
# number, every group after the first of three digits, all before the point); the point is
# the only decimal separator. A comma anywhere else ("1.200,50", "12,5", "1,20") could be a
# decimal comma, and points grouping threes ("1.200") thousands, so they are refused with
# the rule, never guessed.
GROUPED = re.compile(r"^[+-]?\d{1,3}(?P<sep>[, ])\d{3}((?P=sep)\d{3})*(\.\d*)?$")
POINT_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")  # "1.200", "1.200.000": 1200?
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})  # no-break, thin
AMBIGUOUS = ("is ambiguous: write the decimals after a point and group thousands with "
             "commas or spaces, e.g. 1,200.50, 1 200.50 or 1200.50")


def ungroup(text: str) -> tuple[str | None, str]:
    """``text`` without its thousands separators ("1,200.50" -> "1200.50", "20 000" ->
    "20000"), or None and why it is refused (:data:`GROUPED`)."""
    plain = text.strip().translate(SPACES)
    if POINT_GROUPED.match(plain):
        return None, AMBIGUOUS
    if "," not in plain and " " not in plain:
        return plain, ""
    if GROUPED.match(plain):
        return plain.replace(",", "").replace(" ", ""), ""
    return None, AMBIGUOUS


def read_amount(text: str) -> tuple[Decimal | None, str]:
    """An estimated deal amount as the web stores deals' amounts (positive, 13 digits
    before the point, 2 decimals: ``data.limits``), grouped or not (:func:`ungroup`), or
    None and what is wrong, quoted."""
    shown = text.strip()[:40]
    plain, problem = ungroup(text)
    if plain is None:
        return None, f"'{shown}' {problem}"
    problem = money_problem(plain, WEB_MONEY_WHOLE_DIGITS)
    if problem is None and Decimal(plain) <= 0:
        problem = "is not positive"
    if problem is not None:
        return None, (f"'{shown}' {problem}; expected a positive amount such as 12500.00 "
                      f"(at most {WEB_MONEY_WHOLE_DIGITS} digits before the point, 2 after)")
    return Decimal(plain), ""


def pay_at(component: Component, target_incentive: Decimal, label: str,
           attainment: Decimal, places: int = 2) -> Decimal:
    """What a curve component pays a payee in full membership of the period at
    ``attainment``: the period's share of the yearly target incentive x the component's
    weight x the curve's factor there (the engine's ``curve_factor``), rounded half up to
    ``places``. The estimator's "at the gate it would pay" figure."""
    months = parse_period(label).months
    factor = curve_factor(list(component.payout.curve or []), attainment, component.payout.cap)
    amount = target_incentive * months / 12 * (component.weight or ZERO) * factor
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def open_deals(payee: Payee) -> list[Deal]:
    return list(Deal.objects.filter(owner=payee).exclude(stage__in=CLOSED)
                .order_by("product", "deal_id"))


def typical_amounts(products: set[str]) -> dict[str, Decimal]:
    """Average won amount per product (a starting guess the rep can change), exact."""
    from django.db.models import Count

    from teamquota.web.comp.exact_sum import ExactSum
    rows = (Deal.objects.filter(product__in=products, stage="Won", amount__isnull=False)
            .values("product").annotate(total=ExactSum("amount"), n=Count("id")))
    return {r["product"]: (r["total"] / r["n"]).quantize(Decimal("0.01")) for r in rows}


def _slice(payee: Payee) -> Any:
    """The rep's teams' members and their deals (keeps those teams' numbers exact while
    reading and calculating a fraction of the data)."""
    teams = set(Membership.objects.filter(payee=payee).values_list("team__team_id", flat=True))
    members = set(Membership.objects.filter(team__team_id__in=teams)
                  .values_list("payee__payee_id", flat=True)) | {payee.payee_id}
    return build_dataset(payee_ids=members)


def estimate(payee: Payee, period: Period, chosen: dict[str, Decimal], today: date) -> Estimate:
    run: Run = period.run  # type: ignore[assignment]
    version = next(iter(run.plan_versions.filter(plan__assignments__payee=payee)), None) \
        or run.plan_versions.first()
    plan = loaded_plan(version)
    plain = _slice(payee)
    close = min(period.end, max(today, period.start))
    deals = plain["deals"].to_pylist()
    for row in deals:
        if row["deal_id"] in chosen:
            row.update(stage="Won", amount=chosen[row["deal_id"]], close_date=close)
    data = plain.replace(deals=pa.Table.from_pylist(deals, schema=plain["deals"].schema))
    before = teamquota.calculate(plan, plain, periods=[period.label])
    try:
        after = teamquota.calculate(plan, data, periods=[period.label])
    except (pa.ArrowInvalid, ArithmeticError) as exc:
        # an amount the deals' column holds can still give an attainment beyond the
        # results' columns (decimal(38,12)): say so on the form, not with a 500
        raise EstimateError(
            "these amounts give an attainment too large to calculate; try smaller "
            "amounts") from exc
    except duckdb.Error as exc:  # e.g. a split or foreign deal of 10^10 or more: the
        # engine multiplies those in decimal(20,10) (engine/credit.py)
        raise EstimateError("these amounts are too large for the engine to calculate; try "
                            "smaller amounts") from exc

    def mine(results: Any) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for row in results.payouts.to_pylist():
            if row["payee_id"] == payee.payee_id and row["period"] == period.label:
                out[row["component_id"]] = out.get(row["component_id"], ZERO) + row["amount"]
        return out

    def team(results: Any) -> dict[str, Any]:
        teams = set(Membership.objects.filter(payee=payee).values_list("team__team_id",
                                                                        flat=True))
        return {(r["subject_id"], r["component_id"]): r["attainment"]
                for r in results.attainment.to_pylist()
                if r["subject_type"] == "team" and r["subject_id"] in teams
                and r["period"] == period.label}

    lines_after = mine(after)
    explanations = [r["explanation"] for r in after.payouts.to_pylist()
                    if r["payee_id"] == payee.payee_id and r["period"] == period.label]
    return Estimate(period.label, sum(mine(before).values(), ZERO),
                    sum(lines_after.values(), ZERO), mine(before), lines_after, team(before),
                    team(after), explanations)


def published_total(payee: Payee, period: Period) -> Decimal:
    return sum(PayoutLine.shown(period).filter(payee=payee).values_list("amount", flat=True),
               ZERO)

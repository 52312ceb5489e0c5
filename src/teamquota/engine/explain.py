"""Statement wording: labels for measures and the arithmetic of each payout line."""

from __future__ import annotations

from decimal import Decimal

from teamquota.core.money import fmt_money, fmt_pct
from teamquota.plan.model import Compare, Component


def measure_label(component: Component) -> str:
    """'team Won' for {where: {stage: Won}}; 'personal count of meeting' for counts."""
    values = []
    for rule in component.measure.where.values():
        if isinstance(rule, list):
            values.append("/".join(str(v) for v in rule))
        elif not isinstance(rule, Compare):
            values.append(str(rule))
    what = " ".join(values)
    if component.measure.count:
        what = f"count of {what}".strip() if what else "count"
    return f"{component.id} {what}".strip()


def money(value: Decimal) -> str:
    return fmt_money(value)


def number(value: Decimal) -> str:
    """Counts read '3' and fractional credit '2.5', not '3.0000000000'."""
    normal = value.normalize()
    return f"{normal:,f}" if normal == normal.to_integral() else f"{normal:,.4f}"


def ratio(measure: Decimal, target: Decimal, attainment: Decimal, count: bool) -> str:
    shown = number(measure) if count else money(measure)
    return f"{shown} / target {money(target)} = {fmt_pct(attainment)}"


def fraction_text(days: int, period_days: int) -> str:
    return f"{days}/{period_days} days"

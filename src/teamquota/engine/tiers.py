"""Rate and tier commission on one measure and target, exactly, with its statement words.

Shared by the period lines (``pay.commission_lines``) and the year-to-date lines
(``ytd.ytd_commission_lines``), so both pay a measure the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teamquota.core.money import ZERO, fmt_money, fmt_pct
from teamquota.engine.curve import tiered_commission
from teamquota.engine.finish import finish
from teamquota.plan.model import Component


def tier_list(component: Component) -> list[tuple[Decimal, Decimal]]:
    """(threshold, rate) pairs; a flat ``rate`` is one tier from 0."""
    payout = component.payout
    if payout.tiers:
        return [(t.from_, t.rate) for t in payout.tiers]
    return [(ZERO, payout.rate or ZERO)]


def needs_target(component: Component) -> bool:
    """Whether the tiers read a target: thresholds as multiples of it, or a quota floor."""
    payout, tiers = component.payout, tier_list(component)
    return payout.basis == "attainment" and (
        len(tiers) > 1 or tiers[0][0] != ZERO or payout.mode == "zero_until_quota")


def money_tiers(component: Component, target: Decimal | None,
                n: Any = None) -> list[tuple[Any, Any]]:
    """Thresholds in currency: x target with ``basis: attainment``. ``n`` converts numbers
    to the arithmetic's type (see ``finish``); without it, the product is a Decimal."""
    scale = target if component.payout.basis == "attainment" and target else Decimal(1)
    if n is None:
        return [(start * scale, rate) for start, rate in tier_list(component)]
    return [(n(start) * n(scale), n(rate)) for start, rate in tier_list(component)]


def commission(component: Component, measure: Decimal, target: Decimal | None,
               currency: str, mode: str, places: int,
               fx_rate: Decimal = Decimal(1)) -> Decimal:
    """The commission on ``measure`` (x ``fx_rate``), rounded once by ``mode``."""
    payout = component.payout
    floor = target if payout.mode == "zero_until_quota" else None

    def compute(n: Any) -> Any:
        value = tiered_commission(n(measure), money_tiers(component, target, n),
                                  payout.mode, None if floor is None else n(floor))
        return value * n(fx_rate)

    amount, _ = finish(compute, currency, mode, places)
    return amount


def tier_text(component: Component, target: Decimal | None) -> str:
    """The tiers as a statement shows them, thresholds in currency."""
    tiers = money_tiers(component, target)
    mode = component.payout.mode
    floor = target if mode == "zero_until_quota" else None
    if len(tiers) == 1 and tiers[0][0] == ZERO and floor is None:
        return f"x {fmt_pct(tiers[0][1], 2)}"
    parts = [f"{fmt_pct(rate, 2)} from {fmt_money(start)}" for start, rate in tiers]
    words = {"marginal": "each slice at its tier's rate", "whole": "all at the highest tier "
             "reached", "zero_until_quota": "only above target, each slice at its rate"}
    return f"tiers {', '.join(parts)} ({words.get(mode, mode)})"


def tier_rule(component: Component) -> str:
    basis = "of target" if component.payout.basis == "attainment" else "in currency"
    return f"commission, {component.payout.mode} tiers ({basis})"

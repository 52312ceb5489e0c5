"""Team pools: rate x the team's measure, split among eligible members to the cent.

Weights: ``equal`` (days in the team during the period, so a member for half the quarter
weighs half), ``ti_share`` (target incentive x days), ``contribution`` (the member's credit
to the team measure) or fixed ``weights``. Members failing the component's gate (the
free-rider guard) get a 0.00 line saying why, and their share goes to the others.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from teamquota.core.money import EXACT, ZERO, allocate, fmt_amount, fmt_money, fmt_pct
from teamquota.core.periods import Period
from teamquota.engine import explain
from teamquota.engine.context import PayContext
from teamquota.engine.finish import finish
from teamquota.engine.lines import Line, attainment_of, convert, gate_failure, make_line
from teamquota.engine.targets import shown_money
from teamquota.plan.model import Component


def _weight(ctx: PayContext, component: Component, team: str, payee: str, days: int,
            period: Period) -> Decimal:
    split = component.payout.pool.split  # type: ignore[union-attr]
    if split == "equal":
        return Decimal(days)
    if split == "ti_share":
        return ctx.payees[payee].target_incentive * days
    if split == "contribution":
        return ctx.contributions.get((period.label, team, payee), {}).get(component.id, ZERO)
    weights = component.payout.pool.weights or {}  # type: ignore[union-attr]
    return weights.get(payee, ZERO)


def pool_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    pool = component.payout.pool
    assert pool is not None
    eligible = set(ctx.eligible)
    places = ctx.places(ctx.plan.currency)
    lines: list[Line] = []
    for team, members in sorted(ctx.team_members(period).items()):
        if ctx.focus_teams is not None and team not in ctx.focus_teams:
            continue
        members = {p: d for p, d in members.items() if p in eligible}
        if not members:
            continue
        measure = ctx.measure(period.label, "team", team, component.id)
        target = ctx.targets.get("team", team, component.id, period.label)
        attainment = attainment_of(ctx, "team", team, component.id, period)

        def compute(n: Any, measure: Decimal = measure) -> Any:
            return n(pool.rate) * n(measure)

        pool_amount, _ = finish(compute, ctx.plan.currency, ctx.plan.rounding.mode, places)
        label = explain.measure_label(component)
        head = (f"pool {fmt_pct(pool.rate, 2)} x {label} {fmt_money(measure)} = "
                f"{fmt_amount(pool_amount)}")
        rule = f"team pool {fmt_pct(pool.rate, 2)} of team measure, split {pool.split}"
        payees = sorted(members)
        blocked = {p: gate_failure(ctx, component, ctx.payees[p], period, team) for p in payees}
        sharing = [p for p in payees if blocked[p] is None]
        weights = [_weight(ctx, component, team, p, members[p], period) for p in sharing]
        parts = dict(zip(sharing, allocate(pool_amount, weights, places), strict=True))
        total_weight = sum(weights, ZERO)
        for payee_id in payees:
            payee = ctx.payees[payee_id]
            common: dict[str, Any] = {"team_id": team, "measure_value": measure,
                                      "target_amount": shown_money(target),
                                      "attainment": attainment}
            if blocked[payee_id]:
                lines.append(make_line(period, payee, component.id, "pool", ZERO, rule,
                                       f"{head}; not sharing ({blocked[payee_id]}) -> 0.00",
                                       **common))
                continue
            part = parts[payee_id]
            weight = weights[sharing.index(payee_id)]
            with localcontext(EXACT):
                share = weight / total_weight if total_weight else Decimal(1) / len(sharing)
            rate, fx_text = convert(ctx, payee, period)
            amount = part
            if rate != 1:
                def converted(n: Any, part: Decimal = part, rate: Decimal = rate) -> Any:
                    return n(part) * n(rate)

                amount, _ = finish(converted, payee.currency, ctx.plan.rounding.mode,
                                   ctx.places(payee.currency))
            text = (f"{head}; share {fmt_pct(share, 2)} by {pool.split} "
                    f"({_weight_text(pool.split, weight, members[payee_id], period)}) = "
                    f"{fmt_amount(part)}{fx_text}"
                    + (f" = {fmt_amount(amount)}" if fx_text else ""))
            lines.append(make_line(period, payee, component.id, "pool", amount, rule, text,
                                   factor=share, **common))
    return lines


def _weight_text(split: str, weight: Decimal, days: int, period: Period) -> str:
    if split == "equal":
        return explain.fraction_text(days, period.days)
    if split == "contribution":
        return f"contributed {fmt_money(weight)}"
    if split == "ti_share":
        return f"TI x {explain.fraction_text(days, period.days)}"
    return f"weight {weight.normalize()}"

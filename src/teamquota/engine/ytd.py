"""Year-to-date components: attainment on cumulative measure and target, paying each
period the difference between the year-to-date payout and what earlier periods paid.

Each period's line is round(ytd payout now) - what the year's earlier periods paid, so
the lines of a year always sum to the rounded year-to-date payout. What earlier periods
paid is the rounded ytd payout at the previous period, or 0.00 when that period's gate
failed: a gate blocked in Q1 and met in Q2 pays Q1's part in Q2; a gate failing after
earlier payments gives a line of minus what they paid. A fall in attainment gives a
negative line (recovered from this period's pay).

Curves and rate/tier commission (marginal, whole, zero until quota) are paid here;
per-deal tiers accumulate in ``per_deal`` (the running total starts at the year's
start). Pools, team components and SPIFs are refused by the plan check (P017, P019;
docs/plan-language.md says why).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any

from teamquota.core.money import EXACT, ZERO, fmt_amount, fmt_money, round_money
from teamquota.core.periods import Period, period_of
from teamquota.engine import explain, tiers
from teamquota.engine.context import PayContext, Payee
from teamquota.engine.curve import curve_factor, describe_curve
from teamquota.engine.finish import finish
from teamquota.engine.lines import Line, convert, gate_failure, make_line
from teamquota.engine.targets import shown_money
from teamquota.plan.model import Component


def _year_so_far(ctx: PayContext, period: Period) -> list[Period]:
    year = period_of("year", period.start, ctx.plan.year_start_month)
    return [p for p in ctx.periods if year.start <= p.start <= period.start]


def _totals(ctx: PayContext, component: Component, payee_id: str,
            periods: list[Period]) -> tuple[Decimal, Decimal | None]:
    """The payee's measure and target summed over ``periods``; the target is None when a
    period has none."""
    with localcontext(EXACT):
        measure = sum((ctx.measure(p.label, "payee", payee_id, component.id)
                       for p in periods), ZERO)
        found = [ctx.targets.get("payee", payee_id, component.id, p.label) for p in periods]
        if any(t is None for t in found):
            return measure, None
        return measure, sum((t for t in found if t is not None), ZERO)


def _paid_before(ctx: PayContext, component: Component, payee: Payee, so_far: list[Period],
                 earned: Callable[[list[Period]], Decimal]) -> Decimal:
    """What the year's earlier periods paid: the rounded year-to-date payout at the
    previous period, or 0.00 if its gate failed (the lines telescope, so their sum is
    the last one's year-to-date amount)."""
    if len(so_far) < 2:
        return ZERO
    if gate_failure(ctx, component, payee, so_far[-2], None):
        return ZERO
    return earned(so_far[:-1])


def ytd_curve_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    # payee scope only: the plan refuses a team component accumulated year to date (P017)
    so_far = _year_so_far(ctx, period)
    payout = component.payout
    weight = component.weight or ZERO
    lines = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        if _totals(ctx, component, payee_id, so_far)[1] is None:
            continue

        def earned(periods: list[Period], payee: Payee = payee) -> Decimal:
            measure, target = _totals(ctx, component, payee.payee_id, periods)
            if not target:
                return ZERO
            months = sum(p.months for p in periods)

            def compute(n: Any) -> Any:
                points = [(n(x), n(y)) for x, y in payout.curve or []]
                factor = curve_factor(points, n(measure) / n(target),
                                      None if payout.cap is None else n(payout.cap))
                return n(payee.target_incentive) * months / 12 * n(weight) * factor

            amount, _ = finish(compute, payee.currency, ctx.plan.rounding.mode,
                               ctx.places(payee.currency))
            return amount

        measure, target = _totals(ctx, component, payee_id, so_far)
        assert target is not None
        now = earned(so_far)
        prior = _paid_before(ctx, component, payee, so_far, earned)
        months = sum(p.months for p in so_far)
        attainment = None
        factor = ZERO
        if target:
            with localcontext(EXACT):
                attainment = measure / target
                factor = curve_factor(payout.curve or [], attainment, payout.cap)
        blocked = gate_failure(ctx, component, payee, period, None)
        line_amount = ZERO - prior if blocked else now - prior
        label = explain.measure_label(component)
        head = f"{label} YTD " + (
            explain.ratio(measure, target, attainment, component.measure.count)
            if attainment is not None else f"{fmt_money(measure)}, target 0.00")
        if blocked:
            text = f"{head}; gate not met ({blocked}) -> YTD 0.00 - paid before " \
                   f"{fmt_amount(prior)} = {fmt_amount(line_amount)}"
        else:
            ti = payee.target_incentive * months / 12
            curve_text = describe_curve(payout.curve or [], attainment or ZERO, factor,
                                        payout.cap)
            text = (f"{head} -> {curve_text}"
                    f" x YTD TI {fmt_money(ti)} x {weight} = {fmt_amount(now)}; paid in earlier "
                    f"periods {fmt_amount(prior)} -> {fmt_amount(line_amount)}")
        lines.append(make_line(period, payee, component.id, "curve", line_amount,
                               f"{weight} of target incentive, year to date", text,
                               measure_value=measure, target_amount=shown_money(target),
                               attainment=attainment, factor=factor))
    return lines


def ytd_commission_lines(ctx: PayContext, component: Component, period: Period
                         ) -> list[Line]:
    """Rate and tier commission (marginal, whole, zero until quota) on the year-to-date
    measure against the year-to-date target, minus what earlier periods paid. Amounts are
    worked out in the plan's currency; a payee paid in another one gets the period's
    difference converted at the period's rate."""
    so_far = _year_so_far(ctx, period)
    wants_target = tiers.needs_target(component)
    plan_currency, mode = ctx.plan.currency, ctx.plan.rounding.mode
    places = ctx.places(plan_currency)
    label = explain.measure_label(component)
    rule = f"{tiers.tier_rule(component)}, year to date"

    def earned(periods: list[Period], payee_id: str) -> Decimal:
        measure, target = _totals(ctx, component, payee_id, periods)
        return tiers.commission(component, measure, target, plan_currency, mode, places)

    lines = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        measure, target = _totals(ctx, component, payee_id, so_far)
        if wants_target and not target:
            ctx.diagnostics.warning(
                "E010", f"no target for payee '{payee_id}', component '{component.id}', "
                f"period {period.label} or an earlier period of its year: no {component.id} "
                "line", ctx.loaded.component_source(component.id, "target"),
                "add a row to the targets table or derive targets in the plan")
            continue
        now = earned(so_far, payee_id)
        prior = _paid_before(ctx, component, payee, so_far,
                             functools.partial(earned, payee_id=payee_id))
        blocked = gate_failure(ctx, component, payee, period, None)
        difference = ZERO - prior if blocked else now - prior
        rate, fx_text = convert(ctx, payee, period)
        amount = difference if rate == 1 else round_money(
            difference * rate, payee.currency, mode, ctx.places(payee.currency))
        attainment = None
        head = f"{label} YTD {fmt_money(measure)}"
        if target:
            with localcontext(EXACT):
                attainment = measure / target
            head = f"{label} YTD {explain.ratio(measure, target, attainment, False)}"
        tail = f"{fx_text} = {fmt_amount(amount)}" if fx_text else ""
        if blocked:
            text = (f"{head}; gate not met ({blocked}) -> YTD 0.00 - paid before "
                    f"{fmt_amount(prior)} = {fmt_amount(difference)}{tail}")
        else:
            text = (f"{head} -> {tiers.tier_text(component, target)} = {fmt_amount(now)}; "
                    f"paid in earlier periods {fmt_amount(prior)} -> "
                    f"{fmt_amount(difference)}{tail}")
        lines.append(make_line(period, payee, component.id, "commission", amount, rule, text,
                               measure_value=measure, target_amount=shown_money(target),
                               attainment=attainment))
    return lines



"""Year-to-date components: attainment on cumulative measure and target, paying each
period the difference between the year-to-date payout and what earlier periods paid.

Each period's line is round(ytd payout now) - round(ytd payout at the previous period),
so the lines of a year always sum to the rounded year-to-date payout. A fall in
attainment gives a negative line (recovered from this period's pay).
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from teamquota.core.money import EXACT, ZERO, fmt_amount, fmt_money
from teamquota.core.periods import Period, period_of
from teamquota.engine import explain
from teamquota.engine.context import PayContext
from teamquota.engine.curve import curve_factor, describe_curve
from teamquota.engine.finish import finish
from teamquota.engine.lines import Line, gate_failure, make_line
from teamquota.plan.model import Component


def _year_so_far(ctx: PayContext, period: Period) -> list[Period]:
    year = period_of("year", period.start, ctx.plan.year_start_month)
    return [p for p in ctx.periods if year.start <= p.start <= period.start]


def ytd_curve_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    if component.scope != "payee":
        ctx.diagnostics.error("E015", f"component '{component.id}' accumulates ytd, which is "
                              "supported for payee-scope components only",
                              ctx.loaded.component_source(component.id, "accumulate"))
        return []
    so_far = _year_so_far(ctx, period)
    payout = component.payout
    weight = component.weight or ZERO
    lines = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        found = [ctx.targets.get("payee", payee_id, component.id, p.label) for p in so_far]
        targets = [t for t in found if t is not None]
        if len(targets) < len(found):
            continue
        rounded = []
        for upto in range(len(so_far) - 1, len(so_far) + 1):
            periods = so_far[:upto]
            if not periods:
                rounded.append(ZERO)
                continue
            measure = sum((ctx.measure(p.label, "payee", payee_id, component.id)
                           for p in periods), ZERO)
            target = sum(targets[:upto], ZERO)
            months = sum(_months(p) for p in periods)
            if target == ZERO:
                rounded.append(ZERO)
                continue

            def compute(n: Any, measure: Decimal = measure, target: Decimal = target,
                        months: int = months, ti: Decimal = payee.target_incentive) -> Any:
                points = [(n(x), n(y)) for x, y in payout.curve or []]
                factor = curve_factor(points, n(measure) / n(target),
                                      None if payout.cap is None else n(payout.cap))
                return n(ti) * months / 12 * n(weight) * factor

            amount, _ = finish(compute, payee.currency, ctx.plan.rounding.mode,
                               ctx.places(payee.currency))
            rounded.append(amount)
        prior, now = rounded
        with localcontext(EXACT):
            attainment = measure / target
            factor = curve_factor(payout.curve or [], attainment, payout.cap)
        blocked = gate_failure(ctx, component, payee, period, None)
        line_amount = ZERO - prior if blocked else now - prior
        label = explain.measure_label(component)
        head = f"{label} YTD {explain.ratio(measure, target, attainment, component.measure.count)}"
        if blocked:
            text = f"{head}; gate not met ({blocked}) -> YTD 0.00 - paid before " \
                   f"{fmt_amount(prior)} = {fmt_amount(line_amount)}"
        else:
            ti = payee.target_incentive * months / 12
            curve_text = describe_curve(payout.curve or [], attainment, factor, payout.cap)
            text = (f"{head} -> {curve_text}"
                    f" x YTD TI {fmt_money(ti)} x {weight} = {fmt_amount(now)}; paid in earlier "
                    f"periods {fmt_amount(prior)} -> {fmt_amount(line_amount)}")
        lines.append(make_line(period, payee, component.id, "curve", line_amount,
                               f"{weight} of target incentive, year to date", text,
                               measure_value=measure, target_amount=target,
                               attainment=attainment, factor=factor))
    return lines


def _months(period: Period) -> int:
    return {"month": 1, "quarter": 3, "year": 12}[period.kind]

"""Plan-level adjustments after component lines: component caps, plan caps and draws.

Caps add a negative ``cap`` line rather than editing lines, so every line keeps its own
arithmetic and the total is still the sum of lines.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from teamquota.core.money import ZERO, fmt_amount, fmt_money, round_money
from teamquota.core.periods import Period
from teamquota.engine.context import PayContext
from teamquota.engine.lines import Line, make_line

PLAN = "_plan"


def cap_lines(ctx: PayContext, lines: list[Line]) -> list[Line]:
    periods = {p.label: p for p in ctx.periods}
    added: list[Line] = []
    by_component: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    if any(c.cap_amount is not None for c in ctx.plan.components):
        for line in lines:
            by_component[(line["period"], line["payee_id"], line["component_id"])] += \
                line["amount"]
    for component in ctx.plan.components:
        if component.cap_amount is None:
            continue
        for (period_label, payee_id, cid), total in sorted(by_component.items()):
            if cid == component.id and total > component.cap_amount:
                cut = component.cap_amount - total
                added.append(make_line(
                    periods[period_label], ctx.payees[payee_id], cid, "cap", cut,
                    f"{cid} capped at {fmt_money(component.cap_amount)} per period",
                    f"{cid} earned {fmt_amount(total)} > cap {fmt_money(component.cap_amount)}"
                    f" -> {fmt_amount(cut)}"))
    plan = ctx.plan
    if plan.cap_amount is None and plan.cap_ti_multiple is None:
        return added
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in [*lines, *added]:
        totals[(line["period"], line["payee_id"])] += line["amount"]
    for (period_label, payee_id), total in sorted(totals.items()):
        period, payee = periods[period_label], ctx.payees[payee_id]
        caps = []
        if plan.cap_amount is not None:
            caps.append((plan.cap_amount, f"plan cap {fmt_money(plan.cap_amount)}"))
        if plan.cap_ti_multiple is not None:
            limit = round_money(ctx.period_ti(payee, period) * plan.cap_ti_multiple,
                                payee.currency, plan.rounding.mode, ctx.places(payee.currency))
            caps.append((limit, f"plan cap {plan.cap_ti_multiple.normalize()} x TI = "
                                f"{fmt_amount(limit)}"))
        limit, words = min(caps, key=lambda c: c[0])
        if total > limit:
            added.append(make_line(period, payee, PLAN, "cap", limit - total, words,
                                   f"total {fmt_amount(total)} > {words} -> "
                                   f"{fmt_amount(limit - total)}"))
    return added


def draw_lines(ctx: PayContext, lines: list[Line]) -> list[Line]:
    """Non-recoverable: top earnings up to the guarantee. Recoverable: advance the shortfall
    and recover the balance from later earnings above the draw amount."""
    draw = ctx.plan.draw
    if draw is None:
        return []
    earned: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        earned[(line["payee_id"], line["period"])] += line["amount"]
    added = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        balance = ZERO
        for period in ctx.periods:
            total = earned[(payee_id, period.label)]
            if total < draw.amount:
                top_up = draw.amount - total
                if draw.kind == "recoverable":
                    balance += top_up
                added.append(_draw_line(period, ctx, payee_id, "draw", top_up,
                                        f"earned {fmt_amount(total)} < draw "
                                        f"{fmt_money(draw.amount)} -> advance "
                                        f"{fmt_amount(top_up)}"
                                        + (f"; balance owed {fmt_amount(balance)}"
                                           if draw.kind == "recoverable" else "")))
            elif balance > ZERO:
                recovered = min(total - draw.amount, balance)
                balance -= recovered
                added.append(_draw_line(period, ctx, payee_id, "draw_recovery", -recovered,
                                        f"earned {fmt_amount(total)}; above the draw "
                                        f"{fmt_amount(total - draw.amount)} recovers "
                                        f"{fmt_amount(recovered)} of the balance; balance "
                                        f"owed {fmt_amount(balance)}"))
        del payee
    return added


def _draw_line(period: Period, ctx: PayContext, payee_id: str, kind: str, amount: Decimal,
               text: str) -> Line:
    draw = ctx.plan.draw
    assert draw is not None
    words = f"{draw.kind.replace('_', '-')} draw {fmt_money(draw.amount)} per {period.kind}"
    return make_line(period, ctx.payees[payee_id], PLAN, kind, amount, words, text)

"""Per-deal tier allocation: deals fill the tiers in close-date order, so each deal's
commission is its own statement line. The arithmetic runs in Ibis (a running total per
payee and period); Python only words the lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from teamquota.core.money import ZERO, fmt_amount, fmt_money, fmt_pct, round_money
from teamquota.core.periods import Period
from teamquota.engine import explain
from teamquota.engine.context import PayContext
from teamquota.engine.lines import Line, convert, gate_failure, make_line
from teamquota.engine.measure import component_filter, component_value
from teamquota.plan.model import Component

WIDE = "decimal(38,10)"
NARROW = "decimal(20,10)"


def _tiers(component: Component) -> list[tuple[Decimal, Decimal]]:
    """(threshold, rate) from the lowest tier up; a flat rate is one tier from 0."""
    payout = component.payout
    if payout.tiers:
        return [(t.from_, t.rate) for t in payout.tiers]
    return [(ZERO, payout.rate or ZERO)]


def per_deal_table(credits: ir.Table, component: Component,
                   targets: ir.Table | None, year_start_month: int) -> ir.Table:
    """One row per credited deal with its running total and exact commission; for a SPIF,
    one row per qualifying deal with its credited share (``value``).

    Deals fill the tiers in close-date order, ties broken by deal id, from the start of
    the period, or with ``accumulate: ytd`` from the start of the plan year."""
    rows = credits.filter((credits.subject_type == "payee") & component_filter(credits,
                                                                                component))
    rows = rows.mutate(value=component_value(rows, component))
    if component.payout.kind == "spif":
        return rows.select("period", "subject_id", "deal_id", "value")
    if component.accumulate == "ytd":
        day = rows.close_date
        span = (day.year() * 12 + day.month() - year_start_month) // 12
    else:
        span = rows.period
    window = ibis.window(group_by=[rows.subject_id, span],
                         order_by=[rows.close_date, rows.deal_id], following=0)
    rows = rows.mutate(cum_after=rows.value.sum().over(window).cast(WIDE))
    rows = rows.mutate(cum_before=(rows.cum_after - rows.value).cast(WIDE))
    payout = component.payout
    tiers = _tiers(component)
    if payout.basis == "attainment":
        assert targets is not None
        t = targets.select(t_payee="subject_id", t_period="period", target="amount")
        rows = rows.join(t, [rows.subject_id == t.t_payee, rows.period == t.t_period])
        scale = rows.target.cast(WIDE)
    else:
        scale = ibis.literal(Decimal(1), type=WIDE)
    commission = ibis.literal(ZERO, type=WIDE)
    zero = ibis.literal(ZERO, type=WIDE)
    for i, (start, rate) in enumerate(tiers):
        low = (scale.cast(NARROW) * ibis.literal(start, type=NARROW)).cast(WIDE)
        top = rows.cum_after
        if i + 1 < len(tiers):
            high = (scale.cast(NARROW) * ibis.literal(tiers[i + 1][0], type=NARROW)).cast(WIDE)
            top = ibis.least(rows.cum_after, high)
        piece = ibis.greatest(zero, (top - ibis.greatest(rows.cum_before, low)).cast(WIDE))
        commission = (commission + (piece.cast(NARROW) * ibis.literal(rate, type=NARROW))
                      .cast(WIDE)).cast(WIDE)
    columns = ["period", "subject_id", "deal_id", "close_date", "value", "cum_before",
               "cum_after"]
    if payout.basis == "attainment":
        columns.append("target")
    return rows.select(*columns, commission=commission)


def spif_deal_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    """A SPIF: its fixed amount for each qualifying deal, one line per deal (a deal half
    credited by a split pays half)."""
    rows: list[dict[str, Any]] = ctx.per_deal.get(component.id, [])
    each = component.payout.per_deal or ZERO
    label = explain.measure_label(component)
    rule = f"SPIF {fmt_money(each)} per qualifying deal"
    eligible = set(ctx.to_pay)
    blocked: dict[str, str | None] = {}
    lines = []
    for row in rows:
        payee_id = row["subject_id"]
        if row["period"] != period.label or payee_id not in eligible:
            continue
        payee = ctx.payees[payee_id]
        if payee_id not in blocked:
            blocked[payee_id] = gate_failure(ctx, component, payee, period, None)
        share = row["value"]
        credited = "" if share == 1 else f", credited {explain.number(share)} x {fmt_money(each)}"
        head = f"{label}: deal {row['deal_id']} qualifies{credited}"
        reason = blocked[payee_id]
        if reason:
            lines.append(make_line(period, payee, component.id, "spif", ZERO, rule,
                                   f"{head}; gate not met ({reason}) -> 0.00",
                                   deal_id=row["deal_id"], measure_value=share))
            continue
        rate, fx_text = convert(ctx, payee, period)
        amount = round_money(share * each * rate, payee.currency, ctx.plan.rounding.mode,
                             ctx.places(payee.currency))
        lines.append(make_line(period, payee, component.id, "spif", amount, rule,
                               f"{head}{fx_text} -> {fmt_amount(amount)}",
                               deal_id=row["deal_id"], measure_value=share, factor=each))
    return lines


def per_deal_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    rows: list[dict[str, Any]] = ctx.per_deal.get(component.id, [])
    payout = component.payout
    tiers = _tiers(component)
    unit = "of target" if payout.basis == "attainment" else ""
    schedule = ", ".join(f"{fmt_pct(r, 2)} from {fmt_pct(s, 0) if unit else fmt_money(s)}"
                         for s, r in tiers)
    rule = f"commission per deal, tiers filled in close-date order: {schedule} {unit}".strip()
    eligible = set(ctx.to_pay)
    lines = []
    for row in rows:
        if row["period"] != period.label or row["subject_id"] not in eligible:
            continue
        payee = ctx.payees[row["subject_id"]]
        rate, fx_text = convert(ctx, payee, period)
        exact = row["commission"] * rate
        amount = round_money(exact, payee.currency, ctx.plan.rounding.mode,
                             ctx.places(payee.currency))
        target = row.get("target")
        of_target = f" of target {fmt_money(target)}" if target is not None else ""
        text = (f"deal {row['deal_id']} {fmt_money(row['value'])}: running total "
                f"{fmt_money(row['cum_before'])} -> {fmt_money(row['cum_after'])}{of_target}"
                f" at {schedule}{fx_text} = {fmt_amount(amount)}")
        lines.append(make_line(period, payee, component.id, "deal", amount, rule, text,
                               deal_id=row["deal_id"], measure_value=row["value"],
                               target_amount=target))
    return lines

"""Curve lines finished as whole columns, in exact integer arithmetic.

``pay.curve_lines`` works a curve component out subject by subject and line by line in
Python. :func:`curve_table` does the same arithmetic on numpy arrays of Python ints (object
arrays: exact at any size, some 25 ns an operation) and builds the statement words with
Arrow's string kernels, giving the component's payout rows as one Arrow table. Subjects
the integer arithmetic cannot settle (a ratio within 10^-12 of a rounding tie, the cap too
close to call, an attainment beyond the bounds of ``pay._integer_curve``, a negative
measure or target) are worked out by ``pay._Curve.subject`` as before, and their numbers
join the columns; whole components it does not cover (year-to-date, counts, gates other
than the team's own attainment, a missing target, amounts paid to other than cents, a
negative target incentive) return None and are paid line by line.

Byte-identical to the per-line path: scripts/identical_outputs.py and
tests/engine/test_columnar_identical.py compare the two on every example and test plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.money import ZERO, RoundingMode, exact_div
from teamquota.core.periods import Period
from teamquota.engine import pay
from teamquota.engine.context import PayContext
from teamquota.engine.finish import shown
from teamquota.engine.lines import gate_failure
from teamquota.engine.results import ATTAINMENT, ATTAINMENT_SCHEMA, CREDIT, PAYOUTS
from teamquota.plan.model import Component

Ints = np.ndarray[Any, np.dtype[Any]]  # int64, or object holding Python ints

_INT64 = np.dtype(np.int64)
_SHOWN = 10**12  # the output tables' ratios have 12 places
_TENTHS = 10**9  # 12 places = tenths of a percent and 9 more
_CLEARANCE = 10**12  # finish.shown_and_percent's: how far from a tie a ratio must lie


# -- integer columns <-> Arrow decimals ------------------------------------------------

def decimal_units(values: Sequence[Decimal], scale: int) -> Ints | None:
    """The ``values`` as integers in units of 10^-scale, or None when one has more places.

    Arrow converts the Decimals (in C) to 128-bit integers; where every one fits in int64
    the column is int64, else an object array of exact Python ints (the high and low
    64 bits put together), so a value at or beyond the int64 bound is never wrapped."""
    try:
        array = pa.array(values, pa.decimal128(38, scale))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return int128_values(array)


def int128_values(array: pa.Array) -> Ints:
    """A decimal128 array's unscaled integers (no nulls)."""
    words = np.frombuffer(array.buffers()[1], dtype=np.uint64, count=2 * len(array),
                          offset=16 * array.offset)
    low, high = words[0::2], words[1::2].view(np.int64)
    signed = low.view(np.int64)
    if np.array_equal(high, signed >> 63):  # every high word is the low one's sign
        return signed.copy()
    exact: Ints = high.astype(object) * 2**64 + low.astype(object)
    return exact


def decimal_array(units: Ints, type_: pa.Decimal128Type, valid: Any = None) -> pa.Array:
    """A decimal128 array of ``units`` (in the type's scale), built from the integers'
    bytes when they fit in int64; null where ``valid`` (a bool mask) is False."""
    if units.dtype == object:
        fits = len(units) == 0 or (min(units) >= -2**63 and max(units) < 2**63)
        if not fits:
            return pa.array([None if valid is not None and not ok else
                             Decimal(int(u)).scaleb(-type_.scale)
                             for u, ok in zip(units, valid if valid is not None
                                              else np.ones(len(units), bool), strict=True)],
                            type_)
        units = units.astype(np.int64)
    low = units.astype(np.int64)
    words = np.empty(2 * len(low), dtype=np.int64)
    words[0::2], words[1::2] = low, low >> 63
    bitmap = None if valid is None or bool(np.all(valid)) else pa.py_buffer(
        np.packbits(np.asarray(valid, dtype=bool), bitorder="little").tobytes())
    return pa.Array.from_buffers(type_, len(low), [bitmap, pa.py_buffer(words.tobytes())])


def attainment_columns(measures: list[Decimal], targets: list[Decimal | None]
                       ) -> tuple[pa.Array, pa.Array]:
    """The attainment table's target_amount (``targets.shown_money``) and attainment
    (``shown(exact_div(measure, target))``, null without a target) columns. A ratio clear
    of a 12-place tie (finish.shown_and_percent's clearance) rounds as the 60-digit
    quotient does; ties, negative and zero targets, negative measures and ratios of 10^6
    or more are divided one by one as before."""
    n = len(targets)
    has = np.array([t is not None for t in targets], dtype=bool)
    present = [t if t is not None else ZERO for t in targets]
    ratios = [t.as_integer_ratio() for t in present]
    t_num = np.array([r[0] for r in ratios] + [0], dtype=object)[:n]
    t_den = np.array([r[1] for r in ratios] + [1], dtype=object)[:n]
    m_units = decimal_units(measures, 10)
    if m_units is None:
        ms = [m.as_integer_ratio() for m in measures]
        m_num = np.array([r[0] for r in ms] + [0], dtype=object)[:n]
        m_den = np.array([r[1] for r in ms] + [1], dtype=object)[:n]
    else:
        m_num, m_den = _objects(m_units), np.full(n, 10**10, dtype=object)
    positive = has & (t_num > 0)
    num, den = m_num * t_den, np.where(positive, m_den * t_num, 1)
    plain = positive & (num >= 0) & (num < den * pay._MAX_RATIO)
    units, _, near = shown_and_percent(np.where(plain, num, 0), den)
    # the percent's tie does not matter here, but the 12 places' does: both send the row
    # to the one-by-one division, which is exact either way
    divided = has & (t_num != 0)  # a zero target shows no attainment
    one_by_one = divided & ~(plain & ~near)
    units = np.where(plain, units, 0)
    for i in np.flatnonzero(one_by_one).tolist():
        target = targets[i]
        assert target is not None
        units[i] = int(shown(exact_div(measures[i], target)).scaleb(12))
    negative_cents = t_num < 0  # shown_money of a negative target: half even, signed
    cents = round_units(np.abs(t_num) * 100, t_den, "half_even")
    cents = np.where(negative_cents, -cents, cents)
    return (decimal_array(cents, ATTAINMENT_SCHEMA.field("target_amount").type, has),
            decimal_array(units, ATTAINMENT, divided))


def _objects(values: Ints) -> Ints:
    return values if values.dtype == object else values.astype(object)


# -- rounding and words ----------------------------------------------------------------

def round_units(numerator: Ints, denominator: Ints, mode: RoundingMode) -> Ints:
    """numerator / denominator (numerator >= 0, denominator > 0) rounded to an integer by
    ``mode``: ``money.round_ratio`` on whole columns."""
    units, rest = numerator // denominator, numerator % denominator
    if mode == "half_up":
        units = units + (2 * rest >= denominator)
    elif mode == "half_even":
        twice = 2 * rest
        units = units + ((twice > denominator) | ((twice == denominator) & (units % 2 == 1)))
    elif mode == "up":
        units = units + (rest > 0)
    return units


def shown_and_percent(numerator: Ints, denominator: Ints) -> tuple[Ints, Ints, Any]:
    """``finish.shown_and_percent`` on whole columns: (12-place units, tenths of a
    percent, near-tie mask); where the mask is set the other two mean nothing."""
    units, rest = numerator * _SHOWN // denominator, numerator * _SHOWN % denominator
    gap = 2 * rest - denominator
    near = np.abs(gap) * _CLEARANCE < denominator
    tenths, beyond = units // _TENTHS, units % _TENTHS
    tenths_gap = 2 * (beyond * denominator + rest) - denominator * _TENTHS
    near |= np.abs(tenths_gap) * _CLEARANCE < denominator * _TENTHS
    return units + (gap > 0), tenths + (tenths_gap > 0), near


def strings(values: Ints) -> pa.Array:
    return pc.cast(pa.array(values.astype(np.int64)), pa.string())


def thousands(values: Ints) -> pa.Array:
    """Non-negative integers as '1,234,567' (format(x, ',')), in Arrow: the digits
    right-aligned in a field of whole groups of three, cut into the groups, joined with
    commas, and the padding and its commas trimmed off."""
    text = strings(values)
    if len(text) == 0:
        return text
    width = max(pc.max(pc.utf8_length(text)).as_py(), 1)
    groups = -(-width // 3)
    padded = pc.utf8_lpad(text, width=3 * groups, padding=" ")
    parts = [pc.utf8_slice_codeunits(padded, 3 * i, 3 * i + 3) for i in range(groups)]
    return pc.utf8_ltrim(pc.binary_join_element_wise(*parts, ","), characters=" ,")


def money_text(units: Ints, places: int) -> pa.Array:
    """``fmt_money`` of non-negative values in units of 10^-places: half up to cents,
    then '1,234.50'."""
    cents = units if places == 2 else (units + 5 * 10**(places - 3)) // 10**(places - 2)
    return pc.binary_join_element_wise(thousands(cents // 100), pc.utf8_lpad(
        strings(cents % 100), width=2, padding="0"), ".")


def percent_text(tenths: Ints) -> pa.Array:
    """Tenths of a percent as fmt_pct shows them: 1034 -> '103.4%'."""
    return pc.binary_join_element_wise(strings(tenths // 10), ".", strings(tenths % 10), "%", "")


# -- the curve component ---------------------------------------------------------------

def _per_team_gate(component: Component) -> bool:
    return (component.scope == "team" and component.gate is not None
            and component.gate.model_dump(exclude_none=True).keys()
            == {"team_attainment_at_least"})


def _lines_of(ctx: PayContext, component: Component, period: Period
              ) -> tuple[list[str], pa.Array, pa.Array, Ints, list[str]] | None:
    """(payees paid, each line's payee index, subject index, days; subject ids), in the
    per-line path's order: payee by payee, a payee's teams in name order."""
    to_pay = ctx.to_pay
    if component.scope != "team":
        n = len(to_pay)
        index = pa.array(np.arange(n, dtype=np.int64))
        return to_pay, index, index, np.full(n, period.days, dtype=np.int64), to_pay
    found = ctx.memberships.days_table(period, to_pay)
    if found is None:
        return None
    subjects = pc.unique(found["team_id"])
    payee_index = pc.index_in(found["payee_id"], value_set=pa.array(to_pay, pa.string()))
    subject_index = pc.index_in(found["team_id"], value_set=subjects)
    return (to_pay, payee_index, subject_index, found["days"].to_numpy(),
            subjects.to_pylist())


class _Subjects:
    """Every subject's numbers for one curve component and period, as columns: what
    ``pay._Curve.subject`` works out one subject at a time."""

    def __init__(self, curve: Any, ids: list[str], m_units: Ints, targets: list[Decimal]):
        segments = curve.segments
        n = len(ids)
        t_units = decimal_units(targets, 10)
        if t_units is not None:
            # a ratio of cents when every measure and target is whole cents: the same
            # ratio in integers of a third the size (the products below are cheaper)
            if m_units.dtype == _INT64 and t_units.dtype == _INT64 and not (
                    np.any(m_units % 10**8) or np.any(t_units % 10**8)):
                num, den = _objects(m_units // 10**8), _objects(t_units // 10**8)
            else:
                num, den = _objects(m_units), _objects(t_units)
            t_num, t_den = _objects(t_units), np.full(n, 10**10, dtype=object)
        else:  # a target split to 30 places: its exact ratio
            ratios = [t.as_integer_ratio() for t in targets]
            t_num = np.array([r[0] for r in ratios] + [0], dtype=object)[:n]
            t_den = np.array([r[1] for r in ratios] + [1], dtype=object)[:n]
            num, den = _objects(m_units) * t_den, t_num * 10**10
        # a target to the cent as the tables show it (half even) and as the words do
        # (fmt_money: half up); targets are positive here
        self.target_cents = round_units(t_num * 100, t_den, "half_even")
        target_words = round_units(t_num * 100, t_den, "half_up")
        # rare: what pay._Curve._in_integers leaves to the 60-digit Decimals
        rare = (num < 0) | (num >= den * pay._MAX_RATIO) | (
            den >= 2**pay._MAX_DENOMINATOR_BITS)
        # the curve's segment for each attainment (Segments.factor on columns)
        f0n, f0d = segments.first
        below = num * f0d < f0n * den
        segment = np.full(n, len(segments.ends), dtype=np.int64)
        for i, (xn, xd) in reversed(list(enumerate(segments.ends))):
            segment = np.where(num * xd <= xn * den, i, segment)
        a, b, c = (np.array([line[k] for line in segments.lines] + [0],
                            dtype=object)[segment] for k in range(3))
        fn = a * num + b * den
        zero = below | (fn < 0)
        fn, fd = np.where(zero, 0, fn), np.where(zero, 1, c * den)
        capped = np.zeros(n, dtype=bool)
        if curve.exact_cap is not None:
            cn, cd = curve.exact_cap
            gap = fn * cd - cn * fd
            rare |= np.abs(gap) * pay._CLEAR_OF_CAP < fd * cd
            capped = (gap > 0) & ~below
            fn, fd = np.where(capped, cn, fn), np.where(capped, cd, fd)
        rare |= num < 0  # below: the masks below read a non-negative numerator
        safe = np.where(rare, 0, num)
        attainment, tenths, near = shown_and_percent(safe, den)
        rare |= near
        plain = ~below & ~capped
        beyond = fn >= fd * pay._MAX_RATIO
        rare |= plain & beyond
        factor, factor_tenths, near = shown_and_percent(np.where(beyond, 0, fn), fd)
        rare |= plain & near
        factor = np.where(plain, factor, 0)
        if curve.capped is not None:
            factor = np.where(capped, int(curve.capped[0].scaleb(12)), factor)
        keep = ~rare
        attainment = np.where(keep, attainment, 0)
        # words, for the subjects settled here (the rare ones are filled in below)
        head = pc.binary_join_element_wise(
            curve.label, money_text(np.where(keep, _objects(m_units), 0), 10), "/ target",
            money_text(target_words, 2), "=", percent_text(np.where(keep, tenths, 0)), " ")
        curve_words = pc.binary_join_element_wise(
            "curve", percent_text(np.where(plain & keep, factor_tenths, 0)), " ")
        words = pc.if_else(pa.array(below), curve.below, pc.if_else(
            pa.array(capped), curve.capped[1] if curve.capped else "", curve_words))
        lead = pc.binary_join_element_wise(head, words, " -> ")
        self.scale0 = curve.scale[0] * fn
        self.scale1 = curve.scale[1] * fd
        self.attainment, self.factor = attainment.astype(object), factor.astype(object)
        self.head, self.lead = head, lead
        self.rare = int(rare.sum())
        if self.rare:
            heads, leads = head.to_pylist(), lead.to_pylist()
            for i in np.flatnonzero(rare).tolist():
                found = curve.subject(ids[i])
                assert found is not None  # a target, not zero: checked by the caller
                heads[i], leads[i] = found.head, found.lead
                self.scale0[i], self.scale1[i] = found.scale
                self.attainment[i] = int(found.attainment.scaleb(12))
                self.factor[i] = int(found.factor.scaleb(12))
            self.head, self.lead = pa.array(heads, pa.string()), pa.array(leads, pa.string())


def curve_table(ctx: PayContext, component: Component, period: Period) -> pa.Table | None:
    """The component's curve lines for ``period`` as rows of :data:`PAYOUTS`, or None when
    the per-line path pays them (see the module docstring)."""
    if component.accumulate == "ytd" or component.measure.count or (
            component.gate is not None and not _per_team_gate(component)):
        return None
    curve = pay._Curve(ctx, component, period)
    if curve.segments is None:
        return None
    found = _lines_of(ctx, component, period)
    if found is None:
        return None
    payees, payee_index, subject_index, days, ids = found
    if len(payee_index) == 0:
        return _empty()
    label, scope, cid = period.label, component.scope, component.id
    targets = [ctx.targets.values.get((scope, s, cid, label)) for s in ids]
    if any(t is None or t == ZERO for t in targets):
        return None  # the per-line path warns (E010) line by line
    if any(t is not None and t < ZERO for t in targets):
        return None
    measures = [ctx.measures.get((label, scope, s), _NONE).get(cid, ZERO) for s in ids]
    m_units = decimal_units(measures, 10)  # measures come from decimal128(38, 10) columns
    if m_units is None:
        return None
    # what each paying payee's lines share: TI, places, TI text, currency
    key = (period.kind, ctx.focus_payees is None and len(payees))
    terms = ctx.column_terms.get(key) if key[1] else None
    if terms is None:
        terms = [ctx.curve_terms(ctx.payees[p], period) for p in payees]
        if key[1]:
            ctx.column_terms[key] = terms
    if any(places != 2 or ti[0] < 0 for ti, places, _ in terms):
        return None
    subjects = _Subjects(curve, ids, m_units, targets)  # type: ignore[arg-type]
    p_at, s_at = payee_index.to_numpy(zero_copy_only=False), \
        subject_index.to_numpy(zero_copy_only=False)
    n = len(p_at)
    blocked_text: pa.Array | None = None
    blocked = np.zeros(n, dtype=bool)
    if component.gate is not None:  # one verdict per team
        verdicts = [gate_failure(ctx, component, ctx.payees[payees[0]], period, team)
                    for team in ids]
        said = np.array([bool(v) for v in verdicts], dtype=bool)
        blocked = said[s_at]
        blocked_text = pa.array([v or "" for v in verdicts], pa.string()).take(
            pa.array(s_at))
    tn = np.array([ti[0] for ti, _, _ in terms], dtype=object)[p_at]
    td = np.array([ti[1] for ti, _, _ in terms], dtype=object)[p_at]
    days_o = days.astype(object)
    amount = round_units(tn * subjects.scale0[s_at] * days_o * 100,
                         td * subjects.scale1[s_at], ctx.plan.rounding.mode)
    amount = np.where(blocked, 0, amount)
    s_take, p_take = pa.array(s_at), pa.array(p_at)
    ti_text = pa.array([t for _, _, t in terms], pa.string()).take(p_take)
    tail = f" x {component.weight or ZERO}"
    prorate = pc.if_else(pa.array(days == period.days), "", pc.binary_join_element_wise(
        " x ", strings(days), f"/{period.days} days", ""))
    teams = pa.array(ids, pa.string()).take(s_take) if scope == "team" else None
    where: pa.Array | str = ""
    if teams is not None:
        where = pc.if_else(pc.equal(teams, ""), "",
                           pc.binary_join_element_wise(" in team ", teams, ""))
    text = pc.binary_join_element_wise(
        subjects.lead.take(s_take), " x TI ", ti_text, tail,
        prorate, where, " = ", money_text(amount, 2), "")
    if blocked_text is not None:
        gated = pc.binary_join_element_wise(
            subjects.head.take(s_take), "; gate not met (",
            blocked_text, ") -> 0.00", "")
        text = pc.if_else(pa.array(blocked), gated, text)
    rule = ctx.rules.get(cid) or ctx.rules.setdefault(cid, pay._curve_rule(component))
    factor = np.where(blocked, 0, subjects.factor[s_at])
    columns = {
        "period": pa.repeat(pa.scalar(label, pa.string()), n),
        "payee_id": pa.array(payees, pa.string()).take(p_take),
        "component_id": pa.repeat(pa.scalar(cid, pa.string()), n),
        "line_type": pa.repeat(pa.scalar("curve", pa.string()), n),
        "team_id": teams if teams is not None else pa.nulls(n, pa.string()),
        "deal_id": pa.nulls(n, pa.string()),
        "measure_value": decimal_array(m_units[s_at], CREDIT),
        "target_amount": decimal_array(subjects.target_cents[s_at], PAYOUTS.field(
            "target_amount").type),
        "attainment": decimal_array(subjects.attainment[s_at], ATTAINMENT),
        "factor": decimal_array(factor, ATTAINMENT),
        "amount": decimal_array(amount, PAYOUTS.field("amount").type),
        "currency": pa.array([ctx.payees[p].currency for p in payees], pa.string()).take(
            p_take),
        "rule": pa.repeat(pa.scalar(rule, pa.string()), n),
        "explanation": text,
    }
    return pa.table([columns[name] for name in PAYOUTS.names], schema=PAYOUTS)


def _empty() -> pa.Table:
    return PAYOUTS.empty_table()


_NONE: dict[str, Decimal] = {}


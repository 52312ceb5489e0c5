"""Incremental recalculation: when a few deals arrive, change or are cancelled, recompute
only the payees, teams and periods they touch. The result equals a full recalculation to
the cent (tests/engine/test_incremental.py checks it over random edits).

How: the old and new versions of the changed deals are credited and measured on their own
(a few rows, so milliseconds on any backend), and the difference is added to the previous
run's exact measures. Payees credited by those deals, the members of the teams they touch,
and the periods they fall in (plus later periods when year-to-date components or draws
carry amounts forward) are paid again; every other line is kept as it was.

Falls back to a full run when the plan pays per-deal tiers (a deal's line depends on every
earlier deal of the period) or when the changed deals move the run's period range.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.backends import Backend
from teamquota.core.diagnostics import Diagnostics
from teamquota.core.money import ZERO
from teamquota.core.periods import Period
from teamquota.data.dataset import Dataset
from teamquota.data.fx import check_run
from teamquota.engine.calendar import run_periods
from teamquota.engine.hierarchy import closure_rows
from teamquota.engine.measure import CREDIT_ROWS
from teamquota.engine.results import CREDITS, Results
from teamquota.engine.run import (
    Measured,
    Paid,
    RunState,
    adjusted,
    attainment_table,
    component_lines,
    credit_and_measure,
    credits_table,
    payouts_table,
    run,
    sort_payouts,
)
from teamquota.plan.loader import LoadedPlan

Measures = dict[tuple[str, str, str], dict[str, Decimal]]
ADJUSTMENTS = ("cap", "draw", "draw_recovery")


def changed_deal_ids(old: pa.Table, new: pa.Table) -> set[str]:
    """Ids of deals added, removed or changed in any column between two deal tables."""
    columns = [c for c in old.column_names if c in new.column_names]
    old_rows = set(zip(*(old[c].to_pylist() for c in columns), strict=True))
    new_rows = set(zip(*(new[c].to_pylist() for c in columns), strict=True))
    index = columns.index("deal_id")
    return {row[index] for row in old_rows ^ new_rows}


def _rows(deals: pa.Table, ids: set[str]) -> pa.Table:
    return deals.filter(pc.is_in(deals["deal_id"], pa.array(sorted(ids), pa.string())))


def _measured(engine: Backend, loaded: LoadedPlan, data: Dataset, changed: set[str],
              periods: list[Period], closure: Any) -> Measured:
    """Credits and measures of the ``changed`` deals in ``data`` (none when a deal is new
    or was removed: a late deal costs one query, not two)."""
    rows = _rows(data["deals"], changed)
    if rows.num_rows == 0:
        return Measured(None, {}, {})
    return credit_and_measure(engine, loaded, data, rows, periods, closure)


def _add(target: Measures, delta: Measures, sign: int) -> None:
    for key, values in delta.items():
        current = dict(target.get(key, {}))
        for component, value in values.items():
            current[component] = current.get(component, ZERO) + sign * value
        if current.get(CREDIT_ROWS, 1) == 0:
            target.pop(key, None)  # no credit left: a full run would have no row either
        else:
            target[key] = current


def recalculate(previous: Results, loaded: LoadedPlan, data: Dataset,
                changed: Iterable[str]) -> Results:
    """Results for ``data`` (the full new dataset) from ``previous`` (a run of the same plan
    on the data before ``changed`` deal ids were added, edited or cancelled)."""
    start = time.perf_counter()
    state: RunState | None = previous.state
    changed = set(changed)
    plan = loaded.plan
    per_deal = any(c.payout.kind == "spif" or (c.payout.kind == "commission"
                                               and c.payout.mode == "per_deal")
                   for c in plan.components)
    if data.external.get("deals") is not None:
        raise ValueError(f"incremental recalculation compares deals in Python; the deals are "
                         f"read by the engine ({data.external['deals']}): run a full "
                         "calculation")
    if state is None:
        return run(loaded, data)
    ctx = state.ctx
    span = run_periods(plan, data["deals"], state.only, data.get("activities"))
    if per_deal or span != ctx.periods:
        return run(loaded, data, state.backend, state.only)
    engine: Backend = state.backend
    # a changed deal no fx rate converts is refused as by a full run (D011, data/fx.py)
    diagnostics = Diagnostics()
    check_run(data, data["deals"], engine, plan.currency, plan.year_start_month,
              ctx.periods[0].start, ctx.periods[-1].end, diagnostics)
    diagnostics.raise_if_errors()
    closure = engine.load("closure", closure_rows(ctx.memberships.ancestors))
    old = _measured(engine, loaded, state.data, changed, ctx.periods, closure)
    new = _measured(engine, loaded, data, changed, ctx.periods, closure)
    measures = dict(ctx.measures)
    _add(measures, old.measures, -1)
    _add(measures, new.measures, +1)
    contributions = dict(ctx.contributions)
    _add(contributions, old.contributions, -1)
    _add(contributions, new.contributions, +1)

    touched = [*old.measures, *new.measures]
    periods = _affected_periods(ctx.periods, {period for period, _, _ in touched}, plan)
    labels = {p.label for p in periods}
    credited = {sid for _, stype, sid in touched if stype == "payee"}
    teams = {sid for _, stype, sid in touched if stype == "team"}
    payees = set(credited)
    for period in periods:
        for team in teams:
            payees.update(ctx.memberships.members(team, period))
        # a credited payee's personal numbers can change who shares their teams' pools
        for payee in credited:
            for team in ctx.memberships.team_days(payee, period):
                teams.update([team, *ctx.memberships.ancestors.get(team, [])])
    focused = replace(ctx, measures=measures, contributions=contributions,
                      focus_payees=payees, focus_teams=teams)
    fresh = component_lines(focused, periods)

    def replaced(line: dict[str, Any]) -> bool:
        if line["line_type"] in ADJUSTMENTS or line["period"] not in labels:
            return False
        if line["line_type"] == "pool":
            return line["team_id"] in teams
        return line["payee_id"] in payees

    earned = [line for line in state.lines
              if line["line_type"] not in ADJUSTMENTS and not replaced(line)] + fresh
    # Caps and draws read all of a payee's lines, across periods: redo them for anyone
    # with a new line.
    readjust = payees | {line["payee_id"] for line in fresh}
    adjusting = replace(focused, focus_payees=readjust)
    own = [line for line in earned if line["payee_id"] in readjust]
    lines = ([line for line in earned if line["payee_id"] not in readjust]
             + [line for line in state.lines if line["line_type"] in ADJUSTMENTS
                and line["payee_id"] not in readjust]
             + adjusted(adjusting, own))
    focused.diagnostics.raise_if_errors()

    full = replace(focused, focus_payees=None, focus_teams=None)
    # Only these payees' payout rows and these subjects' attainment rows can differ from
    # the previous results: patch those instead of rebuilding 80k rows.
    redone = readjust | {line["payee_id"] for line in state.lines if replaced(line)}
    payouts = _patched(previous.payouts, pc.is_in(previous.payouts["payee_id"], pa.array(
        sorted(redone), pa.string())), payouts_table(
        [line for line in lines if line["payee_id"] in redone], ctx, state.wanted))
    payouts = sort_payouts(payouts, loaded)
    subjects = set(old.measures) | set(new.measures)
    before = previous.attainment
    attainment = _patched(before, pc.is_in(pc.binary_join_element_wise(
        before["period"], before["subject_type"], before["subject_id"], "\x1f"), pa.array(
        sorted("\x1f".join(key) for key in subjects), pa.string())),
        attainment_table(full, state.wanted, subjects))
    attainment = attainment.sort_by([(c, "ascending") for c in
                                     ("period", "component_id", "subject_type",
                                      "subject_id")])
    new_credits = new.credits

    def credits() -> pa.Table:
        fresh = (CREDITS.empty_table() if new_credits is None
                 else credits_table(engine, new_credits, state.wanted))
        return _merge_credits(previous.credits, fresh, changed)

    results = Results(credits, attainment, payouts, previous.diagnostics,
                      {"incremental": round(time.perf_counter() - start, 4)},
                      previous.plan_id, previous.backend)
    results.state = RunState(full, state.wanted, data, engine, Paid(lines), state.only)
    return results


def _affected_periods(periods: list[Period], labels: set[str], plan: Any) -> list[Period]:
    """Periods whose component lines can change: those touched, and every later one when a
    year-to-date component carries amounts forward. (Draw balances carry too, but draws
    are redone over all of a payee's periods afterwards, with the caps: see recalculate.)"""
    carries = any(c.accumulate == "ytd" for c in plan.components)
    touched = [p for p in periods if p.label in labels]
    if not touched or not carries:
        return touched
    first = min(touched)
    return [p for p in periods if p >= first]


def _patched(previous: pa.Table, redone: pa.ChunkedArray, fresh: pa.Table) -> pa.Table:
    """``previous`` without its ``redone`` rows, plus the ``fresh`` ones (unsorted)."""
    return pa.concat_tables([previous.filter(pc.invert(redone)), fresh.cast(previous.schema)])


def _merge_credits(previous: pa.Table, fresh: pa.Table, changed: set[str]) -> pa.Table:
    keep = pc.invert(pc.is_in(previous["deal_id"], pa.array(sorted(changed), pa.string())))
    merged = pa.concat_tables([previous.filter(keep), fresh])
    return merged.sort_by([(c, "ascending") for c in
                           ("period", "deal_id", "subject_type", "subject_id", "rule",
                            "payee_id")])

"""``run()``: one calculation, as a handful of named, timed stages.

    check -> load -> credit -> measure -> target -> pay -> adjust -> assemble

Every stage reports problems as diagnostics; any error stops the run before results are
produced, so a failed run changes nothing.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.backends import Backend, connect
from teamquota.backends.base import SourceError
from teamquota.core.diagnostics import Diagnostics, InputError
from teamquota.core.money import ZERO, exact_div
from teamquota.core.periods import Period
from teamquota.data import fx
from teamquota.data.dataset import Dataset
from teamquota.data.external import canonical
from teamquota.data.fx import FxRates
from teamquota.data.tables import TABLES
from teamquota.engine import adjust, columns, pay
from teamquota.engine.calendar import periods_arrow, run_periods
from teamquota.engine.context import PayContext, Payee
from teamquota.engine.credit import (
    PRODUCT_LIMIT,
    CreditInputs,
    activity_credits,
    all_credits,
    deals_in_periods,
)
from teamquota.engine.deal_measures import deal_measures
from teamquota.engine.finish import shown
from teamquota.engine.hierarchy import closure_rows, team_ancestors
from teamquota.engine.measure import CREDIT_ROWS, check_columns, measure_table
from teamquota.engine.membership import Memberships, one_team_a_day
from teamquota.engine.per_deal import per_deal_table
from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, Results, payouts_schema
from teamquota.engine.targets import derive_targets, file_targets, shown_money, to_places
from teamquota.plan.loader import LoadedPlan
from teamquota.plan.model import Component, Plan

Progress = Callable[[str], None]
MEASURE_KEYS = ("period", "subject_type", "subject_id")
# Earned lines first, then the adjustments that read them.
_LINE_ORDER = {"cap": 1, "draw": 2, "draw_recovery": 3}


class _Timer:
    def __init__(self, progress: Progress | None):
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 4)


def _empty(name: str) -> pa.Table:
    return TABLES[name].schema.empty_table()


def _check(loaded: LoadedPlan, data: Dataset, deals: pa.Table | ir.Table | None,
           diagnostics: Diagnostics) -> None:
    for name in ("payees", "teams", "memberships", "deals"):
        if data.get(name) is None and not (name == "deals" and "deals" in data.external):
            diagnostics.error("E050", f"the {name} table is missing",
                              hint=f"load a {name} file (docs/data.md)")
    found = deals.columns if isinstance(deals, ir.Table) else \
        deals.column_names if deals is not None else []
    columns = {"deals": set(found)}
    if data.has("activities"):
        columns["activities"] = set(data["activities"].column_names)
    check_columns(loaded, columns, diagnostics)
    # the owners of deals read by the backend were checked when they were loaded
    # (data/external.py, D007)
    if not diagnostics.has_errors and isinstance(deals, pa.Table):
        # distinct owners first: a few thousand ids, not one Python string per deal
        owners = pc.drop_null(pc.unique(deals["owner_id"]))
        unknown = sorted(owners.filter(pc.invert(pc.is_in(
            owners, value_set=data["payees"]["payee_id"]))).to_pylist())
        if unknown:
            diagnostics.error("E040", f"{len(unknown)} deal owner(s) are not in payees: "
                              f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}",
                              hint="their deals would credit no one; add them to payees")
        _check_products(loaded, data, deals, diagnostics)


def _check_products(loaded: LoadedPlan, data: Dataset, deals: pa.Table,
                    diagnostics: Diagnostics) -> None:
    """E054 for a split or foreign-currency deal too large to multiply exactly
    (credit.PRODUCT_LIMIT; an amount alone may be larger, up to the column's 16 digits)."""
    big = pc.greater_equal(pc.abs(deals["amount"]),
                           pa.scalar(PRODUCT_LIMIT, deals["amount"].type))
    if not pc.any(big).as_py():
        return
    currency = loaded.plan.currency
    multiplied = pc.not_equal(pc.fill_null(deals["currency"], currency), currency) \
        if "currency" in deals.column_names else pc.and_(big, pa.scalar(False))
    if data.has("splits"):
        multiplied = pc.or_(multiplied, pc.is_in(deals["deal_id"],
                                                 value_set=data["splits"]["deal_id"]))
    ids = deals["deal_id"].filter(pc.and_(big, multiplied)).to_pylist()
    if ids:
        diagnostics.error(
            "E054", f"{len(ids)} split or foreign-currency deal(s) of {PRODUCT_LIMIT:,.2f} or "
            f"more: {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}",
            hint="a share or an fx rate multiplies amounts exactly below "
                 f"{PRODUCT_LIMIT:,.2f}; split or convert such a deal in the source system")


def _payees(data: Dataset, loaded: LoadedPlan) -> tuple[dict[str, Payee], list[str]]:
    plan = loaded.plan
    payees = {}
    for row in data["payees"].select(["payee_id", "name", "currency", "target_incentive",
                                      "role"]).to_pylist():
        payees[row["payee_id"]] = Payee(row["payee_id"], row["name"],
                                        row["currency"] or plan.currency,
                                        row["target_incentive"] or ZERO, row["role"])
    roles = set(plan.eligible_roles) if plan.eligible_roles else None
    eligible = sorted(p for p, v in payees.items() if roles is None or v.role in roles)
    return payees, eligible


def _keyed(table: pa.Table, keys: tuple[str, str, str], ids: list[str]
           ) -> dict[tuple[str, str, str], dict[str, Decimal]]:
    """{(key columns): {id: value}} from a small collected table (column by column)."""
    rows = zip(*(table[c].to_pylist() for c in keys), strict=True)
    values = zip(*(table[i].to_pylist() for i in ids), strict=True)
    return {row: {i: ZERO if v is None else v for i, v in zip(ids, found, strict=True)}
            for row, found in zip(rows, values, strict=True)}


@dataclass
class Measured:
    """What the credit and measure stages produce for one set of deals."""

    credits: Any  # Ibis table of credit rows (an expression, run only when read)
    measures: dict[tuple[str, str, str], dict[str, Decimal]]
    contributions: dict[tuple[str, str, str], dict[str, Decimal]]


def _per_deal(plan: Plan) -> bool:
    """Whether the plan pays lines per deal: per-deal tiers or a SPIF."""
    return any(_pays_per_deal(c) for c in plan.components)


def _pays_per_deal(component: Component) -> bool:
    payout = component.payout
    return payout.kind == "spif" or (payout.kind == "commission"
                                     and payout.mode == "per_deal")


def _reads_contributions(plan: Plan) -> bool:
    """Only the free-rider gate and contribution-split pools read members' contributions."""
    return any((c.gate is not None and c.gate.min_contribution_share is not None)
               or (c.payout.pool is not None and c.payout.pool.split == "contribution")
               for c in plan.components)


def credit_and_measure(engine: Backend, loaded: LoadedPlan, data: Dataset,
                       deals: pa.Table | ir.Table, periods: list[Period], closure: Any,
                       timer: _Timer | None = None) -> Measured:
    """Credit ``deals`` (the dataset's other tables give memberships, splits, coverage, FX)
    and aggregate every deal component's measure and each member's contribution."""
    timer = timer or _Timer(None)
    plan = loaded.plan
    with timer.stage("credit"):
        memberships = engine.load("memberships", data["memberships"])
        optional = {name: engine.load(name, data[name]) for name in
                    ("splits", "coverage", "leaderships") if data.has(name)}
        if isinstance(deals, pa.Table):
            deals = engine.load("deals", deals)
        # a rate per (currency, day) of the run, most specific label first (data/fx.py)
        day_rates = FxRates.from_table(data.get("fx_rates"), plan.year_start_month).days(
            plan.currency, periods[0].start, periods[-1].end)
        events = deals_in_periods(deals, periods, engine.load("fx_days", day_rates)
                                  if day_rates.num_rows else None, plan.currency)
        crediting = plan.crediting
        inputs = CreditInputs(events, optional.get("splits"), memberships, closure,
                              engine.load("teams", data["teams"]), optional.get("coverage"),
                              optional.get("leaderships"))
        # Per-deal credit rows (millions) are only built when something reads them: the
        # credits table of the results, or per-deal commission lines.
        credits = all_credits(inputs, crediting.split_table, crediting.rollup,
                              crediting.leaders, crediting.overlay)
        if _per_deal(plan):
            credits = engine.materialize(credits, "credits")
    components = [c for c in plan.components if c.measure.source == "deals"]
    measures: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    contributions: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    with timer.stage("measure"):
        if components:
            found = deal_measures(inputs, crediting, components, _reads_contributions(plan),
                                  one_team_a_day(data["memberships"]))
            measures = _keyed(engine.collect(found.measures), MEASURE_KEYS,
                              [c.id for c in components] + [CREDIT_ROWS])
            if found.contributions is not None:
                contributions = _keyed(engine.collect(found.contributions),
                                       ("period", "subject_id", "payee_id"),
                                       [c.id for c in components if c.scope == "team"])
    return Measured(credits, measures, contributions)


def _activities(engine: Backend, loaded: LoadedPlan, data: Dataset, ptable: Any,
                closure: Any, measures: dict[tuple[str, str, str], dict[str, Decimal]]
                ) -> dict[tuple[str, str, str], Decimal]:
    """Activity measures (merged into ``measures``) and counts per payee and type."""
    activity: dict[tuple[str, str, str], Decimal] = {}
    if not data.has("activities"):
        return activity
    plan = loaded.plan
    components = [c for c in plan.components if c.measure.source == "activities"]
    acts = activity_credits(engine.load("activities", data["activities"]), ptable,
                            engine.load("memberships", data["memberships"]), closure,
                            plan.crediting.rollup)
    if components:
        table = engine.collect(measure_table(acts.mutate(amount_credited=acts.quantity),
                                             components))
        for key, values in _keyed(table, MEASURE_KEYS, [c.id for c in components]).items():
            measures.setdefault(key, {}).update(values)
    by_type = acts.filter(acts.subject_type == "payee").group_by(
        ["period", "payee_id", "type"]).aggregate(quantity=acts.quantity.sum())
    for row in engine.collect(by_type).to_pylist():
        activity[(row["period"], row["payee_id"], row["type"])] = row["quantity"]
    return activity


def component_lines(ctx: PayContext, periods: list[Period]) -> list[dict[str, Any]]:
    return [line for period in periods for component in ctx.plan.components
            for line in pay.component_lines(ctx, component, period)]


def adjusted(ctx: PayContext, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Component lines plus the caps and draws that read them."""
    lines = lines + adjust.cap_lines(ctx, lines)
    return lines + adjust.draw_lines(ctx, lines)


def pay_lines(ctx: PayContext) -> list[dict[str, Any]]:
    """Every payout line for the context's periods (and focus, if set), adjustments last."""
    return adjusted(ctx, component_lines(ctx, ctx.periods))


# The per-line path pays every line when False (scripts/identical_outputs.py compares the
# two; TEAMQUOTA_PER_LINE=1 sets it for a process).
COLUMNAR = os.environ.get("TEAMQUOTA_PER_LINE", "") in ("", "0")


@dataclass
class Paid:
    """A run's payout lines: dict rows (the per-line path, and caps and draws) and whole
    Arrow tables of :data:`PAYOUTS` rows (curve components paid by engine.columns)."""

    rows: list[dict[str, Any]]
    tables: list[pa.Table] = field(default_factory=list)
    _all: list[dict[str, Any]] | None = field(default=None, repr=False)

    def lines(self) -> list[dict[str, Any]]:
        """Every line as a dict row (built from the tables on first use: an incremental
        recalculation and the caps and draws read them)."""
        if self._all is None:
            self._all = self.rows + [row for table in self.tables
                                     for row in table.to_pylist()]
        return self._all


def paid_lines(ctx: PayContext) -> Paid:
    """:func:`pay_lines`, with curve components paid as whole columns where
    engine.columns covers them."""
    if not COLUMNAR:
        return Paid(pay_lines(ctx))
    rows: list[dict[str, Any]] = []
    tables = []
    for period in ctx.periods:
        for component in ctx.plan.components:
            table = columns.curve_table(ctx, component, period) \
                if component.payout.kind == "curve" else None
            if table is None:
                rows += pay.component_lines(ctx, component, period)
            else:
                tables.append(table)
    plan = ctx.plan
    if plan.draw is not None or plan.cap_amount is not None or \
            plan.cap_ti_multiple is not None or \
            any(c.cap_amount is not None for c in plan.components):
        return Paid(adjusted(ctx, Paid(rows, tables).lines()))
    return Paid(rows, tables)


def payouts_table(lines: list[dict[str, Any]] | Paid, ctx: PayContext, wanted: set[str]
                  ) -> pa.Table:
    schema = payouts_schema(paid_places(ctx))
    paid = lines if isinstance(lines, Paid) else Paid(lines)
    parts = [_columns([line for line in paid.rows if line["period"] in wanted], schema)]
    for table in paid.tables:
        if table.num_rows and table["period"][0].as_py() in wanted:
            parts.append(table if table.schema == schema else table.cast(schema))
    return sort_payouts(pa.concat_tables(parts) if len(parts) > 1 else parts[0], ctx.loaded)


def paid_places(ctx: PayContext) -> int:
    """The most decimals any payee is paid in (the plan's rounding, else the currencies')."""
    return max((ctx.places(currency) for currency in
                {payee.currency for payee in ctx.payees.values()}), default=2)


def sort_payouts(table: pa.Table, loaded: LoadedPlan) -> pa.Table:
    """Statement order: period, payee, component (plan order; plan-level lines last),
    earned lines before caps and draws, team, deal. Arrow's sort is stable, like the
    list sort it replaces."""
    ids = pa.array([c.id for c in loaded.plan.components], pa.string())
    adjustments = pa.array(list(_LINE_ORDER), pa.string())
    keys = pa.table({
        "period": table["period"], "payee_id": table["payee_id"],
        "component": pc.fill_null(pc.index_in(table["component_id"], value_set=ids),
                                  len(ids)),
        "line": pc.fill_null(pc.add(pc.index_in(table["line_type"], value_set=adjustments),
                                    1), 0),
        "team": pc.fill_null(table["team_id"], ""), "deal": pc.fill_null(table["deal_id"], "")})
    return table.take(pc.sort_indices(keys, [(name, "ascending") for name in keys.column_names]))


def _columns(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows of dicts as a table, one column at a time (faster than from_pylist)."""
    return pa.table([pa.array(list(map(itemgetter(name), rows)), type_)
                     for name, type_ in zip(schema.names, schema.types, strict=True)],
                    schema=schema)


def credits_table(engine: Backend, credits: Any, wanted: set[str]) -> pa.Table:
    credit_columns = [f.name for f in CREDITS]
    expr = credits.filter(credits.period.isin(sorted(wanted))).mutate(
        amount=credits.amount_credited).select(*credit_columns).order_by(
        ["period", "deal_id", "subject_type", "subject_id", "rule", "payee_id"])
    return engine.collect(expr).cast(CREDITS)


@dataclass
class RunState:
    """Kept on :class:`Results` so a later incremental recalculation can start from it."""

    ctx: PayContext
    wanted: set[str]
    data: Dataset
    backend: Backend
    paid: Paid = field(default_factory=lambda: Paid([]))
    only: list[str] | None = None  # the run's ``periods`` argument

    @property
    def lines(self) -> list[dict[str, Any]]:
        return self.paid.lines()


def run(loaded: LoadedPlan, data: Dataset, backend: str | Backend = "duckdb",
        periods: list[str] | None = None, progress: Progress | None = None) -> Results:
    """Calculate ``loaded`` over ``data``; raises :class:`InputError` with every problem."""
    plan = loaded.plan
    diagnostics = Diagnostics()
    timer = _Timer(progress)
    engine = connect(backend)
    with timer.stage("check"):
        deals = _deals(engine, data, diagnostics)
        diagnostics.raise_if_errors()  # no deals: nothing below can be checked
        _check(loaded, data, deals, diagnostics)
        diagnostics.raise_if_errors()
        run_periods_ = run_periods(plan, _close_dates(engine, deals), periods,
                                   data.get("activities"))
        ancestors = team_ancestors(data["teams"], diagnostics)
        assert deals is not None  # E050 otherwise
        rates = fx.check_run(data, deals, engine, plan.currency, plan.year_start_month,
                             run_periods_[0].start, run_periods_[-1].end, diagnostics)
        diagnostics.raise_if_errors()
    with timer.stage("load"):
        closure = engine.load("closure", closure_rows(ancestors))
        ptable = engine.load("periods", periods_arrow(run_periods_))
    measured = credit_and_measure(engine, loaded, data, deals, run_periods_, closure, timer)
    measures = measured.measures
    with timer.stage("activities"):
        activity = _activities(engine, loaded, data, ptable, closure, measures)
    with timer.stage("target"):
        payees, eligible = _payees(data, loaded)
        memberships = Memberships(data["memberships"], ancestors)
        from_file = file_targets(loaded, data.get("targets"), run_periods_, diagnostics,
                                 data.sources.get("targets", "targets"))
        targets = derive_targets(loaded, from_file, run_periods_, memberships,
                                 {p: v.target_incentive for p, v in payees.items()},
                                 eligible, diagnostics)
        diagnostics.raise_if_errors()
    ctx = PayContext(loaded, run_periods_, payees, eligible, memberships, measures,
                     measured.contributions, activity, targets,
                     rates.line_rates(run_periods_), diagnostics)
    with timer.stage("per_deal"):
        for component in plan.components:
            if _pays_per_deal(component):
                ctx.per_deal[component.id] = engine.collect(per_deal_table(
                    measured.credits, component,
                    _targets_table(engine, targets, component.id),
                    plan.year_start_month)).to_pylist()
    with timer.stage("pay"):
        lines = paid_lines(ctx)
        diagnostics.raise_if_errors()
    with timer.stage("assemble"):
        wanted = set(periods) if periods else {p.label for p in run_periods_}
        payouts = payouts_table(lines, ctx, wanted)
        attainment = attainment_table(ctx, wanted)
    credit_expr = measured.credits
    results = Results(lambda: credits_table(engine, credit_expr, wanted), attainment,
                      payouts, diagnostics, timer.timings, plan.plan, engine.name)
    results.state = RunState(ctx, wanted, data, engine, lines, periods)
    return results


def _deals(engine: Backend, data: Dataset, diagnostics: Diagnostics
           ) -> pa.Table | ir.Table | None:
    """The deals as loaded, or as the backend reads them where they live."""
    source = data.external.get("deals")
    if source is None:
        return data.get("deals")
    try:
        return canonical(engine.read(source), str(source), diagnostics)
    except SourceError as exc:
        diagnostics.error("E051", str(exc), hint="check the source's name and that this "
                          f"engine ({exc.backend}) can reach it")
        return None


def _close_dates(engine: Backend, deals: pa.Table | ir.Table | None) -> pa.Table | None:
    """What run_periods reads of the deals: their close dates, or for deals the backend
    holds only the earliest and latest (the span is all it needs)."""
    if not isinstance(deals, ir.Table):
        return deals
    span = engine.collect(deals.aggregate(first=deals.close_date.min(),
                                          last=deals.close_date.max())).to_pylist()[0]
    return pa.table({"close_date": pa.array([span["first"], span["last"]], pa.date32())})


def _targets_table(engine: Backend, targets: Any, component_id: str) -> Any:
    # the per-deal arithmetic reads targets at 10 places (per_deal.NARROW)
    rows = [{"subject_id": sid, "period": period, "amount": to_places(value, 10)}
            for (stype, sid, cid, period), value in sorted(targets.values.items())
            if cid == component_id and stype == "payee"]
    schema = pa.schema([("subject_id", pa.string()), ("period", pa.string()),
                        ("amount", pa.decimal128(38, 10))])
    return engine.load("targets_" + component_id, pa.Table.from_pylist(rows, schema=schema))


def attainment_table(ctx: PayContext, wanted: set[str],
                     subjects: set[tuple[str, str, str]] | None = None) -> pa.Table:
    """Measure, target and attainment per subject, component and period; ``subjects``
    limits the rows to these (period, subject type, subject id)."""
    # a row per component of the subject's scope that has a measure or a target, as
    # (period, component, subject type) -> subject ids: sorting the few groups and then
    # each group's ids gives the rows' order at a fraction of sorting 4-tuples
    scopes = {c.id: c.scope for c in ctx.plan.components}
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    measured = ctx.measures.items() if subjects is None else [
        (key, ctx.measures[key]) for key in subjects if key in ctx.measures]
    for (period, stype, sid), values in measured:
        if period in wanted:
            for cid in values:
                if scopes.get(cid) == stype:
                    groups[period, cid, stype].add(sid)
    for (stype, sid, cid, period) in ctx.targets.values:
        if period in wanted and scopes.get(cid) == stype and (
                subjects is None or (period, stype, sid) in subjects):
            groups[period, cid, stype].add(sid)
    measures, targets, known = ctx.measures, ctx.targets.values, ctx.attainments
    columns_: list[list[Any]] = [[] for _ in ATTAINMENT_SCHEMA.names]
    periods, components, types, ids, measure_values, target_values, attainments = columns_
    for period, cid, stype in sorted(groups):
        sids = sorted(groups[period, cid, stype])
        periods += [period] * len(sids)
        components += [cid] * len(sids)
        types += [stype] * len(sids)
        ids += sids
        if COLUMNAR:
            measure_values += [measures.get((period, stype, sid), _NO_VALUES).get(cid, ZERO)
                               for sid in sids]
            target_values += [targets.get((stype, sid, cid, period)) for sid in sids]
            continue
        for sid in sids:
            measure = measures.get((period, stype, sid), _NO_VALUES).get(cid, ZERO)
            target = targets.get((stype, sid, cid, period))
            found = known.get((period, stype, sid, cid))
            attainment: Decimal | None
            if found is not None and found[0] is measure and found[1] is target:
                attainment = found[2]
            else:  # 60 digits, as the payout lines' attainment, then 12 places
                attainment = shown(exact_div(measure, target)) if target else None
            measure_values.append(measure)
            target_values.append(shown_money(target))
            attainments.append(attainment)
    arrays = [pa.array(values, type_) for values, type_ in
              zip(columns_[:5], ATTAINMENT_SCHEMA.types[:5], strict=True)]
    if COLUMNAR:  # the targets to the cent and the attainments as whole columns
        arrays += columns.attainment_columns(measure_values, target_values)
    else:
        arrays += [pa.array(values, type_) for values, type_ in
                   zip(columns_[5:], ATTAINMENT_SCHEMA.types[5:], strict=True)]
    return pa.table(arrays, schema=ATTAINMENT_SCHEMA)


_NO_VALUES: dict[str, Decimal] = {}


__all__ = ["InputError", "Period", "credit_and_measure", "pay_lines", "run"]

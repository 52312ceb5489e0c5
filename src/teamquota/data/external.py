"""Deals the engine's backend reads where they live: a Spark or PostgreSQL table, or
Parquet/Delta files in a lake.

A large organisation keeps its deals in a warehouse or lake, often beyond one machine's
memory. Reading them into Python to check them and handing them back to Spark would cost
more than the calculation (and needs the driver to hold them all), so an external deals
table is never collected: the backend reads it, :func:`canonical` selects and types the
canonical columns as an Ibis expression, and :func:`check_deals` runs the loader's row checks
as a few aggregate queries on the backend (counts per problem, then up to five example deal
ids). The other tables (payees, teams, targets, ...) are small and go through the loader.

A source is written ``FORMAT:LOCATION``: ``table:crm.deals`` (a Spark catalog table or a
PostgreSQL table), ``parquet:s3://lake/deals/`` (a file or a folder of files),
``delta:/mnt/lake/deals`` (Spark with Delta Lake, e.g. Databricks). A bare path ending in
``.parquet`` or naming a folder reads as Parquet.

What the file loader checks that this does not: line numbers (a table has none: examples
name deal ids instead), surrounding whitespace in ids (values are used as stored), and text
that does not parse (a typed table has no text to parse; a column of the wrong type is
refused as a whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.fx import FxRates, missing_rates_expr, no_rate_hint
from teamquota.data.table_checks import RANGES, StageRules, lookalike
from teamquota.data.tables import DEALS, TableSpec

FORMATS = ("table", "parquet", "delta")
EXAMPLES = 5
MAX_SHOWN = 200  # D011 diagnostics before a summary, as the loader's max_per_problem
# nullable columns the engine reads, so they must exist in the table (as scan.MUST_HAVE)
MUST_HAVE = ("amount", "close_date")
_TABLE_NAME = re.compile(r"[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}")


@dataclass(frozen=True)
class ExternalTable:
    format: str  # one of FORMATS
    location: str

    def __str__(self) -> str:
        return f"{self.format}:{self.location}"


def parse_source(text: str) -> ExternalTable:
    """``'table:crm.deals'`` -> ExternalTable('table', 'crm.deals'); see the module doc."""
    kind, sep, location = text.partition(":")
    if sep and kind in FORMATS and location:
        return ExternalTable(kind, location)
    if text.endswith(".parquet") or Path(text).is_dir():
        return ExternalTable("parquet", text)
    if _TABLE_NAME.fullmatch(text):
        return ExternalTable("table", text)
    raise ValueError(f"not a deals source: {text!r}; expected table:NAME, parquet:PATH or "
                     "delta:PATH (e.g. table:crm.deals, parquet:s3://lake/deals/)")


def canonical(source: ir.Table, where: str, diagnostics: Diagnostics,
              spec: TableSpec = DEALS) -> ir.Table | None:
    """The canonical columns of ``source`` with their canonical types (other columns kept
    as they are, for plan filters), or None after reporting why they cannot be had."""
    schema = source.schema()
    at = Source(where)
    columns: dict[str, ir.Value] = {}
    for column in spec.columns:
        name, want = column.name, ibis.dtype(column.type)
        if name not in schema:
            if column.required or name in MUST_HAVE:
                diagnostics.error("D001", f"missing required column '{name}'; the table has: "
                                  + ", ".join(schema.names), at,
                                  "rename the column in a view over the table")
            else:
                columns[name] = ibis.null(want)
            continue
        problem = _type_problem(schema[name], want)
        if problem:
            diagnostics.error("D014", f"column '{name}' is {schema[name]}: {problem}", at,
                              "cast it in a view over the table")
            continue
        columns[name] = source[name].cast(want) if schema[name] != want else source[name]
    if diagnostics.has_errors:
        return None
    extra = [source[n] for n in schema.names if n not in columns]
    return source.select(*[value.name(name) for name, value in columns.items()], *extra)


def _type_problem(have: dt.DataType, want: dt.DataType) -> str | None:
    """Why ``have`` cannot become ``want`` exactly, or None when it can."""
    if want.is_string():
        return None if have.is_string() or have.is_integer() else "expected text"
    if want.is_date():
        if have.is_date():
            return None
        return "expected a date" + (" (cast the timestamp to the date the deal closed on, in "
                                    "your booking time zone)" if have.is_timestamp() else "")
    if want.is_decimal():
        if have.is_floating():
            return "floating-point money cannot hold cents exactly; expected a decimal"
        if have.is_integer():
            return None
        if have.is_decimal():
            return None  # wider decimals are checked value by value (narrowed())
        return "expected a decimal"
    return None


def narrowed(source: ir.Table, spec: TableSpec = DEALS) -> list[str]:
    """Decimal columns wider than their canonical type (a warehouse's NUMERIC or
    DECIMAL(38,18)): their values must each fit, which :func:`check_deals` counts."""
    schema = source.schema()
    found = []
    for column in spec.columns:
        have, want = schema.get(column.name), ibis.dtype(column.type)
        if have is not None and have.is_decimal() and want.is_decimal() and (
                have.precision is None or (have.scale or 0) > want.scale
                or have.precision - (have.scale or 0) > want.precision - want.scale):
            found.append(column.name)
    return found


class CheckBackend(Protocol):
    """What :func:`check_deals` needs of an engine backend (``backends.base.Backend``
    has it), named here because backends/ sits above data/ and imports this module."""

    def load(self, name: str, table: pa.Table) -> ir.Table: ...

    def collect(self, expr: ir.Table) -> pa.Table: ...


def check_deals(deals: ir.Table, backend: CheckBackend, where: str, diagnostics: Diagnostics, *,
                payees: pa.Table, splits: pa.Table | None = None,
                stages: StageRules | None = None, allow_negative: bool = False,
                currency: str | None = None, rates: FxRates | None = None,
                source: ir.Table | None = None) -> pa.Array | None:
    """The loader's deal checks (D002, D005, D006, D007, D010, D011, D012, D036) on the
    backend.

    ``payees`` and ``splits`` are the loaded tables; ``rates`` the fx rates that convert
    deals into ``currency`` (the plan's; D011 per deal, as the loader's); ``source`` is
    the table as read, whose :func:`narrowed` columns are checked value by value (D012).
    Then two passes over the deals: problem counts per (owner, currency, stage) - a few
    thousand groups, which also give the distinct values the owner, currency and stage
    checks need - and the blank and repeated ids (:func:`repeated_ids`; and one for the
    fx rates when deals are in another currency); example ids are fetched only for the
    problems found. Returns the distinct owners (for the load summary), or None when the
    amounts could not be read.
    """
    stages = stages or StageRules()
    collect, at = backend.collect, Source(where)
    if source is not None and _values_do_not_fit(source, collect, at, diagnostics):
        return None  # the cast deals would fail or be wrong: nothing below can be trusted
    problems = _row_problems(deals, stages, allow_negative)
    # Counts of non-null values per group, not a CASE per row and problem: a blank owner or
    # stage is a group of its own, and a blank close date or amount on a closed or won
    # deal is the group's rows less its dates or amounts, so only the negative amounts are
    # tested row by row. deal_id is not read here (the repeated-id pass reads it).
    metrics: dict[str, ir.Value] = {"rows": deals.count(),
                                    "dated": deals.close_date.count(),
                                    "priced": deals.amount.count()}
    if "negative" in problems:
        metrics["n_negative"] = problems["negative"][2].ifelse(1, 0).sum()
    groups = collect(deals.group_by(["owner_id", "currency", "stage"]).aggregate(**metrics))
    blank_ids, repeated = repeated_ids(deals, backend)
    counts = _problem_counts(groups, stages, blank_ids)
    for key, (code, message, condition, hint) in problems.items():
        count = counts[key]
        if count:
            ids = collect(deals.filter(condition).select("deal_id").limit(EXAMPLES))
            diagnostics.error(code, f"{_deals(count)}: {message}{_examples(ids['deal_id'])}",
                              at, hint)
    if repeated:
        repeats = deals.filter(deals.deal_id.notnull()).group_by("deal_id").aggregate(
            rows=ibis._.count()).filter(ibis._.rows > 1)
        ids = collect(repeats.select("deal_id").order_by("deal_id").limit(EXAMPLES))
        diagnostics.error("D006", f"{repeated:,} deal ids appear on more than one "
                          f"row{_examples(ids['deal_id'])}", at,
                          "each deal once; a split deal's shares go in the splits table")
    _check_owners(groups, payees, at, diagnostics)
    _check_codes(groups, stages, at, diagnostics)
    if currency:
        _check_rates(deals, backend, rates or FxRates(), currency, at, diagnostics)
    if splits is not None and splits.num_rows:
        ids = backend.load("split_deals", splits.select(["deal_id"]))
        missing = collect(ids.anti_join(deals, "deal_id").select("deal_id").distinct()
                          .order_by("deal_id"))["deal_id"]
        if len(missing):
            diagnostics.error("D007", f"{len(missing):,} split deal_id value(s) are not a "
                              f"deal_id in {where}{_examples(missing[:EXAMPLES])}",
                              Source("splits"), "split only deals that exist")
    return pc.unique(groups["owner_id"]).drop_null()


def _problem_counts(groups: pa.Table, stages: StageRules, blank_ids: int) -> dict[str, int]:
    """Each problem of :func:`_row_problems` counted from the per-group counts."""
    def rows_where(mask: Any, column: Any) -> int:
        return pc.sum(column.filter(pc.fill_null(mask, False))).as_py() or 0

    rows = groups["rows"]
    stage = groups["stage"]
    counts = {"deal_id": blank_ids,
              "owner_id": rows_where(pc.is_null(groups["owner_id"]), rows),
              "stage": rows_where(pc.is_null(stage), rows),
              "closed_no_date": rows_where(pc.is_in(stage, pa.array(stages.closed)),
                                           pc.subtract(rows, groups["dated"])),
              "won_no_amount": rows_where(pc.is_in(stage, pa.array(stages.won)),
                                          pc.subtract(rows, groups["priced"]))}
    if "n_negative" in groups.column_names:
        counts["negative"] = pc.sum(groups["n_negative"]).as_py() or 0
    return counts


def repeated_ids(deals: ir.Table, backend: CheckBackend) -> tuple[int, int]:
    """(blank deal ids, deal ids repeated: rows with an id less distinct ids), exactly.

    Counting distinct ids is the costly part of the checks (0.9 s of 2 cores at 10M deals
    on DuckDB; grouping by a 64-bit hash of the id measured slower, 1.1 s), so a backend
    that streams a column to Python (``Backend.batches``) first reads the ids in the
    order it has them: ids that come strictly increasing cannot repeat (0.2 s; exports
    are often sorted by id). Any other order, or a backend that does not stream, counts."""
    stream = getattr(backend, "batches", None)
    batches = stream(deals.select("deal_id")) if stream is not None else None
    if batches is not None:
        try:
            blank = _increasing(batches)
        finally:  # a stream stopped early must release the backend for the next query
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        if blank is not None:
            return blank, 0
    found = backend.collect(deals.aggregate(
        blank=deals.count() - deals.deal_id.count(),
        repeated=deals.deal_id.count() - deals.deal_id.nunique()))
    return found["blank"][0].as_py() or 0, found["repeated"][0].as_py() or 0


def _increasing(batches: Iterator[pa.RecordBatch]) -> int | None:
    """The blank ids when the other ids come strictly increasing (in byte order), so no
    id is on two rows; None at the first id not greater than the one before it."""
    blank, last = 0, None
    for batch in batches:
        ids = batch.column(0)
        blank += ids.null_count
        ids = ids.drop_null()  # a blank between two equal ids must not hide the repeat
        if not len(ids):
            continue
        if last is not None and not pc.greater(ids[0], last).as_py():
            return None
        if pc.any(pc.less_equal(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py():
            return None
        last = ids[len(ids) - 1]
    return blank


def _values_do_not_fit(source: ir.Table, collect: Callable[[ir.Table], pa.Table],
                       at: Source, diagnostics: Diagnostics) -> bool:
    found = False
    for name in narrowed(source):
        want = ibis.dtype(DEALS.column(name).type)
        value = source[name]
        fitted = value.try_cast(want)
        wrong = value.notnull() & (fitted.isnull() | (fitted != value))
        count = collect(source.aggregate(n=wrong.ifelse(1, 0).sum()))["n"][0].as_py() or 0
        if count:
            found = True
            ids = collect(source.filter(wrong).select(source.deal_id.cast("string"))
                          .limit(EXAMPLES))
            diagnostics.error("D012", f"{_deals(count)}: column '{name}' has more decimal "
                              f"places or digits than {want} holds"
                              f"{_examples(ids[ids.column_names[0]])}", at,
                              "round the amounts to cents in a view over the table")
    return found


Problem = tuple[str, str, ir.BooleanValue, str | None]  # code, message, condition, hint


def _row_problems(deals: ir.Table, stages: StageRules,
                  allow_negative: bool) -> dict[str, Problem]:
    low = RANGES[("deals", "amount")][0]
    problems: dict[str, Problem] = {
        "deal_id": ("D002", "column 'deal_id' is blank", deals.deal_id.isnull(), None),
        "owner_id": ("D002", "column 'owner_id' is blank", deals.owner_id.isnull(), None),
        "stage": ("D002", "column 'stage' is blank", deals.stage.isnull(), None),
        "closed_no_date": ("D002", "column 'close_date' is blank, but the deal is closed",
                           deals.close_date.isnull() & deals.stage.isin(stages.closed),
                           "close_date may be blank only on open deals"),
        "won_no_amount": ("D002", "column 'amount' is blank, but the deal is won",
                          deals.amount.isnull() & deals.stage.isin(stages.won),
                          "amount may be blank only on open deals"),
    }
    if not allow_negative:
        problems["negative"] = ("D005", f"column 'amount' is negative; expected {low} or "
                                "more", deals.amount < low, "to reverse a paid deal, set its "
                                "stage to Lost (or remove its row) and post again with "
                                "teamquota ledger post: the difference becomes a clawback")
    return problems


def _check_owners(groups: pa.Table, payees: pa.Table, at: Source,
                  diagnostics: Diagnostics) -> None:
    per_owner = groups.filter(pc.is_valid(groups["owner_id"])).group_by("owner_id").aggregate(
        [("rows", "sum")])
    unknown = per_owner.filter(pc.invert(pc.is_in(per_owner["owner_id"],
                                                  value_set=payees["payee_id"])))
    if not unknown.num_rows:
        return
    unknown = unknown.sort_by("owner_id")
    shown = ", ".join(f"'{o}' ({n:,} deals)" for o, n in zip(
        unknown["owner_id"].to_pylist()[:EXAMPLES], unknown["rows_sum"].to_pylist(),
        strict=False))
    more = " ..." if unknown.num_rows > EXAMPLES else ""
    diagnostics.error("D007", f"{unknown.num_rows} owner_id value(s) are not a payee_id in "
                      f"payees: {shown}{more}", at,
                      "add them to payees or correct the id (ids are case-sensitive)")


def _check_codes(groups: pa.Table, stages: StageRules, at: Source,
                 diagnostics: Diagnostics) -> None:
    for code in sorted(pc.unique(groups["currency"]).drop_null().to_pylist()):
        if not re.fullmatch(r"[A-Z]{3}", code):
            diagnostics.error("D010", f"column 'currency': '{code}' is not a currency code",
                              at, "expected an ISO 4217 code of three capital letters")
    for stage in sorted(pc.unique(groups["stage"]).drop_null().to_pylist()):
        word = lookalike(stage, stages.closed)
        if word is not None:
            diagnostics.warning("D036", f"stage '{stage}' looks like '{word}' but is not "
                                f"spelled '{word}', so those deals count as open", at,
                                "map it in a view over the table")


def _check_rates(deals: ir.Table, backend: CheckBackend, rates: FxRates, currency: str,
                 at: Source, diagnostics: Diagnostics) -> None:
    """D011 for each deal (up to ``MAX_SHOWN``) no rate converts, worded as the loader's."""
    valid = deals.filter(deals.currency.re_search(r"^[A-Z]{3}$"))  # others are D010
    count, messages = missing_rates_expr(valid, backend, rates, currency, limit=MAX_SHOWN)
    for message in messages:
        diagnostics.error("D011", message, at, no_rate_hint(currency))
    if count > len(messages):
        diagnostics.error("D011", f"... and {count - len(messages):,} more rows with the "
                          "same kind of problem", at, no_rate_hint(currency))


def _deals(count: int) -> str:
    return f"{count:,} deal{'s' if count != 1 else ''}"


def _examples(ids: Any) -> str:
    values = [str(v) for v in ids.to_pylist()]
    return f" (e.g. deal {', '.join(repr(v) for v in values)})" if values else ""

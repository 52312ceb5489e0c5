"""Checks across canonical tables: references, overlapping memberships and leaderships,
split sums, fx.

They run after each table's own checks, on the rows still kept, so a reject in one table
cascades to the rows that point at it (a split of a rejected deal is rejected too).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.data.fx import FxRates, missing_rates, no_rate_hint
from teamquota.data.problems import LoadedTable, ProblemLog
from teamquota.data.table_checks import _rows, _texts

REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("teams", "leader_id", "payees", "payee_id"),
    ("teams", "parent_team_id", "teams", "team_id"),
    ("memberships", "payee_id", "payees", "payee_id"),
    ("memberships", "team_id", "teams", "team_id"),
    ("leaderships", "team_id", "teams", "team_id"),
    ("leaderships", "leader_id", "payees", "payee_id"),
    ("deals", "owner_id", "payees", "payee_id"),
    ("splits", "deal_id", "deals", "deal_id"),
    ("splits", "payee_id", "payees", "payee_id"),
    ("activities", "payee_id", "payees", "payee_id"),
    ("coverage", "payee_id", "payees", "payee_id"),
)
# subject tables chosen by a type column: (table, type column, id column) -> type -> target
TYPED_REFERENCES: dict[tuple[str, str, str], dict[str, tuple[str, str]]] = {
    ("targets", "subject_type", "subject_id"): {"payee": ("payees", "payee_id"),
                                                "team": ("teams", "team_id")},
    ("coverage", "covers_type", "covers_id"): {"payee": ("payees", "payee_id"),
                                               "team": ("teams", "team_id")},
}


def _unknown(t: LoadedTable, column: str, target: LoadedTable, key: str,
             mask: pa.Array | None, log: ProblemLog) -> None:
    values = t.table[column]
    missing = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, target.table[key])))
    if mask is not None:
        missing = pc.and_(missing, mask)
    rows = _rows(missing)
    log.add(t.name, "D007", t.original_rows(rows),
            [f"column '{column}': '{v}' is not a {key} in {target.file_name}"
             for v in _texts(values, rows)],
            f"add it to {target.file_name} or correct the id (ids are case-sensitive)")


def check_references(tables: Mapping[str, LoadedTable], log: ProblemLog) -> None:
    for name, column, target_name, key in REFERENCES:
        t, target = tables.get(name), tables.get(target_name)
        if t is not None and target is not None and column in t.table.column_names:
            _unknown(t, column, target, key, None, log)
    for (name, type_column, id_column), choices in TYPED_REFERENCES.items():
        t = tables.get(name)
        if t is None:
            continue
        for subject_type, (target_name, key) in choices.items():
            target = tables.get(target_name)
            if target is not None:
                mask = pc.equal(t.table[type_column], subject_type)
                _unknown(t, id_column, target, key, mask, log)


Overlap = tuple[int, tuple[object, ...], date, tuple[object, ...], date, int]


def _overlaps(t: LoadedTable, key: list[str], other: tuple[str, ...] = ()) -> list[Overlap]:
    """Rows whose span [start_date, end_date] starts on or before the end of an earlier row
    of the same ``key``, as (row, its key and ``other`` values, start, the earlier row's
    values, its end (date.max: ongoing), its row). Rows are swept in start order per key,
    keeping the latest-ending row so far; a blank key or start is another check's."""
    columns = [*key, *other, "start_date", "end_date"]
    frame = t.table.select(columns).to_pandas(date_as_object=True)
    frame["row"] = np.arange(len(frame))
    frame = frame.dropna(subset=[*key, *other, "start_date"]).sort_values(
        [*key, "start_date", "row"], kind="stable")
    found: list[Overlap] = []
    # memberships and leaderships are people x teams (thousands of rows): a plain loop
    reach: tuple[tuple[object, ...], date, int] | None = None  # latest-ending row so far
    for *values, start, end, row in frame[[*columns, "row"]].itertuples(index=False):
        end = end if isinstance(end, date) else date.max
        same = reach is not None and reach[0][:len(key)] == tuple(values[:len(key)])
        if reach is not None and same and start <= reach[1]:
            found.append((row, tuple(values), start, reach[0], reach[1], reach[2]))
            if end <= reach[1]:
                continue
        if reach is None or not same or end > reach[1]:
            reach = (tuple(values), end, row)
    return found


def _until(end: date) -> str:
    return "ongoing" if end == date.max else f"until {end}"


def check_membership_overlaps(tables: Mapping[str, LoadedTable], log: ProblemLog) -> None:
    """A payee may be in a team only once on any day (sequential rows are fine)."""
    t = tables.get("memberships")
    if t is None or t.table.num_rows == 0:
        return
    found = _overlaps(t, ["payee_id", "team_id"])
    log.add(t.name, "D008", t.original_rows(np.asarray([f[0] for f in found], np.int64)),
            [f"payee '{values[0]}' joins team '{values[1]}' on {start}, but is already a "
             f"member ({_until(end)}) by line {t.line(row)}"
             for _, values, start, _earlier, end, row in found],
            "end the earlier membership (end_date) before the next one starts")


def check_leadership_overlaps(tables: Mapping[str, LoadedTable], log: ProblemLog) -> None:
    """A team has one leader on any day (a span may start the day after the last ends)."""
    t = tables.get("leaderships")
    if t is None or t.table.num_rows == 0:
        return
    found = _overlaps(t, ["team_id"], ("leader_id",))
    log.add(t.name, "D037", t.original_rows(np.asarray([f[0] for f in found], np.int64)),
            [f"team '{values[0]}': leader '{values[1]}' starts on {start}, but "
             f"'{earlier[1]}' already leads it ({_until(end)}) by line {t.line(row)}"
             for _, values, start, earlier, end, row in found],
            "a team has one leader a day: end the earlier leadership (end_date) the day "
            "before the next one starts")


def check_split_sums(tables: Mapping[str, LoadedTable], log: ProblemLog) -> None:
    t = tables.get("splits")
    if t is None or t.table.num_rows == 0:
        return
    indexed = t.table.select(["deal_id", "share"]).append_column(
        "__row", pa.array(np.arange(t.table.num_rows, dtype=np.int64)))
    indexed = indexed.filter(pc.is_valid(indexed["deal_id"]))
    sums = indexed.group_by("deal_id").aggregate([("share", "sum")])
    one = pa.scalar(Decimal(1), sums["share_sum"].type)
    wrong = sums.filter(pc.or_(pc.not_equal(sums["share_sum"], one),
                               pc.is_null(sums["share_sum"])))
    if wrong.num_rows == 0:
        return
    bad = indexed.join(wrong, keys="deal_id", join_type="inner").sort_by("__row").to_pylist()
    lines_of: dict[str, list[int]] = {}
    for record in bad:
        lines_of.setdefault(record["deal_id"], []).append(t.line(record["__row"]))
    messages = []
    for record in bad:
        total = record["share_sum"]
        shown = "blank" if total is None else f"{total.normalize():f}"
        lines = ", ".join(map(str, lines_of[record["deal_id"]]))
        messages.append(f"deal '{record['deal_id']}': split shares add up to {shown}, not 1 "
                        f"(line{'s' if ',' in lines else ''} {lines})")
    log.add(t.name, "D009", t.original_rows(np.asarray([r["__row"] for r in bad], np.int64)),
            messages, "give each deal's splits shares that add up to exactly 1, e.g. 0.6 + 0.4")


def check_fx(tables: Mapping[str, LoadedTable], log: ProblemLog, currency: str | None,
             year_start_month: int = 1) -> None:
    """Closed deals in another currency than ``currency`` (the plan's) need an fx rate to
    it for their close date (data/fx.py: day, month, quarter or year)."""
    deals = tables.get("deals")
    if currency is None or deals is None or "currency" not in deals.table.column_names:
        return
    fx = tables.get("fx_rates")
    rates = FxRates.from_table(None if fx is None else fx.table, year_start_month)
    # a code that is no currency code is D010's
    codes = pc.fill_null(pc.match_substring_regex(deals.table["currency"], r"^[A-Z]{3}$"),
                         False)
    rows, messages = missing_rates(deals.table, rates, currency, mask=codes)
    log.add("deals", "D011", deals.original_rows(rows), messages, no_rate_hint(currency))


def check_team_cycles(tables: Mapping[str, LoadedTable], log: ProblemLog) -> None:
    """Rollups walk parent_team_id upwards; a cycle would make that walk endless."""
    t = tables.get("teams")
    if t is None or t.table.num_rows == 0:
        return
    ids = t.table["team_id"].to_pylist()
    parent = dict(zip(ids, t.table["parent_team_id"].to_pylist(), strict=True))
    rows, messages = [], []
    for row, team in enumerate(ids):
        chain, current = [team], parent.get(team)
        while current is not None and current not in chain and current in parent:
            chain.append(current)
            current = parent.get(current)
        if current == team:  # report each team on a cycle at its own row
            rows.append(row)
            messages.append(f"team '{team}' is its own ancestor: "
                            + " -> ".join(f"'{c}'" for c in [*chain, team]))
    log.add(t.name, "D017", t.original_rows(np.asarray(rows, np.int64)), messages,
            "parent_team_id must point up the hierarchy; leave it blank on the top team")


def check_dataset(tables: Mapping[str, LoadedTable], log: ProblemLog,
                  currency: str | None = None, year_start_month: int = 1) -> None:
    check_references(tables, log)
    check_team_cycles(tables, log)
    check_membership_overlaps(tables, log)
    check_leadership_overlaps(tables, log)
    check_split_sums(tables, log)
    check_fx(tables, log, currency, year_start_month)

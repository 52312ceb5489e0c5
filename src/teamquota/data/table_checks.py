"""Checks within one canonical table: blanks, ranges, codes, labels, stage rules, keys.

Each check is vectorised with pyarrow compute and reports a :class:`RowProblem`; Python only
formats messages for the rows that are bad.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.periods import parse_period
from teamquota.data import bytecheck
from teamquota.data.duck import connect, ident
from teamquota.data.fx import LABEL_HINT, bad_labels
from teamquota.data.limits import (
    DATE_MAX,
    DATE_MIN,
    DATE_WINDOW,
    ID_CHARS,
    ID_COLUMNS,
    ID_MAX,
    ID_PATTERN,
    MAX_LENGTHS,
)
from teamquota.data.problems import LoadedTable, ProblemLog
from teamquota.data.tables import TABLES


@dataclass(frozen=True)
class StageRules:
    """Which deal stages are closed: closed deals need a close date, won deals an amount."""

    won: tuple[str, ...] = ("Won",)
    lost: tuple[str, ...] = ("Lost",)

    @property
    def closed(self) -> tuple[str, ...]:
        return self.won + self.lost


# (table, column) -> (lowest allowed, whether the lowest itself is allowed, highest or None)
RANGES: dict[tuple[str, str], tuple[Decimal, bool, Decimal | None]] = {
    ("payees", "target_incentive"): (Decimal(0), True, None),
    ("deals", "amount"): (Decimal(0), True, None),
    ("targets", "amount"): (Decimal(0), True, None),
    ("splits", "share"): (Decimal(0), True, Decimal(1)),
    ("coverage", "share"): (Decimal(0), True, Decimal(1)),
    ("fx_rates", "rate"): (Decimal(0), False, None),
    ("activities", "quantity"): (Decimal(0), True, None),
}
CURRENCY_COLUMNS = {"payees": ("currency",), "deals": ("currency",),
                    "fx_rates": ("from_currency", "to_currency")}
ALLOWED = {("targets", "subject_type"): ("payee", "team"),
           ("coverage", "covers_type"): ("account", "payee", "team")}
CURRENCY_BYTES = bytecheck.byte_table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# the bytes of ID_PATTERN's class (ASCII, so a byte is a character)
ID_BYTES = bytecheck.byte_table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                b"0123456789_.-@:")
PERIOD_COLUMNS = {"targets": "period", "fx_rates": "period"}
DATE_RANGES = {"memberships": ("start_date", "end_date"), "coverage": ("start_date", "end_date"),
               "leaderships": ("start_date", "end_date")}


def _rows(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if not pc.any(mask).as_py():  # the usual answer, without unpacking 10M bits
        return np.empty(0, np.int64)
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    if mask.null_count:  # fill_null copies even a mask without nulls (~0.2 s at 10M)
        mask = mask.fill_null(False)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


def _texts(column: pa.Array | pa.ChunkedArray, rows: np.ndarray) -> list[Any]:
    if not len(rows):  # take() on a chunked column would first concatenate its chunks
        return []
    values: list[Any] = column.take(pa.array(rows, pa.int64())).to_pylist()
    return values


def _plain(value: Decimal) -> str:
    return f"{value:f}"


def check_blanks(t: LoadedTable, log: ProblemLog, already_bad: dict[str, np.ndarray]) -> None:
    for column in TABLES[t.name].columns:
        if not column.required or column.name not in t.table.column_names:
            continue
        if t.table[column.name].null_count == 0:  # known without a pass over the rows
            continue
        rows = np.setdiff1d(_rows(pc.is_null(t.table[column.name])),
                            already_bad.get(column.name, np.empty(0, np.int64)))
        log.add(t.name, "D002", rows,
                [f"column '{column.name}' is blank; a value is required"] * len(rows),
                f"every {t.name} row needs {column.name}")


def check_ranges(t: LoadedTable, log: ProblemLog, allow_negative_deals: bool = False) -> None:
    for (table, name), (low, inclusive, high) in RANGES.items():
        if table != t.name or name not in t.table.column_names:
            continue
        if (table, name) == ("deals", "amount") and allow_negative_deals:
            continue
        values = t.table[name]
        extremes = pc.min_max(values)  # one pass; the usual column is within range
        least, most = extremes["min"].as_py(), extremes["max"].as_py()
        if least is None or ((least >= low if inclusive else least > low)
                             and (high is None or most <= high)):
            continue
        below = (pc.less if inclusive else pc.less_equal)(values, pa.scalar(low, values.type))
        if high is not None:
            rows = _rows(pc.or_(below, pc.greater(values, pa.scalar(high, values.type))))
            problem = f"is outside {_plain(low)} to {_plain(high)}"
        elif inclusive:
            rows, problem = _rows(below), f"is negative; expected {_plain(low)} or more"
        else:
            rows, problem = _rows(below), f"is not above {_plain(low)}"
        source = t.texts.get(name)
        shown = [str(v) for v in _texts(source, rows)] if source is not None else \
            [_plain(v) for v in _texts(values, rows)]
        log.add(t.name, "D005", rows,
                [f"column '{name}': '{v}' {problem}" for v in shown],
                "to reverse a paid deal, set its stage to Lost (or remove its row) and post "
                "again with teamquota ledger post: the difference becomes a clawback"
                if (table, name) == ("deals", "amount") else None)


def check_currencies(t: LoadedTable, log: ProblemLog) -> None:
    for name in CURRENCY_COLUMNS.get(t.name, ()):
        if name not in t.table.column_names:
            continue
        values = t.table[name]
        if bytecheck.all_of(values, CURRENCY_BYTES, 3, 3):  # ^[A-Z]{3}$ on every value
            continue
        distinct = pc.unique(values)  # a handful of codes: test those, not every row
        wrong = distinct.filter(pc.invert(pc.match_substring_regex(distinct, r"^[A-Z]{3}$")))
        rows = _rows(pc.is_in(values, wrong)) if len(wrong) else np.empty(0, np.int64)
        log.add(t.name, "D010", rows,
                [f"column '{name}': '{v}' is not a currency code" for v in _texts(values, rows)],
                "expected an ISO 4217 code of three capital letters, e.g. USD")


def check_allowed(t: LoadedTable, log: ProblemLog) -> None:
    for (table, name), allowed in ALLOWED.items():
        if table != t.name or name not in t.table.column_names:
            continue
        values = t.table[name]
        rows = _rows(pc.invert(pc.is_in(values, pa.array(allowed))))
        rows = rows[pc.is_valid(values.take(pa.array(rows, pa.int64()))).to_numpy(
            zero_copy_only=False)] if len(rows) else rows
        log.add(t.name, "D016", rows,
                [f"column '{name}': '{v}' is not allowed" for v in _texts(values, rows)],
                "expected one of: " + ", ".join(allowed))
    period_column = PERIOD_COLUMNS.get(t.name)
    if t.name == "fx_rates" and period_column in t.table.column_names:
        # fx rates may also be labelled by day (data/fx.py)
        rows, messages = bad_labels(t.table[period_column])
        log.add(t.name, "D016", t.original_rows(rows), messages, LABEL_HINT)
    elif period_column and period_column in t.table.column_names:
        values = t.table[period_column]
        labels = pc.unique(values.drop_null()).to_pylist()
        bad = [label for label in labels if not _is_period(label)]
        rows = _rows(pc.is_in(values, pa.array(bad, pa.string())))
        log.add(t.name, "D016", rows,
                [f"column '{period_column}': '{v}' is not a period label"
                 for v in _texts(values, rows)],
                "expected YYYY, YYYY-Qn or YYYY-MM, e.g. 2017-Q2")


def _is_period(label: str) -> bool:
    try:
        parse_period(label)
    except ValueError:
        return False
    return True


def check_date_order(t: LoadedTable, log: ProblemLog) -> None:
    columns = DATE_RANGES.get(t.name)
    if not columns or not set(columns) <= set(t.table.column_names):
        return
    start, end = (t.table[c] for c in columns)
    rows = _rows(pc.less(end, start))
    pairs = zip(_texts(start, rows), _texts(end, rows), strict=True)
    log.add(t.name, "D015", rows,
            [f"end_date {e} is before start_date {s}" for s, e in pairs],
            "end_date is the last day (inclusive); leave it blank for an ongoing row")


def _shown(text: str) -> str:
    """``text`` with control characters written as escapes (a tab as \\t), so a message
    shows what is wrong with an id rather than an invisible character."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def check_limits(t: LoadedTable, log: ProblemLog) -> None:
    """Dates inside the supported window (D019), ids of the allowed characters (D024) and
    text no longer than the column where it is stored (D026); data/limits.py."""
    spec = TABLES[t.name]
    for column in spec.columns:
        if column.name not in t.table.column_names:
            continue
        values = t.table[column.name]
        if pa.types.is_date(column.type):
            extremes = pc.min_max(values)  # one pass; the usual column is inside the window
            least, most = extremes["min"].as_py(), extremes["max"].as_py()
            if least is None or (least >= DATE_MIN and most <= DATE_MAX):
                continue
            outside = pc.or_(pc.less(values, pa.scalar(DATE_MIN, values.type)),
                             pc.greater(values, pa.scalar(DATE_MAX, values.type)))
            rows = _rows(outside)
            log.add(t.name, "D019", rows,
                    [f"column '{column.name}': {v} is outside the supported dates "
                     f"{DATE_WINDOW}" for v in _texts(values, rows)],
                    "use a date in the window; leave an end date blank for 'ongoing'")
            continue
        if not pa.types.is_string(column.type):
            continue
        no_nul = bytecheck.no_byte(values, 0)
        rows = np.empty(0, np.int64) if no_nul else _rows(pc.match_substring(values, "\x00"))
        if len(rows):
            log.add(t.name, "D028", rows,
                    [f"column '{column.name}': the value holds a NUL byte"] * len(rows),
                    "remove the NUL (\\0) characters; the file may be UTF-16 or binary")
            continue
        if column.name in ID_COLUMNS.get(t.name, ()):
            if bytecheck.all_of(values, ID_BYTES, 1, ID_MAX, not_first=b"."):
                continue  # every value matches ID_PATTERN, and none is only dots
            rows = _rows(pc.or_(pc.invert(pc.match_substring_regex(
                values, f"^{ID_PATTERN.pattern}$")), pc.match_substring_regex(values, r"^\.+$")))
            rows = rows[pc.is_valid(values.take(pa.array(rows, pa.int64()))).to_numpy(
                zero_copy_only=False)] if len(rows) else rows
            log.add(t.name, "D024", rows,
                    [f"column '{column.name}': '{_shown(v)}' is not an id" for v in
                     _texts(values, rows)],
                    f"an id holds only {ID_CHARS}, up to {ID_MAX} characters (no '/', "
                    "spaces or control characters)")
            continue
        limit = MAX_LENGTHS.get((t.name, column.name))
        if limit is not None:
            most = bytecheck.most_bytes(values)  # characters <= bytes
            if most is not None and most <= limit:
                continue
            rows = _rows(pc.greater(pc.utf8_length(values), limit))
            log.add(t.name, "D026", rows,
                    [f"column '{column.name}': a value of {len(v)} characters is longer "
                     f"than the {limit} the column holds: '{v[:40]}...'"
                     for v in _texts(values, rows)],
                    "shorten the value in the source system")


def lookalike(stage: str, words: Iterable[str]) -> str | None:
    """The stage word ``stage`` is a misspelling of ('closed won' -> 'Won'), else None."""
    word = next((w for w in words if w.lower() in stage.lower().split()), None)
    return word if word is not None and stage != word else None


def check_deal_stages(t: LoadedTable, log: ProblemLog, stages: StageRules,
                      already_bad: dict[str, np.ndarray]) -> None:
    if t.name != "deals":
        return
    stage = t.table["stage"]
    for name, needed_for in (("close_date", stages.closed), ("amount", stages.won)):
        if name not in t.table.column_names:
            continue
        blank = pc.is_null(t.table[name])
        blank_rows = _rows(blank)
        if not len(blank_rows):
            continue
        # only the blank rows' stages are looked up (a fifth of the deals, say)
        needs = pc.is_in(stage.filter(blank), pa.array(needed_for))
        rows = np.setdiff1d(blank_rows[_rows(needs)],
                            already_bad.get(name, np.empty(0, np.int64)))
        log.add(t.name, "D002", rows,
                [f"column '{name}' is blank, but a {s} deal needs it"
                 for s in _texts(stage, rows)],
                f"{name} may be blank only on open deals (stages other than "
                + ", ".join(needed_for) + ")")


def _key_text(keys: Sequence[str], values: Sequence[object]) -> str:
    if len(keys) == 1:
        return f"{keys[0]} '{values[0]}'"
    return "(" + ", ".join(keys) + ") (" + ", ".join(f"'{v}'" for v in values) + ")"


def check_duplicates(t: LoadedTable, log: ProblemLog) -> None:
    keys = list(TABLES[t.name].key)
    if not keys or not set(keys) <= set(t.table.column_names) or t.table.num_rows == 0:
        return
    if _ascending(t.table, keys):  # a file in key order (a usual export): no repeats
        return
    if t.key_hash is not None and len(t.key_hash) == t.table.num_rows:
        if not _hashes_repeat(t.key_hash):  # the common case: no two rows share a hash
            return
    elif not _any_repeated(t.table, keys):
        return
    indexed = t.table.select(keys).append_column("__row", pa.array(
        np.arange(t.table.num_rows, dtype=np.int64)))
    valid = pc.is_valid(indexed[keys[0]])
    for key in keys[1:]:
        valid = pc.and_(valid, pc.is_valid(indexed[key]))
    indexed = indexed.filter(valid)
    counts = indexed.group_by(keys).aggregate([("__row", "count"), ("__row", "min")])
    repeated = counts.filter(pc.greater(counts["__row_count"], 1))
    if repeated.num_rows == 0:
        return
    rows = indexed.join(repeated.select([*keys, "__row_min"]), keys=keys,
                        join_type="inner").sort_by(
        [("__row", "ascending")])
    later = rows.filter(pc.not_equal(rows["__row"], rows["__row_min"]))
    messages = []
    for record in later.to_pylist():
        first = t.line(record["__row_min"])
        messages.append(f"duplicate {_key_text(keys, [record[k] for k in keys])} "
                        f"(first on line {first})")
    log.add(t.name, "D006", later["__row"].to_numpy(), messages,
            "each " + " + ".join(keys) + " may appear only once; remove or merge the "
            "repeated rows")
    # the first occurrence is as doubtful as the repeats, so it is an error (and rejected) too
    firsts = rows.filter(pc.equal(rows["__row"], rows["__row_min"]))
    repeats: dict[int, list[int]] = {}
    for record in later.select(["__row", "__row_min"]).to_pylist():
        repeats.setdefault(record["__row_min"], []).append(t.line(record["__row"]))
    log.add(t.name, "D006", firsts["__row"].to_numpy(),
            [f"duplicate {_key_text(keys, [r[k] for k in keys])} (repeated on line"
             f"{'s' if len(repeats[r['__row']]) > 1 else ''} "
             f"{', '.join(map(str, repeats[r['__row']]))})" for r in firsts.to_pylist()],
            "each " + " + ".join(keys) + " may appear only once; remove or merge the "
            "repeated rows")


def _ascending(table: pa.Table, keys: Sequence[str]) -> bool:
    """Whether a one-column key without blanks is strictly ascending (byte order), so no
    value repeats: one comparison of neighbours (~0.03 s at 10M) where sorting hashes
    takes ~0.7 s. A key with blanks is not tried: a null between two equal values would
    hide them from the comparison."""
    if len(keys) != 1 or table.num_rows < 2:
        return False
    values = table[keys[0]]
    if values.null_count or not pa.types.is_string(values.type):
        return False
    rows = len(values)
    return bool(pc.all(pc.less(values.slice(0, rows - 1), values.slice(1))).as_py())


def _hashes_repeat(hashes: pa.ChunkedArray) -> bool:
    """Whether two rows have the same key hash: sorting 10M integers takes ~0.3 s."""
    values = np.array(hashes.drop_null().to_numpy(), copy=True)  # writable, so sort in place
    values.sort()
    return bool(np.any(values[1:] == values[:-1]))


def _any_repeated(table: pa.Table, keys: Sequence[str]) -> bool:
    columns = ", ".join(ident(k) for k in keys)
    not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in keys)
    con = connect()
    try:
        con.register("keyed", table.select(list(keys)))
        found = con.execute(f"SELECT 1 FROM keyed WHERE {not_null} GROUP BY {columns} "
                        "HAVING count(*) > 1 LIMIT 1").fetchone()
    finally:
        con.close()
    return found is not None


def check_table(t: LoadedTable, log: ProblemLog, stages: StageRules,
                already_bad: dict[str, np.ndarray], allow_negative_deals: bool = False) -> None:
    check_blanks(t, log, already_bad)
    check_ranges(t, log, allow_negative_deals)
    check_currencies(t, log)
    check_allowed(t, log)
    check_date_order(t, log)
    check_limits(t, log)
    check_deal_stages(t, log, stages, already_bad)
    check_duplicates(t, log)

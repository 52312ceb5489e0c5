"""Scan one source file in DuckDB into a :class:`Scan`: the conversion query's result.

A CSV or Parquet file is scanned by DuckDB directly, with the conversion query of
``convert.py`` on top; a file with a column map is read as Arrow text first, mapped
(``mapping.py``), then converted by the same query. Problems with the file itself (missing
columns, lines with the wrong number of fields, column map errors) go to the log here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from teamquota.core.diagnostics import Source
from teamquota.data.amounts import remove_thousands, round_amounts
from teamquota.data.columnmap import LoadedMap, TableMap
from teamquota.data.duck import literal
from teamquota.data.mapping import apply_table_map, refused_rows
from teamquota.data.parse import BadValues, parse_date
from teamquota.data.problems import ProblemLog
from teamquota.data.readers import (
    RawTable,
    ReadError,
    file_kind,
    parquet_schema,
    read_header,
    read_raw,
    scan_csv,
    sql_names,
)
from teamquota.data.salesforce import salesforce_rates
from teamquota.data.spill import fetch
from teamquota.data.tables import TABLES

# nullable columns that must still be present in the file (blank is allowed on some rows)
MUST_HAVE: dict[str, tuple[str, ...]] = {"deals": ("amount", "close_date")}
Query = Callable[[pa.Schema], Callable[[str], str]]  # source schema -> (FROM -> SQL)


@dataclass
class Scan:
    """One conversion query's result over a file, before Python looks at the bad rows."""

    out: pa.Table  # canonical columns + __bad__/__text__/__key_hash__ helpers (convert.py)
    schema: pa.Schema  # the source's columns as named in the file (or the mapped table)
    lines: np.ndarray
    raw: RawTable | None = None
    early: list[tuple[str, BadValues]] = field(default_factory=list)  # map date formats


def scan_file(con: duckdb.DuckDBPyConnection, name: str, path: Path,
              table_map: TableMap | None, column_map: LoadedMap | None, log: ProblemLog,
              make_query: Query, read_from: Path | None = None) -> Scan | None:
    """The file's conversion query result, or None when the file itself is wrong;
    ``read_from`` is a UTF-8 copy to read instead of ``path`` (data/encoding.py)."""
    if table_map is not None and column_map is not None:
        return _scan_mapped(con, name, path, table_map, column_map, log, make_query,
                            read_from or path)
    if file_kind(path) == "csv":
        return _scan_csv(con, name, path, log, make_query, read_from or path)
    return _scan_parquet(con, name, path, log, make_query)


def _missing(name: str, present: Sequence[str], mapped: bool, path: Path,
             log: ProblemLog) -> bool:
    missing = [c for c in TABLES[name].columns if c.name not in present
               and (c.required or c.name in MUST_HAVE.get(name, ()))]
    for column in missing:
        log.file_level.error("D001", f"missing required column '{column.name}'; the "
                             f"{'mapped table' if mapped else 'file'} has: "
                             + ", ".join(present), Source(str(path), 1),
                             "rename the column in the file, or map it with a column map")
    return bool(missing)


def _scan_csv(con: duckdb.DuckDBPyConnection, name: str, path: Path, log: ProblemLog,
              make_query: Query, read_from: Path) -> Scan | None:
    names = read_header(read_from)
    if _missing(name, names, False, path, log):
        return None
    sql = make_query(pa.schema([(n, pa.string()) for n in sql_names(names)]))
    scanned = scan_csv(con, read_from, names, sql)
    _log_bad_lines(name, scanned, len(names), log)
    return Scan(scanned.table, pa.schema([(n, pa.string()) for n in names]), scanned.lines)


def _scan_parquet(con: duckdb.DuckDBPyConnection, name: str, path: Path, log: ProblemLog,
                  make_query: Query) -> Scan | None:
    schema = parquet_schema(path)
    if _missing(name, schema.names, False, path, log):
        return None
    try:
        out = fetch(con, make_query(schema)(f"read_parquet({literal(str(path))})"))
    except duckdb.Error as exc:
        raise ReadError(f"cannot read Parquet file: {exc}") from None
    return Scan(out, schema, np.arange(1, out.num_rows + 1, dtype=np.int64))


def _scan_mapped(con: duckdb.DuckDBPyConnection, name: str, path: Path, table_map: TableMap,
                 column_map: LoadedMap, log: ProblemLog, make_query: Query,
                 read_from: Path) -> Scan | None:
    """A column map runs on the source as Arrow text first (crm exports are small)."""
    raw = read_raw(read_from)
    _log_bad_lines(name, raw, raw.table.num_columns, log)
    where = Source(str(path))
    if table_map.salesforce_rates is not None:
        raw, columns, map_diagnostics = salesforce_rates(
            raw, table_map.salesforce_rates, path, path.parent / table_map.source)
    else:
        columns, map_diagnostics = apply_table_map(name, raw.table, table_map, column_map,
                                                   str(path), path.parent)
    log.file_level.extend(map_diagnostics)
    if map_diagnostics.has_errors or _missing(name, list(columns), True, path, log):
        return None
    if table_map.thousands:
        remove_thousands(name, columns, table_map.thousands, where, log.file_level)
    early = round_amounts(name, columns, raw.lines, column_map.map.round, where,
                          log.file_level)
    if table_map.refuse_if:
        early += refused_rows(name, raw.table, table_map)
    dated = {c.name for c in TABLES[name].columns if pa.types.is_date(c.type)}
    for column, date_format in table_map.dates.items():
        if column in columns and column in dated:  # strptime formats stay in Python
            columns[column], bad = parse_date(columns[column], column, date_format)
            early += [(column, b) for b in bad]
    source = pa.table(columns)
    con.register("mapped", source)
    out = fetch(con, make_query(source.schema)("mapped"))
    return Scan(out, source.schema, raw.lines, raw, early)


def _log_bad_lines(name: str, raw: RawTable, width: int, log: ProblemLog) -> None:
    for bad in raw.bad_lines:
        log.lines.append((name, bad.line, f"line has {bad.fields} field"
                          f"{'s' if bad.fields != 1 else ''}, the header has {width}: "
                          f"'{bad.text}'"))

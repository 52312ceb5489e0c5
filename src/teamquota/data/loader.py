"""Load CSV and Parquet files into the canonical tables, all-or-nothing or with rejects.

The pipeline for a dataset: one DuckDB scan per file that types, trims and parses it
(``scan.py``, ``convert.py``; a column map is applied first) -> each table's own checks ->
checks across tables -> either every diagnostic and no data (``on_error="fail"``, the default)
or the good rows plus a reject table per file (``on_error="reject"``). Nothing is dropped
silently: a rejected row is in a reject table with its line and reason.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.data.columnmap import LoadedMap, TableMap, load_map, resolve_map
from teamquota.data.convert import finish, query
from teamquota.data.dataset import Dataset
from teamquota.data.dataset_checks import check_dataset
from teamquota.data.detect import NONE, detect_map, find_deals_export
from teamquota.data.duck import connect
from teamquota.data.encoding import utf8_copy
from teamquota.data.external import ExternalTable, canonical, check_deals
from teamquota.data.fx import FxRates
from teamquota.data.limits import MONEY_WHOLE_DIGITS
from teamquota.data.problems import LoadedTable, ProblemLog
from teamquota.data.readers import RawTable, ReadError, file_kind, read_rows
from teamquota.data.rejects import reject_table
from teamquota.data.scan import scan_file
from teamquota.data.summary import idle_members, summarise
from teamquota.data.table_checks import StageRules, check_table
from teamquota.data.tables import MONEY, TABLES, TableSpec

OnError = Literal["fail", "reject"]


@dataclass
class LoadOptions:
    on_error: OnError = "fail"
    currency: str | None = None  # the plan's currency: deals in others need fx rates
    year_start_month: int = 1  # the plan's: fx years and quarters are its fiscal ones
    stages: StageRules = field(default_factory=StageRules)
    allow_negative_deals: bool = False  # e.g. credit notes booked as negative deals
    max_per_problem: int | None = 200  # diagnostics per kind of problem before a summary
    # table -> source the engine reads where it lives (only deals: data/external.py), and
    # the engine backend that checks it ("duckdb", "spark", a URL or a connected backend)
    external: dict[str, ExternalTable] = field(default_factory=dict)
    backend: Any = "duckdb"
    # amounts (decimal(18,2) columns) have at most this many digits before the point: the
    # columns hold 16; the web app stores 13 exactly (limits.WEB_MONEY_WHOLE_DIGITS)
    money_whole_digits: int = MONEY_WHOLE_DIGITS
    # text encoding of CSV files without a byte order mark (default: the column map's
    # ``encoding``, else UTF-8; data/encoding.py)
    encoding: str | None = None


@dataclass
class LoadResult:
    """What a load gives back; ``dataset`` is None when any error stopped it."""

    dataset: Dataset | None
    diagnostics: Diagnostics
    rejects: dict[str, pa.Table] = field(default_factory=dict)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> kept, rejected


@dataclass
class _Read:
    loaded: LoadedTable
    path: Path
    raw: RawTable | None  # the source as read, kept only when a column map needed it

    def source_rows(self, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
        """The rows at ``rows`` as read, and their lines (for reject tables)."""
        if self.raw is not None:
            return self.raw.table.take(pa.array(rows, pa.int64())), self.raw.lines[rows]
        return read_rows(self.path, rows), self.loaded.lines[rows]


READ_HINTS = {"D014": "flatten it into columns of their own before loading",
              "D018": "rename or remove one of them",
              "D025": "split the file, or drop the columns the table does not use",
              "D029": "nothing was read; line ends must be LF or CRLF"}


def _read_one(name: str, path: Path, table_map: TableMap | None, column_map: LoadedMap | None,
              log: ProblemLog, options: LoadOptions, scratch: Path) -> _Read | None:
    con = connect()
    try:
        read_from = None
        if file_kind(path) == "csv":
            stated = options.encoding or (column_map.map.encoding if column_map else None)
            read_from, footer, read_as = utf8_copy(path, scratch, stated,
                                                   bool(table_map and table_map.footer))
            if read_as is not None:
                by = "--encoding" if options.encoding else "the column map's encoding"
                log.file_level.info("D049", {
                    "bom": f"read as {read_as.codec} (its byte order mark)",
                    "stated": f"read as {read_as.codec}, stated by {by} (the file is not "
                              "UTF-8 and has no byte order mark)",
                    "utf-8": f"read as UTF-8, not {stated} ({by}): the file is valid "
                             "UTF-8"}[read_as.reason], Source(str(path)))
            if footer is not None:
                shown = ", ".join(f"'{t[:100]}'" for t in footer.texts[:3])
                more = f" and {len(footer.texts) - 3} more" if len(footer.texts) > 3 else ""
                log.file_level.info("D043", f"report footer not read: {len(footer.texts)} "
                                    f"line{'s' if len(footer.texts) != 1 else ''} after the "
                                    f"blank line {footer.line}: {shown}{more} (column map "
                                    "footer)", Source(str(path), footer.line))
        return _read_with(con, name, path, table_map, column_map, log, options, read_from)
    except ReadError as exc:
        log.file_level.error(exc.code, str(exc), Source(str(path), exc.line),
                             READ_HINTS.get(exc.code))
        return None
    finally:
        con.close()


def _read_with(con: duckdb.DuckDBPyConnection, name: str, path: Path,
               table_map: TableMap | None, column_map: LoadedMap | None, log: ProblemLog,
               options: LoadOptions, read_from: Path | None = None) -> _Read | None:
    """Scan the file once in DuckDB (typed, trimmed, parsed), then the table's own checks."""
    spec = TABLES[name]
    make_query = partial(query, spec, table_name=name,
                         allow_negative=options.allow_negative_deals)
    scan = scan_file(con, name, path, table_map, column_map, log, make_query, read_from)
    if scan is None:
        return None
    converted = finish(spec, scan.out, scan.schema)
    del scan.out
    for reason in converted.file_errors:
        log.file_level.error("D014", reason, Source(str(path)))
    for message in converted.unusable:
        log.file_level.info("D035", message, Source(str(path)))
    if converted.table is None:
        return None
    already_bad: dict[str, np.ndarray] = {}
    order = {c: i for i, c in enumerate(spec.column_names)}  # report in column order
    for column, found in sorted(scan.early + converted.bad, key=lambda cb: order[cb[0]]):
        log.add(name, found.code, found.rows, found.messages, found.hint)
        already_bad[column] = np.union1d(already_bad.get(column, np.empty(0, np.int64)),
                                         found.rows)
    loaded = LoadedTable(name, str(path), converted.table, scan.lines, texts=converted.texts,
                         key_hash=converted.key_hash)
    check_table(loaded, log, options.stages, already_bad, options.allow_negative_deals)
    if options.money_whole_digits < MONEY_WHOLE_DIGITS:
        _check_money(loaded, log, options.money_whole_digits)
    loaded.texts, loaded.key_hash = {}, None  # only the table's own checks need them
    return _Read(loaded, read_from or path, scan.raw)


def _check_money(t: LoadedTable, log: ProblemLog, whole_digits: int) -> None:
    """D012 for amounts with more digits before the point than ``whole_digits`` (a store
    narrower than the decimal(18,2) columns: the web app's)."""
    limit = 10 ** whole_digits
    for column in TABLES[t.name].columns:
        if column.type != MONEY or column.name not in t.table.column_names:
            continue
        values = t.table[column.name]
        extremes = pc.min_max(values)  # one pass; the usual column is within the limit
        least, most = extremes["min"].as_py(), extremes["max"].as_py()
        if least is None or (-limit < least and most < limit):
            continue
        big = pc.greater_equal(pc.abs(values), pa.scalar(limit, values.type))
        rows = np.flatnonzero(pc.fill_null(big, False).to_numpy(zero_copy_only=False))
        shown = values.take(pa.array(rows, pa.int64())).to_pylist()
        log.add(t.name, "D012", rows, [f"column '{column.name}': '{v}' has more than "
                                       f"{whole_digits} digits before the point"
                                       for v in shown],
                f"the web app stores amounts below {limit:,} exactly on every database "
                "(SQLite keeps 15 significant digits); round in the source system, not here")


PRESET_FILES = ("; or an export a preset reads: opportunities.csv (salesforce), Opportunity.csv "
                "(salesforce-api), deals.csv (hubspot), sales_pipeline.csv (maven)")
SLICE_BELOW = 1_000  # fewer rejected rows than this: keep the rest as zero-copy slices


def _keep(t: LoadedTable, bad: Mapping[int, object]) -> LoadedTable:
    if not bad:
        return t
    dropped = np.sort(np.fromiter(bad, dtype=np.int64, count=len(bad)))
    mask = np.ones(t.table.num_rows, dtype=bool)
    mask[dropped] = False
    origin = np.flatnonzero(mask)
    if len(dropped) < SLICE_BELOW:  # a few rejects of 10M rows must not copy the 10M
        starts = np.concatenate([[0], dropped + 1])
        ends = np.concatenate([dropped, [t.table.num_rows]])
        kept = pa.concat_tables([t.table.slice(a, b - a) for a, b in
                                 zip(starts.tolist(), ends.tolist(), strict=True) if b > a]
                                or [t.table.slice(0, 0)])
    else:
        kept = t.table.filter(pa.array(mask))
    return LoadedTable(t.name, t.path, kept, t.lines[origin], origin)


def _cascade_splits(tables: Mapping[str, LoadedTable], step: ProblemLog) -> None:
    """A deal whose splits are rejected is rejected too, so it is not paid 100% to its owner."""
    deals, splits = tables.get("deals"), tables.get("splits")
    if deals is None or splits is None:
        return
    wrong = {str(m.split("'")[1]) for p in step.rows if p.code == "D009" for m in p.messages}
    if not wrong:
        return
    rows = np.flatnonzero(pc.is_in(deals.table["deal_id"], pa.array(sorted(wrong)))
                          .fill_null(False).to_numpy(zero_copy_only=False))
    step.add("deals", "D009", deals.original_rows(rows),
             [f"deal '{d}' is rejected with its splits in {splits.file_name}"
              for d in deals.table["deal_id"].take(pa.array(rows, pa.int64())).to_pylist()])


def load_tables(paths: Mapping[str, Path], column_map: LoadedMap | None = None,
                options: LoadOptions | None = None) -> LoadResult:
    """Load the named files (table -> path) and ``options.external`` as one dataset."""
    options = options or LoadOptions()
    with tempfile.TemporaryDirectory(prefix="teamquota-load-") as scratch:
        return _load_tables(paths, column_map, options, Path(scratch))


def _table_map(column_map: LoadedMap | None, name: str, path: Path) -> TableMap | None:
    """The map's section for a table, unless the file is the canonical one the loader fell
    back to (a section whose source is ``required: false`` and absent)."""
    table_map = column_map.table(name) if column_map else None
    if table_map is None or table_map.required:
        return table_map
    rates = table_map.salesforce_rates
    return table_map if path.name in (table_map.source, rates and rates.dated) else None


def _load_tables(paths: Mapping[str, Path], column_map: LoadedMap | None,
                 options: LoadOptions, scratch: Path) -> LoadResult:
    log = ProblemLog()
    reads: dict[str, _Read] = {}
    for name, path in paths.items():
        table_map = _table_map(column_map, name, Path(path))
        read = _read_one(name, Path(path), table_map, column_map, log, options, scratch)
        if read is not None:
            reads[name] = read
    order = list(TABLES)
    sources = {name: str(path) for name, path in paths.items()}
    reject = options.on_error == "reject"
    loaded = {name: r.loaded for name, r in reads.items()}
    if not log.file_level.has_errors:
        for _ in range(len(TABLES)):  # each pass may reject rows others point at
            kept = {name: _keep(t, log.bad_rows(name) if reject else {})
                    for name, t in loaded.items()}
            step = ProblemLog()
            check_dataset(kept, step, options.currency, options.year_start_month)
            if reject:
                _cascade_splits(kept, step)
            log.rows.extend(step.rows)
            if not reject or not step.has_errors:
                break
    lines = {name: r.loaded.lines for name, r in reads.items()}
    diagnostics = log.diagnostics(sources, lines, order, options.max_per_problem)
    if log.file_level.has_errors or (log.has_errors and not reject):
        return LoadResult(None, diagnostics)
    result = _finish(reads, log, diagnostics, sources, reject)
    return _check_external(result, options) if options.external else result


def _finish(reads: Mapping[str, _Read], log: ProblemLog, diagnostics: Diagnostics,
            sources: Mapping[str, str], reject: bool) -> LoadResult:
    if reject:  # the row errors were handled by rejecting rows: they no longer stop the load
        diagnostics = Diagnostics([Diagnostic(d.code, d.message, d.source, d.hint, "warning")
                                   if d.severity == "error" else d for d in diagnostics])
    tables: dict[str, pa.Table] = {}
    row_lines: dict[str, Sequence[int]] = {}
    rejects: dict[str, pa.Table] = {}
    counts: dict[str, tuple[int, int]] = {}
    for name, read in reads.items():
        bad = log.bad_rows(name)
        bad_lines = [(line, message) for table, line, message in log.lines if table == name]
        kept = _keep(read.loaded, bad)
        tables[name] = kept.table
        row_lines[name] = _compact(kept.lines)
        counts[name] = (kept.table.num_rows, len(bad) + len(bad_lines))
        if bad or bad_lines:
            source, lines = read.source_rows(np.asarray(sorted(bad), np.int64))
            rejects[name] = reject_table(source, lines, bad, bad_lines)
            diagnostics.warning("D040", f"{len(bad) + len(bad_lines):,} of "
                                f"{read.loaded.table.num_rows + len(bad_lines):,} rows "
                                "rejected", Source(sources[name]),
                                "write_rejects() saves them with their line and reason")
    dataset = Dataset(tables, dict(sources), row_lines)
    diagnostics.extend(summarise(dataset))
    return LoadResult(dataset, diagnostics, rejects, counts)


def _compact(lines: np.ndarray) -> Sequence[int]:
    """Consecutive lines (the usual case) as a range: no memory per row at 10M rows."""
    if len(lines) and int(lines[-1]) - int(lines[0]) == len(lines) - 1:
        return range(int(lines[0]), int(lines[-1]) + 1)
    return lines  # type: ignore[return-value]  # an int64 array indexes like a sequence


def find_table_files(directory: Path, column_map: LoadedMap | None,
                     elsewhere: set[str] | None = None) -> tuple[dict[str, Path], Diagnostics]:
    """table -> file: the map's source, else ``<table>.parquet`` or ``<table>.csv``;
    tables in ``elsewhere`` are read by the engine, not from this folder."""
    found: dict[str, Path] = {}
    diagnostics = Diagnostics()
    for name, spec in TABLES.items():
        if name in (elsewhere or set()):
            continue
        table_map = column_map.table(name) if column_map else None
        if table_map is not None:
            source = directory / table_map.source
            rates = table_map.salesforce_rates
            if rates is not None and rates.dated and (directory / rates.dated).exists():
                source = directory / rates.dated  # dated rates decide, as in Salesforce
            if table_map.required or source.exists():
                found[name] = source
                continue
        candidates = [directory / f"{name}.{ext}" for ext in ("parquet", "csv")]
        existing = [p for p in candidates if p.exists()]
        if existing:
            found[name] = existing[0]
        elif not spec.optional:
            diagnostics.error("D000", f"no {name}.csv or {name}.parquet in this folder",
                              Source(str(directory)),
                              f"the {name} table is required; docs/data.md lists its columns"
                              + (PRESET_FILES if name == "deals" and column_map is None
                                 else ""))
    return found, diagnostics


def load(config_or_dir: str | Path, column_map: LoadedMap | str | Path | None = None,
         options: LoadOptions | None = None) -> LoadResult:
    """Load a folder of canonical files, or a column map YAML (its files are beside it)."""
    path = Path(config_or_dir)
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            loaded_map: LoadedMap | None = load_map(path)
            directory = path.parent
        else:
            loaded_map = None if column_map == NONE else resolve_map(column_map)
            directory = path
    except InputError as exc:
        return LoadResult(None, exc.diagnostics)
    if not directory.is_dir():
        return LoadResult(None, Diagnostics([Diagnostic(
            "D000", "not a folder of data files", Source(str(directory)))]))
    chosen = Diagnostics()
    if column_map is None and loaded_map is None:  # which export is this? (data/detect.py)
        loaded_map, chosen = detect_map(directory)
    elif loaded_map is not None:  # its deals export under the name the CRM gave it?
        loaded_map, chosen = find_deals_export(directory, loaded_map)
    if chosen.has_errors:
        return LoadResult(None, chosen)
    options = options or LoadOptions()
    paths, diagnostics = find_table_files(directory, loaded_map, set(options.external))
    if diagnostics.has_errors:
        return LoadResult(None, Diagnostics([*chosen, *diagnostics]))
    result = load_tables(paths, loaded_map, options)
    result.diagnostics = Diagnostics([*chosen, *result.diagnostics])
    return result


def _check_external(result: LoadResult, options: LoadOptions) -> LoadResult:
    """Check each external table on the backend; a problem stops the load (rows of a table
    the loader does not hold cannot be rejected)."""
    from teamquota.backends import connect
    from teamquota.backends.base import SourceError

    dataset, diagnostics = result.dataset, result.diagnostics
    assert dataset is not None
    unknown = set(options.external) - {"deals"}
    if unknown:
        raise ValueError(f"only deals can be read by the engine; not {sorted(unknown)}")
    source = options.external["deals"]
    backend = connect(options.backend)
    try:
        raw = backend.read(source)
        deals = canonical(raw, str(source), diagnostics)
    except SourceError as exc:
        diagnostics.error("D000", str(exc), Source(str(source)),
                          f"check the name and that the {exc.backend} engine can reach it")
        return LoadResult(None, diagnostics)
    owners = None
    if deals is not None:
        rates = FxRates.from_table(dataset.get("fx_rates"), options.year_start_month)
        owners = check_deals(deals, backend, str(source), diagnostics,
                             payees=dataset["payees"], splits=dataset.get("splits"),
                             stages=options.stages, currency=options.currency,
                             allow_negative=options.allow_negative_deals, rates=rates,
                             source=raw)
    if diagnostics.has_errors:
        return LoadResult(None, diagnostics)
    dataset.external = dict(options.external)
    dataset.sources["deals"] = str(source)
    if owners is not None:
        idle_members(dataset, owners, diagnostics)
    return result


def load_dataset(config_or_dir: str | Path, column_map: LoadedMap | str | Path | None = None,
                 on_error: OnError = "fail", currency: str | None = None
                 ) -> tuple[Dataset | None, Diagnostics]:
    """``(dataset, diagnostics)``; the dataset is None if any error stopped the load."""
    result = load(config_or_dir, column_map, LoadOptions(on_error=on_error, currency=currency))
    return result.dataset, result.diagnostics


def load_table(spec_name: str, path: str | Path,
               column_map: LoadedMap | TableMap | str | Path | None = None,
               on_error: OnError = "fail") -> tuple[pa.Table, Sequence[int], Diagnostics]:
    """One canonical table from one file, checked on its own (no cross-table checks).

    On any error (``on_error="fail"``) the table is empty; with ``"reject"`` it holds the
    good rows. The lines are a ``range`` or an int64 array (one per row), not a list.
    ``column_map`` is a map (its ``spec_name`` section is used), a preset name or map path,
    or a bare :class:`TableMap`.
    """
    if isinstance(column_map, TableMap):
        from teamquota.data.columnmap import ColumnMap
        wrapped = ColumnMap(map="inline", tables={spec_name: column_map})  # type: ignore[dict-item]
        loaded_map: LoadedMap | None = LoadedMap(wrapped, "<column map>")
    else:
        try:
            loaded_map = resolve_map(column_map)
        except InputError as exc:
            return _empty(TABLES[spec_name]), [], exc.diagnostics
    result = load_tables({spec_name: Path(path)}, loaded_map, LoadOptions(on_error=on_error))
    if result.dataset is None:
        return _empty(TABLES[spec_name]), [], result.diagnostics
    return (result.dataset[spec_name], result.dataset.row_lines[spec_name],
            result.diagnostics)


def _empty(spec: TableSpec) -> pa.Table:
    return pa.schema([pa.field(c.name, c.type) for c in spec.columns]).empty_table()

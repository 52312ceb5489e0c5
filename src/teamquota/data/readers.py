"""Read a CSV or Parquet file: every CSV value as text, with each row's line.

CSV rows keep their physical line (the header is line 1) so diagnostics point at the line an
editor shows, even with blank lines or quoted values spanning lines. For Parquet files the
"line" is the 1-based row number. Lines with the wrong number of fields are returned, not
dropped, so the loader can report (or reject) them.

DuckDB parses the CSV (:func:`scan_csv`); the loader hands it a query that types and checks
the values during the same scan, so the raw text of a large file is never held whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from teamquota.data.duck import connect, ident, literal
from teamquota.data.limits import HEADER_BYTES, MAX_CELL, MAX_COLUMNS, PARQUET_EXPANSION
from teamquota.data.spill import fetch

UNNAMED = "__unnamed_column_"


@dataclass
class BadLine:
    line: int
    fields: int
    text: str


@dataclass
class RawTable:
    table: pa.Table
    lines: np.ndarray  # physical line of each row (int64)
    bad_lines: list[BadLine] = field(default_factory=list)


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the user, ``line`` where in
    the file it is (1: a CSV header) or None (the file as a whole)."""

    def __init__(self, message: str, code: str = "D000", line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


ENCODING_HINT = ("state the file's encoding: --encoding cp1252 (or latin-1, ...) on the "
                 "command line or 'encoding: cp1252' in the column map; or save the file as "
                 "UTF-8")


def located(data: bytes, codec: str, skip: int, at: int) -> ReadError:
    """The error for a byte at offset ``at`` (0-based) that is not valid in ``codec``,
    at its line (the message names the byte, its place in the line and in the file)."""
    line = data[skip:at].decode(codec, errors="replace").count("\n") + 1
    line_start = data.rfind(b"\n", 0, at) + 1
    in_line = "" if "16" in codec else f"byte {at - line_start + 1} of the line, "
    name = "UTF-8" if codec == "utf-8" else codec
    return ReadError(f"not {name} text: byte 0x{data[at]:02x} ({in_line}byte {at + 1:,} of "
                     f"the file) is not valid {name}; {ENCODING_HINT}", line=line)


def utf8_error(path: Path) -> ReadError:
    """The located error for a file DuckDB found not to be UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ReadError(f"cannot read file: {exc.strerror}")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        return located(data, "utf-8", skip, exc.start + skip)
    return ReadError(f"not UTF-8 text; {ENCODING_HINT}")


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise ReadError(f"unknown file type '{suffix}'; expected .csv or .parquet")


def read_raw(path: Path) -> RawTable:
    return read_parquet(path) if file_kind(path) == "parquet" else read_csv(path)


def read_parquet(path: Path) -> RawTable:
    parquet_schema(path)  # the footer's bounds first: no row is read past a bad footer
    try:
        table = pq.read_table(path)
    except OSError as exc:
        raise ReadError(f"cannot read Parquet file: {exc}") from None
    except pa.ArrowInvalid as exc:
        raise ReadError(f"not a Parquet file: {exc}") from None
    except MemoryError:  # pyarrow's ArrowMemoryError too
        raise ReadError("the Parquet file needs more memory than the server has") from None
    return RawTable(table, np.arange(1, table.num_rows + 1, dtype=np.int64))


def parquet_schema(path: Path) -> pa.Schema:
    """The file's columns and types, from its footer (no data is read), once the footer is
    within the bounds a CSV header is held to (:func:`check_parquet_footer`)."""
    try:
        metadata = pq.read_metadata(path)
        schema = metadata.schema.to_arrow_schema()
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"cannot read Parquet file: {exc}") from None
    except pa.ArrowInvalid as exc:
        raise ReadError(f"not a Parquet file: {exc}") from None
    check_parquet_footer(metadata, schema, size)
    return schema


def check_parquet_footer(metadata: pq.FileMetaData, schema: pa.Schema, size: int) -> None:
    """D025/D018 as for a CSV header, D014 for a nested column, D000 for a footer that
    claims more rows or bytes than a file of ``size`` bytes holds (data/limits.py)."""
    if metadata.num_columns > MAX_COLUMNS:  # leaf columns: a struct's fields count
        raise ReadError(f"the file has {metadata.num_columns:,} columns; a file has at most "
                        f"{MAX_COLUMNS:,}", "D025")
    names = schema.names
    long = next((i for i, n in enumerate(names) if len(n) > MAX_CELL), None)
    if long is not None:
        raise ReadError(f"column name {long + 1} is {len(names[long]):,} characters long; "
                        f"a value has at most {MAX_CELL:,}", "D025")
    for name in dict.fromkeys(names):
        fields = [str(i + 1) for i, n in enumerate(names) if n == name]
        if len(fields) > 1:
            raise ReadError(f"column '{name}' appears {len(fields)} times in the file "
                            f"(columns {', '.join(fields)})", "D018")
    for column in schema:
        if pa.types.is_nested(column.type):
            raise ReadError(f"column '{column.name}' is a nested column "
                            f"({str(column.type)[:200]}); a table's columns hold one value "
                            "per row (text, a number or a date)", "D014")
    most = size * PARQUET_EXPANSION
    groups = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
    rows = metadata.num_rows
    if not 0 <= rows <= most:
        raise ReadError(f"the file's footer claims {rows:,} rows, more than a file of "
                        f"{size:,} bytes holds (at most {PARQUET_EXPANSION:,} rows per byte); "
                        "the file is damaged")
    held = sum(max(g.num_rows, 0) for g in groups)
    if held != rows or any(g.num_rows < 0 for g in groups):
        raise ReadError(f"the file's footer claims {rows:,} rows but its row groups hold "
                        f"{held:,}; the file is damaged")
    for group in groups:
        for i in range(group.num_columns):
            chunk = group.column(i)
            name = chunk.path_in_schema
            if not 0 <= chunk.total_compressed_size <= size:
                raise ReadError(f"the file's footer claims {chunk.total_compressed_size:,} "
                                f"bytes for column '{name}', more than the file's {size:,}; "
                                "the file is damaged")
            if not 0 <= chunk.total_uncompressed_size <= most:
                raise ReadError(f"the file's footer claims {chunk.total_uncompressed_size:,} "
                                f"bytes for column '{name}' once decompressed, more than "
                                f"{PARQUET_EXPANSION:,} times the file's {size:,}; the file "
                                "is damaged")


def read_header(path: Path) -> list[str]:
    """The header's column names, reading only the first line of the file."""
    try:
        with path.open("rb") as file:
            first = file.readline(HEADER_BYTES + 1)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from None
    bare_cr = first.find(b"\r")
    if bare_cr != -1 and first[bare_cr:bare_cr + 2] != b"\r\n":
        raise ReadError("the file ends its lines with CR only (classic Mac); save it with "
                        "LF or CRLF line ends (any editor's 'Unix' or 'Windows' option)",
                        "D029", 1)
    if len(first) > HEADER_BYTES and not first.endswith(b"\n"):
        raise ReadError(f"the header line is longer than {HEADER_BYTES:,} bytes; a file has "
                        f"at most {MAX_COLUMNS:,} columns", "D025", 1)
    first = first.rstrip(b"\n").rstrip(b"\r")
    skip = len(codecs.BOM_UTF8) if first.startswith(codecs.BOM_UTF8) else 0
    try:
        text = first[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise located(first, "utf-8", skip, exc.start + skip) from None
    names = next(csv.reader([text]), [])
    if not names or names == [""]:
        raise ReadError("the file is empty or has no header line")
    names = [name.strip() for name in names]
    if len(names) > MAX_COLUMNS:
        raise ReadError(f"the header has {len(names):,} columns; a file has at most "
                        f"{MAX_COLUMNS:,}", "D025", 1)
    long = next((i for i, n in enumerate(names) if len(n) > MAX_CELL), None)
    if long is not None:
        raise ReadError(f"column name {long + 1} is {len(names[long]):,} characters long; "
                        f"a value has at most {MAX_CELL:,}", "D025", 1)
    for name in dict.fromkeys(names):
        fields = [str(i + 1) for i, n in enumerate(names) if n == name]
        if len(fields) > 1:
            raise ReadError(f"column '{name}' appears {len(fields)} times in the header "
                            f"(fields {', '.join(fields)})", "D018", 1)
    return names


def sql_names(names: Sequence[str]) -> list[str]:
    """Column names DuckDB can take: an unnamed column (``a,b,`` headers) gets a stand-in."""
    return [name or f"{UNNAMED}{i}" for i, name in enumerate(names)]


def csv_source(path: Path, names: Sequence[str], rejects: bool = False) -> str:
    """DuckDB's scan of a CSV file: every column as text, named as in the header.

    Nothing is sniffed (comma, double quotes), so every file reads the same way. With
    ``rejects``, lines with the wrong number of fields or bad UTF-8 go to DuckDB's reject
    table instead of stopping the scan (that bookkeeping doubles the scan's cost, so it is
    only asked for once a plain scan has failed).
    """
    columns = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in sql_names(names))
    return (f"read_csv({literal(str(path))}, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', columns = {{{columns}}}"
            + (", ignore_errors = true, store_rejects = true)" if rejects else ")"))


def _count_newlines(path: Path, out: list[int]) -> None:
    """Append the file's newline count and whether it ends with one (runs in a thread).

    The file is mapped 32 MB at a time and counted by numpy: half the CPU of reading it into
    bytes, and the mapped pages never add up to more than one window of memory.
    """
    window = 1 << 25  # a multiple of mmap.ALLOCATIONGRANULARITY
    count, last = 0, 0
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        for start in range(0, size, window):
            length = min(window, size - start)
            with mmap.mmap(file.fileno(), length, access=mmap.ACCESS_READ,
                           offset=start) as mapped:
                data = np.frombuffer(mapped, np.uint8)
                count += int(np.count_nonzero(data == ord("\n")))
                last = int(data[-1])
                del data  # the view must go before the map can close
    out.extend([count, int(last == ord("\n"))])


def scan_csv(con: duckdb.DuckDBPyConnection, path: Path, names: Sequence[str],
             query: Callable[[str], str]) -> RawTable:
    """Run ``query(source)`` over the CSV scan and give each result row its physical line.

    ``query`` must keep every row in file order (a projection). Row i is on line i + 2 when
    the file has exactly one line per row, which the newline count (taken in a thread while
    DuckDB reads) shows; otherwise (blank lines, values spanning lines, bad lines) Python's
    csv module matches records to lines.
    """
    counted: list[int] = []
    counter = threading.Thread(target=_count_newlines, args=(path, counted), daemon=True)
    counter.start()
    rejected: list[tuple[str]] = []
    try:
        try:
            table = fetch(con, query(csv_source(path, names)))
        except duckdb.InvalidInputException:  # a bad line: scan again, setting it aside
            table = fetch(con, query(csv_source(path, names, rejects=True)))
            rejected = con.execute("SELECT error_type FROM reject_errors").fetchall()
    except duckdb.Error as exc:
        raise ReadError(f"not a readable CSV file: {exc}") from None
    finally:
        counter.join()
    table = table.rename_columns([name if not name.startswith(UNNAMED) else ""
                                  for name in table.column_names])
    if any("ENCODING" in kind or "UNICODE" in kind for kind, in rejected):
        raise utf8_error(path)
    newlines, ends_with_newline = counted or (0, 1)
    if not rejected and newlines + 1 - ends_with_newline == table.num_rows + 1:
        return RawTable(table, np.arange(2, table.num_rows + 2, dtype=np.int64))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from None
    return RawTable(table, *_lines_slowly(data, len(names), table.num_rows))


def read_csv(path: Path) -> RawTable:
    """The file as text; a blank field is '' (not null), as written."""
    names = read_header(path)
    select = ", ".join(f"coalesce({ident(n)}, '') AS {ident(n)}" for n in sql_names(names))
    con = connect()
    try:
        return scan_csv(con, path, names, lambda source: f"SELECT {select} FROM {source}")
    finally:
        con.close()


def _lines_slowly(data: bytes, width: int, rows: int) -> tuple[np.ndarray, list[BadLine]]:
    """Physical lines of the good rows and the bad lines, when rows != lines.

    Only taken for files with blank lines, multi-line quoted values or bad lines, where a
    row's line cannot be computed from its position.
    """
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader)
    good: list[int] = []
    bad: list[BadLine] = []
    previous_end = 1
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not record:
            continue
        if len(record) != width:
            bad.append(BadLine(start, len(record), ",".join(record)))
        else:
            good.append(start)
    if len(good) != rows:  # the two parsers disagree: trust neither's lines
        raise ReadError(f"cannot match CSV records to lines ({len(good)} vs {rows}); "
                        "check quoting in the file")
    return np.asarray(good, dtype=np.int64), bad


def read_rows(path: Path, rows: np.ndarray) -> pa.Table:
    """The rows at 0-based positions ``rows`` (ascending) of a file, as read (CSV as text).

    For reject tables: the file is scanned again, but only these rows are kept, so a few
    rejects of a 10M-row file cost a scan, not the whole file in memory. DuckDB numbers the
    rows of the scan in file order (a streaming window), as the loader's scan kept them.
    """
    if not len(rows):  # only bad lines were rejected: no need to scan
        if file_kind(path) == "parquet":
            return parquet_schema(path).empty_table()
        return pa.schema([(n, pa.string()) for n in read_header(path)]).empty_table()
    con = connect()
    try:
        con.register("wanted", pa.table({"row": pa.array(rows, pa.int64())}))
        if file_kind(path) == "parquet":
            names = parquet_schema(path).names
            sources = [f"read_parquet({literal(str(path))})"]
            select = ", ".join(ident(n) for n in names)
        else:
            names = read_header(path)
            sources = [csv_source(path, names), csv_source(path, names, rejects=True)]
            select = ", ".join(f"coalesce({ident(n)}, '') AS {ident(n)}"
                               for n in sql_names(names))
        for number, source in enumerate(sources):
            try:
                table = con.sql(
                    f"SELECT {select} FROM (SELECT row_number() OVER () - 1 AS __row, * "
                    f"FROM {source}) WHERE __row IN (SELECT row FROM wanted) ORDER BY __row"
                ).to_arrow_table()
                break
            except duckdb.InvalidInputException:  # a bad line: number the good ones only
                if number == len(sources) - 1:
                    raise
    except duckdb.Error as exc:
        raise ReadError(f"cannot read the file again: {exc}") from None
    finally:
        con.close()
    return table.rename_columns(list(names))

"""Read a CSV or Parquet file as it is: every CSV value as text, with each row's line.

CSV rows keep their physical line (the header is line 1) so diagnostics point at the line an
editor shows, even with blank lines or quoted values spanning lines. For Parquet files the
"line" is the 1-based row number. Lines with the wrong number of fields are returned, not
dropped, so the loader can report (or reject) them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


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
    """A file that cannot be read at all; the message is for the user."""

    def __init__(self, message: str, code: str = "D000") -> None:
        super().__init__(message)
        self.code = code


def read_raw(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    raise ReadError(f"unknown file type '{suffix}'; expected .csv or .parquet")


def read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except OSError as exc:
        raise ReadError(f"cannot read Parquet file: {exc}") from None
    except pa.ArrowInvalid as exc:
        raise ReadError(f"not a Parquet file: {exc}") from None
    return RawTable(table, np.arange(1, table.num_rows + 1, dtype=np.int64))


def _header(data: bytes) -> list[str]:
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError("the header line is not UTF-8 text") from None
    names = next(csv.reader([text]), [])
    if not names or names == [""]:
        raise ReadError("the file is empty or has no header line")
    names = [name.strip() for name in names]
    for name in dict.fromkeys(names):
        fields = [str(i + 1) for i, n in enumerate(names) if n == name]
        if len(fields) > 1:
            raise ReadError(f"column '{name}' appears {len(fields)} times in the header "
                            f"(fields {', '.join(fields)})", "D018")
    return names


def read_csv(path: Path) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from None
    names = _header(data)
    bad: list[BadLine] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        bad.append(BadLine(0, row.actual_columns, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                             invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "UTF8" in message or "utf8" in message.lower():
            raise ReadError("not UTF-8 text; save the file as UTF-8 CSV") from None
        raise ReadError(f"not a readable CSV file: {message}") from None
    newlines = data.count(b"\n")
    simple = not bad and newlines - (0 if data.endswith(b"\n") else -1) == table.num_rows + 1
    if simple:
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return RawTable(table, lines)
    return RawTable(table, *_lines_slowly(data, len(names), table.num_rows))


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

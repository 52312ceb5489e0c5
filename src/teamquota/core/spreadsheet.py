"""Cells safe to open in a spreadsheet: text that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) is prefixed with a quote (OWASP
"CSV injection"). Amounts are written as plain numbers and never pass through here, so a
negative amount stays a number: the rule is decided by the column's type (Arrow) or the
cell's (row lists), text only.

:func:`write_csv` is the one CSV writer of the project: every CSV or spreadsheet file
teamquota writes (calc outputs, reject files, target suggestions, insights, payroll) goes
through it."""

from __future__ import annotations

import csv
import ctypes
import io
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# A text cell that a spreadsheet would run: the same rule as :func:`safe_cell`, for Arrow.
_FORMULA_PATTERN = "^[=+\\-@\t\r]"
_TEXT_TYPES = (pa.string(), pa.large_string())


def _is_text(field: pa.Field) -> bool:
    kind = field.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return kind in _TEXT_TYPES


def safe_table(table: pa.Table) -> pa.Table:
    """``table`` with every text column's formula-starting cells quoted; other columns
    (amounts, dates, booleans, integers) are left as they are, so ``-2`` stays a number."""
    for index, field in enumerate(table.schema):
        if not _is_text(field):
            continue
        column = table.column(index)
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        mask = pc.match_substring_regex(column, _FORMULA_PATTERN)
        # the quote and the separator in the column's own type (string or large_string)
        quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column,
                                             pa.scalar("", column.type))
        table = table.set_column(index, field.name, pc.if_else(mask, quoted, column))
    return table


def _plain(value: object) -> object:
    """A row-list cell as written: text made safe, numbers plain, nothing for null/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


Destination: TypeAlias = "str | os.PathLike[str] | IO[str] | IO[bytes] | pa.NativeFile"
Rows: TypeAlias = Iterable[Sequence[object]]


def write_csv(data: pa.Table | Rows, destination: Destination,
              header: Sequence[str] | None = None) -> None:
    """Write an Arrow table, or a header and rows, as a CSV safe to open in a spreadsheet.

    The one CSV writer of the project (``tests/core/test_spreadsheet.py`` fails if another
    module writes CSV itself). Text cells that start with ``= + - @``, a tab or a carriage
    return get a leading quote; numbers are written as numbers. A path is written to a
    temporary file in the same folder and moved into place, so a reader never sees half a
    file; a stream (a text or binary file, an Arrow buffer) is written as it goes.
    """
    if isinstance(destination, (str, os.PathLike)):
        with replacing(Path(destination)) as temporary:
            if isinstance(data, pa.Table):
                with pa.OSFile(str(temporary), "wb") as sink:
                    write_csv(data, sink, header)
            else:
                with temporary.open("w", newline="", encoding="utf-8") as handle:
                    write_csv(data, handle, header)
        return
    if isinstance(data, pa.Table):
        if header is not None:
            data = data.rename_columns(list(header))
        if isinstance(destination, io.TextIOBase):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(safe_table(data), sink)
            destination.write(sink.getvalue().to_pybytes().decode("utf-8"))
        else:
            pacsv.write_csv(safe_table(data), destination)
        return
    text = destination if isinstance(destination, io.TextIOBase) else None
    buffer = io.StringIO() if text is None else text
    writer = csv.writer(buffer)  # the excel dialect: lines end in CRLF
    if header is not None:
        writer.writerow([safe_cell(name) for name in header])
    writer.writerows([_plain(value) for value in row] for row in data)
    if text is None:
        encoded = buffer.getvalue().encode("utf-8")  # type: ignore[attr-defined]
        destination.write(encoded)


def csv_text(data: pa.Table | Rows, header: Sequence[str] | None = None) -> str:
    """:func:`write_csv` into a string (a download, a stored reject file)."""
    out = io.StringIO()
    write_csv(data, out, header)
    return out.getvalue()


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it (``os.replace``) when the block
    ends without an error, and is removed when it fails: ``path`` is old or new, never
    half written."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system cannot."""
    try:
        libc = ctypes.CDLL(None)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second),
                     rename_exchange)
    return bool(done == 0)


@contextmanager
def staged_folder(folder: Path, replaces: Iterable[str] = ()) -> Iterator[Path]:
    """A new folder beside ``folder`` to write a run's files into, swapped in for
    ``folder`` in one step when the block ends without an error (and removed when it
    fails): readers see all the old files or all the new ones, never a mix.

    Entries of the old folder that the block did not write, and whose names are not in
    ``replaces``, are copied over first, so files kept beside a run's outputs survive.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial",
                                  dir=folder.parent))
    try:
        yield stage
        if not folder.exists():
            os.replace(stage, folder)
            return
        ours = set(replaces)
        for entry in folder.iterdir():
            if entry.name in ours or (stage / entry.name).exists():
                continue
            if entry.is_dir():
                shutil.copytree(entry, stage / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, stage / entry.name, follow_symlinks=False)
        if not _exchange(stage, folder):
            aside = stage.with_suffix(".old")
            os.replace(folder, aside)
            os.replace(stage, folder)
            stage = aside
    finally:
        shutil.rmtree(stage, ignore_errors=True)

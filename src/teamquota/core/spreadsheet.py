"""Cells safe to open in a spreadsheet: text that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) is prefixed with a quote (OWASP
"CSV injection"). Amounts are written as plain numbers and never pass through here, so a
negative amount stays a number: the rule is decided by the column's type (Arrow) or the
cell's (row lists), text only.

:func:`write_csv` is the one CSV writer of the project: every CSV or spreadsheet file
teamquota writes (calc outputs, reject files, target suggestions, insights, payroll) goes
through it.

Decimals are written as canonical text (:func:`decimal_text`): positional notation with the
places of their column (money at its currency's places, 2 for cents; ratios, shares and
credited amounts at their column's 8, 10 or 12 places), never an exponent, never ``-0``.
Arrow itself writes a decimal of more than 6 places below 10^-6 with an exponent (a zero
credit as ``0E-10``): such tables are rendered here, cell for cell as Arrow would, with
those cells in positional notation."""

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


def decimal_text(value: Decimal) -> str:
    """``value`` in positional notation with its own places, never an exponent: ``0E-10`` is
    ``0.0000000000``, ``1E-10`` ``0.0000000001``, ``1E+3`` ``1000``; a negative zero is
    ``0.00``. The one way a decimal becomes text in a file or a JSON document."""
    if value.is_zero():
        value = value.copy_abs()
    return f"{value:f}"


def _plain(value: object) -> object:
    """A row-list cell as written: text made safe, numbers plain, nothing for null/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    return value


# Arrow renders a decimal with more places than this in exponent form when it is below
# 10^-6 (its adjusted exponent under -6), zero included.
_PLAIN_PLACES = 6
_BATCH_ROWS = 65_536


def _exponent_prone(field: pa.Field) -> bool:
    return bool(pa.types.is_decimal(field.type) and field.type.scale > _PLAIN_PLACES)


def _has_exponent_cells(table: pa.Table) -> bool:
    for index, field in enumerate(table.schema):
        if _exponent_prone(field):
            tiny = pa.scalar(Decimal(1).scaleb(-_PLAIN_PLACES), field.type)
            if pc.any(pc.less(pc.abs(table.column(index)), tiny)).as_py():
                return True
    return False


def _quoted(column: pa.Array) -> pa.Array:
    doubled = pc.replace_substring(column, '"', '""')
    return pc.binary_join_element_wise('"', doubled, '"', "")


def _cells_of(column: pa.Array, field: pa.Field) -> pa.Array:
    """One column's CSV cells as Arrow writes them (text quoted, other types cast to text,
    null empty), decimals in positional notation."""
    if _is_text(field):
        return _quoted(column.cast(pa.string()))
    text = pc.cast(column, pa.string())
    if _exponent_prone(field):
        mask = pc.fill_null(pc.match_substring(text, "E"), False)
        if pc.any(mask).as_py():
            fixed = [decimal_text(value) for value in pc.filter(column, mask).to_pylist()]
            text = pc.replace_with_mask(text, mask, pa.array(fixed, pa.string()))
    return text


def _write_plain(table: pa.Table, sink: IO[bytes] | pa.NativeFile) -> None:
    """``table`` as :func:`pyarrow.csv.write_csv` writes it (a quoted header, text cells
    quoted, lines ending in LF), its decimals in positional notation."""
    names = pa.array(table.column_names, pa.string())
    sink.write((",".join(_quoted(names).to_pylist()) + "\n").encode("utf-8"))
    for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
        if batch.num_rows == 0:
            continue
        cells = [_cells_of(batch.column(i), field) for i, field in enumerate(batch.schema)]
        options = pc.JoinOptions(null_handling="replace", null_replacement="")
        lines = pc.binary_join_element_wise(*cells, ",", options=options)
        ended = pc.binary_join_element_wise(lines, "", "\n")  # each line and its LF
        _, offset_buffer, data = ended.buffers()
        offsets = pa.Array.from_buffers(pa.int32(), len(ended) + 1, [None, offset_buffer],
                                        offset=ended.offset)
        sink.write(data[offsets[0].as_py():offsets[-1].as_py()])


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
        safe = safe_table(data)
        write = _write_plain if _has_exponent_cells(safe) else pacsv.write_csv
        if isinstance(destination, io.TextIOBase):
            sink = pa.BufferOutputStream()
            write(safe, sink)
            destination.write(sink.getvalue().to_pybytes().decode("utf-8"))
        else:
            write(safe, destination)
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

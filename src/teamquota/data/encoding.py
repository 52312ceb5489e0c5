"""Which text encoding a CSV file is in, and a UTF-8 copy of it when it is not UTF-8.

The rules, in order: a byte order mark decides (UTF-8, UTF-16 LE or BE); else a file that
is valid UTF-8 is UTF-8 (so a hand-made UTF-8 ``payees.csv`` beside a cp1252 export is not
garbled by ``--encoding cp1252``); else the encoding the user states (``--encoding``, else
the column map's ``encoding:``). Nothing else is guessed. A byte that is not valid in that
encoding is a D000 at its line and byte, never a replacement character. The loader reads a
file that is UTF-8 as it is; a file in another encoding, or one whose report footer must be
left out (``footer: true``, see :func:`split_footer`), is read from a UTF-8 copy with the
same lines, so every row keeps its line number.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from teamquota.data.readers import ReadError, located

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))



def codec_name(name: str) -> str:
    """Python's name for an encoding; ReadError for one it does not know."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ReadError(f"unknown text encoding '{name}'; e.g. utf-8, cp1252, latin-1, "
                        "utf-16") from None


def detect(head: bytes, stated: str | None) -> tuple[str, int]:
    """(codec, length of its byte order mark) for a file starting with ``head``."""
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return (codec_name(stated) if stated else "utf-8"), 0


def decode(data: bytes, codec: str, skip: int = 0) -> str:
    """``data[skip:]`` as text, or ReadError naming the line and byte of the first bad one."""
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise located(data, codec, skip, exc.start + skip) from None


@dataclass
class Footer:
    line: int  # physical line of the blank line the footer starts with
    texts: list[str]  # its non-blank lines


def _fields(line: str) -> int:
    try:
        return len(next(csv.reader([line]), []))
    except csv.Error:  # a field over the csv module's limit: not a footer line
        return 0


def split_footer(text: str) -> tuple[str, Footer | None]:
    """The text before a report footer, and the footer: a blank line, then only blank lines
    or lines of one field (a report's title, filters, 'Confidential Information - Do Not
    Distribute', its copyright line). A line of more fields ends the search, so a data row
    is never taken for a footer."""
    lines = re.findall(r"[^\n]*\n|[^\n]+\Z", text)  # physical lines, as the loader counts
    start = None
    for index in range(len(lines) - 1, 0, -1):
        stripped = lines[index].strip()
        if not stripped:
            start = index  # the first blank line with only footer lines after it, so far
        elif _fields(stripped) != 1:
            break
    after = [line.strip() for line in lines[start:]] if start is not None else []
    texts = [next(csv.reader([line]), [line])[0] for line in after if line]  # one field
    if start is None or not texts:  # no footer, or only blank lines at the end
        return text, None
    return "".join(lines[:start]), Footer(start + 1, texts)


@dataclass(frozen=True)
class ReadAs:
    """How a file that is not plain UTF-8, or that another encoding was stated for, was
    read: ``codec`` and why - ``bom`` (its byte order mark), ``stated`` (not UTF-8, so the
    stated encoding) or ``utf-8`` (valid UTF-8 with characters beyond ASCII, so not the
    stated encoding, which would have read them otherwise)."""

    codec: str
    reason: Literal["bom", "stated", "utf-8"]


def utf8_copy(path: Path, into: Path, stated: str | None, footer: bool
              ) -> tuple[Path | None, Footer | None, ReadAs | None]:
    """A UTF-8 copy of ``path`` in ``into`` when it needs one (another encoding, or a
    footer to leave out), else None; the footer left out, if any; and how the file was
    read when that is worth saying (:class:`ReadAs`; None for UTF-8 with nothing stated,
    or text both encodings read alike)."""
    try:
        with path.open("rb") as file:
            head = file.read(4)
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from None
    codec, skip = detect(head, stated)
    if codec == "utf-8" and not footer:
        return None, None, None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror}") from None
    read_as = None
    if not skip and codec != "utf-8":  # stated, no BOM: valid UTF-8 is still UTF-8
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = decode(data, codec)
            read_as = ReadAs(codec, "stated")
        else:
            read_as = None if data.isascii() else ReadAs("utf-8", "utf-8")
            if not footer:
                return None, None, read_as
    else:
        text = decode(data, codec, skip)
        read_as = ReadAs(codec, "bom") if codec != "utf-8" else None
    found = None
    if footer:
        text, found = split_footer(text)
    copy = into / f"{len(list(into.iterdir()))}-{path.name}"
    copy.write_text(text, encoding="utf-8", newline="")
    return copy, found, read_as

"""Rewrite a Parquet file's footer (Thrift compact protocol) to make files no writer makes:
a footer that claims more rows or bytes than the file holds. Test helper only.

The footer is ``<FileMetaData> <4-byte length> PAR1``; FileMetaData field 3 is num_rows,
field 4 the row groups (RowGroup: 1 columns, 2 total_byte_size, 3 num_rows); a ColumnChunk's
field 3 is its ColumnMetaData (5 num_values, 6 total_uncompressed_size, 7
total_compressed_size). See parquet-format's parquet.thrift.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)


@dataclass
class Field:
    id: int
    type: int
    value: Any


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in (TRUE, FALSE):
            return kind == TRUE
        if kind == BYTE:
            return self.byte()
        if kind in (I16, I32, I64):
            return self.zigzag()
        if kind == DOUBLE:
            self.at += 8
            return struct.unpack("<d", self.data[self.at - 8:self.at])[0]
        if kind == BINARY:
            n = self.varint()
            self.at += n
            return self.data[self.at - n:self.at]
        if kind in (LIST, SET):
            head = self.byte()
            size, element = head >> 4, head & 0x0F
            if size == 15:
                size = self.varint()
            if element in (TRUE, FALSE):
                return (element, [self.byte() == TRUE for _ in range(size)])
            return (element, [self.value(element) for _ in range(size)])
        if kind == STRUCT:
            return self.struct()
        raise ValueError(f"thrift type {kind} is not used by Parquet footers here")

    def struct(self) -> list[Field]:
        fields, last = [], 0
        while True:
            head = self.byte()
            if head == STOP:
                return fields
            delta, kind = head >> 4, head & 0x0F
            fid = last + delta if delta else self.zigzag()
            fields.append(Field(fid, kind, self.value(kind)))
            last = fid


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zigzag(n: int) -> bytes:
    return _varint((n << 1) ^ (n >> 63))


def _value(kind: int, value: Any) -> bytes:
    if kind in (TRUE, FALSE):
        return b""
    if kind == BYTE:
        return bytes([value])
    if kind in (I16, I32, I64):
        return _zigzag(value)
    if kind == DOUBLE:
        return struct.pack("<d", value)
    if kind == BINARY:
        return _varint(len(value)) + value
    if kind in (LIST, SET):
        element, items = value
        head = (bytes([(len(items) << 4) | element]) if len(items) < 15
                else bytes([0xF0 | element]) + _varint(len(items)))
        if element in (TRUE, FALSE):
            return head + bytes(TRUE if v else FALSE for v in items)
        return head + b"".join(_value(element, v) for v in items)
    if kind == STRUCT:
        return _struct(value)
    raise ValueError(kind)


def _struct(fields: list[Field]) -> bytes:
    out, last = bytearray(), 0
    for f in fields:
        kind = (TRUE if f.value else FALSE) if f.type in (TRUE, FALSE) else f.type
        delta = f.id - last
        out += bytes([(delta << 4) | kind]) if 0 < delta <= 15 else \
            bytes([kind]) + _zigzag(f.id)
        out += _value(f.type, f.value)
        last = f.id
    return bytes(out) + b"\x00"


def read_footer(path: Path) -> tuple[bytes, list[Field]]:
    data = path.read_bytes()
    assert data[-4:] == b"PAR1"
    length = struct.unpack("<I", data[-8:-4])[0]
    start = len(data) - 8 - length
    return data[:start], _Reader(data[start:len(data) - 8]).struct()


def write_footer(path: Path, body: bytes, footer: list[Field]) -> None:
    encoded = _struct(footer)
    path.write_bytes(body + encoded + struct.pack("<I", len(encoded)) + b"PAR1")


def get(fields: list[Field], fid: int) -> Field:
    return next(f for f in fields if f.id == fid)


def column_meta(footer: list[Field], group: int = 0, column: int = 0) -> list[Field]:
    """The ColumnMetaData of one column chunk (to change its sizes in place)."""
    chunk = get(footer, 4).value[1][group]
    return get(get(chunk, 1).value[1][column], 3).value  # type: ignore[no-any-return]

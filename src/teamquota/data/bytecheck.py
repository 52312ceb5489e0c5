"""Proofs that a text column has no bad value, read straight from its Arrow buffers.

Each function answers True only when it has *proved* every value passes (no NUL byte, every
id of the allowed characters, no value longer than a limit...), and False when it cannot
tell; a caller then runs its exact check, which finds and words the bad rows as before. So a
proof never changes what is reported, it only skips a pass over 10M values that finds
nothing (numpy over the bytes is 10-50x cheaper than a regex or a string kernel per value).
Bytes that lie between values (a sliced chunk, a null's slot) may only make a proof fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

Parts = tuple[np.ndarray, np.ndarray, np.ndarray | None]  # offsets, data, valid (or None)


def _parts(values: pa.Array | pa.ChunkedArray) -> Iterator[Parts | None]:
    """Each chunk's offsets, its bytes from the first value's start to the last one's end,
    and its validity (None when no value is null); None for a chunk of another layout."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if pa.types.is_string(chunk.type):
            offset_type: type = np.int32
        elif pa.types.is_large_string(chunk.type):
            offset_type = np.int64
        else:  # a dictionary or view layout: no proof here
            yield None
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        size = np.dtype(offset_type).itemsize
        offsets = np.frombuffer(offsets_buffer, offset_type, count=len(chunk) + 1,
                                offset=chunk.offset * size)
        if data_buffer is None or offsets[-1] == offsets[0]:
            data = np.empty(0, np.uint8)
        else:
            data = np.frombuffer(data_buffer, np.uint8)[int(offsets[0]):int(offsets[-1])]
        valid = chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else None
        yield offsets, data, valid


def no_byte(values: pa.Array | pa.ChunkedArray, byte: int) -> bool:
    """Proved: no value holds ``byte``."""
    for part in _parts(values):
        if part is None:
            return False
        if len(part[1]) and bool(np.any(part[1] == byte)):
            return False
    return True


def most_bytes(values: pa.Array | pa.ChunkedArray) -> int | None:
    """The longest value's length in bytes (an upper bound on its characters), or None."""
    most = 0
    for part in _parts(values):
        if part is None:
            return None
        offsets, _, valid = part
        lengths = np.diff(offsets)
        if valid is not None:
            lengths = lengths[valid]
        if len(lengths):
            most = max(most, int(lengths.max()))
    return most


def byte_table(allowed: bytes) -> np.ndarray:
    """A 256-entry lookup table: True for the bytes in ``allowed``."""
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(allowed, np.uint8)] = True
    return table


def all_of(values: pa.Array | pa.ChunkedArray, table: np.ndarray, shortest: int,
           longest: int, not_first: bytes = b"") -> bool:
    """Proved: every value has from ``shortest`` to ``longest`` bytes, all of them bytes
    ``table`` allows, and none starts with a byte of ``not_first``."""
    if not_first and shortest < 1:  # an empty value has no first byte to look at
        raise ValueError("not_first needs shortest >= 1")
    refused_first = byte_table(not_first) if not_first else None
    for part in _parts(values):
        if part is None:
            return False
        offsets, data, valid = part
        starts, lengths = offsets[:-1], np.diff(offsets)
        if valid is not None:
            starts, lengths = starts[valid], lengths[valid]
        if not len(lengths):
            continue
        if int(lengths.min()) < shortest or int(lengths.max()) > longest:
            return False
        if not bool(table[data].all()):
            return False
        if refused_first is not None and bool(
                refused_first[data[starts - offsets[0]]].any()):
            return False
    return True

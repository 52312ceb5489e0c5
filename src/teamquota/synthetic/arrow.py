"""Vectorised builders of Arrow columns from numpy: exact decimals, dates and ids.

Money is generated as int64 cents and written straight into decimal128 buffers, so no
float ever becomes money and ten million amounts take milliseconds.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = date(1970, 1, 1)


def _validity(valid: np.ndarray | None) -> pa.Buffer | None:
    if valid is None or bool(valid.all()):
        return None
    return pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))


def decimal_from_cents(cents: np.ndarray, type_: pa.Decimal128Type,
                       valid: np.ndarray | None = None) -> pa.Array:
    """int64 minor units -> decimal128 with ``type_.scale`` (the unscaled value is cents)."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(type_, len(cents),
                                 [_validity(valid), pa.py_buffer(words.tobytes())])


def day_number(day: date) -> int:
    return (day - EPOCH).days


def dates_from_days(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 -> date32 (nulls where ``valid`` is False)."""
    data = np.ascontiguousarray(days, dtype=np.int32)
    return pa.Array.from_buffers(pa.date32(), len(data), [_validity(valid), pa.py_buffer(data)])


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """prefix + zero-padded number: ids('P', [1, 2], 5) -> ['P00001', 'P00002']."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def pick(values: pa.Array, indices: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """values[indices] as a plain column (nulls where ``valid`` is False)."""
    taken = values.take(pa.array(indices, pa.int32()))
    if valid is None or bool(valid.all()):
        return taken
    return pc.if_else(pa.array(valid), taken, pa.nulls(len(taken), values.type))

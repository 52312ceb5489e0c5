"""Source columns -> canonical types in one DuckDB query, reporting every bad value.

Text that becomes a decimal or date is trimmed (blank -> null) and parsed in SQL: a decimal
only when its text has the digits the column holds (so the cast never rounds), a date only
as ISO ``YYYY-MM-DD``; other text comes back as read and is trimmed in Python only in the
rare column that needs it (:func:`~teamquota.data.parse.clean_if_needed`). For
each parsed column the query also returns the source text where parsing failed (``__bad``)
or the value is out of range (``__text``, so D005 can quote it as written); those columns
are null on good rows and cost almost nothing. Python then formats messages for the few bad
rows with :mod:`teamquota.data.parse`, so the codes and wording stay those of the
pure-Arrow parser. Typed (Parquet) columns pass through the query unchanged and are converted
by :func:`~teamquota.data.parse.convert_typed` exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.data.duck import clean, ident
from teamquota.data.parse import (
    BadValues,
    clean_if_needed,
    clean_strings,
    convert_typed,
    parse_decimal,
)
from teamquota.data.table_checks import RANGES
from teamquota.data.tables import TableSpec

BAD, TEXT, KEY_HASH = "__bad__", "__text__", "__key_hash__"
ISO_DATE_SQL = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
# the same texts as a GLOB (fixed positions, no regex engine: cheaper on every date)
ISO_DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


def decimal_pattern(type_: pa.Decimal128Type) -> str:
    """RE2 pattern of the decimal texts ``type_`` holds exactly (as parse.parse_decimal).

    At most precision - scale digits before the point (leading zeros aside) and no non-zero
    digit beyond the scale after it; '5.', '.5', '+05' are numbers, '.' and '1e3' are not.
    """
    whole, scale = type_.precision - type_.scale, type_.scale
    integer = f"(?:0*[1-9][0-9]{{0,{whole - 1}}}|0+)"
    fraction = f"[0-9]{{0,{scale}}}0*"
    only_fraction = f"[0-9]{{1,{scale}}}0*" if scale else "0+"  # '.5' needs a digit
    return rf"[+-]?(?:{integer}(?:\.{fraction})?|\.{only_fraction})"


def _is_text(type_: pa.DataType) -> bool:
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


def _duck_type(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        return f"DECIMAL({type_.precision},{type_.scale})"
    return "DATE" if pa.types.is_date(type_) else "VARCHAR"


@dataclass
class Converted:
    table: pa.Table | None  # None when a column cannot be converted at all (D014)
    bad: list[tuple[str, BadValues]] = field(default_factory=list)  # (column, values)
    texts: dict[str, pa.ChunkedArray] = field(default_factory=dict)  # source text, sparse
    file_errors: list[str] = field(default_factory=list)  # D014 reasons
    unusable: list[str] = field(default_factory=list)  # D035: extra columns not readable
    key_hash: pa.ChunkedArray | None = None  # hash of the key per row (None: not usable)


def query(spec: TableSpec, schema: pa.Schema, table_name: str,
          allow_negative: bool = False) -> Callable[[str], str]:
    """The conversion query over a source with ``schema``, as a function of its FROM.

    Text columns come back as read (``finish`` trims the rare column that needs it); text
    that becomes a decimal or a date is trimmed here when it does not parse as it is. The
    ``__bad``/``__text`` columns hold the text as read (Python trims those few). A table with
    a key also gets a 64-bit hash of it, so ``check_duplicates`` can rule repeats out fast.
    """
    canonical = {c.name: c for c in spec.columns}
    texts = {f.name for f in schema if _is_text(f.type)}
    cleaned, parsed, final = [], [], []
    for source_field in schema:
        name, q = source_field.name, ident(source_field.name)
        column = canonical.get(name)
        if column is None or name not in texts or _is_text(column.type):
            cleaned.append(q)
            parsed.append(q)
            final.append(q)
            continue
        cleaned.append(q)
        # parse the text as read; only text that does not parse is trimmed and tried again
        # (trimming every value would cost more than the parsing)
        if pa.types.is_decimal(column.type):
            pattern = decimal_pattern(column.type)
            value = " ".join(f"WHEN regexp_full_match({t}, '{pattern}') "
                             f"THEN CAST({t} AS {_duck_type(column.type)})"
                             for t in (q, clean(q)))
        else:
            value = " ".join(f"WHEN {t} GLOB '{ISO_DATE_GLOB}' AND {t} >= '0001' "
                             f"THEN TRY_CAST({t} AS DATE)" for t in (q, clean(q)))
        # a blank value is null as it is: without the first WHEN it would be trimmed and
        # matched again (a fifth of the amounts and dates of a CRM export are blank)
        value = f"CASE WHEN {q} IS NULL THEN NULL {value} END"
        source = ident(TEXT + name)
        parsed += [f"{value} AS {q}", f"{q} AS {source}"]
        final += [q, f"CASE WHEN {q} IS NULL THEN {source} END AS {ident(BAD + name)}"]
        limits = RANGES.get((table_name, name))
        if limits and not (allow_negative and (table_name, name) == ("deals", "amount")):
            low, inclusive, high = limits
            outside = f"{q} {'<' if inclusive else '<='} {low}"
            if high is not None:
                outside += f" OR {q} > {high}"
            final.append(f"CASE WHEN {outside} THEN {source} END AS {source}")
    if spec.key and set(spec.key) <= texts:
        keys = [ident(k) for k in spec.key]
        final.append(f"CASE WHEN {' AND '.join(f'{k} IS NOT NULL' for k in keys)} "
                     f"THEN hash({', '.join(keys)}) END AS {ident(KEY_HASH)}")
    return lambda source: (f"SELECT {', '.join(final)} FROM (SELECT {', '.join(parsed)} "
                           f"FROM (SELECT {', '.join(cleaned)} FROM {source}))")


def finish(spec: TableSpec, out: pa.Table, source_schema: pa.Schema) -> Converted:
    """The query's result -> the canonical table, bad values, sparse source texts."""
    result = Converted(None)
    rows = out.num_rows
    cleaned: set[str] = set()  # text columns trimmed here, after the key was hashed
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    source_types = {f.name: f.type for f in source_schema}
    for column in spec.columns:
        name = column.name
        if name not in source_types:
            arrays[name] = pa.nulls(rows, column.type)
            continue
        values = out[name]
        if BAD + name in out.column_names:
            _bad_values(name, column.type, out[BAD + name], result)
            texts = out[TEXT + name] if TEXT + name in out.column_names else None
            if texts is not None and texts.null_count < len(texts):  # out-of-range values
                result.texts[name] = clean_strings(texts)
            arrays[name] = values
            continue
        if _is_text(source_types[name]):
            arrays[name], changed = clean_if_needed(values)
            if changed:
                cleaned.add(name)
            continue
        converted, reason = convert_typed(values, column.type, name)
        if reason:
            result.file_errors.append(reason)
        elif converted is not None:
            arrays[name] = converted
    canonical = set(spec.column_names)
    for name in source_types:
        if name in canonical:
            continue
        values = out[name]
        if _is_text(source_types[name]):
            arrays[name] = clean_if_needed(values)[0]
            continue
        try:
            arrays[name] = clean_strings(values)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            result.unusable.append(f"column '{name}' ({values.type}) cannot be read as "
                                   "text and is not used")
    if KEY_HASH in out.column_names and not cleaned & set(spec.key):
        result.key_hash = out[KEY_HASH]
    if not result.file_errors:
        result.table = pa.table(arrays)
    return result


def _bad_values(name: str, type_: pa.DataType, bad: pa.ChunkedArray,
                result: Converted) -> None:
    if bad.null_count == len(bad):  # the usual case: nothing to report
        return
    rows = np.flatnonzero(pc.is_valid(bad).to_numpy(zero_copy_only=False))
    texts = clean_strings(bad.take(pa.array(rows, pa.int64())))
    blank = pc.is_null(texts).to_numpy(zero_copy_only=False)  # only spaces: null, not bad
    rows, texts = rows[~blank], texts.filter(pc.invert(pc.is_null(texts)))
    if not len(rows):
        return
    if pa.types.is_decimal(type_):
        found = parse_decimal(texts, type_, name)[1]
    else:
        found = [BadValues("D004", np.arange(len(rows)),
                           [f"column '{name}': '{t}' is not a date" for t in texts.to_pylist()],
                           "expected an ISO date YYYY-MM-DD, e.g. 2017-03-31")]
    reported = np.concatenate([f.rows for f in found]) if found else np.empty(0, np.int64)
    missed = np.setdiff1d(np.arange(len(rows)), reported)
    if len(missed):  # the SQL pattern refused what parse.py accepts: still say so
        found.append(BadValues("D003", missed, [f"column '{name}': '{t}' is not a decimal "
                                                "number" for t in texts.take(missed).to_pylist()],
                               "digits with '.' as decimal separator and no thousands "
                               "separators, e.g. 12500.00"))
    for item in found:
        result.bad.append((name, BadValues(item.code, rows[item.rows], item.messages,
                                           item.hint)))

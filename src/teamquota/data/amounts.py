"""Number text in CRM exports, before it is parsed: thousands separators and amounts with
more decimals than their currency has.

Both only run through a column map (``thousands``, ``round``). A separator is removed only
where every group after the first has three digits (``1,200.00``; ``1,20.00`` stays and is
D003). An over-precise amount (``1200.125`` in USD) is refused by default (D012 at its
line, naming the value and the rule); with ``round: half_up`` or ``half_even`` it is
rounded to the currency's places (at most the column's two) and the load says how many
were rounded, with examples (D044), so the rounding is audited, never silent.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.core.money import minor_unit, quantum
from teamquota.data.parse import BadValues
from teamquota.data.tables import MONEY, TABLES

MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
SHOWN = 3  # examples of rounded amounts in the D044 note


def _decimal_columns(table_name: str, columns: dict[str, pa.Array]) -> list[str]:
    return [c.name for c in TABLES[table_name].columns
            if pa.types.is_decimal(c.type) and c.name in columns]


def remove_thousands(table_name: str, columns: dict[str, pa.Array], separator: str,
                     where: Source, diagnostics: Diagnostics) -> None:
    """Drop ``separator`` from number texts grouped in threads of three digits."""
    sep = re.escape(separator)
    pattern = rf"^[+-]?\d{{1,3}}({sep}\d{{3}})+(\.\d*)?$"
    for name in _decimal_columns(table_name, columns):
        values = columns[name]
        grouped = pc.match_substring_regex(values, pattern).fill_null(False)
        count = int(pc.sum(grouped.cast(pa.int64())).as_py() or 0)
        if not count:
            continue
        columns[name] = pc.if_else(grouped, pc.replace_substring(values, separator, ""),
                                   values)
        diagnostics.info("D045", f"column '{name}': thousands separator '{separator}' "
                         f"removed on {count:,} row{'s' if count != 1 else ''} (column map "
                         "thousands)", where)


def _places(table_name: str, columns: dict[str, pa.Array], row: int) -> int:
    """The currency's places for a money value, at most the column's two."""
    currency = columns.get("currency") if table_name in ("deals", "payees") else None
    code = currency[row].as_py() if currency is not None else None
    return min(int(MONEY.scale), minor_unit(code)) if code else int(MONEY.scale)


def round_amounts(table_name: str, columns: dict[str, pa.Array], lines: np.ndarray,
                  mode: str | None, where: Source, diagnostics: Diagnostics
                  ) -> list[tuple[str, BadValues]]:
    """Round (``mode``) or refuse (None: D012 rows, returned) over-precise amounts."""
    found: list[tuple[str, BadValues]] = []
    for column in TABLES[table_name].columns:
        name = column.name
        if column.type != MONEY or name not in columns:
            continue
        values = columns[name]
        decimals = pc.match_substring_regex(values, r"\.\d*[1-9]\d*$").fill_null(False)
        if not pc.any(decimals).as_py():
            continue
        texts: list[str] = values.to_pylist()
        rounded: dict[int, tuple[str, str, int]] = {}
        refused: list[int] = []
        for row in np.flatnonzero(decimals.to_numpy(zero_copy_only=False)).tolist():
            text = texts[row].strip()
            if not NUMBER.match(text):
                continue  # not a number: D003 where it is parsed
            try:
                value = Decimal(text)
            except InvalidOperation:
                continue
            places = _places(table_name, columns, row) if mode else MONEY.scale
            exponent = value.as_tuple().exponent
            if not isinstance(exponent, int) or -exponent <= places:
                continue
            if value == value.quantize(quantum(places)):  # only trailing zeros
                continue
            if mode is None:
                refused.append(row)
            else:
                after = value.quantize(quantum(places), rounding=MODES[mode])
                rounded[row] = (text, format(after, "f"), places)
        if refused:
            found.append((name, BadValues(
                "D012", np.asarray(refused, np.int64),
                [f"column '{name}': '{texts[r].strip()}' has more than {MONEY.scale} "
                 "decimal places" for r in refused],
                f"the column holds decimal(18,{MONEY.scale}) and nothing is rounded unless "
                "the column map says how: round: half_up (or half_even) rounds such amounts "
                "to the currency's places, counted in the load (docs/data.md)")))
            keep = np.ones(len(texts), dtype=bool)
            keep[refused] = False
            columns[name] = pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))
        if rounded:
            out: list[str | None] = list(texts)
            for row, (_, text_after, _) in rounded.items():
                out[row] = text_after
            columns[name] = pa.array(out, pa.string())
            _report(name, rounded, lines, mode or "", where, diagnostics)
    return found


def _report(name: str, rounded: dict[int, tuple[str, str, int]], lines: np.ndarray,
            mode: str, where: Source, diagnostics: Diagnostics) -> None:
    by_places: dict[int, list[int]] = {}
    for row, (_, _, places) in rounded.items():
        by_places.setdefault(places, []).append(row)
    how = mode.replace("_", "-")
    for places, rows in sorted(by_places.items()):
        examples = ", ".join(f"'{rounded[r][0]}' -> '{rounded[r][1]}' (line {lines[r]})"
                             for r in rows[:SHOWN])
        more = f", and {len(rows) - SHOWN:,} more" if len(rows) > SHOWN else ""
        count = len(rows)
        diagnostics.info("D044", f"column '{name}': {count:,} amount{'s' if count != 1 else ''} "
                         f"rounded {how} to {places} place{'s' if places != 1 else ''} "
                         f"(column map round: {mode}): {examples}{more}", where)

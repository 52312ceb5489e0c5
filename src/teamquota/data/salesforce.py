"""Salesforce's currency tables (CurrencyType, DatedConversionRate) -> fx_rates rows.

Salesforce stores a rate as "units of this currency per 1 unit of the corporate currency"
(ConversionRate of EUR = 0.8 when 1 USD buys 0.80 EUR). teamquota's rate converts an
amount *from* a currency *to* another (amount x rate), so a deal in EUR is converted into
USD at 1 / 0.8 = 1.25: each row becomes ``from_currency`` = IsoCode, ``to_currency`` = the
corporate currency, ``rate`` = 1 / ConversionRate, rounded half-even to the rate column's 8
places when the inverse has more (D046 lists the rates and says which were rounded).

With DatedConversionRate (advanced currency management) each rate holds from StartDate up
to the day before NextStartDate (blank: open-ended); the span becomes day labels up to the
first of a month, then month labels, then day labels, which never overlap, so a deal takes
the rate Salesforce would. With CurrencyType only, a currency has one rate for all time:
a row per year label, 1900 to 2200.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from pathlib import Path

import numpy as np
import pyarrow as pa

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.columnmap import SalesforceRates
from teamquota.data.parse import clean_strings
from teamquota.data.readers import RawTable, ReadError, read_raw
from teamquota.data.tables import RATE

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)  # the supported window (D019)
TRUE = ("true", "1", "yes")
SHOWN = 12  # rates listed in the D046 note


def _column(raw: RawTable, name: str) -> list[str | None] | None:
    found = next((c for c in raw.table.column_names
                  if c.strip().casefold() == name.casefold()), None)
    return None if found is None else clean_strings(raw.table[found]).to_pylist()


def _spans(start: date, end: date) -> list[str]:
    """Labels covering ``start`` .. ``end`` (inclusive): days, whole months, days."""
    labels, day = [], start
    while day <= end:
        if day.day == 1:
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            if following - timedelta(days=1) <= end:
                labels.append(f"{day.year:04d}-{day.month:02d}")
                day = following
                continue
        labels.append(day.isoformat())
        day += timedelta(days=1)
    return labels


def _corporate(raw: RawTable, path: Path, diagnostics: Diagnostics) -> str | None:
    codes, flags = _column(raw, "IsoCode"), _column(raw, "IsCorporate")
    if codes is None or flags is None:
        diagnostics.error("D022", "a Salesforce CurrencyType export needs columns IsoCode "
                          "and IsCorporate", Source(str(path), 1),
                          "columns in the file: " + ", ".join(raw.table.column_names))
        return None
    corporate = [c for c, f in zip(codes, flags, strict=True)
                 if c and (f or "").lower() in TRUE]
    if len(corporate) != 1:
        diagnostics.error("D047", f"{len(corporate)} currencies are marked IsCorporate in "
                          f"{path.name}; Salesforce has exactly one corporate currency",
                          Source(str(path)), "export CurrencyType with IsCorporate")
        return None
    return corporate[0]


def _inverse(text: str | None, line: int, path: Path, diagnostics: Diagnostics
             ) -> tuple[str, bool] | None:
    try:
        rate = Decimal(text or "")
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0:
        diagnostics.error("D005", f"column 'ConversionRate': '{text}' is not a rate above 0",
                          Source(str(path), line), "Salesforce rates are positive numbers")
        return None
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(1) / rate
    rounded = exact.quantize(Decimal(1).scaleb(-RATE.scale), rounding=ROUND_HALF_EVEN)
    return format(rounded.normalize(), "f"), rounded != exact


def salesforce_rates(raw: RawTable, spec: SalesforceRates, path: Path, currency_type: Path
                     ) -> tuple[RawTable, dict[str, pa.Array], Diagnostics]:
    """``raw`` (CurrencyType, or DatedConversionRate when ``path`` is the dated file) as
    canonical fx_rates text columns, one source row -> its labels (lines repeated)."""
    diagnostics = Diagnostics()
    dated = spec.dated is not None and path.name == spec.dated
    try:
        types = read_raw(currency_type) if dated else raw
    except ReadError as exc:
        diagnostics.error(exc.code, f"the corporate currency is read from {currency_type.name}"
                          f": {exc}", Source(str(currency_type), exc.line))
        return raw, {}, diagnostics
    corporate = _corporate(types, currency_type, diagnostics)
    codes, rates = _column(raw, "IsoCode"), _column(raw, "ConversionRate")
    starts, nexts = _column(raw, "StartDate"), _column(raw, "NextStartDate")
    needed = ["IsoCode", "ConversionRate"] + (["StartDate", "NextStartDate"] if dated else [])
    if codes is None or rates is None or (dated and (starts is None or nexts is None)):
        kind = "DatedConversionRate" if dated else "CurrencyType"
        diagnostics.error("D022", f"a Salesforce {kind} export needs columns "
                          f"{', '.join(needed)}", Source(str(path), 1),
                          "columns in the file: " + ", ".join(raw.table.column_names))
    if corporate is None or diagnostics.has_errors:
        return raw, {}, diagnostics
    assert codes is not None and rates is not None
    rows: list[int] = []
    out: dict[str, list[str]] = {"from_currency": [], "to_currency": [], "period": [],
                                 "rate": []}
    shown: dict[str, str] = {}
    rounded_codes: set[str] = set()
    for row, (code, text) in enumerate(zip(codes, rates, strict=True)):
        line = int(raw.lines[row])
        if code is None or code == corporate:
            continue
        inverse = _inverse(text, line, path, diagnostics)
        if inverse is None:
            continue
        labels = [str(year) for year in range(1900, 2201)]
        if dated:
            assert starts is not None and nexts is not None
            try:
                # the first range of each currency starts at Salesforce's 0000-12-30
                first = max(date.fromisoformat((starts[row] or "")[:10]), FIRST_DAY) \
                    if not (starts[row] or "").startswith("0000-") else FIRST_DAY
                following = nexts[row]
                last = (date.fromisoformat(following[:10]) - timedelta(days=1)
                        if following else LAST_DAY)
            except ValueError:
                diagnostics.error("D004", f"StartDate '{starts[row]}' or NextStartDate "
                                  f"'{nexts[row]}' is not a date", Source(str(path), line),
                                  "expected YYYY-MM-DD, as Salesforce exports dates")
                continue
            labels = _spans(first, min(last, LAST_DAY))
        value, was_rounded = inverse
        shown.setdefault(f"{code} {text}", f"{code} {text} -> {value}")
        if was_rounded:
            rounded_codes.add(code)
        for label in labels:
            rows.append(row)
            out["from_currency"].append(code)
            out["to_currency"].append(corporate)
            out["period"].append(label)
            out["rate"].append(value)
    where = Source(str(path))
    if shown:
        rounded = (f"; rounded half-even to {RATE.scale} places: "
                   + ", ".join(sorted(rounded_codes))) if rounded_codes else ""
        listed = list(shown.values())
        more = f", and {len(listed) - SHOWN:,} more" if len(listed) > SHOWN else ""
        diagnostics.info("D046", f"Salesforce rates are units per 1 {corporate}; inverted into "
                         f"{corporate}: " + ", ".join(listed[:SHOWN]) + more + rounded, where)
    index = np.asarray(rows, np.int64)
    table = raw.table.take(pa.array(index, pa.int64()))
    columns = {k: pa.array(v, pa.string()) for k, v in out.items()}
    return RawTable(table, raw.lines[index] if len(index) else np.empty(0, np.int64)), \
        columns, diagnostics

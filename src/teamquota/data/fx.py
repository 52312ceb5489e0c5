"""Fx rates: which rate converts an amount from one currency to another, on a day or for a
period, and the one diagnostic (D011) for a deal that cannot be converted.

An ``fx_rates`` row's ``period`` is a year (``2023``), a quarter (``2023-Q2``), a month
(``2023-05``) or a day (``2023-05-17``); years and quarters are the plan's fiscal ones
(``year_start_month``), like the engine's periods. Where several rates could apply, the
most specific wins:

* a **deal** is converted at the rate of its close date: that day's rate, else its
  month's, else its quarter's, else its year's;
* a **payout line** of a period (plan currency -> the payee's) takes the rate of that
  period, else of the quarter or year that contains it, never a finer one (a quarter's
  line has no one month's rate).

Every path that converts deals asks this module: the loader's check (``check_fx``), the
engine on any backend (``engine/run.py``, ``engine/credit.py``), deals read where they live
(``data/external.py``) and ``targets suggest``; a deal none of the rates converts is
reported by :func:`no_rate_message`, so every path says the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.core.periods import Period, parse_period, period_of
from teamquota.data.problems import ProblemLog
from teamquota.data.tables import RATE


class RunData(Protocol):
    """What :func:`check_run` reads of a ``data.dataset.Dataset`` (a protocol, so fx does
    not import dataset: dataset -> external -> fx would be a cycle)."""

    sources: Any
    row_lines: Any
    external: Any

    def get(self, name: str) -> Any: ...

KINDS = ("date", "month", "quarter", "year")  # most specific first
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LABEL_HINT = "expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD, e.g. 2017-Q2"


class Backend(Protocol):
    """What the checks need of an engine backend (``backends.base.Backend`` has it; named
    here because backends/ sits above data/)."""

    def load(self, name: str, table: pa.Table) -> ir.Table: ...

    def collect(self, expr: ir.Table) -> pa.Table: ...


DAYS = pa.schema([("from_currency", pa.string()), ("day", pa.date32()), ("rate", RATE)])


def fx_label(label: str, year_start_month: int = 1) -> str:
    """The canonical form of an fx ``period`` label; raises ValueError when it is none."""
    text = label.strip()
    if _DAY.match(text):
        return date.fromisoformat(text).isoformat()
    return parse_period(text, year_start_month).label


def is_fx_label(label: str) -> bool:
    try:
        fx_label(label)
    except ValueError:
        return False
    return True


def no_rate_message(deal_id: object, currency: str, to: str, day: date) -> str:
    """D011, worded the same on every path (loader, engine, external deals, targets)."""
    return (f"column 'currency': deal '{deal_id}' closed {day} in {currency}, but fx_rates "
            f"has no rate from {currency} to {to} for that day, month, quarter or year")


def no_rate_hint(to: str) -> str:
    return (f"add an fx_rates row from_currency, to_currency {to}, a period that contains "
            "the close date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) and a rate")


@dataclass
class FxRates:
    """Rates as (from, to) -> canonical label -> rate, resolved by the rules above."""

    rates: dict[tuple[str, str], dict[str, Decimal]] = field(default_factory=dict)
    year_start_month: int = 1
    _labels: dict[date, tuple[str, str, str, str]] = field(default_factory=dict)

    @classmethod
    def from_table(cls, table: pa.Table | None, year_start_month: int = 1) -> FxRates:
        """Rows whose label is no fx label are left out (the checks report them, D016)."""
        rates: dict[tuple[str, str], dict[str, Decimal]] = {}
        if table is not None:
            for row in table.select(["from_currency", "to_currency", "period",
                                     "rate"]).to_pylist():
                if row["period"] is None or row["rate"] is None:
                    continue
                try:
                    label = fx_label(row["period"], year_start_month)
                except ValueError:
                    continue
                rates.setdefault((row["from_currency"], row["to_currency"]), {})[label] = \
                    row["rate"]
        return cls(rates, year_start_month)

    def labels(self, day: date) -> tuple[str, str, str, str]:
        """The labels of ``day``, its month, quarter and year, most specific first."""
        found = self._labels.get(day)
        if found is None:
            ysm = self.year_start_month
            found = self._labels[day] = (
                day.isoformat(), period_of("month", day, ysm).label,
                period_of("quarter", day, ysm).label, period_of("year", day, ysm).label)
        return found

    def on(self, source: str, to: str, day: date) -> Decimal | None:
        """The rate that converts a deal closed on ``day``, or None."""
        by_label = self.rates.get((source, to))
        if not by_label:
            return None
        for label in self.labels(day):
            rate = by_label.get(label)
            if rate is not None:
                return rate
        return None

    def for_period(self, source: str, to: str, period: Period) -> Decimal | None:
        """The rate for a payout line of ``period``: its own, else a containing one's."""
        by_label = self.rates.get((source, to))
        if not by_label:
            return None
        kinds = KINDS[KINDS.index(period.kind):]
        for kind in kinds:
            label = period.label if kind == period.kind else \
                period_of(kind, period.start, self.year_start_month).label  # type: ignore[arg-type]
            rate = by_label.get(label)
            if rate is not None:
                return rate
        return None

    def line_rates(self, periods: Iterable[Period]) -> dict[tuple[str, str, str], Decimal]:
        """(from, to, period label) -> rate for every pair and period that has one."""
        out = {}
        for period in periods:
            for source, to in self.rates:
                rate = self.for_period(source, to, period)
                if rate is not None:
                    out[(source, to, period.label)] = rate
        return out

    def days(self, to: str, first: date, last: date) -> pa.Table:
        """Every (from currency, day, rate) into ``to`` from ``first`` to ``last``: the
        engine joins deals on (currency, close date), an equality join on every backend."""
        sources = sorted(s for s, t in self.rates if t == to and s != to)
        columns: tuple[list[str], list[date], list[Decimal]] = ([], [], [])
        day = first
        while day <= last:
            for source in sources:
                rate = self.on(source, to, day)
                if rate is not None:
                    columns[0].append(source)
                    columns[1].append(day)
                    columns[2].append(rate)
            day += timedelta(days=1)
        return pa.table([pa.array(c, t) for c, t in zip(columns, DAYS.types, strict=True)],
                        schema=DAYS)

    def unconverted(self, pairs: pa.Table, to: str) -> pa.Table:
        """The (currency, close_date) pairs of ``pairs`` that no rate converts into ``to``."""
        keep = [self.on(c, to, d) is None for c, d in zip(
            pairs["currency"].to_pylist(), pairs["close_date"].to_pylist(), strict=True)]
        return pairs.filter(pa.array(keep, pa.bool_()))


def foreign_closed(deals: pa.Table, to: str, first: date | None = None,
                   last: date | None = None) -> pa.Array:
    """The mask of deals converted into ``to``: closed, with an amount, in another currency
    (and closed from ``first`` to ``last`` when given: the engine converts only those)."""
    mask = pc.and_(pc.and_(pc.is_valid(deals["close_date"]), pc.is_valid(deals["amount"])),
                   pc.and_(pc.is_valid(deals["currency"]),
                           pc.not_equal(deals["currency"], to)))
    if first is not None:
        mask = pc.and_(mask, pc.greater_equal(deals["close_date"], pa.scalar(first)))
    if last is not None:
        mask = pc.and_(mask, pc.less_equal(deals["close_date"], pa.scalar(last)))
    return pc.fill_null(mask, False)


def missing_rates(deals: pa.Table, rates: FxRates, to: str, first: date | None = None,
                  last: date | None = None,
                  mask: pa.Array | None = None) -> tuple[np.ndarray, list[str]]:
    """Rows of ``deals`` (indices) that no rate converts into ``to``, and their D011
    messages. Distinct (currency, day) pairs are resolved, not each deal."""
    wanted = foreign_closed(deals, to, first, last)
    if mask is not None:
        wanted = pc.and_(wanted, mask)
    if not pc.any(wanted).as_py():
        return np.zeros(0, np.int64), []
    indexed = deals.select(["deal_id", "currency", "close_date"]).append_column(
        "__row", pa.array(np.arange(deals.num_rows, dtype=np.int64))).filter(wanted)
    pairs = indexed.group_by(["currency", "close_date"]).aggregate([])
    bad = rates.unconverted(pairs, to)
    if bad.num_rows == 0:
        return np.zeros(0, np.int64), []
    found = indexed.join(bad, keys=["currency", "close_date"], join_type="inner").sort_by(
        "__row")
    messages = [no_rate_message(i, c, to, d) for i, c, d in zip(
        *(found[n].to_pylist() for n in ("deal_id", "currency", "close_date")), strict=True)]
    return found["__row"].to_numpy(), messages


def bad_labels(periods: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """Rows whose fx ``period`` is no label (D016), and their messages."""
    labels = pc.unique(periods.drop_null()).to_pylist()
    bad = [label for label in labels if not is_fx_label(label)]
    if not bad:
        return np.zeros(0, np.int64), []
    rows = np.flatnonzero(pc.fill_null(pc.is_in(periods, pa.array(bad, pa.string())),
                                       False).to_numpy(zero_copy_only=False))
    texts = periods.take(pa.array(rows, pa.int64())).to_pylist()
    return rows, [f"column 'period': '{v}' is not a period label" for v in texts]


def check_run(data: RunData, deals: pa.Table | ir.Table, backend: Backend, currency: str,
              year_start_month: int, first: date, last: date,
              diagnostics: Diagnostics) -> FxRates:
    """The engine's fx check, whatever the dataset went through: fx labels (D016) and
    every deal of the run that no rate converts into ``currency`` (D011), located as the
    loader locates them (file and line when the dataset has them, else the deal id)."""
    table = data.get("fx_rates")
    rates = FxRates.from_table(table, year_start_month)
    log = ProblemLog()
    if table is not None:
        rows, messages = bad_labels(table["period"])
        log.add("fx_rates", "D016", rows, messages, LABEL_HINT)
    if isinstance(deals, pa.Table):
        rows, messages = missing_rates(deals, rates, currency, first, last)
        log.add("deals", "D011", rows, messages, no_rate_hint(currency))
    diagnostics.extend(log.diagnostics(data.sources, dict(data.row_lines),
                                       ["fx_rates", "deals"]))
    if isinstance(deals, ir.Table):
        count, messages = missing_rates_expr(deals, backend, rates, currency, first, last)
        where = Source(data.sources.get("deals") or str(data.external.get("deals", "deals")))
        for message in messages:
            diagnostics.error("D011", message, where, no_rate_hint(currency))
        if count > len(messages):
            diagnostics.error("D011", f"... and {count - len(messages):,} more rows with the "
                              "same kind of problem", where, no_rate_hint(currency))
    return rates


def missing_rates_expr(deals: ir.Table, backend: Backend, rates: FxRates, to: str,
                       first: date | None = None, last: date | None = None,
                       limit: int = 200) -> tuple[int, list[str]]:
    """As :func:`missing_rates` for deals the backend holds: how many deals no rate
    converts, and the messages of the first ``limit`` of them (by deal id). One query for
    the distinct (currency, day) pairs; the deals are read again only when some miss."""
    wanted = (deals.close_date.notnull() & deals.amount.notnull() & deals.currency.notnull()
              & (deals.currency != to))
    if first is not None:
        wanted &= deals.close_date >= ibis.date(first)
    if last is not None:
        wanted &= deals.close_date <= ibis.date(last)
    foreign = deals.filter(wanted)
    pairs = backend.collect(foreign.select("currency", "close_date").distinct())
    bad = rates.unconverted(pairs.cast(pa.schema([("currency", pa.string()),
                                                  ("close_date", pa.date32())])), to)
    if bad.num_rows == 0:
        return 0, []
    missing = backend.load("fx_unconverted", bad.rename_columns(["m_currency", "m_day"]))
    found = foreign.join(missing, [foreign.currency == missing.m_currency,
                                   foreign.close_date == missing.m_day])
    count = backend.collect(found.aggregate(n=found.count()))["n"][0].as_py() or 0
    rows = backend.collect(found.select("deal_id", "currency", "close_date")
                           .order_by("deal_id").limit(limit))
    return count, [no_rate_message(i, c, to, d) for i, c, d in zip(
        *(rows[n].to_pylist() for n in ("deal_id", "currency", "close_date")), strict=True)]

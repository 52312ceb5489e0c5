"""Won amounts per payee per period, and how many days of each period the data covers.

A period only partly inside the data (the Maven export starts on 2017-03-01, so 2017-Q1 has
31 of its 90 days) is scaled up by ``period days / covered days``; a period the data does not
reach at all is unknown, not zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import InputError
from teamquota.core.money import ZERO, exact_div
from teamquota.core.periods import Period, PeriodKind, overlap_days, period_of
from teamquota.data.dataset import Dataset
from teamquota.data.fx import FxRates, no_rate_hint, no_rate_message
from teamquota.data.problems import ProblemLog


@dataclass(frozen=True)
class Coverage:
    first: date
    last: date

    def days_in(self, period: Period) -> int:
        return overlap_days(self.first, self.last, period)


def coverage(dataset: Dataset) -> Coverage | None:
    """From the first to the last close date of any closed deal in the data."""
    dates = dataset["deals"]["close_date"].drop_null()
    if len(dates) == 0:
        return None
    bounds = pc.min_max(dates).as_py()
    return Coverage(bounds["min"], bounds["max"])


def won_by_period(dataset: Dataset, kind: PeriodKind, year_start_month: int = 1,
                  won_stages: tuple[str, ...] = ("Won",), currency: str = "USD"
                  ) -> dict[str, dict[str, Decimal]]:
    """payee_id -> period label -> won amount credited (splits by share, else the owner),
    in ``currency``, the plan's, as the engine measures (a deal without a currency is in
    ``currency``). A deal in another currency converts at its
    close date's fx rate (data/fx.py, the engine's rules); raises :class:`InputError` with
    D011 for every deal no rate converts."""
    deals = dataset["deals"]
    rows = pa.array(np.arange(deals.num_rows, dtype=np.int64))
    won = deals.append_column("__row", rows).filter(
        pc.and_(pc.is_in(deals["stage"], pa.array(won_stages)),
                pc.is_valid(deals["close_date"])))
    credited = won.select(["deal_id", "owner_id", "amount", "close_date", "currency",
                           "__row"])
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    converter = _Converter(dataset, currency, year_start_month)
    splits = dataset.get("splits")
    if splits is not None and splits.num_rows:
        split_deals = pc.is_in(credited["deal_id"], splits["deal_id"])
        shared = credited.filter(split_deals).join(splits, keys="deal_id", join_type="inner")
        credited = credited.filter(pc.invert(split_deals))
        amounts = converter.convert(shared, shared["payee_id"],
                                    [a * s for a, s in zip(shared["amount"].to_pylist(),
                                                           shared["share"].to_pylist(),
                                                           strict=True)])
        _add(totals, shared["payee_id"], shared["close_date"], amounts, kind,
             year_start_month)
    foreign = converter.foreign(credited, credited["owner_id"])
    if pc.any(foreign).as_py():
        moved = credited.filter(foreign)
        credited = credited.filter(pc.invert(foreign))
        _add(totals, moved["owner_id"], moved["close_date"],
             converter.convert(moved, moved["owner_id"], moved["amount"].to_pylist()),
             kind, year_start_month)
    converter.raise_if_missing()
    grouped = credited.append_column("label", _labels(credited["close_date"], kind,
                                                      year_start_month)).group_by(
        ["owner_id", "label"]).aggregate([("amount", "sum")])
    for owner, label, amount in zip(*(grouped[c].to_pylist() for c in
                                      ("owner_id", "label", "amount_sum")), strict=True):
        totals[owner][label] += amount
    return {payee: dict(by_period) for payee, by_period in totals.items()}


class _Converter:
    """Won amounts into the plan's currency, collecting the deals that cannot be."""

    def __init__(self, dataset: Dataset, currency: str, year_start_month: int):
        self.dataset, self.currency = dataset, currency
        # Targets are in the plan's currency, whoever they are for: the engine compares
        # them with measures in the plan's currency and converts only the payout into a
        # payee's own currency (docs/plan-language.md, "Currencies").
        self.paid_in: dict[str, str] = {}
        self.rates = FxRates.from_table(dataset.get("fx_rates"), year_start_month)
        self.log = ProblemLog()

    def foreign(self, rows: pa.Table, payees: pa.ChunkedArray) -> pa.Array:
        """The mask of ``rows`` whose deal is in another currency than its payee's."""
        deal = pc.fill_null(rows["currency"], self.currency)
        paid = pa.array([self.paid_in.get(p, self.currency) for p in
                         pc.unique(payees).to_pylist()], pa.string())
        if len(paid) == 1:  # one payout currency (the usual case): no per-row lookup
            return pc.not_equal(deal, paid[0])
        return pc.not_equal(deal, pa.array([self.paid_in.get(p, self.currency)
                                            for p in payees.to_pylist()], pa.string()))

    def convert(self, rows: pa.Table, payees: pa.ChunkedArray,
                amounts: list[Decimal]) -> list[Decimal]:
        out: list[Decimal] = []
        bad: dict[str, tuple[list[int], list[str]]] = {}  # payout currency -> rows, messages
        for deal_id, source, day, row, payee, amount in zip(
                rows["deal_id"].to_pylist(), rows["currency"].to_pylist(),
                rows["close_date"].to_pylist(), rows["__row"].to_pylist(),
                payees.to_pylist(), amounts, strict=True):
            source, to = source or self.currency, self.paid_in.get(payee, self.currency)
            rate = Decimal(1) if source == to else self.rates.on(source, to, day)
            if rate is None:
                found = bad.setdefault(to, ([], []))
                found[0].append(row)
                found[1].append(no_rate_message(deal_id, source, to, day))
                rate = ZERO
            out.append(amount * rate)  # exact: Decimal x Decimal, rounded nowhere
        for to, (rows_, messages) in sorted(bad.items()):
            self.log.add("deals", "D011", rows_, messages, no_rate_hint(to))
        return out

    def raise_if_missing(self) -> None:
        if self.log.rows:
            diagnostics = self.log.diagnostics(self.dataset.sources,
                                               dict(self.dataset.row_lines),  # type: ignore[arg-type]
                                               ["deals"])
            raise InputError(diagnostics)


def _labels(dates: pa.ChunkedArray, kind: PeriodKind, year_start_month: int) -> pa.Array:
    # a few hundred distinct days even for millions of deals: label each day once
    encoded = pc.dictionary_encode(dates.combine_chunks())
    labels = pa.array([period_of(kind, day, year_start_month).label
                       for day in encoded.dictionary.to_pylist()], pa.string())
    return labels.take(encoded.indices)


def _add(totals: dict[str, dict[str, Decimal]], payees: pa.ChunkedArray,
         dates: pa.ChunkedArray, amounts: list[Decimal], kind: PeriodKind,
         year_start_month: int) -> None:
    labels = _labels(dates, kind, year_start_month).to_pylist()
    for payee, label, amount in zip(payees.to_pylist(), labels, amounts, strict=True):
        totals[payee][label] += amount


def scaled(amount: Decimal, period: Period, cover: Coverage) -> Decimal:
    """The amount a fully covered period would have had, at the covered days' pace."""
    days = cover.days_in(period)
    return amount if days == period.days else exact_div(amount * period.days, Decimal(days))

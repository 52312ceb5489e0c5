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

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.money import ZERO, exact_div
from teamquota.core.periods import Period, PeriodKind, overlap_days, period_of
from teamquota.data.dataset import Dataset


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
                  won_stages: tuple[str, ...] = ("Won",)
                  ) -> dict[str, dict[str, Decimal]]:
    """payee_id -> period label -> won amount credited (splits by share, else the owner)."""
    deals = dataset["deals"]
    won = deals.filter(pc.and_(pc.is_in(deals["stage"], pa.array(won_stages)),
                               pc.is_valid(deals["close_date"])))
    credited = won.select(["deal_id", "owner_id", "amount", "close_date"])
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    splits = dataset.get("splits")
    if splits is not None and splits.num_rows:
        split_deals = pc.is_in(credited["deal_id"], splits["deal_id"])
        shared = credited.filter(split_deals).join(splits, keys="deal_id", join_type="inner")
        credited = credited.filter(pc.invert(split_deals))
        _add(totals, shared["payee_id"], shared["close_date"],
             [a * s for a, s in zip(shared["amount"].to_pylist(),
                                    shared["share"].to_pylist(), strict=True)],
             kind, year_start_month)
    grouped = credited.append_column("label", _labels(credited["close_date"], kind,
                                                      year_start_month)).group_by(
        ["owner_id", "label"]).aggregate([("amount", "sum")])
    for owner, label, amount in zip(*(grouped[c].to_pylist() for c in
                                      ("owner_id", "label", "amount_sum")), strict=True):
        totals[owner][label] += amount
    return {payee: dict(by_period) for payee, by_period in totals.items()}


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

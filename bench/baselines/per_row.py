"""The hybrid plan computed record by record, as ERP commission modules do.

Every deal is visited once in a Python loop: its owner's quarter total and its team's
(looked up in the owner's membership list on the close date) grow by the deal's Decimal
amount. The payout arithmetic then runs per payee, quarter and team.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bench import hybrid
from bench.lines import LINES, normalise

Row = dict[str, Any]


def _rows(directory: Path, name: str, fmt: str) -> Iterator[Row]:
    if fmt == "parquet":
        for batch in pq.ParquetFile(directory / f"{name}.parquet").iter_batches(65_536):
            yield from batch.to_pylist()
        return
    with open(directory / f"{name}.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {k: (None if v == "" else v) for k, v in row.items()}


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _start(value: date | str) -> date:
    day = _date(value)
    assert day is not None  # start_date is required in the canonical table
    return day


def _money(value: Decimal | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def run(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    directory = Path(directory)
    ti = {r["payee_id"]: _money(r["target_incentive"])
          for r in _rows(directory, "payees", fmt)}
    memberships: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
    for r in _rows(directory, "memberships", fmt):
        memberships[r["payee_id"]].append(
            (r["team_id"], _start(r["start_date"]), _date(r["end_date"])))
    targets: dict[tuple[str, str, str, str], Decimal] = {}
    for r in _rows(directory, "targets", fmt):
        key = (r["subject_type"], r["subject_id"], r["measure"], r["period"])
        targets[key] = _money(r["amount"])

    personal: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    team: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    periods: dict[str, tuple[date, date]] = {}
    for deal in _rows(directory, "deals", fmt):
        close = _date(deal["close_date"])
        if close is None:
            continue
        period = hybrid.quarter_label(close)
        if period not in periods:
            periods[period] = hybrid.quarter_bounds(close)
        if deal["stage"] != hybrid.WON:
            continue
        amount = _money(deal["amount"])
        owner = deal["owner_id"]
        personal[(owner, period)] += amount
        for team_id, start, end in memberships[owner]:
            if start <= close and (end is None or close <= end):
                team[(team_id, period)] += amount
                break

    lines: list[Row] = []
    for period, (q_start, q_end) in sorted(periods.items()):
        q_days = (q_end - q_start).days + 1
        for payee_id, annual in ti.items():
            target = targets.get(("payee", payee_id, "personal", period))
            if target is not None:
                measure = personal.get((payee_id, period), Decimal(0))
                lines.append({"period": period, "payee_id": payee_id,
                              "component_id": "personal", "team_id": None,
                              "amount": hybrid.personal_amount(annual, measure, target)})
            days_in: dict[str, int] = defaultdict(int)
            for team_id, start, end in memberships[payee_id]:
                days = ((min(end or q_end, q_end) - max(start, q_start)).days + 1)
                if days > 0:
                    days_in[team_id] += days
            for team_id, days in days_in.items():
                target = targets.get(("team", team_id, "team", period))
                if target is None:
                    continue
                measure = team.get((team_id, period), Decimal(0))
                lines.append({"period": period, "payee_id": payee_id, "component_id": "team",
                              "team_id": team_id,
                              "amount": hybrid.team_amount(annual, measure, target, days,
                                                           q_days)})
    return normalise(pa.Table.from_pylist(lines, schema=LINES))

"""Bootstrap replicates of a team's history as a dataset the engine can pay.

Each replicate is one simulated quarter, and gets its own quarter label (2001-Q1, 2001-Q2,
...) so one engine run pays every replicate at once. History is per rep per month of won
amount (by close date; months the data does not fully cover are left out). For each
replicate and team:

* **periods**: three history months are drawn with replacement, shared by the team (keeps
  the team's common ups and downs);
* **reps**: each member seat is filled by a member of the same team drawn with replacement
  (``reps="resample"``), or always by the same member (``reps="fixed"``).

A seat's result is its rep's won amount over the three drawn months; it becomes one Won
deal of that amount closing in the replicate's quarter (no deal when it is zero). Each
seat's personal target is its rep's mean won per quarter over the history (reps with
none get their team's median); team targets are the sums of their seats'. Seats are
payees ``<team>#<n>`` with the team's median target incentive, so pay differences come from
results, not from who sat where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from teamquota.data.dataset import Dataset, to_table
from teamquota.data.tables import DEALS, MEMBERSHIPS, PAYEES, TARGETS, TEAMS
from teamquota.insights.frames import _to_pandas, deals_frame

FIRST_YEAR = 2001


@dataclass
class Replay:
    dataset: Dataset
    seats: pd.DataFrame       # period, payee_id (seat), team_id, rep_id, won_amount, target
    periods: list[str]


def monthly_history(dataset: Dataset) -> pd.DataFrame:
    """rep x month won amount (0 where a member won nothing), full months only."""
    deals = deals_frame(dataset, "month")
    closed = deals[deals["close_date"].notna()]
    first, last = closed["close_date"].min(), closed["close_date"].max()
    months = list(pd.period_range(first, last, freq="M"))
    # a month the data covers only in part would look like a bad month: leave it out
    if first.day != 1:
        months = months[1:]
    if last.normalize() != months[-1].end_time.normalize() if months else False:
        months = months[:-1]
    full = months
    labels = [f"{m.year}-{m.month:02d}" for m in full]
    won = closed.groupby(["owner_id", "period"])["won_amount"].sum()
    members = _members(dataset, deals)
    grid = members.merge(pd.DataFrame({"period": labels}), how="cross")
    grid["won_amount"] = [won.get((p, m), 0.0) for p, m in zip(grid["payee_id"],
                                                                grid["period"], strict=True)]
    return grid


def _members(dataset: Dataset, deals: pd.DataFrame) -> pd.DataFrame:
    """Every team member (with or without deals) and their team and target incentive."""
    payees = _to_pandas(dataset["payees"])
    m = _to_pandas(dataset["memberships"]).sort_values("start_date")
    latest = m.drop_duplicates("payee_id", keep="last")[["payee_id", "team_id"]]
    out = latest.merge(payees[["payee_id", "target_incentive"]], on="payee_id", how="left")
    return out.sort_values(["team_id", "payee_id"]).reset_index(drop=True)


def build_replay(dataset: Dataset, replicates: int = 200, seed: int = 0,
                 reps: str = "resample", months_per_period: int = 3) -> Replay:
    rng = np.random.default_rng(seed)
    history = monthly_history(dataset)
    months = sorted(history["period"].unique())
    won = history.pivot_table(index="payee_id", columns="period", values="won_amount",
                              aggfunc="sum").reindex(columns=months).fillna(0.0)
    members = history.drop_duplicates("payee_id")[["payee_id", "team_id", "target_incentive"]]
    target = won.mean(axis=1) * months_per_period
    team_of = members.set_index("payee_id")["team_id"]
    has_history = won.sum(axis=1) > 0
    team_median = target[has_history].groupby(team_of).median()
    target = target.where(has_history, team_of.map(team_median)).fillna(0.0).round()

    rows = []
    labels = [f"{FIRST_YEAR + r // 4}-Q{r % 4 + 1}" for r in range(replicates)]
    for team, group in members.groupby("team_id", sort=True):
        ids = group["payee_id"].to_numpy()
        n = len(ids)
        drawn_months = rng.integers(len(months), size=(replicates, months_per_period))
        if reps == "fixed":
            seat_rep = np.tile(ids, (replicates, 1))
        else:
            seat_rep = ids[rng.integers(n, size=(replicates, n))]
        matrix = won.loc[ids].to_numpy()
        index = {p: i for i, p in enumerate(ids)}
        for r in range(replicates):
            for s in range(n):
                rep = seat_rep[r, s]
                rows.append((labels[r], f"{team}#{s + 1}", team, rep,
                             float(matrix[index[rep], drawn_months[r]].sum()),
                             float(target[rep])))
    seats = pd.DataFrame(rows, columns=["period", "payee_id", "team_id", "rep_id",
                                        "won_amount", "target_amount"])
    return Replay(_dataset(seats, members, labels), seats, labels)


def _quarter_start(label: str) -> date:
    year, q = label.split("-Q")
    return date(int(year), 3 * (int(q) - 1) + 1, 1)


def _dataset(seats: pd.DataFrame, members: pd.DataFrame, labels: list[str]) -> Dataset:
    ti = members.groupby("team_id")["target_incentive"].median()
    seat_ids = seats.drop_duplicates("payee_id")[["payee_id", "team_id"]]
    payees = [{"payee_id": p, "name": p, "role": "AE", "target_incentive": str(ti[t])}
              for p, t in zip(seat_ids["payee_id"], seat_ids["team_id"], strict=True)]
    teams = [{"team_id": t, "name": t} for t in sorted(seat_ids["team_id"].unique())]
    start = _quarter_start(labels[0])
    memberships = [{"payee_id": p, "team_id": t, "start_date": start}
                   for p, t in zip(seat_ids["payee_id"], seat_ids["team_id"], strict=True)]
    won = seats[seats["won_amount"] > 0]
    closes = {label: _quarter_start(label).replace(day=15) for label in labels}
    deals = pa.table({
        "deal_id": [f"{p}@{q}" for p, q in zip(won["payee_id"], won["period"], strict=True)],
        "owner_id": won["payee_id"].to_numpy(),
        "account": pa.nulls(len(won), pa.string()), "product": pa.nulls(len(won), pa.string()),
        "amount": pa.array([_cents(v) for v in won["won_amount"]], DEALS.column("amount").type),
        "currency": pa.array(["USD"] * len(won)), "stage": pa.array(["Won"] * len(won)),
        "close_date": pa.array([closes[q] for q in won["period"]], pa.date32()),
    })
    target_rows = []
    for measure in ("personal",):
        target_rows += [{"subject_type": "payee", "subject_id": p, "measure": measure,
                         "period": q, "amount": _cents(v)} for p, q, v in zip(
            seats["payee_id"], seats["period"], seats["target_amount"], strict=True)]
    team_targets = seats.groupby(["team_id", "period"], as_index=False)["target_amount"].sum()
    for measure in ("team", "pool"):
        target_rows += [{"subject_type": "team", "subject_id": t, "measure": measure,
                         "period": q, "amount": _cents(v)} for t, q, v in zip(
            team_targets["team_id"], team_targets["period"], team_targets["target_amount"],
            strict=True)]
    return Dataset({"payees": to_table(PAYEES, payees), "teams": to_table(TEAMS, teams),
                    "memberships": to_table(MEMBERSHIPS, memberships), "deals": deals,
                    "targets": to_table(TARGETS, target_rows)},
                   {name: "<bootstrap replay>" for name in
                    ("payees", "teams", "memberships", "deals", "targets")})


def _cents(value: float):  # noqa: ANN202 - Decimal
    from decimal import Decimal
    return Decimal(f"{value:.2f}")

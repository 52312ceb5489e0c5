"""Pipeline-conflict report: where reps work the same accounts and deals change hands.

Three kinds of conflict, each per period and per team, each split into **same-team**
(a team target removes the incentive to fight over it) and **cross-team**:

* **Shared accounts** — an account with deals of more than one rep active in the period. A
  deal is active from its engage date (its close date when there is none) to its close
  date (the end of the data while open). Each pair of reps on an account counts once.
* **Late handovers** — deals whose owner changed within ``handover_days`` before close.
  This needs two optional deal columns, documented in docs/insights.md:
  ``previous_owner_id`` (who owned the deal before) and ``owner_changed_date`` (when it
  moved). Without them this section says it is not available.
* **Activity on a colleague's account** — activities (optional table) by a rep on an
  account where, in that period, other reps have active deals and the rep has none.

Deals with no date at all (e.g. the demo's Prospecting deals) cannot be placed in a
period; they are counted in ``undated_deals``, not silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.frames import PeriodKind, activities_frame, deals_frame, team_on

_STEP = {"month": 1, "quarter": 3, "year": 12}


@dataclass
class ConflictReport:
    shared_accounts: pd.DataFrame     # period, account, reps, teams, n_reps, same/cross pairs
    pairs: pd.DataFrame               # period, account, rep_a, rep_b, team_a, team_b, same_team
    late_handovers: pd.DataFrame      # deal_id, owner_id, previous_owner_id, days_before_close
    foreign_activity: pd.DataFrame    # period, payee_id, account, activities, same_team
    summary: pd.DataFrame             # team_id, period, counts and same-team shares
    undated_deals: int = 0
    notes: list[str] = field(default_factory=list)


def _period_index(dates: pd.Series, kind: PeriodKind) -> pd.Series:
    months = dates.dt.year * 12 + dates.dt.month - 1
    return months // _STEP[kind]


def _index_label(index: np.ndarray, kind: PeriodKind) -> np.ndarray:
    first_month = index * _STEP[kind]
    year = first_month // 12
    month = first_month % 12 + 1
    if kind == "year":
        return year.astype(str)
    if kind == "quarter":
        return np.char.add(np.char.add(year.astype(str), "-Q"), ((month - 1) // 3 + 1).astype(str))
    return np.char.add(np.char.add(year.astype(str), "-"), np.char.zfill(month.astype(str), 2))


def active_deals(deals: pd.DataFrame, kind: PeriodKind) -> tuple[pd.DataFrame, int]:
    """One row per (deal, period it was active in); and the number of undated deals."""
    start = deals["engage_date"].fillna(deals["close_date"])
    end_of_data = deals[["close_date", "engage_date"]].max().max()
    end = deals["close_date"].fillna(end_of_data)
    dated = start.notna() & deals["account"].notna()
    d = deals[dated]
    first = _period_index(start[dated], kind).to_numpy(int)
    last = np.maximum(_period_index(end[dated], kind).to_numpy(int), first)
    span = last - first + 1
    rows = np.repeat(np.arange(len(d)), span)
    offset = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    active = d.iloc[rows][["deal_id", "owner_id", "team_id", "account", "won_amount"]].copy()
    active["period"] = _index_label(first[rows] + offset, kind)
    undated = int((~(start.notna())).sum())
    return active.reset_index(drop=True), undated


def conflicts(dataset: Dataset, period: PeriodKind = "quarter",
              handover_days: int = 14) -> ConflictReport:
    deals = deals_frame(dataset, period)
    active, undated = active_deals(deals, period)
    notes = []
    if undated:
        notes.append(f"{undated} deals have neither an engage nor a close date and are not "
                     "placed in any period")
    blank_account = int(deals["account"].isna().sum())
    if blank_account:
        notes.append(f"{blank_account} deals have no account and cannot conflict on one")

    owners = active.groupby(["period", "account", "owner_id"], as_index=False).agg(
        team_id=("team_id", "last"), deals=("deal_id", "nunique"))
    pairs = owners.merge(owners, on=["period", "account"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["owner_id_a"] < pairs["owner_id_b"]]
    pairs = pairs.rename(columns={"owner_id_a": "rep_a", "owner_id_b": "rep_b"})
    pairs["same_team"] = pairs["team_id_a"] == pairs["team_id_b"]
    pairs = pairs[["period", "account", "rep_a", "rep_b", "team_id_a", "team_id_b",
                   "same_team"]].reset_index(drop=True)

    shared = owners.groupby(["period", "account"]).agg(
        n_reps=("owner_id", "nunique"), reps=("owner_id", lambda s: ", ".join(sorted(s))),
        teams=("team_id", lambda s: ", ".join(sorted(set(s)))), deals=("deals", "sum"))
    shared = shared[shared["n_reps"] > 1]
    pair_counts = pairs.groupby(["period", "account"])["same_team"].agg(
        same_team_pairs="sum", pairs="size")
    shared = shared.join(pair_counts)
    shared["cross_team_pairs"] = shared["pairs"] - shared["same_team_pairs"]
    shared = shared.drop(columns="pairs").reset_index().sort_values(
        ["period", "n_reps", "deals"], ascending=[True, False, False]).reset_index(drop=True)

    late = _late_handovers(dataset, deals, handover_days, notes)
    foreign = _foreign_activity(dataset, owners, period)
    summary = _summary(pairs, late, foreign)
    return ConflictReport(shared, pairs, late, foreign, summary, undated, notes)


def _late_handovers(dataset: Dataset, deals: pd.DataFrame, days: int, notes: list[str]
                    ) -> pd.DataFrame:
    columns = ["deal_id", "period", "owner_id", "team_id", "previous_owner_id",
               "previous_team_id", "owner_changed_date", "close_date", "days_before_close",
               "same_team", "amount", "stage"]
    if "previous_owner_id" not in deals or "owner_changed_date" not in deals:
        notes.append("late handovers: not available (the deals have no previous_owner_id / "
                     "owner_changed_date columns)")
        return pd.DataFrame(columns=columns)
    d = deals[deals["previous_owner_id"].notna() & deals["close_date"].notna()].copy()
    d["owner_changed_date"] = pd.to_datetime(d["owner_changed_date"]).astype("datetime64[ns]")
    d["days_before_close"] = (d["close_date"] - d["owner_changed_date"]).dt.days
    d = d[(d["days_before_close"] >= 0) & (d["days_before_close"] <= days)]
    d["previous_team_id"] = team_on(dataset, d["previous_owner_id"], d["owner_changed_date"])
    d["same_team"] = d["previous_team_id"] == d["team_id"]
    return d[columns].sort_values(["period", "deal_id"]).reset_index(drop=True)


def _foreign_activity(dataset: Dataset, owners: pd.DataFrame, period: PeriodKind
                      ) -> pd.DataFrame:
    columns = ["period", "payee_id", "team_id", "account", "activities", "account_reps",
               "same_team"]
    acts = activities_frame(dataset, period)
    acts = acts[acts["account"].notna()]
    if acts.empty:
        return pd.DataFrame(columns=columns)
    per = acts.groupby(["period", "payee_id", "account"], as_index=False).agg(
        activities=("quantity", "sum"), team_id=("team_id", "last"))
    own = owners[["period", "account", "owner_id"]].rename(columns={"owner_id": "payee_id"})
    own["own"] = True
    per = per.merge(own, on=["period", "account", "payee_id"], how="left")
    per = per[per["own"].isna()].drop(columns="own")
    joined = per.merge(owners[["period", "account", "owner_id", "team_id"]].rename(
        columns={"team_id": "owner_team"}), on=["period", "account"], how="inner")
    if joined.empty:
        return pd.DataFrame(columns=columns)
    joined["same"] = joined["owner_team"] == joined["team_id"]
    out = joined.groupby(["period", "payee_id", "team_id", "account", "activities"],
                         as_index=False).agg(
        account_reps=("owner_id", lambda s: ", ".join(sorted(s))), same_team=("same", "any"))
    return out[columns].sort_values(["period", "payee_id", "account"]).reset_index(drop=True)


def _summary(pairs: pd.DataFrame, late: pd.DataFrame, foreign: pd.DataFrame) -> pd.DataFrame:
    """Per team and period: conflicts of each kind, and the share that is within the team.

    A cross-team pair or handover counts for both teams involved."""
    rows = []
    for frame, kind, a, b in ((pairs, "shared_account_pairs", "team_id_a", "team_id_b"),
                              (late, "late_handovers", "team_id", "previous_team_id")):
        if frame.empty:
            continue
        for team_col in (a, b):
            part = frame[frame[team_col].notna()]
            part = part[~part["same_team"] | (team_col == a)]  # same-team pairs once
            rows.append(pd.DataFrame({"team_id": part[team_col], "period": part["period"],
                                      "kind": kind, "same_team": part["same_team"]}))
    if not foreign.empty:
        rows.append(pd.DataFrame({"team_id": foreign["team_id"], "period": foreign["period"],
                                  "kind": "colleague_account_activity",
                                  "same_team": foreign["same_team"]}))
    if not rows:
        return pd.DataFrame(columns=["team_id", "period", "kind", "total", "same_team",
                                     "cross_team", "same_team_share"])
    events = pd.concat(rows, ignore_index=True)
    summary = events.groupby(["team_id", "period", "kind"], as_index=False).agg(
        total=("same_team", "size"), same_team=("same_team", "sum"))
    summary["cross_team"] = summary["total"] - summary["same_team"]
    summary["same_team_share"] = summary["same_team"] / summary["total"]
    return summary.sort_values(["team_id", "period", "kind"]).reset_index(drop=True)

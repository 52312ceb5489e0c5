"""Under-performance watchlist and free-rider check, with evidence and a coaching focus.

A rep is flagged when BOTH hold:

1. **Consistently low**: attainment below ``threshold`` in at least ``k`` of the last ``n``
   periods;
2. **Credibly below peers**: the rep's mean attainment over those ``n`` periods, shrunk
   toward the peer group by a normal-normal model (:mod:`teamquota.insights.shrinkage`),
   has its upper ``level`` posterior bound below the peers' median mean attainment. A rep
   who merely had a bad run by chance is pulled back toward the group and is not flagged.

Each flag gets a pattern label, tried in this order:

* ``recent_drop``: the periods before the window averaged at least ``threshold`` and the
  window's mean is under ``drop_ratio`` of that;
* ``disengaged``: activity volume in the window under ``low_activity`` x the peer median;
* ``busy_not_converting``: activity at least ``busy_activity`` x peer median while bookings
  per activity are under ``low_conversion`` x the peer median;
* ``low_outcomes``: none of the above (or no activity data to tell).

:func:`free_riders` compares, for a team plan, each member's share of the team payout with
their share of the team's contribution (won amount).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.attainment import attainment_frame
from teamquota.insights.frames import PeriodKind, activities_frame, deals_frame
from teamquota.insights.shrinkage import fit_normal_prior, normal_posterior, shrink_rates


@dataclass(frozen=True)
class WatchlistRules:
    n: int = 4
    k: int = 3
    threshold: float = 0.8
    level: float = 0.975
    peers: str = "all"          # "all" reps, or "team"
    drop_ratio: float = 0.6
    low_activity: float = 0.7
    busy_activity: float = 0.85
    low_conversion: float = 0.7


def _window(frame: pd.DataFrame, n: int) -> tuple[list[str], list[str]]:
    periods = sorted(frame["period"].dropna().unique())
    return periods[-n:], periods[:-n]


def assess(dataset: Dataset, rules: WatchlistRules | None = None,
           period: PeriodKind = "quarter", attainment: pd.DataFrame | None = None,
           measure: str | None = None) -> pd.DataFrame:
    """One row per rep with every statistic the watchlist decides on, and ``flagged``."""
    r = rules or WatchlistRules()
    deals = deals_frame(dataset, period)
    if attainment is None:
        attainment, _ = attainment_frame(dataset, period, measure, deals)
    window, before = _window(attainment, r.n)
    recent = attainment[attainment["period"].isin(window)].copy()
    recent["low"] = recent["attainment"] < r.threshold
    per_rep = recent.groupby("payee_id").agg(
        team_id=("team_id", "last"), periods=("attainment", "size"),
        low_periods=("low", "sum"), mean_attainment=("attainment", "mean"),
        var_attainment=("attainment", "var"),
        won_amount=("won_amount", "sum"),
        history=("attainment", lambda s: [round(float(x), 3) for x in s]))
    earlier = attainment[attainment["period"].isin(before)].groupby("payee_id")["attainment"]
    per_rep["earlier_attainment"] = earlier.mean()
    per_rep = per_rep.reset_index()

    group_keys = ["team_id"] if r.peers == "team" else []
    per_rep["shrunk_attainment"] = np.nan
    per_rep["shrunk_high"] = np.nan
    per_rep["peer_attainment"] = np.nan
    groups = (per_rep.groupby(group_keys).indices if group_keys
              else {(): np.arange(len(per_rep))})
    for index in groups.values():
        part = per_rep.iloc[index]
        prior = fit_normal_prior(part["periods"].to_numpy(), part["mean_attainment"].to_numpy(),
                                 part["var_attainment"].to_numpy())
        post = normal_posterior(part["periods"].to_numpy(), part["mean_attainment"].to_numpy(),
                                prior, level=1 - 2 * (1 - r.level))
        # a one-sided bound at `level`: the central interval at 1 - 2(1 - level)
        per_rep.loc[per_rep.index[index], "shrunk_attainment"] = post["mean"].to_numpy()
        per_rep.loc[per_rep.index[index], "shrunk_high"] = post["high"].to_numpy()
        # the reference is the peers' median: robust to a few stars (and, with the
        # peer-median attainment proxy, it is what 100% means)
        per_rep.loc[per_rep.index[index], "peer_attainment"] = float(
            np.median(part["mean_attainment"]))

    per_rep["consistently_low"] = per_rep["low_periods"] >= r.k
    per_rep["credibly_below"] = per_rep["shrunk_high"] < per_rep["peer_attainment"]
    per_rep["flagged"] = per_rep["consistently_low"] & per_rep["credibly_below"]

    _add_activity(per_rep, dataset, period, window)
    per_rep["pattern"] = [_pattern(row, r) if row.flagged else "" for row in
                          per_rep.itertuples()]
    focus = coaching_focus(deals, per_rep["payee_id"])
    per_rep = per_rep.merge(focus, on="payee_id", how="left")
    per_rep["evidence"] = [_evidence(row, r, window) for row in per_rep.itertuples()]
    return per_rep.sort_values(["flagged", "shrunk_attainment"], ascending=[False, True]
                               ).reset_index(drop=True)


def watchlist(dataset: Dataset, rules: WatchlistRules | None = None,
              period: PeriodKind = "quarter", attainment: pd.DataFrame | None = None,
              measure: str | None = None) -> pd.DataFrame:
    """Only the flagged reps, worst first."""
    table = assess(dataset, rules, period, attainment, measure)
    return table[table["flagged"]].reset_index(drop=True)


def _add_activity(per_rep: pd.DataFrame, dataset: Dataset, period: PeriodKind,
                  window: list[str]) -> None:
    acts = activities_frame(dataset, period)
    acts = acts[acts["period"].isin(window)]
    if acts.empty:
        per_rep["activity"] = np.nan
        per_rep["activity_ratio"] = np.nan
        per_rep["conversion_ratio"] = np.nan
        return
    volume = acts.groupby("payee_id")["quantity"].sum()
    per_rep["activity"] = per_rep["payee_id"].map(volume).fillna(0.0)
    peer_volume = per_rep["activity"].median()
    per_rep["activity_ratio"] = per_rep["activity"] / peer_volume if peer_volume else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        per_activity = per_rep["won_amount"] / per_rep["activity"]
    peer_conversion = per_activity.replace([np.inf], np.nan).median()
    per_rep["conversion_ratio"] = per_activity / peer_conversion if peer_conversion else np.nan


def _pattern(row: Any, r: WatchlistRules) -> str:
    earlier = row.earlier_attainment
    mean = row.mean_attainment
    if pd.notna(earlier) and earlier >= r.threshold and mean < r.drop_ratio * earlier:
        return "recent_drop"
    activity = row.activity_ratio
    conversion = row.conversion_ratio
    if pd.isna(activity):
        return "low_outcomes"
    if activity < r.low_activity:
        return "disengaged"
    if activity >= r.busy_activity and pd.notna(conversion) and conversion < r.low_conversion:
        return "busy_not_converting"
    return "low_outcomes"


def _pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.0%}"


def _evidence(row: object, r: WatchlistRules, window: list[str]) -> str:
    g = row.__getattribute__
    parts = [f"{g('low_periods')} of last {len(window)} periods below {_pct(r.threshold)} "
             f"({', '.join(_pct(x) for x in g('history'))})",
             f"shrunk mean {_pct(g('shrunk_attainment'))} (upper bound "
             f"{_pct(g('shrunk_high'))}) vs peers {_pct(g('peer_attainment'))}"]
    if pd.notna(g("earlier_attainment")):
        parts.append(f"before: {_pct(g('earlier_attainment'))}")
    if pd.notna(g("activity_ratio")):
        parts.append(f"activity {g('activity_ratio'):.2f}x peers, bookings per activity "
                     f"{g('conversion_ratio'):.2f}x peers")
    return "; ".join(parts)


def coaching_focus(deals: pd.DataFrame, payees: pd.Series) -> pd.DataFrame:
    """Per rep: the product whose shrunk win rate lags the team's most, and the stage where
    their deals stall (most over-represented among their open-and-aged or lost deals)."""
    closed = deals[deals["outcome"] != "open"]
    by_product = (closed.assign(win=(closed["outcome"] == "won").astype(int))
                  .groupby(["team_id", "product", "owner_id"], as_index=False)
                  .agg(n=("win", "size"), k=("win", "sum")))
    by_product = shrink_rates(by_product, ["team_id", "product"], "n", "k", prefix="win")
    by_product["gap"] = by_product["win_shrunk"] - by_product["win_group"]
    worst = by_product.sort_values("gap").drop_duplicates("owner_id").set_index("owner_id")

    stall = _stall_stage(deals)
    rows = []
    for payee in payees:
        product_text = ""
        if payee in worst.index and worst.loc[payee, "gap"] < -0.02:
            w = worst.loc[payee]
            product_text = (f"{w['product']}: win rate {_pct(w['win_shrunk'])} vs team "
                            f"{_pct(w['win_group'])}")
        rows.append({"payee_id": payee, "focus_product": product_text,
                     "focus_stage": stall.get(payee, "")})
    return pd.DataFrame(rows, columns=["payee_id", "focus_product", "focus_stage"])


def _stall_stage(deals: pd.DataFrame) -> dict[str, str]:
    """Where each rep's deals stop: the open stage (aged past the team's median cycle) or
    'closing' (lost), whichever exceeds the team's share by the most."""
    d = deals.copy()
    ref = d["close_date"].max()
    if pd.isna(ref):
        return {}
    median_cycle = d["cycle_days"].median()
    age = (ref - d["engage_date"]).dt.days
    stuck = (d["outcome"] == "open") & ~(age <= (median_cycle if pd.notna(median_cycle) else 0))
    d["where"] = np.where(d["outcome"] == "lost", "closing (lost)",
                          np.where(stuck, "stalled in " + d["stage"].astype(str), "ok"))
    counts = d.groupby(["owner_id", "where"]).size().unstack(fill_value=0)
    share = counts.div(counts.sum(axis=1), axis=0)
    team = d.groupby("owner_id")["team_id"].last()
    team_share = (d.groupby(["team_id", "where"]).size().unstack(fill_value=0))
    team_share = team_share.div(team_share.sum(axis=1), axis=0)
    result = {}
    for owner, row in share.iterrows():
        excess = (row - team_share.loc[team[owner]].reindex(row.index).fillna(0.0)
                  ).drop("ok", errors="ignore")
        if len(excess) and excess.max() > 0.02:
            stage = excess.idxmax()
            result[owner] = (f"{stage}: {_pct(row[stage])} of deals vs team "
                             f"{_pct(team_share.loc[team[owner], stage])}")
    return result


def free_riders(dataset: Dataset, payouts: pd.DataFrame | None = None,
                period: PeriodKind = "quarter", ratio: float = 2.0) -> pd.DataFrame:
    """Per team member and period: share of the team payout vs share of the team's won amount.

    ``payouts`` has payee_id, team_id, period, amount for the team component (e.g. from the
    engine's payouts filtered to team-scope lines). Without it, the team payout is assumed to
    be split equally (a team-only plan with an equal pool). A member is a free rider when
    their payout share is at least ``ratio`` x their contribution share.
    """
    deals = deals_frame(dataset, period)
    contrib = (deals[deals["period"].notna()]
               .groupby(["team_id", "period", "owner_id"], as_index=False)["won_amount"].sum()
               .rename(columns={"owner_id": "payee_id"}))
    members = _members_per_period(dataset, contrib)
    frame = members.merge(contrib, on=["team_id", "period", "payee_id"], how="left")
    frame["won_amount"] = frame["won_amount"].fillna(0.0)
    team_total = frame.groupby(["team_id", "period"])["won_amount"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["contribution_share"] = np.where(team_total > 0,
                                               frame["won_amount"] / team_total, 0.0)
    if payouts is None:
        frame["payout_share"] = 1.0 / frame.groupby(["team_id", "period"])[
            "payee_id"].transform("size")
        frame["payout_basis"] = "equal split (assumed)"
    else:
        p = payouts.groupby(["team_id", "period", "payee_id"], as_index=False)["amount"].sum()
        frame = frame.merge(p, on=["team_id", "period", "payee_id"], how="left")
        frame["amount"] = frame["amount"].astype(float).fillna(0.0)
        total = frame.groupby(["team_id", "period"])["amount"].transform("sum")
        frame["payout_share"] = np.where(total > 0, frame["amount"] / total, 0.0)
        frame["payout_basis"] = "engine payouts"
    frame["free_rider"] = (frame["payout_share"] > 0) & (
        frame["payout_share"] >= ratio * frame["contribution_share"])
    return frame.sort_values(["team_id", "period", "contribution_share"]).reset_index(drop=True)


def _members_per_period(dataset: Dataset, contrib: pd.DataFrame) -> pd.DataFrame:
    """Team members per period: anyone with a membership overlapping it, else deal owners."""
    from teamquota.insights.frames import _to_pandas
    periods = contrib[["period"]].drop_duplicates()
    memberships = dataset.get("memberships")
    if memberships is None or memberships.num_rows == 0:
        return contrib[["team_id", "period", "payee_id"]]
    m = _to_pandas(memberships)
    grid = m.merge(periods, how="cross")
    from teamquota.core.periods import parse_period
    bounds = {p: parse_period(p) for p in periods["period"]}
    start = pd.to_datetime(grid["period"].map(lambda p: bounds[p].start))
    end = pd.to_datetime(grid["period"].map(lambda p: bounds[p].end))
    m_start = pd.to_datetime(grid["start_date"])
    m_end = pd.to_datetime(grid["end_date"]).fillna(pd.Timestamp("2200-01-01"))
    grid = grid[(m_start <= end) & (m_end >= start)]
    return grid[["team_id", "period", "payee_id"]].drop_duplicates()

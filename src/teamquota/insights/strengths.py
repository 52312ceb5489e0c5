"""Measured strengths per rep, shrunk toward the team so small samples are not called stars.

For each rep and each *dimension* (overall, product, series, sector, deal-size band) this
measures, on closed deals:

* **win rate** = won / closed, shrunk by a beta-binomial prior fitted to the rep's team in
  that same level (e.g. team x product "GTX Pro"), with a central posterior interval;
* **typical deal size** = the geometric mean of won amounts, shrunk on the log scale by a
  normal-normal model within the same team and level (interval back-transformed);
* **cycle days** = mean days from engage to close of won deals, shrunk likewise.

:func:`activity_conversion` adds, where activities exist, each activity type's conversion
into pipeline: the share of a rep's activities of that type followed, within
``window_days``, by a new deal (engage date) of the same rep on the same account. It is
shrunk the same way as win rates.

Nobody is dropped: every member of a team (latest membership) is in the ``overall`` rows.
The ``reason`` column says why a rep has no measured win rate (``no deals``, ``only open
deals``: no data, shown with their team's rate and no estimate of their own) or why it is
zero (``closed deals, none won``: an outcome, measured and shrunk like everyone else's).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.frames import _to_pandas, activities_frame, deals_frame
from teamquota.insights.shrinkage import (
    fit_normal_prior,
    normal_posterior,
    shrink_rates,
)

DIMENSIONS = ("overall", "product", "series", "sector", "size_band")
NO_DEALS = "no deals: nothing to measure"
ONLY_OPEN = "only open deals: nothing closed to measure"
NONE_WON = "closed deals, none won"


def members(dataset: Dataset) -> pd.Series:
    """payee_id -> team of their latest membership, for every member (deals or not)."""
    m = dataset.get("memberships")
    if m is None or m.num_rows == 0:
        return pd.Series(dtype=object)
    frame = _to_pandas(m).sort_values("start_date")
    return frame.drop_duplicates("payee_id", keep="last").set_index("payee_id")["team_id"]


def _shrink_means(frame: pd.DataFrame, group: list[str], n: str, mean: str, var: str,
                  prefix: str, level: float) -> pd.DataFrame:
    out = frame.copy()
    for suffix in ("shrunk", "low", "high", "group"):
        out[f"{prefix}_{suffix}"] = np.nan
    for index in out.groupby(group, sort=False, dropna=False).indices.values():
        part = out.iloc[index]
        prior = fit_normal_prior(part[n].to_numpy(), part[mean].to_numpy(),
                                 part[var].to_numpy())
        post = normal_posterior(part[n].to_numpy(), part[mean].to_numpy(), prior, level)
        rows = out.index[index]
        out.loc[rows, f"{prefix}_shrunk"] = post["mean"].to_numpy()
        out.loc[rows, f"{prefix}_low"] = post["low"].to_numpy()
        out.loc[rows, f"{prefix}_high"] = post["high"].to_numpy()
        out.loc[rows, f"{prefix}_group"] = prior.mean
    return out


def strengths(dataset: Dataset, dimensions: Sequence[str] = DIMENSIONS,
              level: float = 0.9, deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (rep, dimension, level value) with raw and shrunk estimates."""
    d = deals if deals is not None else deals_frame(dataset)
    closed = d[d["outcome"] != "open"].copy()
    closed["win"] = (closed["outcome"] == "won").astype(int)
    won = closed[(closed["win"] == 1) & (closed["amount"] > 0)]
    closed["log_size"] = np.nan
    closed.loc[won.index, "log_size"] = np.log(won["amount"])
    closed.loc[closed["win"] == 0, "cycle_days"] = np.nan
    # a rep's team for this report: the team of their latest closed deal
    team = closed.sort_values("close_date").groupby("owner_id")["team_id"].last()
    closed["team_id"] = closed["owner_id"].map(team)
    frames = []
    for dimension in dimensions:
        if dimension == "overall":
            closed["level"] = "all"
        elif dimension not in closed or closed[dimension].isna().all():
            continue
        else:
            closed["level"] = closed[dimension].astype(object)
        part = closed[closed["level"].notna()]
        g = part.groupby(["team_id", "level", "owner_id"], as_index=False).agg(
            deals=("win", "size"), wins=("win", "sum"),
            log_size_mean=("log_size", "mean"), log_size_var=("log_size", "var"),
            sized=("log_size", "count"), cycle_mean=("cycle_days", "mean"),
            cycle_var=("cycle_days", "var"), cycled=("cycle_days", "count"))
        g.insert(1, "dimension", dimension)
        frames.append(g)
    if not frames:
        empty = pd.DataFrame(columns=KEEP)
        return _unmeasured(empty, dataset, d) if "overall" in dimensions else empty
    table = pd.concat(frames, ignore_index=True)
    by = ["team_id", "dimension", "level"]
    table = shrink_rates(table, by, "deals", "wins", level, prefix="win")
    table = _shrink_means(table, by, "sized", "log_size_mean", "log_size_var", "logsize", level)
    table = _shrink_means(table, by, "cycled", "cycle_mean", "cycle_var", "cycle", level)
    for suffix in ("shrunk", "low", "high", "group"):
        table[f"size_{suffix}"] = np.exp(table[f"logsize_{suffix}"])
    table["size_raw"] = np.exp(table["log_size_mean"])
    table = table.rename(columns={"owner_id": "payee_id", "cycle_mean": "cycle_raw"})
    table["reason"] = np.where((table["dimension"] == "overall") & (table["wins"] == 0),
                               NONE_WON, "")
    if "overall" in dimensions:
        table = _unmeasured(table[KEEP], dataset, d)
    return table[KEEP].sort_values(["dimension", "level", "team_id", "win_shrunk"],
                                   ascending=[True, True, True, False],
                                   na_position="last").reset_index(drop=True)


KEEP = ["payee_id", "team_id", "dimension", "level", "deals", "wins",
        "win_raw", "win_shrunk", "win_low", "win_high", "win_group",
        "sized", "size_raw", "size_shrunk", "size_low", "size_high", "size_group",
        "cycle_raw", "cycle_shrunk", "cycle_low", "cycle_high", "cycle_group", "reason"]


def _unmeasured(table: pd.DataFrame, dataset: Dataset, deals: pd.DataFrame) -> pd.DataFrame:
    """An ``overall`` row for each member with no closed deal: no estimate of their own
    (NaN), their team's rates for reference, and the reason."""
    team_of = members(dataset)
    measured = set(table.loc[table["dimension"] == "overall", "payee_id"])
    missing = [p for p in team_of.index if p not in measured]
    if not missing:
        return table
    has_open = set(deals.loc[deals["outcome"] == "open", "owner_id"])
    overall = table[table["dimension"] == "overall"].groupby("team_id").first()
    rows = []
    for payee in missing:
        team = team_of[payee]
        row = {c: np.nan for c in KEEP}
        row.update(payee_id=payee, team_id=team, dimension="overall", level="all", deals=0,
                   wins=0, sized=0, reason=ONLY_OPEN if payee in has_open else NO_DEALS)
        for col in ("win_group", "size_group", "cycle_group"):
            if team in overall.index:
                row[col] = overall.loc[team, col]
        rows.append(row)
    extra = pd.DataFrame(rows, columns=KEEP)
    return pd.concat([table, extra], ignore_index=True) if len(table) else extra


def activity_conversion(dataset: Dataset, window_days: int = 14, level: float = 0.9,
                        deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per rep and activity type: activities, those followed by new pipeline, shrunk rate."""
    acts = activities_frame(dataset)
    if acts.empty:
        return pd.DataFrame(columns=["payee_id", "team_id", "type", "activities",
                                     "converted", "conv_raw", "conv_shrunk", "conv_low",
                                     "conv_high", "conv_group"])
    d = deals if deals is not None else deals_frame(dataset)
    opened = d[d["engage_date"].notna() & d["account"].notna()][
        ["owner_id", "account", "engage_date"]].rename(columns={"owner_id": "payee_id"})
    a = acts[acts["account"].notna()].copy()
    a["row"] = np.arange(len(a))
    # the first deal of the same rep on the same account strictly after the activity
    matched = pd.merge_asof(
        a.sort_values("date"), opened.sort_values("engage_date"),
        left_on="date", right_on="engage_date", by=["payee_id", "account"],
        direction="forward", allow_exact_matches=False,
        tolerance=pd.Timedelta(days=window_days))
    matched["converted"] = matched["engage_date"].notna() * matched["quantity"]
    g = matched.groupby(["team_id", "type", "payee_id"], as_index=False).agg(
        activities=("quantity", "sum"), converted=("converted", "sum"))
    g = shrink_rates(g, ["team_id", "type"], "activities", "converted", level, prefix="conv")
    return g.sort_values(["type", "team_id", "conv_shrunk"], ascending=[True, True, False]
                         ).reset_index(drop=True)


def best_and_worst(table: pd.DataFrame, min_deals: int = 5) -> pd.DataFrame:
    """Per rep: the level (outside 'overall') where their shrunk win rate beats their team's
    most, and where it lags most — a one-line strengths summary for a leader."""
    t = table[(table["dimension"] != "overall") & (table["deals"] >= min_deals)].copy()
    t["gap"] = t["win_shrunk"] - t["win_group"]
    t["label"] = t["dimension"] + "=" + t["level"].astype(str)
    best = t.sort_values("gap", ascending=False).drop_duplicates("payee_id")
    worst = t.sort_values("gap").drop_duplicates("payee_id")
    out = best[["payee_id", "label", "gap"]].rename(columns={"label": "best", "gap": "best_gap"})
    return out.merge(worst[["payee_id", "label", "gap"]].rename(
        columns={"label": "worst", "gap": "worst_gap"}), on="payee_id", how="outer")

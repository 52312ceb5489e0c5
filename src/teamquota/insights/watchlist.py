"""Under-performance watchlist and free-rider check, with evidence and a coaching focus.

Every member of a team in the window (the last ``n`` periods) gets a row and a status:

* ``no data``: the data holds fewer than ``min_periods`` periods, the rep was a member for
  fewer of the window, or logged no deal and no activity in it: the reason says which;
* ``zero outcome``: active (deals or activities) but nothing won: assessed, at 0%;
* ``assessed``: everyone else.

Each assessed rep's attainment in a period is divided by the median of their team peers'
that period (leave-one-out; all reps when the team has fewer than ``min_peers`` others),
which removes seasons and team-wide shocks. Two tests on these relative levels R:

1. **Below peers** (level): the mean R over the window, against the peers' centre, on the
   scale of a random-effects null: z = (mean R - centre) / sqrt(tau^2 + sigma^2 / T), where
   sigma^2 is the pooled within-rep variance of R per period and tau^2 the between-rep
   spread normal reps show (robust: MAD of the means, minus the sampling part). A rep who
   is merely at the low end of normal talent is not a finding.
2. **Recent drop** (change point on the rep's own history): for d = 1..``max_drop``, the
   mean of the last d periods against the mean before, z = gap / (sigma sqrt(1/d +
   1/(T-d))); the smallest one-sided p-value times the number of d tried (Bonferroni).
   Only a drop that ends below the peers (mean of the last d under 1) counts.

Both tests run on three channels: attainment, activity volume and wins per activity (the
last two when the rep has an activity log); per rep and test the smallest p-value times
the number of channels (Bonferroni). Each test's p-values are then adjusted by
**Benjamini-Hochberg within the team** (the false discovery rate at ``fdr``); a rep is
flagged when either is rejected *and* the attainment itself agrees: below the peers with
its own one-sided p at most ``outcome_gate`` (for a drop: attainment under the peers over
those periods, and its own drop p at most ``drop_gate``). Low activity with normal sales
is not a finding. ``k`` > 0 adds the old gate (at least k periods below ``threshold``).
Wins per activity are pooled over the window for the level test (few wins a period; see
:func:`_pooled_conversion`). The shrunk level shown is the
normal-normal posterior mean of R (weight tau^2 / (tau^2 + sigma^2 / T)) with its upper
``level`` bound, times the peers' attainment.

Pattern labels, tried in order: ``recent_drop`` (the change-point test rejected),
``disengaged`` (activity under ``low_activity`` x the team peers' median),
``busy_not_converting`` (activity at least ``busy_activity`` x while bookings per
activity are under ``low_conversion`` x), ``low_outcomes`` otherwise (or no activity log).

:func:`free_riders` compares, for a team plan, each member's share of the team payout with
their share of the team's contribution (won amount).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from teamquota.data.dataset import Dataset
from teamquota.insights.attainment import attainment_frame
from teamquota.insights.frames import (
    PeriodKind,
    activities_frame,
    deals_frame,
    period_labels,
)
from teamquota.insights.shrinkage import shrink_rates

NO_DATA, ZERO_OUTCOME, ASSESSED = "no data", "zero outcome", "assessed"
# 1.4826 x MAD estimates a normal sd, robust to the few planted reps among the means
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class WatchlistRules:
    n: int = 8                  # the window: the last n periods
    fdr: float = 0.05           # Benjamini-Hochberg level per team, for each test
    max_drop: int = 3           # the change-point test tries the last 1..max_drop periods
    min_periods: int = 2        # member periods in the window needed to be assessed
    min_peers: int = 3          # fewer team peers in a period: compare with all reps
    peers: str = "team"         # "team" (default) or "all" reps as the reference
    outcome_gate: float = 0.25  # the attainment's own one-sided p must be at most this
    drop_gate: float = 0.5      # the same for a drop (its own drop test; bookings lag)
    k: int = 0                  # > 0: also need k periods below threshold (the old gate)
    threshold: float = 0.8      # "low period" (evidence; the gate when k > 0)
    level: float = 0.95         # one-sided upper bound of the shrunk level, shown
    low_activity: float = 0.7
    busy_activity: float = 0.85
    low_conversion: float = 0.7


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """BH-adjusted p-values (q-values): reject at level q where the result <= q.

    q_(i) = min over j >= i of p_(j) m / j (sorted ascending), capped at 1; NaN stays NaN
    and does not count in m.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    values = np.empty(m)
    values[order] = adjusted
    out[ok] = values
    return out


def assess(dataset: Dataset, rules: WatchlistRules | None = None,
           period: PeriodKind = "quarter", attainment: pd.DataFrame | None = None,
           measure: str | None = None) -> pd.DataFrame:
    """One row per team member (and per rep with data) with the evidence and ``flagged``."""
    return assess_each(dataset, [rules or WatchlistRules()], period, attainment, measure)[0]


def assess_each(dataset: Dataset, rules: list[WatchlistRules], period: PeriodKind = "quarter",
                attainment: pd.DataFrame | None = None, measure: str | None = None,
                focus: bool = True) -> list[pd.DataFrame]:
    """:func:`assess` under each of ``rules``, reading the data once (the evaluation's
    path; ``focus=False`` skips the coaching focus, which no flag depends on)."""
    deals = deals_frame(dataset, period)
    if attainment is None:
        attainment, _ = attainment_frame(dataset, period, measure, deals)
    all_acts = activities_frame(dataset, period)
    focus_table = None
    results = []
    for r in rules:
        window = sorted(attainment["period"].dropna().unique())[-r.n:]
        acts = all_acts[all_acts["period"].isin(window)]
        grid = _grid(dataset, deals, attainment, window)
        per_rep = _status(grid, deals, acts, window, r, period)
        judged = per_rep.loc[per_rep["status"] != NO_DATA, "payee_id"]
        grid = _with_channels(grid[grid["payee_id"].isin(judged)], deals, acts)
        per_rep = per_rep.merge(_tests(_relative(grid, r, "attainment"), r), on="payee_id",
                                how="left")
        for channel in CHANNELS[1:]:
            found = _tests(_relative(grid, r, channel), r)
            found = found[["payee_id", "relative", "p_level", "drop_periods", "p_drop"]]
            if channel == "conversion":  # few wins a period: pool them over the window
                pooled = _pooled_conversion(grid, r)
                found = found.drop(columns=["relative", "p_level"]).merge(
                    pooled, on="payee_id", how="left")
            per_rep = per_rep.merge(found.rename(columns={
                c: f"{channel}_{c}" for c in found.columns if c != "payee_id"}),
                on="payee_id", how="left")
        per_rep = _decide(_combine(per_rep), r)
        _add_activity(per_rep, set(acts["payee_id"].unique()))
        per_rep["pattern"] = [_pattern(row, r) if row.flagged else "" for row in
                              per_rep.itertuples()]
        if focus:
            if focus_table is None:
                focus_table = coaching_focus(deals, per_rep["payee_id"])
            per_rep = per_rep.merge(focus_table, on="payee_id", how="left")
            per_rep[["focus_product", "focus_stage"]] = per_rep[
                ["focus_product", "focus_stage"]].fillna("")
        per_rep["evidence"] = [_evidence(row, r, window) for row in per_rep.itertuples()]
        per_rep["rank"] = per_rep["status"].map({ASSESSED: 0, ZERO_OUTCOME: 0, NO_DATA: 1})
        results.append(per_rep.sort_values(["flagged", "rank", "shrunk_attainment"],
                                           ascending=[False, True, True])
                       .drop(columns="rank").reset_index(drop=True))
    return results


def watchlist(dataset: Dataset, rules: WatchlistRules | None = None,
              period: PeriodKind = "quarter", attainment: pd.DataFrame | None = None,
              measure: str | None = None) -> pd.DataFrame:
    """Only the flagged reps, worst first."""
    table = assess(dataset, rules, period, attainment, measure)
    return table[table["flagged"]].reset_index(drop=True)


def _grid(dataset: Dataset, deals: pd.DataFrame, attainment: pd.DataFrame,
          window: list[str]) -> pd.DataFrame:
    """(payee, team, period) for every member period of the window and every attainment
    row in it, with attainment. A member period without a row (no target, or no deals
    under the peer-median proxy) is judged as won / the period's median target."""
    rows = attainment[attainment["period"].isin(window)]
    members = _members_per_period(dataset, rows[["team_id", "period", "payee_id"]]
                                  if len(rows) else pd.DataFrame({"period": window}))
    if "team_id" not in members:
        members = pd.DataFrame(columns=["team_id", "period", "payee_id"])
    members = members[members["period"].isin(window)]
    keys = ["payee_id", "period"]
    value_cols = [c for c in ("attainment", "won_amount", "target_amount") if c in rows]
    grid = members.merge(rows[keys + value_cols], on=keys, how="outer")
    # a rep with a membership counts only in their member periods (the peer-median proxy
    # gives every rep with deals a row in every period, 0 before they joined)
    if dataset.get("memberships") is not None and dataset["memberships"].num_rows:
        listed = set(dataset["memberships"]["payee_id"].to_pylist())
        member_keys = set(zip(members["payee_id"], members["period"], strict=True))
        keep = [p not in listed or (p, q) in member_keys
                for p, q in zip(grid["payee_id"], grid["period"], strict=True)]
        grid = grid[keep]
    team = rows.groupby("payee_id")["team_id"].last()
    grid["team_id"] = grid["team_id"].fillna(grid["payee_id"].map(team))
    # one team per rep: the one of their latest window period
    latest = grid.sort_values("period").groupby("payee_id")["team_id"].last()
    grid["team_id"] = grid["payee_id"].map(latest)
    won = deals[deals["period"].isin(window)].groupby(["owner_id", "period"])[
        "won_amount"].sum()
    missing = grid["attainment"].isna() if "attainment" in grid else pd.Series(
        True, index=grid.index)
    if missing.any():
        reference = (rows.groupby("period")["target_amount"].median()
                     if "target_amount" in rows else pd.Series(dtype=float))
        pairs = list(zip(grid["payee_id"], grid["period"], strict=True))
        won_here = pd.Series([won.get(pair, 0.0) for pair in pairs], index=grid.index)
        target = grid["period"].map(reference)
        with np.errstate(divide="ignore", invalid="ignore"):
            grid.loc[missing, "attainment"] = (won_here / target)[missing]
        grid.loc[missing, "won_amount"] = won_here[missing]
    return grid.drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def _status(grid: pd.DataFrame, deals: pd.DataFrame, acts: pd.DataFrame,
            window: list[str], r: WatchlistRules, period: PeriodKind = "quarter"
            ) -> pd.DataFrame:
    """Per rep: member periods, deals, activities and won in the window; status, reason."""
    per_rep = grid.groupby("payee_id", as_index=False).agg(
        team_id=("team_id", "last"), member_periods=("period", "size"),
        won_amount=("won_amount", "sum"), mean_attainment=("attainment", "mean"),
        history=("attainment", lambda a: [round(float(x), 3) for x in a]))
    # an open deal counts where it was engaged: working it is activity too
    when = period_labels(deals["close_date"].fillna(deals["engage_date"]), period)
    touched = deals[when.isin(window).to_numpy()].groupby("owner_id").size()
    logged = acts.groupby("payee_id")["quantity"].sum()
    per_rep["deals"] = per_rep["payee_id"].map(touched).fillna(0).astype(int)
    per_rep["activities"] = per_rep["payee_id"].map(logged).fillna(0.0)
    n = len(window)
    status, reason = [], []
    for row in per_rep.itertuples():
        if n < r.min_periods:
            status.append(NO_DATA)
            reason.append(f"no data: the data holds {n} period{'s' if n != 1 else ''} "
                          f"(need {r.min_periods} to compare)")
        elif row.member_periods < r.min_periods:
            status.append(NO_DATA)
            reason.append(f"no data: a member for only {row.member_periods} of the last "
                          f"{n} periods (need {r.min_periods})")
        elif row.deals == 0 and row.activities == 0:
            status.append(NO_DATA)
            reason.append(f"no data: no deals and no activities logged in the last {n} "
                          "periods")
        elif not row.won_amount > 0:
            status.append(ZERO_OUTCOME)
            reason.append(f"zero outcome: nothing won in the last {n} periods while active "
                          f"({row.deals} deals, {row.activities:.0f} activities)")
        else:
            status.append(ASSESSED)
            reason.append("")
    per_rep["status"], per_rep["reason"] = status, reason
    return per_rep


# the evidence channels: outcome (attainment), activity volume, and wins per activity
CHANNELS = ("attainment", "activity", "conversion")


def _with_channels(grid: pd.DataFrame, deals: pd.DataFrame, acts: pd.DataFrame
                   ) -> pd.DataFrame:
    """Add per (rep, period) ``activity`` (NaN for a rep without an activity log in the
    window, 0 in a period without any) and ``conversion`` = won deals / activity."""
    grid = grid.copy()
    volume = acts.groupby(["payee_id", "period"])["quantity"].sum()
    logged = set(acts["payee_id"].unique())
    wins = deals[deals["outcome"] == "won"].groupby(["owner_id", "period"]).size()
    pairs = list(zip(grid["payee_id"], grid["period"], strict=True))
    grid["activity"] = [float(volume.get(pair, 0.0)) if pair[0] in logged else np.nan
                        for pair in pairs]
    grid["wins"] = [float(wins.get(pair, 0)) for pair in pairs]
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["conversion"] = np.where(grid["activity"] > 0,
                                      grid["wins"] / grid["activity"], np.nan)
    return grid


def _relative(grid: pd.DataFrame, r: WatchlistRules, value: str = "attainment"
              ) -> pd.DataFrame:
    """Add ``reference`` (leave-one-out median of ``value`` over the peers that period)
    and ``relative`` = value / reference."""
    grid = grid.copy()
    grid["reference"] = np.nan
    for _, part in grid.groupby("period"):
        values = part[value].to_numpy(dtype=float)
        teams = part["team_id"].to_numpy()
        refs = np.full(len(part), np.nan)
        for i in range(len(part)):
            others = np.arange(len(part)) != i
            mates = others & (teams == teams[i]) if r.peers == "team" else others
            peers = values[mates & ~np.isnan(values)]
            if len(peers) < r.min_peers:
                peers = values[others & ~np.isnan(values)]
            if len(peers):
                refs[i] = float(np.median(peers))
        grid.loc[part.index, "reference"] = refs
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["relative"] = np.where(grid["reference"] > 0,
                                    grid[value] / grid["reference"], np.nan)
    return grid


def _tests(grid: pd.DataFrame, r: WatchlistRules) -> pd.DataFrame:
    """Per rep: the level test against peers and the change-point test, unadjusted."""
    ok = grid.dropna(subset=["relative"]).sort_values(["payee_id", "period"])
    series = {p: g["relative"].to_numpy() for p, g in ok.groupby("payee_id")}
    rows = []
    for payee, part in grid.groupby("payee_id"):
        x = series.get(payee, np.array([]))
        rows.append({"payee_id": payee, "periods": len(x),
                     "relative": float(x.mean()) if len(x) else np.nan,
                     "peer_attainment": float(part["reference"].mean()),
                     "_rss": float(((x - x.mean()) ** 2).sum()) if len(x) else 0.0})
    out = pd.DataFrame(rows, columns=["payee_id", "periods", "relative", "peer_attainment",
                                      "_rss"])
    if out.empty:  # nobody to judge: the columns still exist, so every row says why
        return out.drop(columns="_rss").reindex(columns=[*out.columns[:-1], *TEST_COLUMNS])
    dof = np.clip(out["periods"] - 1, 0, None).sum()
    sigma2 = float(out["_rss"].sum() / dof) if dof > 0 else np.nan
    means = out["relative"].dropna().to_numpy()
    centre = float(np.median(means)) if len(means) else np.nan
    spread = MAD_TO_SD * float(np.median(np.abs(means - centre))) if len(means) else np.nan
    t = out["periods"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = sigma2 / t
        typical = float(np.nanmedian(noise)) if np.isfinite(noise).any() else np.nan
        tau2 = max(spread**2 - typical, 0.0) if len(means) else np.nan
        z = (out["relative"] - centre) / np.sqrt(tau2 + noise)
        weight = tau2 / (tau2 + noise) if tau2 > 0 else np.zeros_like(t)
    out["centre"], out["sigma"], out["tau"] = centre, np.sqrt(sigma2), np.sqrt(tau2)
    out["z_level"] = z
    out["p_level"] = stats.norm.cdf(z)
    shrunk = centre + weight * (out["relative"] - centre)
    with np.errstate(invalid="ignore"):  # a rep with no comparable period: NaN, not noise
        bound = shrunk + stats.norm.ppf(r.level) * np.sqrt(weight * noise)
    out["shrunk_attainment"] = shrunk * out["peer_attainment"]
    out["shrunk_high"] = bound * out["peer_attainment"]
    for d in range(1, r.max_drop + 1):  # the outcome's recent level, to gate a drop with
        out[f"recent_{d}"] = [float(series[p][-d:].mean()) if len(series.get(p, [])) > d
                              else np.nan for p in out["payee_id"]]
    drops = [_drop_test(series.get(p, np.array([])), np.sqrt(sigma2), r.max_drop)
             for p in out["payee_id"]]
    out["drop_periods"] = [d[0] for d in drops]
    out["before_relative"] = [d[1] for d in drops]
    out["after_relative"] = [d[2] for d in drops]
    out["p_drop"] = [d[3] for d in drops]
    return out.drop(columns="_rss")


def _pooled_conversion(grid: pd.DataFrame, r: WatchlistRules) -> pd.DataFrame:
    """Level test on wins per activity pooled over the window (a rate of small counts):
    y = log((W + 0.5) / A) minus the team peers' median (leave-one-out), sampling
    variance 1 / (W + 0.5) (Poisson wins), against the between-rep spread tau^2 (MAD of y
    minus the median sampling variance) as in :func:`_tests`."""
    sums = grid.groupby("payee_id").agg(team_id=("team_id", "last"),
                                        wins=("wins", "sum"), activity=("activity", "sum"),
                                        logged=("activity", "count"))
    sums = sums[(sums["logged"] > 0) & (sums["activity"] > 0)]
    if sums.empty:
        return pd.DataFrame(columns=["payee_id", "relative", "p_level"])
    y = np.log((sums["wins"] + 0.5) / sums["activity"]).to_numpy()
    teams = sums["team_id"].to_numpy()
    rel = np.full(len(y), np.nan)
    for i in range(len(y)):
        others = np.arange(len(y)) != i
        mates = others & (teams == teams[i]) if r.peers == "team" else others
        if mates.sum() < r.min_peers:
            mates = others
        if mates.any():
            rel[i] = y[i] - float(np.median(y[mates]))
    noise = 1.0 / (sums["wins"].to_numpy() + 0.5)
    ok = ~np.isnan(rel)
    centre = float(np.median(rel[ok])) if ok.any() else np.nan
    spread = MAD_TO_SD * float(np.median(np.abs(rel[ok] - centre))) if ok.any() else np.nan
    tau2 = max(spread**2 - float(np.median(noise[ok])), 0.0) if ok.any() else np.nan
    z = (rel - centre) / np.sqrt(tau2 + noise)
    return pd.DataFrame({"payee_id": sums.index, "relative": np.exp(rel),
                         "p_level": stats.norm.cdf(z)})


TEST_COLUMNS = ["centre", "sigma", "tau", "z_level", "p_level", "shrunk_attainment",
                "shrunk_high", "drop_periods", "before_relative", "after_relative", "p_drop"]


def _drop_test(x: np.ndarray, sigma: float, max_drop: int
               ) -> tuple[int, float, float, float]:
    """(d, mean before, mean of the last d, Bonferroni p) for the steepest recent drop.

    Needs at least 2 periods before the last d; p = min over d of Phi(z_d) x (d tried)."""
    tried = [d for d in range(1, max_drop + 1) if len(x) - d >= 2]
    if not tried or not sigma > 0:
        return 0, np.nan, np.nan, np.nan
    best = (0, np.nan, np.nan, 1.0)
    for d in tried:
        before, after = float(x[:-d].mean()), float(x[-d:].mean())
        z = (after - before) / (sigma * np.sqrt(1.0 / d + 1.0 / (len(x) - d)))
        p = float(stats.norm.cdf(z))
        if p < best[3]:
            best = (d, before, after, p)
    return best[0], best[1], best[2], min(best[3] * len(tried), 1.0)


def _combine(per_rep: pd.DataFrame) -> pd.DataFrame:
    """One level and one drop p-value per rep: the smallest over the channels with data,
    times their number (Bonferroni), and the channel it came from."""
    per_rep = per_rep.copy()
    names = {"attainment": "", "activity": "activity_", "conversion": "conversion_"}
    for test in ("level", "drop"):
        p = per_rep[[f"{names[c]}p_{test}" for c in CHANNELS]].to_numpy(dtype=float)
        tried = (~np.isnan(p)).sum(axis=1)
        best = np.where(tried > 0, np.nanargmin(np.where(np.isnan(p), np.inf, p), axis=1), 0)
        smallest = np.where(tried > 0, p[np.arange(len(p)), best], np.nan)
        per_rep[f"p_{test}_any"] = np.minimum(smallest * tried, 1.0)
        per_rep[f"{test}_channel"] = np.where(tried > 0, np.array(CHANNELS)[best], "")
    d = per_rep[[f"{names[c]}drop_periods" for c in CHANNELS]].to_numpy(dtype=float)
    best = [CHANNELS.index(c) if c else 0 for c in per_rep["drop_channel"]]
    per_rep["drop_periods"] = np.nan_to_num(d[np.arange(len(d)), best]).astype(int)
    per_rep["drop_outcome"] = [  # the attainment relative to peers over those periods
        float(per_rep[f"recent_{k}"].iloc[i]) if k and f"recent_{k}" in per_rep else np.nan
        for i, k in enumerate(per_rep["drop_periods"])]
    return per_rep


def _decide(per_rep: pd.DataFrame, r: WatchlistRules) -> pd.DataFrame:
    """BH within each team, per test; flagged when either is rejected (and the k gate)."""
    per_rep = per_rep.copy()
    per_rep["q_level"], per_rep["q_drop"] = np.nan, np.nan
    for _, index in per_rep.groupby("team_id").groups.items():
        per_rep.loc[index, "q_level"] = benjamini_hochberg(per_rep.loc[index, "p_level_any"])
        per_rep.loc[index, "q_drop"] = benjamini_hochberg(per_rep.loc[index, "p_drop_any"])
    # whichever channel gave the evidence, the outcome itself must be below the peers: a
    # rep with little activity who still sells like the team is not for this list, nor a
    # star who cools off to 190% of the team
    per_rep["below_peers"] = ((per_rep["q_level"] <= r.fdr) & (per_rep["relative"] < 1.0)
                              & (per_rep["p_level"] <= r.outcome_gate))
    per_rep["recent_drop"] = ((per_rep["q_drop"] <= r.fdr) & (per_rep["drop_outcome"] < 1.0)
                              & (per_rep["p_drop"].fillna(1.0) <= r.drop_gate))
    per_rep["low_periods"] = [sum(a < r.threshold for a in h) if isinstance(h, list) else 0
                              for h in per_rep["history"]]
    flagged = per_rep["below_peers"] | per_rep["recent_drop"]
    if r.k > 0:
        flagged &= per_rep["low_periods"] >= r.k
    per_rep["flagged"] = flagged & (per_rep["status"] != NO_DATA)
    return per_rep


def _add_activity(per_rep: pd.DataFrame, logged: set[str]) -> None:
    """Activity volume and bookings per activity in the window, each / the team peers'
    median (reps without an activity log are left out of the medians and get NaN)."""
    per_rep["activity_ratio"] = np.nan
    per_rep["conversion_ratio"] = np.nan
    for _, index in per_rep.groupby("team_id").groups.items():
        part = per_rep.loc[index]
        has_log = part["payee_id"].isin(logged) & (part["status"] != NO_DATA)
        if not has_log.any():
            continue
        volume = part["activities"].where(has_log)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_activity = (part["won_amount"] / volume).replace([np.inf], np.nan)
        peer_volume, peer_conversion = volume.median(), per_activity.median()
        if peer_volume > 0:
            per_rep.loc[index, "activity_ratio"] = volume / peer_volume
        if peer_conversion > 0:
            per_rep.loc[index, "conversion_ratio"] = per_activity / peer_conversion


def _pattern(row: Any, r: WatchlistRules) -> str:
    if row.recent_drop:
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


CHANNEL_NAMES = {"attainment": "attainment", "activity": "activity volume",
                 "conversion": "wins per activity"}


def _evidence(row: Any, r: WatchlistRules, window: list[str]) -> str:
    if row.status == NO_DATA:
        return str(row.reason)
    parts = [str(row.reason)] if row.reason else []
    history = row.history if isinstance(row.history, list) else []
    parts.append(f"{row.low_periods} of last {len(history)} periods below {_pct(r.threshold)} "
                 f"({', '.join(_pct(x) for x in history)})")
    parts.append(f"attainment {_pct(row.relative)} of team peers; shrunk "
                 f"{_pct(row.shrunk_attainment)} (upper bound {_pct(row.shrunk_high)}) vs "
                 f"peers {_pct(row.peer_attainment)}")
    if row.level_channel:
        channel = row.level_channel
        level = row.relative if channel == "attainment" else getattr(row, f"{channel}_relative")
        parts.append(f"level test: {CHANNEL_NAMES[channel]} {_pct(level)} of peers "
                     f"(p = {row.p_level_any:.3g}, BH q = {row.q_level:.3g})")
    if row.drop_periods and row.q_drop <= 0.5:  # a drop worth a look, not every wobble
        channel = CHANNEL_NAMES[row.drop_channel]
        parts.append(f"drop test: {channel} fell over the last {int(row.drop_periods)} "
                     f"(p = {row.p_drop_any:.3g}, BH q = {row.q_drop:.3g}); attainment "
                     f"there {_pct(row.drop_outcome)} of peers")
    if pd.notna(row.activity_ratio):
        conversion = ("n/a" if pd.isna(row.conversion_ratio)
                      else f"{row.conversion_ratio:.2f}x")
        parts.append(f"activity {row.activity_ratio:.2f}x peers, bookings per activity "
                     f"{conversion} peers")
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

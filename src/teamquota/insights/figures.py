"""Plotly figures for each insight (written to HTML by :mod:`teamquota.insights.charts`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from teamquota.core.markup import chart_label
from teamquota.insights.allocate import AllocationResult
from teamquota.insights.conflicts import ConflictReport
from teamquota.insights.simulate import SimulationResult

SHRUNK_COLOUR = "#0b6e4f"
RAW_COLOUR = "#9fb3c8"


def strengths_intervals(table: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Overall shrunk win rate per rep with its interval, raw rate as a hollow marker."""
    t = table[table["dimension"] == "overall"].sort_values(["team_id", "win_shrunk"])
    # a rep without closed deals stays on the chart, labelled, with no marker of their own
    unmeasured = t["win_shrunk"].isna()
    label = (t["payee_id"].map(names).fillna(t["payee_id"]) + " (" + t["team_id"] + ")"
             + unmeasured.map({True: " - no closed deals", False: ""})).map(chart_label)
    fig = go.Figure()
    # colours spelled out: the error bars' default follows the marker colour, which
    # plotly.js could not parse here ("Invalid color specifier", bars drawn black)
    fig.add_trace(go.Scatter(
        x=t["win_shrunk"], y=label, mode="markers", name="shrunk (posterior mean)",
        marker={"color": SHRUNK_COLOUR},
        error_x={"type": "data", "symmetric": False, "color": SHRUNK_COLOUR,
                 "array": (t["win_high"] - t["win_shrunk"]).fillna(0),
                 "arrayminus": (t["win_shrunk"] - t["win_low"]).fillna(0)}))
    fig.add_trace(go.Scatter(x=t["win_raw"], y=label, mode="markers", name="raw",
                             marker={"symbol": "circle-open", "color": RAW_COLOUR}))
    fig.update_layout(title="Win rate per rep, shrunk toward the team (90% interval)",
                      xaxis_title="win rate", xaxis_tickformat=".0%",
                      height=max(400, 22 * len(t)))
    return fig


def strengths_heatmap(table: pd.DataFrame, dimension: str, names: dict[str, str]) -> go.Figure:
    t = table[table["dimension"] == dimension].copy()
    t["gap"] = t["win_shrunk"] - t["win_group"]
    grid = t.pivot_table(index="payee_id", columns="level", values="gap", aggfunc="first")
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=[chart_label(c) for c in grid.columns],
        y=[chart_label(names.get(p, p)) for p in grid.index], colorscale="RdBu", zmid=0,
        colorbar={"title": "vs team", "tickformat": "+.0%"}))
    fig.update_layout(title=f"Shrunk win rate minus team rate, by {dimension}",
                      height=max(400, 22 * len(grid)))
    return fig


def watchlist_scatter(table: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    fig = go.Figure()
    for flagged, group in table.groupby("flagged"):
        fig.add_trace(go.Scatter(
            x=group["mean_attainment"], y=group["shrunk_high"], mode="markers",
            name="flagged" if flagged else "not flagged",
            text=[chart_label(f"{names.get(p, p)} {pat}") for p, pat in zip(group["payee_id"],
                                                            group["pattern"], strict=True)],
            marker={"size": 10, "symbol": "x" if flagged else "circle"}))
    peer = float(table["peer_attainment"].iloc[0]) if len(table) else 1.0
    fig.add_hline(y=peer, line_dash="dash", annotation_text="peer mean")
    fig.update_layout(title="Recent attainment vs the shrunk upper bound (flags: level or "
                      "drop tests, Benjamini-Hochberg per team)",
                      xaxis_title="mean attainment, last periods",
                      yaxis_title="shrunk upper bound", xaxis_tickformat=".0%",
                      yaxis_tickformat=".0%")
    return fig


def allocation_bars(result: AllocationResult) -> go.Figure:
    fig = go.Figure()
    for duty, group in result.plan.groupby("duty", sort=False):
        fig.add_trace(go.Bar(x=group["rep"].map(chart_label), y=group["hours"],
                             name=chart_label(duty)))
    even = result.even_split.groupby("rep", sort=False)["expected_bookings"].sum()
    best = result.plan.groupby("rep", sort=False)["expected_bookings"].sum()
    error = None
    if "expected_low" in result.plan:  # the plan at the strength intervals' ends
        ends = result.plan.groupby("rep", sort=False)[["expected_low", "expected_high"]].sum()
        error = {"type": "data", "symmetric": False, "color": SHRUNK_COLOUR,
                 "array": list(ends["expected_high"] - best),
                 "arrayminus": list(best - ends["expected_low"])}
    fig.add_trace(go.Scatter(x=[chart_label(r) for r in best.index], y=list(best.values),
                             name="expected bookings (plan)", yaxis="y2", mode="markers",
                             marker={"size": 12, "color": SHRUNK_COLOUR}, error_y=error))
    fig.add_trace(go.Scatter(x=[chart_label(r) for r in even.index], y=list(even.values),
                             name="expected bookings (even split)", yaxis="y2", mode="markers",
                             marker={"size": 12, "symbol": "diamond-open",
                                     "color": RAW_COLOUR}))
    # both axes from 0: hours and bookings are never negative, and plotly's automatic
    # range for the overlaid axis otherwise shows a negative bookings tick
    top = max([0.0, *best.values, *even.values,
               *(ends["expected_high"].to_numpy() if error else [])])
    fig.update_layout(barmode="stack", title="Proposed hours per rep by duty",
                      yaxis={"title": "hours per week", "rangemode": "nonnegative"},
                      yaxis2={"overlaying": "y", "side": "right", "title": "expected bookings",
                              "range": [0, 1.1 * top if top > 0 else 1],
                              "rangemode": "nonnegative"})
    return fig


def conflict_bars(report: ConflictReport) -> go.Figure:
    s = report.summary.groupby(["team_id", "kind"], as_index=False)[
        ["same_team", "cross_team"]].sum()
    fig = go.Figure()
    for kind, group in s.groupby("kind"):
        fig.add_trace(go.Bar(x=group["team_id"].map(chart_label), y=group["same_team"],
                             name=f"{kind}: same team"))
        fig.add_trace(go.Bar(x=group["team_id"].map(chart_label), y=group["cross_team"],
                             name=f"{kind}: cross team"))
    fig.update_layout(barmode="group", title="Pipeline conflicts per team: same team (a team "
                      "target removes these) vs across teams", yaxis_title="count")
    return fig


def simulation_costs(result: SimulationResult) -> go.Figure:
    s = result.summary
    fig = go.Figure()
    fig.add_trace(go.Bar(x=s["design"], y=s["expected_total"], name="expected per quarter"))
    fig.add_trace(go.Bar(x=s["design"], y=s["p95_total"], name="P95 per quarter"))
    fig.update_layout(barmode="group", title=f"Total payout per quarter by design "
                      f"({result.replicates} bootstrap replicates)", yaxis_title="payout")
    return fig


def simulation_fairness(result: SimulationResult) -> go.Figure:
    s = result.summary
    fig = go.Figure()
    fig.add_trace(go.Bar(x=s["design"], y=s["gini"], name="Gini of payouts"))
    fig.add_trace(go.Bar(x=s["design"], y=s["bottom_quartile_payout_share"],
                         name="payout share of the bottom quartile of contributors"))
    fig.add_trace(go.Bar(x=s["design"], y=s["rep_earns_nothing"], name="rep earns nothing"))
    fig.add_trace(go.Bar(x=s["design"], y=s["team_earns_nothing"], name="team earns nothing"))
    fig.add_hline(y=float(s["bottom_quartile_contribution_share"].iloc[0]), line_dash="dot",
                  annotation_text="bottom quartile's share of won revenue")
    fig.update_layout(barmode="group", title="Dispersion, free-rider exposure and zero "
                      "payouts by design", yaxis_tickformat=".0%")
    return fig


def simulation_threshold(result: SimulationResult) -> go.Figure:
    fig = go.Figure()
    for design, group in result.sensitivity.groupby("design", sort=False):
        if group["threshold"].nunique() < 2:
            continue
        fig.add_trace(go.Scatter(x=group["threshold"], y=group["expected_total"],
                                 mode="lines+markers", name=design))
    fig.update_layout(title="Expected payout per quarter vs the team threshold",
                      xaxis_title="team attainment gate", xaxis_tickformat=".0%",
                      yaxis_title="expected payout")
    return fig

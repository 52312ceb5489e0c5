"""Plan-fit simulator: replay the team's history under several plan designs, on the engine.

Designs are plans in the plan language (built here as YAML and validated by the plan
model), each paid by :func:`teamquota.calculate` over a bootstrap replay of the history
(:mod:`teamquota.insights.replay`; one engine run pays every replicate):

* ``individual``: personal curve only;
* ``hybrid 70/30`` and ``hybrid 40/60``: personal / team weights;
* ``team only``: the team curve only;
* ``team pool``: a pool of ``rate`` x team won, split by target-incentive share;
* ``team pool + guard``: the same, with the free-rider guard (a member needs at least 5%
  of the team's won to share).

Personal curve: 0 below 50%, 0 -> 100% at 50% -> 100%, 200% at 150%, cap 250%. Team curve:
25% at 50%, 100% at 100%, 160% at 130%, cap 200%, and a gate at the team threshold (80% by
default). The pool rate is set so that a team exactly at target pays its members' summed
period target incentive. Per design: expected and P95 total payout per quarter, mean Gini
of payouts, share of payout to the bottom quartile of contributors, how often a rep and a
team earn nothing, and the same totals at other team thresholds (sensitivity).

The replay re-pays what happened; it does not model how people would behave under another
plan (e.g. more teamwork under a team plan, or coasting) — every recommendation says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.replay import Replay, build_replay
from teamquota.plan.loader import LoadedPlan, load_plan_text

PERSONAL = "curve: [[0.5, 0], [1, 1], [1.5, 2]]\n      cap: 2.5"
TEAM = "curve: [[0.5, 0.25], [1, 1], [1.3, 1.6]]\n      cap: 2.0"
WON = "{sum: amount, where: {stage: Won}}"
DESIGNS = ("individual", "hybrid 70/30", "hybrid 40/60", "team only", "team pool",
           "team pool + guard")
THRESHOLDS = (Decimal("0.6"), Decimal("0.7"), Decimal("0.8"), Decimal("0.9"), Decimal("1.0"))
CAVEAT = ("This replays the team's own history under each design; it does not model how "
          "people change what they do when the plan changes.")


def _component(cid: str, scope: str, weight: str, payout: str, gate: str = "") -> str:
    gate_text = f"\n    gate: {gate}" if gate else ""
    return (f"  - id: {cid}\n    scope: {scope}\n    weight: {weight}\n    measure: {WON}\n"
            f"    payout:\n      {payout}{gate_text}\n")


def design_yaml(design: str, threshold: Decimal = Decimal("0.8"),
                pool_rate: Decimal = Decimal("0.1")) -> str:
    gate = f"{{team_attainment_at_least: {threshold}}}"
    head = f"plan: sim-{design.replace(' ', '-').replace('/', '-').replace('+', 'plus')}\n" \
           "period: quarter\ncurrency: USD\ncomponents:\n"
    if design == "individual":
        body = _component("personal", "payee", "1", PERSONAL)
    elif design.startswith("hybrid"):
        personal, team = design.split()[1].split("/")
        body = (_component("personal", "payee", f"0.{personal[0]}", PERSONAL)
                + _component("team", "team", f"0.{team[0]}", TEAM, gate))
    elif design == "team only":
        body = _component("team", "team", "1", TEAM, gate)
    elif design.startswith("team pool"):
        guard = ", min_contribution_share: 0.05" if design.endswith("guard") else ""
        body = (f"  - id: pool\n    scope: team\n    measure: {WON}\n    gate: "
                f"{{team_attainment_at_least: {threshold}{guard}}}\n    payout:\n"
                f"      pool: {{rate: {pool_rate}, split: ti_share}}\n")
    else:
        raise ValueError(f"unknown design {design!r}; designs: {', '.join(DESIGNS)}")
    return head + body + "crediting: {rollup: false}\n"


def design_plan(design: str, threshold: Decimal = Decimal("0.8"),
                pool_rate: Decimal = Decimal("0.1")) -> LoadedPlan:
    return load_plan_text(design_yaml(design, threshold, pool_rate), f"<design {design}>")


def pool_rate_for(replay: Replay) -> Decimal:
    """Rate at which a team exactly at target pays its seats' period target incentive."""
    ti = replay.dataset["payees"]["target_incentive"].to_pylist()
    period_ti = sum(ti, Decimal(0)) / 4
    mean_target = replay.seats.groupby("period")["target_amount"].sum().mean()
    per_period_target = Decimal(f"{mean_target:.2f}")
    return (period_ti / per_period_target).quantize(Decimal("0.0001"))


@dataclass
class SimulationResult:
    summary: pd.DataFrame          # one row per design
    sensitivity: pd.DataFrame      # design, threshold, expected, p95, team_zero
    rep_zero: pd.DataFrame         # design, rep_id, seats, zero_share
    per_replicate: pd.DataFrame    # design, threshold, period, total
    recommendation: str
    replicates: int
    pool_rate: Decimal
    notes: list[str] = field(default_factory=list)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal; 0 when nothing is paid)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * np.sum(ranks * x)) / (n * total) - (n + 1) / n)


def pay(replay: Replay, plan: LoadedPlan) -> pd.DataFrame:
    """Total payout per seat and replicate, from the engine (sum of its rounded lines)."""
    import teamquota
    results = teamquota.calculate(plan, replay.dataset, periods=replay.periods)
    totals = results.totals().to_pandas()
    totals["amount"] = totals["amount"].map(float)
    paid = replay.seats.merge(totals[["period", "payee_id", "amount"]],
                              on=["period", "payee_id"], how="left")
    paid["amount"] = paid["amount"].fillna(0.0)
    return paid


def measure(paid: pd.DataFrame) -> dict[str, float]:
    per_period = paid.groupby("period")["amount"].sum()
    team_paid = paid.groupby(["period", "team_id"])["amount"].sum()
    ginis = paid.groupby("period")["amount"].apply(lambda s: gini(s.to_numpy()))

    def bottom_share(group: pd.DataFrame) -> float:
        ranked = group.sort_values(["won_amount", "payee_id"])
        bottom = ranked.head(max(len(ranked) // 4, 1))
        total = group["amount"].sum()
        return float(bottom["amount"].sum() / total) if total > 0 else 0.0

    def bottom_contribution(group: pd.DataFrame) -> float:
        ranked = group.sort_values(["won_amount", "payee_id"])
        bottom = ranked.head(max(len(ranked) // 4, 1))
        total = group["won_amount"].sum()
        return float(bottom["won_amount"].sum() / total) if total > 0 else 0.0

    periods = paid.groupby("period")
    return {
        "expected_total": float(per_period.mean()),
        "p95_total": float(np.percentile(per_period, 95)),
        "gini": float(ginis.mean()),
        "bottom_quartile_payout_share": float(periods.apply(bottom_share).mean()),
        "bottom_quartile_contribution_share": float(periods.apply(bottom_contribution).mean()),
        "rep_earns_nothing": float((paid["amount"] == 0).mean()),
        "team_earns_nothing": float((team_paid == 0).mean()),
    }


def simulate(dataset: Dataset, designs: Sequence[str] = DESIGNS, replicates: int = 200,
             seed: int = 0, threshold: Decimal = Decimal("0.8"),
             thresholds: Sequence[Decimal] = THRESHOLDS, reps: str = "resample"
             ) -> SimulationResult:
    replay = build_replay(dataset, replicates, seed, reps)
    rate = pool_rate_for(replay)
    rows, sens, zero_rows, per_rep = [], [], [], []
    for design in designs:
        for thr in ([threshold] if design == "individual" else
                    sorted({threshold, *thresholds})):
            paid = pay(replay, design_plan(design, thr, rate))
            stats = measure(paid)
            sens.append({"design": design, "threshold": float(thr),
                         "expected_total": stats["expected_total"],
                         "p95_total": stats["p95_total"],
                         "team_earns_nothing": stats["team_earns_nothing"]})
            totals = paid.groupby("period")["amount"].sum()
            per_rep.append(pd.DataFrame({"design": design, "threshold": float(thr),
                                         "period": totals.index, "total": totals.values}))
            if thr == threshold:
                rows.append({"design": design, **stats})
                z = paid.assign(zero=paid["amount"] == 0).groupby("rep_id")["zero"].agg(
                    ["size", "mean"]).reset_index()
                z.columns = ["rep_id", "seats", "zero_share"]
                z.insert(0, "design", design)
                zero_rows.append(z)
    summary = pd.DataFrame(rows)
    sensitivity = pd.DataFrame(sens)
    result = SimulationResult(summary, sensitivity, pd.concat(zero_rows, ignore_index=True),
                              pd.concat(per_rep, ignore_index=True), "", replicates, rate)
    result.recommendation = recommend(summary, sensitivity, threshold)
    return result


def recommended_design(text: str) -> str | None:
    """The design named on the recommendation's 'Recommended:' line."""
    for line in text.splitlines():
        if line.startswith("Recommended: "):
            return line.removeprefix("Recommended: ").split(" — ")[0]
    return None


def never_paid(result: SimulationResult, design: str, share: float = 0.5) -> list[str]:
    """Reps who earn nothing in more than ``share`` of their simulated quarters."""
    z = result.rep_zero[result.rep_zero["design"] == design]
    return sorted(z[z["zero_share"] > share]["rep_id"])


def recommend(summary: pd.DataFrame, sensitivity: pd.DataFrame,
              threshold: Decimal) -> str:
    """A short recommendation whose every claim is a number from the tables."""
    s = summary.set_index("design")
    lines = []
    base = s.loc["individual"] if "individual" in s.index else None
    # criteria for a team design: the bottom quartile is paid at most 10 points above what
    # it contributes, cost swings (P95 / expected) at most 1.2x the individual plan's, and
    # a team earns nothing in at most 20% of quarters
    cheapest = s["expected_total"].idxmin()
    lines.append(f"Lowest expected cost: {cheapest} ({s.loc[cheapest, 'expected_total']:,.0f} "
                 f"per quarter; P95 {s.loc[cheapest, 'p95_total']:,.0f}).")
    contribution = float(s["bottom_quartile_contribution_share"].iloc[0])
    riders = s[s["bottom_quartile_payout_share"] > contribution + 0.10]
    if len(riders):
        worst = riders["bottom_quartile_payout_share"].idxmax()
        lines.append(
            f"Free-rider exposure: the bottom quartile of contributors brings "
            f"{contribution:.0%} of won revenue but gets "
            f"{s.loc[worst, 'bottom_quartile_payout_share']:.0%} of payout under {worst}"
            + (f" ({base['bottom_quartile_payout_share']:.0%} under individual)."
               if base is not None else "."))
    team_designs = s.drop(index=[d for d in ("individual",) if d in s.index])
    if base is not None and len(team_designs):
        ok = team_designs[
            (team_designs["bottom_quartile_payout_share"] <= contribution + 0.10)
            & (team_designs["p95_total"] / team_designs["expected_total"]
               <= 1.2 * base["p95_total"] / base["expected_total"])
            & (team_designs["team_earns_nothing"] <= 0.2)]
        if len(ok):
            # the most team-oriented design that passes (DESIGNS runs individual -> team)
            order = {d: i for i, d in enumerate(DESIGNS)}
            pick = max(ok.index, key=lambda d: order.get(d, -1))
            lines.append(
                f"Recommended: {pick} — keeps payout to the bottom quartile at "
                f"{s.loc[pick, 'bottom_quartile_payout_share']:.0%}, teams earn nothing "
                f"{s.loc[pick, 'team_earns_nothing']:.0%} of quarters, P95/expected "
                f"{s.loc[pick, 'p95_total'] / s.loc[pick, 'expected_total']:.2f} vs "
                f"{base['p95_total'] / base['expected_total']:.2f} individual.")
        else:
            lines.append("Recommended: individual — every team design here either pays the "
                         "bottom quartile well above its contribution, swings more in cost, "
                         "or leaves teams with nothing in more than 20% of quarters.")
    t = sensitivity[sensitivity["design"] != "individual"]
    if len(t) and t["threshold"].nunique() > 1:
        lo, hi = t["threshold"].min(), t["threshold"].max()
        at = t.groupby("threshold")[["expected_total", "team_earns_nothing"]].mean()
        lines.append(
            f"Team threshold: from {lo:.0%} to {hi:.0%} the average team design's expected "
            f"cost goes from {at.loc[lo, 'expected_total']:,.0f} to "
            f"{at.loc[hi, 'expected_total']:,.0f} and teams earn nothing in "
            f"{at.loc[lo, 'team_earns_nothing']:.0%} -> {at.loc[hi, 'team_earns_nothing']:.0%}"
            f" of quarters (current {float(threshold):.0%}).")
    lines.append(CAVEAT)
    return "\n".join(lines)

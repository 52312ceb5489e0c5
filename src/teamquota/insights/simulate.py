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

Given the **current plan** (``plan=``, the CLI's ``--plan``; the demo's AE hybrid plan on the
demo data), the replay runs on that plan's real targets (its targets table, or targets
suggested for it as ``teamquota demo`` makes them) and the designs' team gate defaults to
the plan's own; the plan itself is replayed as one more design, ``current (<plan id>)``,
marked ``current`` in the summary. Before any replicate is drawn, :func:`replay.backtest`
replays the actual periods and must reproduce the engine's payouts to the cent, else
:class:`replay.ReplayMismatch` stops the simulation naming the first difference.

The replay re-pays what happened; it does not model how people would behave under another
plan (e.g. more teamwork under a team plan, or coasting) — every recommendation says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.replay import (
    Backtest,
    Replay,
    ReplayMismatch,
    backtest,
    build_replay,
    plan_targets,
)
from teamquota.plan.loader import LoadedPlan, load_plan_text

if TYPE_CHECKING:
    from teamquota.engine.results import Results

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
    backtest: Backtest | None = None     # with a current plan: the check it passed
    current: str | None = None           # the current plan's design name


def current_name(loaded: LoadedPlan) -> str:
    return f"current ({loaded.plan.plan})"


def plan_gate(loaded: LoadedPlan) -> Decimal | None:
    """The team attainment gate of the plan's first gated team component, if any."""
    for c in loaded.plan.components:
        if c.scope == "team" and c.gate is not None and \
                c.gate.team_attainment_at_least is not None:
            return Decimal(c.gate.team_attainment_at_least)
    return None


def _check_paid(loaded: LoadedPlan, results: Results) -> None:
    """Stop when the current plan pays no line on the data: nothing to back-test."""
    if results.payouts.num_rows:
        return
    warnings = [d.message for d in results.diagnostics]
    why = f"; the engine says: {warnings[0]}" + (f" (and {len(warnings) - 1} more)"
                                                if len(warnings) > 1 else "") \
        if warnings else ""
    raise ReplayMismatch(f"the current plan '{loaded.plan.plan}' pays no line on this data, "
                         f"so there is nothing to back-test or replay{why}")


def _timeless(loaded: LoadedPlan) -> LoadedPlan:
    """The plan without its effective dates: replicates carry their own quarter labels."""
    return replace(loaded, plan=loaded.plan.model_copy(update={"effective": None}))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal; 0 when nothing is paid)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * np.sum(ranks * x)) / (n * total) - (n + 1) / n)


def pay(replay: Replay, plan: LoadedPlan) -> pd.DataFrame:
    """Total payout per seat and replicate, from the engine (sum of its rounded lines);
    ``team_amount`` is the part paid by the plan's team-scope components."""
    import teamquota
    results = teamquota.calculate(plan, replay.dataset, periods=replay.periods)
    totals = results.totals().to_pandas()
    totals["amount"] = totals["amount"].map(float)
    paid = replay.seats.merge(totals[["period", "payee_id", "amount"]],
                              on=["period", "payee_id"], how="left")
    paid["amount"] = paid["amount"].fillna(0.0)
    scope = {c.id for c in plan.plan.components if c.scope == "team"}
    lines = results.payouts.to_pandas()
    lines = lines[lines["component_id"].isin(scope)]
    team = lines.groupby(["period", "payee_id"])["amount"].sum().map(float)
    paid["team_amount"] = [team.get((q, p), 0.0) for q, p in zip(
        paid["period"], paid["payee_id"], strict=True)] if scope else np.nan
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
        # the team line: quarters in which a team's team-scope components paid nobody
        # (no team component: not applicable)
        "team_line_pays_nothing": (
            float((paid.groupby(["period", "team_id"])["team_amount"].sum() == 0).mean())
            if paid["team_amount"].notna().all() else float("nan")),
    }


def simulate(dataset: Dataset, designs: Sequence[str] = DESIGNS, replicates: int = 200,
             seed: int = 0, threshold: Decimal | None = None,
             thresholds: Sequence[Decimal] = THRESHOLDS, reps: str = "resample",
             plan: LoadedPlan | None = None) -> SimulationResult:
    """Replay ``dataset`` under ``designs`` (and the current ``plan``, when given: on its
    real targets, after the back-test). ``threshold``: the designs' team gate (default:
    the plan's own, else 80%). Raises :class:`ReplayMismatch` when the back-test fails."""
    checked, targets, current = None, None, None
    if plan is not None:
        import teamquota
        from teamquota.insights.engine_inputs import with_plan_targets
        data = with_plan_targets(dataset, plan)
        actual = teamquota.calculate(plan, data)
        _check_paid(plan, actual)
        checked = backtest(data, plan, actual)
        if not checked.ok:
            raise ReplayMismatch(checked.message)
        dataset = data
        targets = plan_targets(data, plan, checked.periods)
        current = current_name(plan)
        threshold = threshold if threshold is not None else plan_gate(plan)
    threshold = threshold if threshold is not None else Decimal("0.8")
    replay = build_replay(dataset, replicates, seed, reps, targets=targets)
    rate = pool_rate_for(replay)
    rows, sens, zero_rows, per_rep = [], [], [], []
    plans: list[tuple[str, LoadedPlan | None]] = [(d, None) for d in designs]
    if plan is not None and current is not None:
        plans.append((current, _timeless(plan)))
    for design, own in plans:
        for thr in ([threshold] if design == "individual" or own is not None else
                    sorted({threshold, *thresholds})):
            paid = pay(replay, own if own is not None else design_plan(design, thr, rate))
            stats = measure(paid)
            sens.append({"design": design, "threshold": float(thr),
                         "expected_total": stats["expected_total"],
                         "p95_total": stats["p95_total"],
                         "team_earns_nothing": stats["team_earns_nothing"]})
            totals = paid.groupby("period")["amount"].sum()
            per_rep.append(pd.DataFrame({"design": design, "threshold": float(thr),
                                         "period": totals.index, "total": totals.values}))
            if thr == threshold:
                rows.append({"design": design, "current": own is not None, **stats})
                z = paid.assign(zero=paid["amount"] == 0).groupby("rep_id")["zero"].agg(
                    ["size", "mean"]).reset_index()
                z.columns = ["rep_id", "seats", "zero_share"]
                z.insert(0, "design", design)
                zero_rows.append(z)
    summary = pd.DataFrame(rows)
    sensitivity = pd.DataFrame(sens)
    result = SimulationResult(summary, sensitivity, pd.concat(zero_rows, ignore_index=True),
                              pd.concat(per_rep, ignore_index=True), "", replicates, rate,
                              list(replay.notes), checked, current)
    if checked is not None:
        result.notes.insert(0, checked.message)
        if checked.team_periods:
            result.notes.insert(1, f"in the actual periods the current plan's team line paid "
                                   f"nothing in {checked.team_line_zero} of "
                                   f"{checked.team_periods} team-periods "
                                   f"({checked.team_line_zero / checked.team_periods:.0%})")
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

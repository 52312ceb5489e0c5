"""Read the engine's results for the insights: attainment per rep, team-scope payouts.

With a plan, the watchlist judges attainment exactly as the plan measures it (the engine's
attainment table, first payee-scope component) and the free-rider check compares each
member's share of what the plan's team components actually paid with their contribution.
Data without targets gets suggested ones first (:mod:`teamquota.targets.suggest`, trailing
history x 1.1), the same as ``teamquota targets suggest`` writes.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc

from teamquota.data.dataset import Dataset
from teamquota.engine.results import Results
from teamquota.insights.frames import _to_pandas
from teamquota.plan.loader import LoadedPlan


def with_targets(dataset: Dataset, loaded: LoadedPlan, year: int | None = None) -> Dataset:
    """The dataset, with suggested targets for the plan's components when it has none."""
    if dataset.has("targets"):
        return dataset
    from teamquota.targets.suggest import suggest_targets
    plan = loaded.plan
    payee = next((c.id for c in plan.components if c.scope == "payee"), "personal")
    team = next((c.id for c in plan.components if c.scope == "team"), None)
    closes = dataset["deals"]["close_date"]
    last = pc.max(closes).as_py()
    table = suggest_targets(dataset, period=plan.period, year=year or last.year,
                            measure=payee, team_measure=team)
    return dataset.replace(targets=table.select(["subject_type", "subject_id", "measure",
                                                 "period", "amount"]))


def with_plan_targets(dataset: Dataset, loaded: LoadedPlan) -> Dataset:
    """The dataset with the targets the plan is paid on: its own targets table, or targets
    suggested for the plan's measures and effective periods, as ``teamquota demo`` / ``calc
    --suggest-targets`` make them (``targets.for_plan``), so plan fit is back-tested
    against the payouts those commands show."""
    from teamquota.targets.for_plan import with_plan_targets as suggested
    return suggested(dataset, loaded.plan)


def calculate_for_insights(dataset: Dataset, loaded: LoadedPlan) -> tuple[Dataset, Results]:
    import teamquota
    data = with_targets(dataset, loaded)
    return data, teamquota.calculate(loaded, data)


def engine_attainment(results: Results, dataset: Dataset, loaded: LoadedPlan
                      ) -> pd.DataFrame:
    """payee_id, team_id, period, won_amount (the measure), target_amount, attainment."""
    component = next((c.id for c in loaded.plan.components if c.scope == "payee"), None)
    if component is None:
        return pd.DataFrame(columns=["payee_id", "team_id", "period", "won_amount",
                                     "target_amount", "attainment"])
    att = results.attainment
    att = att.filter(pc.and_(pc.equal(att["subject_type"], "payee"),
                             pc.equal(att["component_id"], component)))
    frame = _to_pandas(att).rename(columns={"subject_id": "payee_id",
                                            "measure_value": "won_amount"})
    frame = frame[frame["attainment"].notna()]
    from teamquota.core.periods import parse_period
    from teamquota.insights.frames import team_on
    ends = frame["period"].map(lambda label: parse_period(label).end)
    frame["team_id"] = team_on(dataset, frame["payee_id"], ends)
    return frame[["payee_id", "team_id", "period", "won_amount", "target_amount",
                  "attainment"]].reset_index(drop=True)


def team_payouts(results: Results) -> pd.DataFrame:
    """payee_id, team_id, period, amount of every team-scope payout line."""
    p = results.payouts
    p = p.filter(pc.invert(pc.is_null(p["team_id"])))
    frame = _to_pandas(p.select(["payee_id", "team_id", "period", "amount"]))
    return frame.groupby(["team_id", "period", "payee_id"], as_index=False)["amount"].sum()


__all__ = ["calculate_for_insights", "engine_attainment", "team_payouts", "with_plan_targets",
           "with_targets"]

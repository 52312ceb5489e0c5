"""The targets a plan is paid on when the data holds none: suggested from history for the
plan's measures and its effective periods.

One rule for every caller — ``teamquota demo``, ``calc --suggest-targets``, ``targets
suggest --plan``, the web app's demo and plan fit's back-test — so each pays the same
amounts on the same data (the web demo once suggested its own way and paid differently
from ``teamquota demo``).
"""

from __future__ import annotations

import pyarrow as pa

from teamquota.core.periods import periods_between
from teamquota.data.dataset import Dataset
from teamquota.data.tables import TARGETS
from teamquota.plan.model import Plan
from teamquota.targets.suggest import suggest_targets


def measures_of(plan: Plan, default: str) -> tuple[str, str | None]:
    """The targets-table measures a plan reads: payee rows for the payee component a team
    target sums (sum_of_members), else for the first payee component; team rows for the
    first team component that reads its targets from the file (none if there is none)."""
    def measure(component_id: str | None) -> str | None:
        found = [c for c in plan.components if c.id == component_id]
        return (found[0].target.measure or found[0].id) if found else None

    summed = next((c.target.of for c in plan.components
                   if c.scope == "team" and c.target.source == "sum_of_members"), None)
    first_payee = next((c.id for c in plan.components if c.scope == "payee"), None)
    team = next((c.target.measure or c.id for c in plan.components
                 if c.scope == "team" and c.target.source == "file"), None)
    return measure(summed) or measure(first_payee) or default, team


def suggest_for_plan(dataset: Dataset, plan: Plan) -> pa.Table:
    """Targets suggested from history for ``plan``'s measures and effective periods."""
    measure, team_measure = measures_of(plan, "personal")
    periods = None
    if plan.effective is not None:
        periods = [p.label for p in periods_between(plan.period, plan.effective.start,
                                                    plan.effective.end, plan.year_start_month)]
    return suggest_targets(dataset, plan.period, periods=periods, measure=measure,
                           team_measure=team_measure, year_start_month=plan.year_start_month,
                           currency=plan.currency)


def with_plan_targets(dataset: Dataset, plan: Plan) -> Dataset:
    """``dataset`` as it is when it has targets; else with :func:`suggest_for_plan`'s."""
    if dataset.has("targets"):
        return dataset
    return dataset.replace(targets=suggest_for_plan(dataset, plan).select(TARGETS.column_names))

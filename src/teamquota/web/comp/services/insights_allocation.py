"""Work allocation for the leader page: the CLI's program, with the leader's own numbers.

The starting point is what ``teamquota allocate`` builds from the team's history
(:mod:`teamquota.insights.allocation_inputs`): weekly activity duties when the data has
activities for the team, otherwise the team's open deals per product. It is cached per
latest run and newest audit event (it runs the strengths estimates). The leader's form
then replaces the targets, each rep's hours and the optional per-person limits, and
:func:`teamquota.insights.allocate.allocate` solves it on HiGHS. Nothing is saved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from django.core.cache import cache

from teamquota.insights.allocate import AllocationProblem, AllocationResult, Duty
from teamquota.insights.allocation_inputs import (
    AllocationInputError,
    activity_problem,
    open_deal_problem,
    team_reps,
)
from teamquota.insights.frames import activities_frame, deals_frame
from teamquota.web.comp.models import Run, Team
from teamquota.web.comp.services.dataset import build_dataset

ACTIVITY_HOURS = 15.0   # the CLI's defaults: hours per rep per week
OPEN_DEAL_HOURS = 40.0


@dataclass
class Baseline:
    """The program the form starts from, and what kind of duties it has."""

    source: str                        # "activities" or "open-deals"
    problem: AllocationProblem


def _build(team_id: str) -> Baseline | None:
    dataset = build_dataset()
    deals = deals_frame(dataset)
    # every member, deals or not (one without is valued at the team's rate, with a note)
    reps = team_reps(deals, team_id, dataset) if len(deals) else []
    if not reps:
        return None
    try:
        if dataset.has("activities"):
            acts = activities_frame(dataset)
            if acts["payee_id"].isin(reps).any():
                return Baseline("activities", activity_problem(
                    dataset, team_id, hours_available=ACTIVITY_HOURS))
        return Baseline("open-deals", open_deal_problem(dataset, team_id,
                                                        hours_available=OPEN_DEAL_HOURS))
    except AllocationInputError:  # no closed deal in the team: nothing to value work by
        return None


def baseline(team: Team) -> Baseline | None:
    """The team's allocation program as the CLI builds it; ``None`` when no rep has deals
    in the team itself (a parent team's people are in its sub-teams)."""
    from teamquota.web.comp.views.common import last_change
    run_id = Run.objects.filter(status="done").order_by("-id").values_list(
        "id", flat=True).first()
    key = "allocation:" + hashlib.sha256(
        repr((run_id, last_change(), team.team_id)).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        # a tuple, so that "no program" is cached too
        found = (_build(team.team_id),)
        cache.set(key, found, 3600)
    return found[0]


@dataclass
class LeaderInputs:
    """What the leader typed, by position: targets per duty, hours and limits per rep."""

    targets: list[float]
    available: list[float]
    min_hours: list[float | None]
    min_units: list[list[float | None]]
    max_units: list[list[float | None]]
    integer: bool = False


def _limits(reps: list[str], duties: list[Duty], cells: list[list[float | None]]
            ) -> pd.DataFrame | None:
    """Rep x duty limits; blank cells are NaN, which the program reads as 'no limit'."""
    grid = np.array([[np.nan if v is None else v for v in row] for row in cells], dtype=float)
    if np.isnan(grid).all():
        return None
    return pd.DataFrame(grid, index=reps, columns=[d.name for d in duties])


def with_inputs(problem: AllocationProblem, inputs: LeaderInputs) -> AllocationProblem:
    """The baseline program with the leader's targets, hours and limits."""
    duties = [replace(d, target=t) for d, t in zip(problem.duties, inputs.targets, strict=True)]
    reps = problem.reps
    return replace(
        problem, duties=duties,
        available=dict(zip(reps, inputs.available, strict=True)),
        min_hours={r: h for r, h in zip(reps, inputs.min_hours, strict=True) if h is not None},
        min_units=_limits(reps, duties, inputs.min_units),
        max_units=_limits(reps, duties, inputs.max_units),
        integer=inputs.integer)


def shown(value: float) -> float:
    """A pre-filled number as a person would type it: 40 not 40.0, 19.85 not 19.8499..."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def initial_inputs(problem: AllocationProblem) -> LeaderInputs:
    """The form's pre-filled values: the baseline's own numbers (blank = no limit)."""
    def cell(frame: pd.DataFrame | None, rep: str, duty: str) -> float | None:
        if frame is None or rep not in frame.index or duty not in frame.columns:
            return None
        value = float(frame.loc[rep, duty])
        return shown(value) if np.isfinite(value) else None

    names = [d.name for d in problem.duties]
    return LeaderInputs(
        targets=[shown(d.target) for d in problem.duties],
        available=[shown(problem.available[r]) for r in problem.reps],
        min_hours=[shown(h) if (h := problem.min_hours.get(r)) else None
                   for r in problem.reps],
        min_units=[[cell(problem.min_units, r, d) for d in names] for r in problem.reps],
        max_units=[[cell(problem.max_units, r, d) for d in names] for r in problem.reps],
        integer=problem.integer)


def shown_with_names(result: AllocationResult, names: dict[str, str]) -> AllocationResult:
    """The result with people's names instead of payee ids (for tables and the chart)."""
    def named(frame: pd.DataFrame) -> pd.DataFrame:
        if "rep" not in frame:
            return frame
        return frame.assign(rep=frame["rep"].map(lambda r: names.get(r, r)))
    return replace(result, plan=named(result.plan), even_split=named(result.even_split))

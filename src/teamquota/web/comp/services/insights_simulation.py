"""Plan-fit simulation for the leader page: ``teamquota simulate`` on the team's history.

The people are the team's current members and those of its sub-teams (each person's
latest membership); their whole history is replayed, each team on its own, under the
designs the CLI compares, every replicate paid by the engine. The **current plan** is the
plan most of them are assigned to (its latest version): the replay runs on its real
targets after the to-the-cent back-test, shows it as a design marked current, and a failed
back-test is the page's message (nothing simulated). That takes seconds, so the
replay is a task (django-tasks) a ``teamquota worker`` executes, never the request: its
result is kept in the task's record and cached per scope, latest run and newest audit event,
as the other insight pages are. Access is decided by the view before this module is called.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.core.cache import cache
from django_tasks import task, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from teamquota.data.dataset import Dataset
from teamquota.insights import figures
from teamquota.insights.frames import deals_frame
from teamquota.insights.replay import ReplayMismatch, monthly_history
from teamquota.insights.simulate import CAVEAT, never_paid, recommended_design, simulate
from teamquota.plan.loader import LoadedPlan, load_plan_text
from teamquota.web.comp.models import Payee, PlanAssignment, Run, Team
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.insights import current_members, figure_json, scope_team_ids

REPLICATES = 100   # the CLI's default: about 10 seconds for a team of the demo
MIN_MONTHS = 3     # one simulated quarter's worth
SEED = 0
WAIT_MESSAGE = "The replay failed in the worker; reload the page to try again."
log = logging.getLogger(__name__)


def _full_months(dataset: Dataset) -> int:
    """Full calendar months of history the replay can draw from."""
    deals = deals_frame(dataset, "month")
    if not deals["close_date"].notna().any():
        return 0
    return int(monthly_history(dataset)["period"].nunique())


def current_plan(members: set[str]) -> LoadedPlan | None:
    """The latest version of the plan most of ``members`` are assigned to (latest
    assignment each), or ``None`` when nobody is on a plan."""
    latest: dict[str, Any] = {}
    for a in (PlanAssignment.objects.filter(payee__payee_id__in=members)
              .select_related("plan", "payee").order_by("start_date", "id")):
        latest[a.payee.payee_id] = a.plan
    if not latest:
        return None
    counts: dict[int, int] = {}
    for plan in latest.values():
        counts[plan.pk] = counts.get(plan.pk, 0) + 1
    chosen = next(p for p in latest.values() if p.pk == max(counts, key=lambda k: counts[k]))
    version = chosen.current
    return None if version is None else load_plan_text(version.yaml_text, chosen.plan_id)


def _compute(members: set[str]) -> dict[str, Any] | None:
    dataset = build_dataset(payee_ids=members)
    months = _full_months(dataset)
    if months < MIN_MONTHS:
        return {"error": f"The replay draws quarters from full months of results: it needs "
                         f"at least {MIN_MONTHS} full months with closed deals, and this "
                         f"team's data has {months}."}
    try:
        result = simulate(dataset, replicates=REPLICATES, seed=SEED,
                          plan=current_plan(members))
    except ReplayMismatch as exc:
        return {"error": str(exc)}
    names = dict(Payee.objects.filter(payee_id__in=members).values_list("payee_id", "name"))
    pick = recommended_design(result.recommendation)
    sens = result.sensitivity.pivot_table(index="design", columns="threshold",
                                          values="expected_total", sort=False)
    sens = sens.reindex(columns=sorted(sens.columns))
    return {
        # NaN (a design without a team component) as None: the task's record is JSON
        "designs": result.summary.astype(object).where(result.summary.notna(), None
                                                       ).to_dict("records"),
        "thresholds": [float(t) for t in sens.columns],
        "sensitivity": [{"design": str(d), "costs": [None if v != v else float(v) for v in row]}
                        for d, row in sens.iterrows()],
        # the caveat is shown on its own, under the tables
        "recommendation": [line for line in result.recommendation.splitlines()
                           if line != CAVEAT],
        "caveat": CAVEAT,
        "recommended": pick,
        "idle": [names.get(r, r) for r in never_paid(result, pick)] if pick else [],
        "pool_rate": str(result.pool_rate),
        "current": result.current,
        "notes": list(result.notes),
        "gate": float(result.sensitivity["threshold"].iloc[0]),
        "replicates": result.replicates,
        "charts": {"costs": figure_json(figures.simulation_costs(result)),
                   "fairness": figure_json(figures.simulation_fairness(result)),
                   "threshold": figure_json(figures.simulation_threshold(result))},
    }


def _plain(value: Any) -> Any:
    """numpy scalars (a summary's counts) as Python numbers, for the task's JSON record."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


@task()
def simulate_team_task(members: list[str]) -> dict[str, Any] | None:
    """The task a worker executes: the replay for these payees, as JSON."""
    found = _compute(set(members))
    return json.loads(json.dumps(found, default=_plain))  # type: ignore[no-any-return]


def queued() -> bool:
    """Whether replays wait for a worker (the database backend) or execute at once."""
    return bool(task_backends["default"].supports_get_result)


def team_simulation(team: Team, compute: bool = True) -> dict[str, Any] | None:
    """The simulation for ``team`` and its sub-teams: ``None`` when nobody is in them,
    ``{"pending": True}`` when it is not cached yet (``"queued"`` once its task waits for
    or runs in a worker). ``compute`` false asks only the cache; true queues the replay
    (with the immediate backend, ``TEAMQUOTA_RUNS_INLINE``, it executes here)."""
    from teamquota.web.comp.views.common import last_change
    members = current_members(scope_team_ids(team))
    if not members:
        return None
    run_id = Run.objects.filter(status="done").order_by("-id").values_list(
        "id", flat=True).first()
    key = "simulation:" + hashlib.sha256(repr((run_id, last_change(), sorted(members),
                                               REPLICATES, SEED)).encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    task_id = cache.get(key + ":task")
    if task_id is None:
        if not compute:
            return {"pending": True}
        result = simulate_team_task.enqueue(sorted(members))
        if not queued():  # executed already
            if result.status != "SUCCESSFUL":
                return {"error": WAIT_MESSAGE}
            cache.set(key, result.return_value, 3600)
            return result.return_value  # type: ignore[no-any-return]
        cache.set(key + ":task", str(result.id), 3600)
        return {"pending": True, "queued": True}
    try:
        result = simulate_team_task.get_result(task_id)
    except TaskResultDoesNotExist:  # pruned: queue it again
        cache.delete(key + ":task")
        return team_simulation(team, compute)
    if result.status == "FAILED":
        cache.delete(key + ":task")  # the next look queues it again
        log.error("plan-fit replay task %s failed", task_id)
        return {"error": WAIT_MESSAGE}
    if result.status != "SUCCESSFUL":
        return {"pending": True, "queued": True}
    cache.set(key, result.return_value, 3600)
    return result.return_value  # type: ignore[no-any-return]

"""Helpers the views share: picking a period, finding a payee's plan, chart JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.http import Http404, HttpRequest

from teamquota.core.diagnostics import InputError
from teamquota.plan.loader import LoadedPlan, load_plan_text
from teamquota.plan.model import Plan as PlanModel
from teamquota.web.comp.models import Payee, Period, PlanAssignment, PlanVersion, Run


def last_change() -> int | None:
    """The newest audit event: every import, plan edit, adjustment and dispute makes one,
    so cached numbers keyed by it are never older than the data they show."""
    from teamquota.web.comp.models import AuditEvent
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def published_periods() -> list[Period]:
    return list(Period.objects.filter(run__isnull=False).order_by("start"))


def pick_period(request: HttpRequest) -> Period | None:
    """The period named by ``?period=``, else the latest one with results."""
    label = request.GET.get("period")
    periods = Period.objects.filter(run__isnull=False)
    if label:
        found = periods.filter(label=label).first()
        if found is None:
            raise Http404("no results for that period")
        return found
    return periods.order_by("-start").first()


@lru_cache(maxsize=64)
def _parse(version_id: int, text: str) -> LoadedPlan | None:
    try:
        return load_plan_text(text)
    except InputError:
        return None


def plan_of_version(version: PlanVersion) -> LoadedPlan | None:
    return _parse(version.pk, version.yaml_text)


def plan_for(payee: Payee | None, run: Run | None) -> PlanModel | None:
    """The plan (as the run used it) that pays ``payee``; else the run's first plan."""
    if run is None:
        return None
    versions = list(run.plan_versions.select_related("plan"))
    if payee is not None:
        plan_ids = set(PlanAssignment.objects.filter(payee=payee).values_list("plan_id",
                                                                              flat=True))
        versions.sort(key=lambda v: v.plan_id not in plan_ids)
    for version in versions:
        loaded = plan_of_version(version)
        if loaded is not None:
            return loaded.plan
    return None


def to_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block (safe inside HTML)."""
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return str(value)
    return (json.dumps(data, default=default).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))

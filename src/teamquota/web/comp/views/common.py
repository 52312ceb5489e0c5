"""Helpers the views share: picking a period, finding a payee's plan, chart JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.models import Q
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


def _with_results() -> Any:
    """Periods with a run, or with a manual entry booked in them (a period created to
    carry an entry for a locked one has no run until the next calculation)."""
    from teamquota.web.comp.models import PayoutLine
    return Period.objects.filter(Q(run__isnull=False) | Q(label__in=PayoutLine.objects.filter(
        run__isnull=True).values("period")))


def published_periods() -> list[Period]:
    return list(_with_results().order_by("start"))


def pick_period(request: HttpRequest, published: list[Period] | None = None) -> Period | None:
    """The period named by ``?period=``, else the latest one with results (picked from
    ``published`` when the caller has them, saving a query)."""
    label = request.GET.get("period")
    if published is not None:
        if not label:
            return published[-1] if published else None
        found = next((p for p in published if p.label == label), None)
        if found is None:
            raise Http404("no results for that period")
        return found
    periods = _with_results()
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


def _version_for(payee: Payee | None, run: Run) -> PlanVersion | None:
    versions = list(run.plan_versions.select_related("plan"))
    if payee is not None:
        plan_ids = set(PlanAssignment.objects.filter(payee=payee).values_list("plan_id",
                                                                              flat=True))
        versions.sort(key=lambda v: v.plan_id not in plan_ids)
    return next((v for v in versions if plan_of_version(v) is not None), None)


def plan_for(payee: Payee | None, run: Run | None) -> PlanModel | None:
    """The plan (as the run used it) that pays ``payee``; else the run's first plan."""
    version = _version_for(payee, run) if run is not None else None
    loaded = plan_of_version(version) if version is not None else None
    return loaded.plan if loaded else None


def cached_plan_for(payee_pk: int | None, run_id: int | None,
                    change: int | None) -> PlanModel | None:
    """:func:`plan_for` by ids, remembered per run, payee and newest audit event (plan
    assignments are audited), so a page seen before spends no query on it."""
    if run_id is None:
        return None
    key = f"planfor:{run_id}:{payee_pk}:{change}"
    found = cache.get(key)
    if found is None:
        payee = Payee.objects.filter(pk=payee_pk).first() if payee_pk else None
        version = _version_for(payee, Run.objects.get(pk=run_id))
        found = (version.pk, version.yaml_text) if version else (0, "")
        cache.set(key, found, 3600)
    loaded = _parse(*found) if found[0] else None
    return loaded.plan if loaded else None


def to_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block (safe inside HTML)."""
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return str(value)
    return (json.dumps(data, default=default).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))

"""Calculation runs: start one, watch its progress (htmx polling), compare two."""

from __future__ import annotations

import difflib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.core.money import fmt_amount
from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import AttainmentRow, Payee, PayoutLine, Run
from teamquota.web.comp.services.ledger_store import deal_changes
from teamquota.web.comp.services.runs import RunNotStarted, start_run_for
from teamquota.web.comp.services.workers import fail_orphaned_runs

ZERO = Decimal("0")


@access.require_role("finance", "sales_ops")
def run_list(request: HttpRequest) -> HttpResponse:
    fail_orphaned_runs()
    runs = access.runs_visible_to(request.user).select_related("started_by")[:100]
    return render(request, "comp/run_list.html", {"runs": runs})


@require_POST
@access.require_role("sales_ops")
def run_start(request: HttpRequest) -> HttpResponse:
    note = request.POST.get("note", "")
    retry_of = request.POST.get("retry_of", "")
    if retry_of:
        # Retry: a failed run (a worker that died, a timeout, a full disk) is not run again
        # in place (its failure stays on record); a new run on today's inputs says what it
        # retries.
        failed = get_object_or_404(access.runs_visible_to(request.user), pk=_int(retry_of),
                                   status="failed")
        note = f"retry of run #{failed.pk}" + (f": {failed.note}" if failed.note else "")
    try:
        run = start_run_for(request.user, note[:300])
    except RunNotStarted as exc:  # a full disk (D050): nothing was written
        messages.error(request, str(exc))
        return redirect("runs")
    return redirect("run", run_id=run.pk)


@access.require_role("finance", "sales_ops")
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    fail_orphaned_runs()
    run = get_object_or_404(access.runs_visible_to(request.user), pk=run_id)
    template = "comp/_run_status.html" if request.htmx else "comp/run_detail.html"
    totals = (PayoutLine.objects.filter(run=run).values("period")
              .annotate(total=ExactSum("amount")).order_by("period"))
    return render(request, template, {
        "run": run, "totals": [{"period": t["period"], "total": fmt_amount(t["total"])}
                               for t in totals],
        "can_retry": request.user.has_role("sales_ops"),
        "others": access.runs_visible_to(request.user).exclude(pk=run.pk)
        .filter(status="done")[:20]})


def _totals(run: Run) -> dict[tuple[str, int, str], Decimal]:
    out: dict[tuple[str, int, str], Decimal] = defaultdict(lambda: ZERO)
    for row in PayoutLine.objects.filter(run=run).values(
            "period", "payee_id", "component_id").annotate(total=ExactSum("amount")):
        out[(row["period"], row["payee_id"], row["component_id"])] = row["total"]
    return out


def compare_runs(a: Run, b: Run, limit: int = 300) -> dict[str, Any]:
    """Payout differences (period, payee, component) and why: attainment and deals."""
    before, after = _totals(a), _totals(b)
    keys = sorted(k for k in set(before) | set(after)
                  if before.get(k, ZERO) != after.get(k, ZERO))
    payees = {p.pk: p for p in Payee.objects.filter(pk__in={k[1] for k in keys})}
    changes = []
    for period, payee_pk, component in keys[:limit]:
        payee = payees[payee_pk]
        att = {r.run_id: r.attainment for r in AttainmentRow.objects.filter(
            run__in=(a, b), period=period, component_id=component, subject_type="payee",
            subject_id=payee.payee_id)}
        why = deal_changes(a.pk, b.pk, period, payee.payee_id)
        changes.append({
            "period": period, "payee": payee, "component": component,
            "before": fmt_amount(before.get((period, payee_pk, component), ZERO)),
            "after": fmt_amount(after.get((period, payee_pk, component), ZERO)),
            "delta": fmt_amount(after.get((period, payee_pk, component), ZERO)
                               - before.get((period, payee_pk, component), ZERO)),
            "attainment": (att.get(a.pk), att.get(b.pk)), "why": why})
    plan_diff = []
    for va in a.plan_versions.all():
        for vb in b.plan_versions.filter(plan=va.plan).exclude(pk=va.pk):
            plan_diff.extend(difflib.unified_diff(
                va.yaml_text.splitlines(), vb.yaml_text.splitlines(),
                f"{va}", f"{vb}", lineterm=""))
    return {"changes": changes, "changed": len(keys), "plan_diff": plan_diff}


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@access.require_role("finance", "sales_ops")
def run_compare(request: HttpRequest) -> HttpResponse:
    runs = access.runs_visible_to(request.user)
    a = get_object_or_404(runs, pk=_int(request.GET.get("a")))
    b = get_object_or_404(runs, pk=_int(request.GET.get("b")))
    return render(request, "comp/run_compare.html", {"a": a, "b": b, **compare_runs(a, b)})

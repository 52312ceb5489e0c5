"""The period close workflow pages and the payroll export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import Payee, PayoutLine, Period, Team
from teamquota.web.comp.services import close
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.services.payroll import PayrollRefused, export_payroll


def _currencies(lines: QuerySet[PayoutLine], period: Period) -> list[str]:
    """The currencies of the period's lines in ``lines``: a total of one currency is shown
    at its places (docs/web.md "Money")."""
    return list(lines.filter(pk__in=PayoutLine.shown(period).values("pk")).order_by()
                .values_list("currency", flat=True).distinct())


@access.signed_in
def period_list(request: HttpRequest) -> HttpResponse:
    periods = list(Period.objects.all().order_by("-start"))
    lines = access.lines_visible_to(request.user)
    for p in periods:
        agg = lines.filter(pk__in=PayoutLine.shown(p).values("pk")).aggregate(
            total=ExactSum("amount"), payees=Count("payee", distinct=True))
        p.total = shown(agg["total"], _currencies(lines, p)) if agg["total"] is not None \
            else "—"
        p.payees = agg["payees"]
    return render(request, "comp/period_list.html", {"periods": periods})


@access.signed_in
def period_detail(request: HttpRequest, label: str) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    user = request.user
    teams = close.teams_to_review(period)
    reviewed = close.reviewed_team_ids(period)
    led = access.led_team_ids(user, period)
    visible = set(access.teams_visible_to(user, period).values_list("id", flat=True))
    review_rows = [{"team": t, "reviewed": t.id in reviewed, "mine": t.id in led}
                   for t in teams if t.id in visible]
    lines = access.lines_visible_to(user).filter(pk__in=PayoutLine.shown(period).values("pk"))
    total = lines.aggregate(t=ExactSum("amount"))["t"]
    adjustments = lines.exclude(adjusts_period="").select_related("payee")
    return render(request, "comp/period_detail.html", {
        "period": period, "reviews": review_rows,
        "total": shown(total, _currencies(lines, period)) if total is not None else "—",
        "adjustments": adjustments,
        "approval_refusal": access.approval_refusal(user, period)
        if user.has_role("finance") else None,
        "can_export": user.has_role("finance") and period.status in ("approved", "locked"),
    })


def _step(request: HttpRequest, label: str, action: str, **kwargs: object) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    try:
        getattr(close, action)(request.user, period, **kwargs)
        done = {"review": f"{kwargs.get('team')} reviewed for {period.label}",
                "approve": f"{period.label} approved", "lock": f"{period.label} locked"}
        messages.success(request, done[action])
    except close.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("period", label=label)


@require_POST
@access.require_role("leader")
def period_review(request: HttpRequest, label: str, team_id: str) -> HttpResponse:
    team = get_object_or_404(access.teams_visible_to(request.user), team_id=team_id)
    return _step(request, label, "review", team=team)


@require_POST
@access.require_role("finance")
def period_approve(request: HttpRequest, label: str) -> HttpResponse:
    return _step(request, label, "approve")


@require_POST
@access.require_role("finance")
def period_lock(request: HttpRequest, label: str) -> HttpResponse:
    return _step(request, label, "lock")


@access.require_role("finance")
def payroll_export(request: HttpRequest, label: str) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    try:
        text = export_payroll(request.user, period)
    except PayrollRefused as exc:
        messages.error(request, str(exc))
        return redirect("period", label=label)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payroll-{label}.csv"'
    return response


@access.require_role("finance", "sales_ops")
def audit_log(request: HttpRequest) -> HttpResponse:
    events = access.audit_visible_to(request.user).select_related("actor")
    kind = request.GET.get("action", "")
    if kind:
        events = events.filter(action__startswith=kind)
    shown = list(events[:500])
    _name_subjects(shown)
    return render(request, "comp/audit.html", {"events": shown, "action": kind})


def _name_subjects(events: list[Any]) -> None:
    """A payee or team an entry is about, as 'Cara Losch (cara-losch)' where it still
    exists (an id alone where it does not): two queries for the page, not one a row."""
    ids = {kind: {e.object_id for e in events if e.object_type == kind}
           for kind in ("payee", "team")}
    names = {"payee": dict(Payee.objects.filter(payee_id__in=ids["payee"])
                           .values_list("payee_id", "name")),
             "team": dict(Team.objects.filter(team_id__in=ids["team"])
                          .values_list("team_id", "name"))}
    for e in events:
        name = names.get(e.object_type, {}).get(e.object_id)
        e.subject = f"{name} ({e.object_id})" if name and name != e.object_id \
            else e.object_id


def lines_count(period: Period) -> int:
    return PayoutLine.shown(period).count()

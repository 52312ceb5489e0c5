"""The period close workflow pages and the payroll export.

The period page is finance's close workbench (sales ops sees it without the buttons): the
payout register, the changes and their causes, the outliers, the open disputes, each team's
review and finance sign-off; approval and lock go through a confirmation page that posts
back the fingerprint it showed. Leaders and reps see the reviews (and a rejection's reason)
but not the register."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import Payee, PayoutLine, Period, Team
from teamquota.web.comp.services import close
from teamquota.web.comp.services.close_changes import vs_approved, vs_previous
from teamquota.web.comp.services.close_outliers import find_outliers
from teamquota.web.comp.services.close_register import (
    Register,
    build_register,
    period_totals,
    register_csv,
)
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
        p.close = _close_progress(p) if access.sees_everything(request.user) else ""
    return render(request, "comp/period_list.html", {"periods": periods,
                                                     "show_close": access.sees_everything(
                                                         request.user)})


def _close_progress(period: Period) -> str:
    """'2/3 reviewed, 1/3 signed off, 1 rejected' for a period still to approve."""
    if period.status not in ("calculated", "reviewed"):
        return ""
    states = close.team_states(period)
    if not states:
        return ""
    n = len(states)
    text = (f"{sum(s.reviewed for s in states)}/{n} reviewed, "
            f"{sum(s.signed_off for s in states)}/{n} signed off")
    rejected = sum(s.rejected for s in states)
    return text + (f", {rejected} rejected" if rejected else "")


@access.signed_in
def period_detail(request: HttpRequest, label: str) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    user = request.user
    led = access.led_team_ids(user, period)
    visible = set(access.teams_visible_to(user, period).values_list("id", flat=True))
    review_rows = [{"team": s.team, "reviewed": s.reviewed, "mine": s.team.id in led,
                    "state": s} for s in close.team_states(period) if s.team.id in visible]
    lines = access.lines_visible_to(user).filter(pk__in=PayoutLine.shown(period).values("pk"))
    total = lines.aggregate(t=ExactSum("amount"))["t"]
    adjustments = lines.exclude(adjusts_period="").select_related("payee")
    is_finance = user.has_role("finance")
    context: dict[str, Any] = {
        "period": period, "reviews": review_rows,
        "total": shown(total, _currencies(lines, period)) if total is not None else "—",
        "adjustments": adjustments,
        "approval_refusal": access.approval_refusal(user, period) if is_finance else None,
        "can_export": is_finance and period.status in ("approved", "locked"),
        "can_decide": is_finance and period.status in ("calculated", "reviewed"),
        "unsigned": [r["team"].name for r in review_rows if not r["state"].signed_off],
    }
    if access.sees_everything(user):
        context.update(_workbench(request, period))
    return render(request, "comp/period_detail.html", context)


def _register(request: HttpRequest, period: Period) -> Register:
    q = request.GET
    return build_register(period, sort=q.get("sort", ""), team=q.get("team", ""),
                          component=q.get("component", ""), q=q.get("q", ""))


def _sort_links(register: Register) -> dict[str, str]:
    """The query string of each sortable column: the other direction when it is the
    current sort, filters kept."""
    keep = {k: v for k, v in (("team", register.team), ("component", register.component),
                              ("q", register.q)) if v}
    links = {}
    for name in ("payee", "team", "total", *(f"c:{c}" for c in register.components)):
        sort = f"-{name}" if register.sort == name else name
        links[name] = "?" + urlencode({**keep, "sort": sort})
    return links


def _workbench(request: HttpRequest, period: Period) -> dict[str, Any]:
    register = _register(request, period)
    links = _sort_links(register)
    whole = register if not (register.team or register.component or register.q) \
        else build_register(period)
    outliers, outlier_problems = find_outliers(period, whole.rows)
    disputes = (access.disputes_visible_to(request.user, period)
                .filter(status__in=("open", "answered")).select_related("payee", "line"))
    query = request.GET.urlencode()
    return {
        "register": register, "sort_links": links,
        "sort_columns": [(c, links[f"c:{c}"]) for c in register.components],
        "csv_query": f"?{query}" if query else "",
        "comparisons": [c for c in (vs_approved(period), vs_previous(period)) if c],
        "outliers": outliers, "outlier_problems": outlier_problems,
        "disputes": list(disputes),
    }


@access.require_role("finance", "sales_ops")
def period_register_csv(request: HttpRequest, label: str) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    response = HttpResponse(register_csv(_register(request, period)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{label}.csv"'
    return response


DONE = {"review": "{team} reviewed for {label}", "approve": "{label} approved",
        "lock": "{label} locked", "signoff": "{team} signed off for {label}",
        "reject": "{team} rejected for {label}: sent back to its leader"}


def _step(request: HttpRequest, label: str, action: str, **kwargs: object) -> HttpResponse:
    period = get_object_or_404(Period, label=label)
    try:
        getattr(close, action)(request.user, period, **kwargs)
        team = kwargs.get("team")
        messages.success(request, DONE[action].format(
            team=getattr(team, "name", ""), label=period.label))
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
def period_signoff(request: HttpRequest, label: str, team_id: str) -> HttpResponse:
    team = get_object_or_404(access.teams_visible_to(request.user), team_id=team_id)
    return _step(request, label, "signoff", team=team,
                 comment=request.POST.get("comment", ""),
                 expected=request.POST.get("fingerprint"))


@require_POST
@access.require_role("finance")
def period_reject(request: HttpRequest, label: str, team_id: str) -> HttpResponse:
    team = get_object_or_404(access.teams_visible_to(request.user), team_id=team_id)
    return _step(request, label, "reject", team=team, reason=request.POST.get("reason", ""))


def _confirm(request: HttpRequest, label: str, action: str) -> HttpResponse:
    """GET: what exactly is approved (or locked) — line count, total per currency, the
    fingerprint; POST: the step, given the fingerprint the page showed (a missing or stale
    one is refused and nothing changes)."""
    period = get_object_or_404(Period, label=label)
    if request.method == "POST":
        return _step(request, label, action, expected=request.POST.get("fingerprint", ""))
    teams = close.team_states(period) if action == "approve" else []
    if action == "approve":
        refusal = access.approval_refusal(request.user, period)
        unsigned = [t.team.name for t in teams if not t.signed_off]
        if not refusal and unsigned:
            refusal = f"waiting for finance's sign-off of: {', '.join(unsigned)}"
        ready = period.status == "reviewed" and not refusal
    else:
        refusal, ready = None, period.status == "approved"
    return render(request, "comp/period_confirm.html", {
        "period": period, "action": action, "lines": lines_count(period),
        "totals": [(c, shown(a, c)) for c, a in period_totals(period).items()],
        "refusal": refusal, "teams": teams, "ready": ready})


@require_http_methods(["GET", "POST"])
@access.require_role("finance")
def period_approve(request: HttpRequest, label: str) -> HttpResponse:
    return _confirm(request, label, "approve")


@require_http_methods(["GET", "POST"])
@access.require_role("finance")
def period_lock(request: HttpRequest, label: str) -> HttpResponse:
    return _confirm(request, label, "lock")


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

"""Team dashboards: progress to target with a pace line, gate status, members, trend."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from teamquota.core.markup import chart_label
from teamquota.core.money import exact_div, fmt_money, fmt_pct
from teamquota.plan.model import Plan as PlanModel
from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import (
    AttainmentRow,
    CreditRow,
    Leadership,
    Membership,
    Period,
    Team,
    TeamSummary,
)
from teamquota.web.comp.views.common import (
    cached_plan_for,
    last_change,
    pick_period,
    published_periods,
    to_json,
)

ZERO = Decimal("0")


@access.signed_in
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_role("finance"):
        return redirect("periods")
    if user.has_role("sales_ops"):
        return redirect("runs")
    if user.has_role("leader"):
        return redirect("teams")
    if user.payee_id:
        return redirect("statement", payee_id=user.payee.payee_id)
    return redirect("teams")


@access.signed_in
def team_list(request: HttpRequest) -> HttpResponse:
    periods = published_periods()
    period = pick_period(request, periods)
    teams = list(access.teams_visible_to(request.user, period)
                 .select_related("leader", "parent"))
    if len(teams) == 1 and not request.GET:
        return redirect("team", team_id=teams[0].team_id)
    rows = []
    if period is not None:
        att = defaultdict(list)
        for row in AttainmentRow.objects.filter(run_id=period.run_id, period=period.label,
                                                subject_type="team",
                                                subject_id__in=[t.team_id for t in teams]):
            att[row.subject_id].append(row)
        for team in teams:
            rows.append({"team": team, "attainment": att.get(team.team_id, [])})
    return render(request, "comp/team_list.html", {
        "rows": rows, "period": period, "periods": periods})


def _gate_text(plan: PlanModel | None, component_id: str, attainment: Decimal | None) -> str:
    if plan is None:
        return ""
    comp = next((c for c in plan.components if c.id == component_id), None)
    if comp is None or comp.gate is None or comp.gate.team_attainment_at_least is None:
        return ""
    gate = comp.gate.team_attainment_at_least
    name = comp.name or comp.id
    if attainment is None:
        return f"no team target: {name} pays from {fmt_pct(gate, 0)}"
    if attainment >= gate:
        return f"team at {fmt_pct(attainment)}: gate of {fmt_pct(gate, 0)} met, {name} pays"
    return f"team at {fmt_pct(attainment)}: {name} pays from {fmt_pct(gate, 0)}"


def members_on(team: Team, period: Period) -> list[Any]:
    return list(Membership.objects.filter(team=team, start_date__lte=period.end)
                .exclude(end_date__lt=period.start).select_related("payee")
                .order_by("payee__name"))


def pace_series(period: Period, target: Decimal | None, credits: list[tuple[date, Decimal]],
                today: date) -> dict[str, Any]:
    """Cumulative credit by day, and the straight line from 0 to target over the period."""
    by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in credits:
        by_day[day] += amount
    days, cumulative, running = [], [], ZERO
    day, last = period.start, min(period.end, today)
    while day <= last:
        running += by_day.get(day, ZERO)
        days.append(day.isoformat())
        cumulative.append(str(running))
        day += timedelta(days=1)
    pace = None
    if target:
        pace = {"x": [period.start.isoformat(), period.end.isoformat()],
                "y": ["0", str(target)]}
    return {"x": days, "y": cumulative, "pace": pace}


def expected_by_today(period: Period, target: Decimal, today: date) -> Decimal:
    if today >= period.end:
        return target
    if today < period.start:
        return ZERO
    elapsed = (today - period.start).days + 1
    return exact_div(target * elapsed, Decimal((period.end - period.start).days + 1))


def _trend(team: Team, periods: list[Period]) -> list[tuple[str, str]]:
    """Attainment of the team's first team component in each published period (one query)."""
    query = Q(pk__in=[])
    for p in periods:
        query |= Q(run_id=p.run_id, period=p.label)
    first: dict[str, Decimal] = {}
    for label, attainment in (AttainmentRow.objects.filter(
            query, subject_type="team", subject_id=team.team_id, attainment__isnull=False)
            .order_by("period", "component_id").values_list("period", "attainment")):
        first.setdefault(label, attainment)
    return [(p.label, str((first[p.label] * 100).quantize(Decimal("0.1"))))
            for p in periods if p.label in first]


def _credited_by_day(team: Team, period: Period) -> list[tuple[date, Decimal]]:
    """The team's credited amount per close date: from the run's stored summary (a top
    team's quarter holds a large share of all credit rows), else summed by the database
    (runs stored before summaries existed)."""
    summary = TeamSummary.objects.filter(run_id=period.run_id, period=period.label,
                                         team_id=team.team_id).values_list("days", flat=True)
    for days in summary:
        return [(date.fromisoformat(day), Decimal(amount)) for day, amount in days]
    if TeamSummary.objects.filter(run_id=period.run_id).exists():
        return []  # the run credited this team nothing in the period
    return list(CreditRow.objects.filter(
        run_id=period.run_id, period=period.label, subject_type="team",
        subject_id=team.team_id).values("close_date").annotate(total=ExactSum("amount"))
        .order_by("close_date").values_list("close_date", "total"))


def _credited_through(team: Team, period: Period, payee_ids: list[str]) -> dict[str, Decimal]:
    """What the run credited ``team`` in ``period`` through each of ``payee_ids``: the
    engine's team credits, made on each deal's close date to the teams its payee was a
    member of then — a mover's deals in another team are that team's, not this one's."""
    return dict(CreditRow.objects.filter(
        run_id=period.run_id, period=period.label, subject_type="team",
        subject_id=team.team_id, payee_id__in=payee_ids).values("payee_id")
        .annotate(total=ExactSum("amount")).values_list("payee_id", "total"))


def _numbers(team: Team, period: Period, plan: PlanModel | None, show_members: bool,
             periods: list[Period], today: date, change: int | None) -> dict[str, Any]:
    """Everything the dashboard computes from a run's rows. Runs never change, so this is
    cached by (run, period, team, plan, member visibility, published periods, day, last
    audit event — memberships come from the data, and every import is audited);
    access is decided before the cache is read, never inside it."""
    key = "dash:" + hashlib.sha256(repr((
        period.label, period.run_id, team.pk, plan.plan if plan else "", show_members,
        today, [(p.label, p.run_id) for p in periods], change)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    run_id = period.run_id
    components = []
    for row in AttainmentRow.objects.filter(run_id=run_id, period=period.label,
                                            subject_type="team", subject_id=team.team_id
                                            ).order_by("component_id"):
        comp = next((c for c in plan.components if c.id == row.component_id), None) \
            if plan else None
        components.append({
            "name": (comp.name or comp.id) if comp else row.component_id,
            "pct": fmt_pct(row.attainment) if row.attainment is not None else "no target",
            "measure": fmt_money(row.measure_value or ZERO),
            "target": fmt_money(row.target_amount) if row.target_amount else "—",
            "target_amount": row.target_amount,
            "gate": _gate_text(plan, row.component_id, row.attainment),
        })
    team_credits = _credited_by_day(team, period)
    target = components[0]["target_amount"] if components else None
    credited = sum((a or ZERO for _, a in team_credits), ZERO)
    numbers: dict[str, Any] = {
        "components": components, "credited_amount": credited, "target": target,
        "credited": fmt_money(credited),
        "pace_chart": to_json(pace_series(period, target,
                                          [(d, a or ZERO) for d, a in team_credits], today)),
    }
    spans: dict[str, list[Any]] = {}  # payee id -> their memberships held in the period
    for m in members_on(team, period):
        spans.setdefault(m.payee.payee_id, []).append(m)
    if show_members:
        through = _credited_through(team, period, list(spans))
        rows = []
        for held in spans.values():
            amount = through.get(held[0].payee.payee_id) or ZERO
            share = exact_div(amount, credited) if credited else ZERO
            rows.append({"payee": held[0].payee, "amount": fmt_money(amount), "raw": str(amount),
                         "share": fmt_pct(share), "membership": held[0], "spans": ", ".join(
                             f"{m.start_date} to {m.end_date or 'open'}" for m in held)})
        rows.sort(key=lambda r: Decimal(r["raw"]), reverse=True)
        numbers["members"] = rows
        numbers["members_chart"] = to_json({"x": [chart_label(r["payee"].name) for r in rows],
                                            "y": [r["raw"] for r in rows]})
        # what the team got through no member (its sub-teams' members, rolled up): shown
        # apart, so the rows and this add up to the credited amount
        others = credited - sum((Decimal(r["raw"]) for r in rows), ZERO)
        numbers["others"] = None if not others else {
            "amount": fmt_money(others),
            "share": fmt_pct(exact_div(others, credited) if credited else ZERO),
            "label": "Through sub-teams" if Team.objects.filter(parent=team).exists()
            else "Through no member of the period"}
    else:
        numbers["member_count"] = len(spans)
    trend = _trend(team, periods)
    numbers["trend_chart"] = to_json({"x": [t[0] for t in trend], "y": [t[1] for t in trend]})
    cache.set(key, numbers, 3600)
    return numbers


@access.signed_in
def team_dashboard(request: HttpRequest, team_id: str) -> HttpResponse:
    user = request.user
    published = periods = published_periods()
    if request.GET.get("period"):
        period = pick_period(request, periods)
        team = get_object_or_404(access.teams_visible_to(user, period)
                                 .select_related("leader", "parent"), team_id=team_id)
        periods = access.periods_visible_to(user, periods, team=team)  # picker and trend
    else:  # the latest period the user may see of this team (a rep who left: before)
        team = get_object_or_404(access.teams_visible_to(user)
                                 .select_related("leader", "parent"), team_id=team_id)
        periods = access.periods_visible_to(user, periods, team=team)
        if published and not periods:
            raise Http404("no period of this team is yours to see")
        period = periods[-1] if periods else None
    # who led the team in the period shown (a change within it: both, in order)
    leads = Leadership.objects.filter(team=team).order_by("start_date")
    if period is not None:
        leads = leads.filter(access.during(period))
    else:
        leads = leads.filter(end_date__isnull=True)
    context: dict[str, Any] = {"team": team, "period": period, "periods": periods,
                               "leaders": [lead.payee.name for lead in
                                           leads.select_related("payee")],
                               "show_insights": access.may_see_insights(user, team)}
    if period is None:
        return render(request, "comp/team_dashboard.html", context)
    change = last_change()
    plan = cached_plan_for(user.payee_id, period.run_id, change)
    visibility = plan.team_visibility if plan else "members"
    show_members = access.members_detail_visible(user, team, visibility, period)
    today = timezone.localdate()
    context.update(_numbers(team, period, plan, show_members, periods, today, change))
    context.update({"show_members": show_members, "visibility": visibility})
    target, credited = context["target"], context["credited_amount"]
    if target:
        expected = expected_by_today(period, target, today)
        context["expected"] = fmt_money(expected)
        context["ahead"] = credited >= expected
        context["period_over"] = today > period.end
    if show_members:
        visible_statements = set(access.payees_visible_to(user, period).filter(
            payee_id__in=[r["payee"].payee_id for r in context["members"]])
            .values_list("payee_id", flat=True))
        for r in context["members"]:
            r["statement"] = r["payee"].payee_id in visible_statements
    context["children"] = access.teams_visible_to(user, period).filter(parent=team)
    return render(request, "comp/team_dashboard.html", context)

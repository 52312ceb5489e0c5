"""Team dashboards: progress to target with a pace line, gate status, members, trend."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
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
    PayoutLine,
    Period,
    Team,
    TeamSummary,
)
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.services.pace import expected_by_today, pace_series  # noqa: F401 (moved; re-exported)
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


def _trend(team: Team, periods: list[Period]) -> tuple[list[tuple[str, str]], str | None]:
    """Attainment of the team's first team component in each published period (one query),
    and that component's id in the latest period shown (its gate is drawn on the chart)."""
    query = Q(pk__in=[])
    for p in periods:
        query |= Q(run_id=p.run_id, period=p.label)
    first: dict[str, tuple[str, Decimal]] = {}
    for label, component_id, attainment in (AttainmentRow.objects.filter(
            query, subject_type="team", subject_id=team.team_id, attainment__isnull=False)
            .order_by("period", "component_id")
            .values_list("period", "component_id", "attainment")):
        first.setdefault(label, (component_id, attainment))
    points = [(p.label, str((first[p.label][1] * 100).quantize(Decimal("0.1"))))
              for p in periods if p.label in first]
    return points, first[points[-1][0]][0] if points else None


def trend_lines(plan: PlanModel | None, component_id: str | None) -> list[dict[str, str]]:
    """The reference lines of the trend chart, in percent: the component's gate (when it
    has one) and the target, 100% — so a fall from 75% to 70% reads against where the
    component starts paying and where it is meant to be, not against a zoomed axis."""
    lines = []
    comp = next((c for c in plan.components if c.id == component_id), None) if plan else None
    if comp is not None and comp.gate is not None and \
            comp.gate.team_attainment_at_least is not None:
        gate = comp.gate.team_attainment_at_least
        lines.append({"name": f"gate {fmt_pct(gate, 0)}",
                      "y": str((gate * 100).quantize(Decimal("0.1")))})
    lines.append({"name": "target 100%", "y": "100.0"})
    return lines


def _member_results(period: Period, plan: PlanModel | None, payee_ids: list[str]
                    ) -> tuple[list[dict[str, str]], dict[str, list[str]], dict[str, str]]:
    """Each member's own results in ``period``: attainment of every payee-scope component
    the run measured (columns, named by the plan), and what the period pays them (every
    line their statement shows, at its currency's places). Two queries."""
    names = {c.id: c.name or c.id for c in plan.components} if plan else {}
    columns: list[str] = []
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for payee_id, component_id, attainment in (AttainmentRow.objects.filter(
            run_id=period.run_id, period=period.label, subject_type="payee",
            subject_id__in=payee_ids).order_by("component_id")
            .values_list("subject_id", "component_id", "attainment")):
        if component_id not in columns:
            columns.append(component_id)
        found[payee_id][component_id] = \
            fmt_pct(attainment) if attainment is not None else "no target"
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    currencies: dict[str, set[str]] = defaultdict(set)
    for payee_id, currency, total in (PayoutLine.shown(period).filter(
            payee__payee_id__in=payee_ids).values("payee__payee_id", "currency")
            .annotate(total=ExactSum("amount"))
            .values_list("payee__payee_id", "currency", "total")):
        totals[payee_id] += total
        currencies[payee_id].add(currency)
    attainment = {pid: [found[pid].get(c, "—") for c in columns] for pid in payee_ids}
    pay = {pid: shown(totals[pid], currencies[pid]) for pid in totals}
    return ([{"id": c, "name": names.get(c, c)} for c in columns], attainment, pay)


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
        columns, attainment, pay = _member_results(period, plan, list(spans))
        numbers["attainment_columns"] = columns
        rows = []
        for payee_id, held in spans.items():
            amount = through.get(payee_id) or ZERO
            share = exact_div(amount, credited) if credited else ZERO
            rows.append({"payee": held[0].payee, "amount": fmt_money(amount), "raw": str(amount),
                         "share": fmt_pct(share), "membership": held[0], "spans": ", ".join(
                             f"{m.start_date} to {m.end_date or 'open'}" for m in held),
                         "attainment": attainment[payee_id], "pay": pay.get(payee_id, "—")})
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
    trend, trend_component = _trend(team, periods)
    lines = trend_lines(plan, trend_component)
    numbers["trend_lines"] = lines
    numbers["trend_chart"] = to_json({"x": [t[0] for t in trend], "y": [t[1] for t in trend],
                                      "lines": lines})
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
            if not r["statement"]:  # pay is on the statement: only whoever may open it
                r["pay"] = None
        context["pay_hidden"] = any(r["pay"] is None for r in context["members"])
    context["children"] = access.teams_visible_to(user, period).filter(parent=team)
    return render(request, "comp/team_dashboard.html", context)

"""Rep statements: every payout line with its explanation and deals, totals, history."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from teamquota.core.money import fmt_money, fmt_pct
from teamquota.plan.model import Component
from teamquota.plan.model import Plan as PlanModel
from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import (
    AttainmentRow,
    CreditRow,
    Deal,
    Dispute,
    Payee,
    PayoutLine,
    Period,
    PlanAssignment,
)
from teamquota.web.comp.models.disputes import follows
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.services.pace import expected_by_today, pace_series
from teamquota.web.comp.views.common import (
    last_change,
    pick_period,
    plan_for,
    published_periods,
    to_json,
)
from teamquota.web.comp.views.plans import curve_chart

ZERO = Decimal("0")


@access.signed_in
def statement_list(request: HttpRequest) -> HttpResponse:
    periods = published_periods()
    period = pick_period(request, periods)
    payees = access.payees_visible_to(request.user, period)
    if request.user.payee_id and payees.count() == 1:
        return redirect("statement", payee_id=request.user.payee.payee_id)
    totals = {}
    if period is not None:
        totals = dict(PayoutLine.shown(period).filter(payee__in=payees)
                      .values("payee_id").annotate(total=ExactSum("amount"))
                      .values_list("payee_id", "total"))
    q = request.GET.get("q", "").strip()
    if q:
        payees = payees.filter(name__icontains=q)
    rows = [{"payee": p, "total": shown(totals[p.id], p.currency) if p.id in totals else "—"}
            for p in payees.order_by("name")[:500]]
    return render(request, "comp/statement_list.html", {
        "rows": rows, "period": period, "periods": periods, "q": q})


def statement_data(payee: Payee, period: Period) -> dict[str, Any]:
    """Everything a statement shows (also the API's statement payload)."""
    lines = list(PayoutLine.shown(period).filter(payee=payee).select_related("team")
                 .order_by("plan_id", "component_id", "id"))
    _attach_disputes(payee, period, lines)
    credits = list(CreditRow.objects.filter(run_id=period.run_id, period=period.label,
                                            subject_type="payee", subject_id=payee.payee_id)
                   .order_by("close_date", "deal_id"))
    deals = {d.deal_id: d for d in Deal.objects.filter(
        deal_id__in=[c.deal_id for c in credits] + [ln.deal_id for ln in lines if ln.deal_id])}
    total = sum((ln.amount for ln in lines), ZERO)
    by_component: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for ln in lines:
        by_component[ln.component_id] += ln.amount
    return {"lines": lines, "credits": credits, "deals": deals, "total": total,
            "by_component": dict(by_component),
            "currency": lines[0].currency if lines else (payee.currency or "")}


def _attach_disputes(payee: Payee, period: Period, lines: list[PayoutLine]) -> None:
    """``line.questions``: the disputes that follow each line (keyed by payee, period and
    component, so a question raised before a rerun shows on the rerun's line)."""
    for ln in lines:
        ln.questions = []  # type: ignore[attr-defined]
    by_component: dict[str, list[PayoutLine]] = defaultdict(list)
    for ln in lines:
        by_component[ln.component_id].append(ln)
    for d in (Dispute.objects.filter(payee=payee, period=period.label,
                                     component_id__in=list(by_component))
              .select_related("line").order_by("raised_at", "id")):
        found = follows(d.line, by_component[d.component_id])
        if found is not None:
            found.questions.append(d)  # type: ignore[attr-defined]


def _period_totals(payee: Payee, periods: list[Period]
                   ) -> tuple[set[str], dict[str, Decimal], dict[str, Decimal]]:
    """(periods with lines, each period's total, its recoverable-draw movement) from one
    grouped query (draw lines: + advances of a recoverable draw, - recoveries)."""
    query = Q(pk__in=[])
    for p in periods:
        query |= Q(run_id=p.run_id, period=p.label) | Q(run__isnull=True, period=p.label)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    draws: dict[str, Decimal] = defaultdict(lambda: ZERO)
    found: set[str] = set()
    for row in (PayoutLine.objects.filter(query, payee=payee)
                .values("period", "line_type", "rule").annotate(total=ExactSum("amount"))):
        found.add(row["period"])
        sums[row["period"]] += row["total"]
        recoverable = "recoverable" in row["rule"] and "non-recoverable" not in row["rule"]
        if row["line_type"] == "draw_recovery" or (row["line_type"] == "draw" and recoverable):
            draws[row["period"]] += row["total"]
    return found, sums, draws


def history(payee: Payee, periods: list[Period]) -> list[dict[str, Any]]:
    """Each published period's total and the recoverable-draw balance after it, from one
    grouped query (:func:`_period_totals`)."""
    found, sums, draws = _period_totals(payee, periods)
    rows, balance = [], ZERO
    for p in periods:
        balance += draws[p.label]
        if p.label in found:
            rows.append({"period": p, "total": shown(sums[p.label], payee.currency),
                         "draw_balance": shown(balance, payee.currency)})
    return rows


def curve_figure(component: Component, line: PayoutLine) -> dict[str, Any] | None:
    """The payout curve of a curve line's component with the payee marked on it ("you:
    87.0% -> 0.74 x": the line's attainment and the factor it was paid), the gate and the
    threshold drawn, as a Plotly figure, and the same in words (its text alternative)."""
    drawn = curve_chart(component)  # the plan page's points: extended, capped, in %
    if drawn is None or line.attainment is None:
        return None
    points = json.loads(drawn)
    factor = line.factor if line.factor is not None else ZERO
    gate = component.gate
    on_axis = None
    if gate is not None:
        on_axis = (gate.team_attainment_at_least if component.scope == "team"
                   else gate.personal_attainment_at_least)
    at = pct_beside(line.attainment, on_axis)
    you = f"you: {at} -> {factor:.2f} x"
    name = component.name or component.id
    axis = "team attainment" if component.scope == "team" else "your attainment"
    marks: list[tuple[str, Decimal, str]] = []  # (name, attainment, colour)
    words = [f"{name}: {axis} {at} pays {factor:.2f} x "
             f"({fmt_pct(factor)}) of this part's target incentive."]
    if gate is not None:
        if on_axis is not None:
            marks.append((f"gate {fmt_pct(on_axis, 0)}", on_axis, "#c0392b"))
            met = line.attainment >= on_axis
            words.append(f"The gate is {fmt_pct(on_axis, 0)}: "
                         f"{'met' if met else 'not met, so this part pays 0.00'}.")
        if gate.team_attainment_at_least is not None and component.scope != "team":
            words.append(f"It pays only when the team reaches "
                         f"{fmt_pct(gate.team_attainment_at_least, 0)}.")
    start = (component.payout.curve or [(ZERO, ZERO)])[0][0]
    if start and start != on_axis:
        marks.append((f"threshold {fmt_pct(start, 0)}", start, "#7b8794"))
        words.append(f"Below {fmt_pct(start, 0)} the curve pays nothing.")
    if line.rule:
        words.append(f"Rule: {line.rule}.")
    x, y = line.attainment * 100, factor * 100
    figure = {
        "data": [{"x": points["x"], "y": points["y"], "name": "payout curve",
                  "type": "scatter", "mode": "lines", "line": {"color": "#2680c2"}},
                 {"x": [str(x)], "y": [str(y)], "name": you, "type": "scatter",
                  "mode": "markers+text", "text": [you], "textposition": "top center",
                  "marker": {"size": 12, "color": "#0b6e4f"}}],
        "layout": {
            # the title sits just above the plot, below the tool bar a phone shows on top
            "title": {"text": f"{points['title']}: you are here", "yref": "paper", "y": 1,
                      "yanchor": "bottom", "pad": {"b": 8}},
            "margin": {"t": 64, "r": 20, "b": 45, "l": 64}, "showlegend": False,
            "xaxis": {"title": {"text": axis}, "ticksuffix": "%", "rangemode": "tozero"},
            "yaxis": {"title": {"text": "payout factor"}, "ticksuffix": "%",
                      "rangemode": "tozero"},
            "shapes": [{"type": "line", "x0": str(at * 100), "x1": str(at * 100),
                        "yref": "paper", "y0": 0, "y1": 1,
                        "line": {"dash": "dash", "color": colour, "width": 2}}
                       for _, at, colour in marks],
            "annotations": [{"x": str(at * 100), "yref": "paper", "y": 1, "text": label,
                             "showarrow": False, "xanchor": "left", "font": {"size": 11}}
                            for label, at, _ in marks]}}
    return {"figure": to_json(figure), "text": " ".join(words), "you": you,
            "id": f"curve-{line.pk}"}


def pct_beside(attainment: Decimal, gate: Decimal | None) -> str:
    """An attainment at one decimal, or two when one would round it onto the other side
    of the gate, or onto it (79.98% is not "80.0%" under an 80% gate)."""
    text = fmt_pct(attainment)
    if gate is not None and (attainment >= gate) != (Decimal(text[:-1]) / 100 >= gate):
        return fmt_pct(attainment, 2)
    return text


def curves(plan: PlanModel | None, lines: list[PayoutLine]) -> list[dict[str, Any]]:
    """One "you are here" chart per curve line of the statement (at most six)."""
    if plan is None:
        return []
    components = {c.id: c for c in plan.components}
    out = []
    for ln in lines:
        comp = components.get(ln.component_id)
        if ln.line_type == "curve" and comp is not None and comp.payout.curve:
            chart = curve_figure(comp, ln)
            if chart is not None:
                chart["team"] = ln.team.name if ln.team else ""
                out.append(chart)
    return out[:6]


def year_to_date(payee: Payee, period: Period, periods: list[Period],
                 first_month: int = 1) -> dict[str, Any]:
    """Credited and paid in the plan year (from ``first_month``) up to and including
    ``period``, over ``periods`` (those the viewer may see: a leader who took the team
    over mid-year adds only the periods they led it in): paid is what the approved and
    locked periods' statements pay; the calculated and reviewed ones' are shown apart
    (they may still change)."""
    year = period.start.year - (1 if period.start.month < first_month else 0)
    begins = date(year, first_month, 1)
    in_year = [p for p in periods if begins <= p.start <= period.start]
    query = Q(pk__in=[])
    for p in in_year:
        query |= Q(run_id=p.run_id, period=p.label)
    credited = CreditRow.objects.filter(query, subject_type="payee",
                                        subject_id=payee.payee_id).aggregate(
        total=ExactSum("amount"))["total"] or ZERO
    _, sums, _ = _period_totals(payee, in_year)
    final = [p for p in in_year if p.status in ("approved", "locked")]
    paid = sum((sums[p.label] for p in final), ZERO)
    pending = sum((sums[p.label] for p in in_year if p not in final), ZERO)
    cur = payee.currency
    return {"from": begins, "periods": ", ".join(p.label for p in in_year),
            "credited": fmt_money(credited), "paid": shown(paid, cur),
            "pending": shown(pending, cur) if pending else "",
            "pending_count": len(in_year) - len(final)}


def pace(payee: Payee, period: Period, credits: list[CreditRow], today: date,
         names: dict[str, str] | None = None) -> dict[str, Any] | None:
    """For a period still open (not approved or locked): the payee's measure against
    the straight line to their target (the first payee component with a target), as
    numbers and a chart; None when they have no target in it."""
    if period.status in ("approved", "locked"):
        return None
    row = (AttainmentRow.objects.filter(run_id=period.run_id, period=period.label,
                                        subject_type="payee", subject_id=payee.payee_id,
                                        target_amount__isnull=False)
           .exclude(target_amount=0).order_by("component_id").first())
    if row is None:
        return None
    target, actual = row.target_amount, row.measure_value or ZERO
    expected = expected_by_today(period, target, today)
    series = pace_series(period, target, [(c.close_date, c.amount or ZERO) for c in credits
                                          if c.close_date is not None], today)
    over = today > period.end
    gap = actual - expected
    return {"component": (names or {}).get(row.component_id, row.component_id),
            "target": fmt_money(target),
            "expected": fmt_money(expected), "actual": fmt_money(actual),
            "gap": fmt_money(abs(gap)), "ahead": gap >= 0, "over": over,
            "share": fmt_pct(actual / target), "chart": to_json(series),
            "text": (f"{period.label} is over: {fmt_money(actual)} of the "
                     f"{fmt_money(target)} target ({fmt_pct(actual / target)})." if over else
                     f"By today {fmt_money(expected)} of the {fmt_money(target)} target is "
                     f"due on a straight line; you have {fmt_money(actual)}, "
                     f"{fmt_money(abs(gap))} {'ahead' if gap >= 0 else 'behind'}.")}


def why_no_lines(payee: Payee, period: Period) -> list[str]:
    """Why a statement has no lines: the payee is on no plan for the period (a leader
    in the demo: its plan pays account executives only), or what the run said about them
    (no target, so no line)."""
    assigned = PlanAssignment.objects.filter(payee=payee, start_date__lte=period.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.end)).exists()
    if not assigned:
        return [f"No plan pays {payee.name} in {period.label}: they are assigned none for "
                "these dates, so their target incentive earns nothing here. Sales ops "
                "assigns plans (a plan's Assign page)."]
    quoted = f"'{payee.payee_id}'"
    said = [d.get("message", "") for d in (period.run.diagnostics if period.run else [])
            if quoted in d.get("message", "") and period.label in d.get("message", "")]
    return said[:10] or [f"The run calculated no line for {payee.name} in {period.label}."]


def _team_deal_counts(period: Period, teams: set[Any]) -> dict[str, int]:
    """Deals with a non-zero credit to each team in the period: from the run's stored
    team summaries, else one grouped query (runs stored before summaries existed)."""
    from django.db.models import Count

    from teamquota.web.comp.models import TeamSummary
    ids = [t.team_id for t in teams]
    found = dict(TeamSummary.objects.filter(run_id=period.run_id, period=period.label,
                                            team_id__in=ids).values_list("team_id", "deals"))
    if found or not ids or TeamSummary.objects.filter(run_id=period.run_id).exists():
        return found
    return dict(CreditRow.objects.filter(
        run_id=period.run_id, period=period.label, subject_type="team",
        subject_id__in=[t.team_id for t in teams]).exclude(amount=0)
        .values("subject_id").annotate(n=Count("deal_id", distinct=True))
        .values_list("subject_id", "n"))


def _numbers(payee: Payee, period: Period, periods: list[Period]) -> dict[str, Any]:
    """What the statement shows for one period, cached by (run, period, payee, published
    periods and their statuses, last audit event — every import, adjustment and dispute
    is audited); access is checked before the cache is read."""
    key = "stmt:" + hashlib.sha256(repr((
        payee.pk, period.label, period.run_id,
        [(p.label, p.run_id, p.status) for p in periods],  # statuses: year to date's paid
        last_change())).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    data = statement_data(payee, period)
    team_counts = _team_deal_counts(period, {ln.team for ln in data["lines"] if ln.team})
    mine = sum(1 for c in data["credits"] if c.amount)
    for ln in data["lines"]:
        ln.pct = fmt_pct(ln.attainment) if ln.attainment is not None else ""
        ln.shown_amount = shown(ln.amount, ln.currency)
        if ln.deal_id:
            ln.deals_note = f"deal {ln.deal_id}"
        elif ln.team is not None:
            ln.deals_note = (f"{team_counts.get(ln.team.team_id, 0)} team deals "
                             f"({mine} yours)")
        elif not ln.adjusts_period:
            ln.deals_note = f"{mine} deals, listed below"
    numbers = dict(data)
    numbers.update({
        "credited_count": mine, "total_shown": shown(data["total"], data["currency"]),
        "history": history(payee, periods),
        "has_draws": any(ln.line_type in ("draw", "draw_recovery") for ln in data["lines"]),
        "deal_rows": [{"credit": c, "deal": data["deals"].get(c.deal_id),
                       "amount": fmt_money(c.amount or ZERO)} for c in data["credits"]],
        "credited": fmt_money(sum((c.amount or ZERO for c in data["credits"]), ZERO)),
    })
    plan = plan_for(payee, period.run)
    numbers["curves"] = curves(plan, data["lines"])
    numbers["year_start_month"] = plan.year_start_month if plan else 1
    numbers["no_lines"] = [] if data["lines"] else why_no_lines(payee, period)
    numbers["names"] = {c.id: c.name or c.id for c in plan.components} if plan else {}
    cache.set(key, numbers, 3600)
    return numbers


@access.signed_in
def statement(request: HttpRequest, payee_id: str) -> HttpResponse:
    periods = published_periods()
    if request.GET.get("period"):
        period = pick_period(request, periods)
        payee = get_object_or_404(access.payees_visible_to(request.user, period),
                                  payee_id=payee_id)
        shown = access.periods_visible_to(request.user, periods, payee=payee)
    else:  # the latest period the user may see for this payee (a former leader: before
        # the move), not the latest of all
        payee = get_object_or_404(access.payees_visible_to(request.user), payee_id=payee_id)
        shown = access.periods_visible_to(request.user, periods, payee=payee)
        if periods and not shown:
            raise Http404("no period of this payee is yours to see")
        period = shown[-1] if shown else None
    context: dict[str, Any] = {"payee": payee, "period": period, "periods": shown,
                               "own": request.user.payee_id == payee.id,
                               "ti": fmt_money(payee.target_incentive)}
    if period is not None:
        context.update(_numbers(payee, period, periods))
        # the history's draw balance runs over every period; only those in scope are shown
        labels = {p.label for p in shown}
        context["history"] = [h for h in context["history"] if h["period"].label in labels]
        # year to date over the periods in scope only (not cached: the scope is the
        # viewer's); pace reads today, so it is worked out after the cached numbers too
        context["ytd"] = year_to_date(payee, period, shown, context["year_start_month"])
        context["pace"] = pace(payee, period, context["credits"], timezone.localdate(),
                               context["names"])
    return render(request, "comp/statement.html", context)

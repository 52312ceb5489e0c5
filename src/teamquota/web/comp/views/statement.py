"""Rep statements: every payout line with its explanation and deals, totals, history."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from teamquota.core.money import fmt_money, fmt_pct
from teamquota.web.comp import access
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import CreditRow, Deal, Payee, PayoutLine, Period
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.views.common import last_change, pick_period, published_periods

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
                 .prefetch_related("disputes").order_by("plan_id", "component_id", "id"))
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


def history(payee: Payee, periods: list[Period]) -> list[dict[str, Any]]:
    """Each published period's total and the recoverable-draw balance after it, from one
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
    rows, balance = [], ZERO
    for p in periods:
        balance += draws[p.label]
        if p.label in found:
            rows.append({"period": p, "total": shown(sums[p.label], payee.currency),
                         "draw_balance": shown(balance, payee.currency)})
    return rows


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
    periods, last audit event — every import, adjustment and dispute is audited); access is
    checked before the cache is read."""
    key = "stmt:" + hashlib.sha256(repr((
        payee.pk, period.label, period.run_id, [(p.label, p.run_id) for p in periods],
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
    return render(request, "comp/statement.html", context)

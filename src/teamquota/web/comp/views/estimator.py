"""The estimator page: a rep picks open deals and sees pay, team attainment and gate.

The form keeps what the rep typed and ticked after each estimate and after an error (it
is their what-if, not ours to reset); amounts may be grouped ("1,200.50", "20 000", see
``services.estimate.ungroup``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from teamquota.core.money import fmt_pct, minor_unit
from teamquota.plan.model import Plan as PlanModel
from teamquota.web.comp import access
from teamquota.web.comp.models import Payee, Period, Team
from teamquota.web.comp.services import estimate as svc
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.views.common import plan_for
from teamquota.web.comp.views.statement import pct_beside

ZERO = Decimal("0")


@access.signed_in
def estimator(request: HttpRequest) -> HttpResponse:
    payee = request.user.payee
    if payee is None:
        return render(request, "comp/estimator.html", {"no_payee": True})
    period = (Period.objects.filter(run__isnull=False).exclude(status="locked")
              .order_by("-start").first())
    deals = svc.open_deals(payee)
    guesses = svc.typical_amounts({d.product for d in deals})
    posted = request.method == "POST"
    ticked = set(request.POST.getlist("deal")) if posted else set()
    for d in deals:
        d.guess = guesses.get(d.product, Decimal("0.00"))
        # what the form shows: the rep's own text once they sent one, else the guess
        d.value = request.POST.get(f"amount_{d.deal_id}", d.guess) if posted else d.guess
        d.ticked = d.deal_id in ticked
    context: dict[str, object] = {"payee": payee, "period": period, "deals": deals}
    if posted and period is not None:
        chosen, errors = {}, []
        mine = {d.deal_id for d in deals}
        for deal_id in request.POST.getlist("deal"):
            if deal_id not in mine:
                errors.append(f"deal {deal_id} is not one of your open deals")
                continue
            amount, problem = svc.read_amount(request.POST.get(f"amount_{deal_id}", ""))
            if amount is None:
                errors.append(f"deal {deal_id}: amount {problem}")
            else:
                chosen[deal_id] = amount
        if not ticked:
            errors.append("tick at least one deal to estimate")
        context["errors"] = errors
        est = None
        if chosen and not errors:
            try:
                est = svc.estimate(payee, period, chosen, timezone.localdate())
            except svc.EstimateError as exc:
                errors.append(str(exc))
        if est is not None:
            context.update(_results(request, payee, period, est))
    return render(request, "comp/estimator.html", context)


def _results(request: HttpRequest, payee: Payee, period: Period,
             est: svc.Estimate) -> dict[str, Any]:
    # engine amounts at the payee's currency's places (10.006 KWD), never re-rounded
    cur = payee.currency
    plan = plan_for(payee, period.run)
    names = dict(Team.objects.filter(team_id__in={k[0] for k in est.team_before})
                 .values_list("team_id", "name"))
    # only the teams the rep belongs to in the estimated period (not a former team)
    teams = set(access.teams_visible_to(request.user, period).values_list("team_id",
                                                                          flat=True))
    return {
        "estimate": est, "delta": shown(est.after_total - est.before_total, cur),
        "after_total": shown(est.after_total, cur), "before_total": shown(est.before_total, cur),
        "team_rows": [_team_row(plan, payee, period, est, k, names.get(k[0], k[0]))
                      for k in est.team_before if k[0] in teams],
        "component_rows": [
            {"component": c, "before": shown(est.lines_before.get(c, ZERO), cur),
             "after": shown(est.lines_after.get(c, ZERO), cur)}
            for c in sorted(set(est.lines_before) | set(est.lines_after))]}


def _team_row(plan: PlanModel | None, payee: Payee, period: Period, est: svc.Estimate,
              key: tuple[str, str], team: str) -> dict[str, Any]:
    """A team's attainment now and if the deals close, what the team part pays the rep,
    and the gate's effect: below it, what the part would pay at the gate."""
    before, after = est.team_before.get(key), est.team_after.get(key)
    component = next((c for c in plan.components if c.id == key[1]), None) if plan else None
    pays = est.lines_after.get(key[1], ZERO)
    row = {"team": team, "component": (component.name or component.id) if component
           else key[1], "before": fmt_pct(before) if before is not None else "—",
           "after": fmt_pct(after) if after is not None else "—",
           "pays": shown(pays, payee.currency),
           "pays_before": shown(est.lines_before.get(key[1], ZERO), payee.currency),
           "gate": "", "met": True}
    gate = component.gate.team_attainment_at_least if component is not None and \
        component.gate is not None else None
    if gate is None or component is None:
        return row
    if after is None:
        row.update(gate=f"no team target: team pays from {fmt_pct(gate, 0)}",
                   met=False)
    elif after >= gate:
        row["gate"] = (f"team at {fmt_pct(after)}: gate of {fmt_pct(gate, 0)} met, team "
                       f"pays {row['pays']}")
    else:
        at_gate = svc.pay_at(component, payee.target_incentive, period.label, gate,
                             minor_unit(payee.currency))
        row.update(met=False, gate=(
            f"team at {pct_beside(after, gate)}: "
            f"below the {fmt_pct(gate, 0)} gate, team pays {row['pays']}; at "
            f"{fmt_pct(gate, 0)} it would pay {shown(at_gate, payee.currency)}"))
    return row

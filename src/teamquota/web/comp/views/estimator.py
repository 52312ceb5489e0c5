"""The estimator page: a rep picks open deals and sees pay, team attainment and gate."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from teamquota.core.money import fmt_pct
from teamquota.web.comp import access
from teamquota.web.comp.models import Period
from teamquota.web.comp.services import estimate as svc
from teamquota.web.comp.services.money import shown


@access.signed_in
def estimator(request: HttpRequest) -> HttpResponse:
    payee = request.user.payee
    if payee is None:
        return render(request, "comp/estimator.html", {"no_payee": True})
    period = (Period.objects.filter(run__isnull=False).exclude(status="locked")
              .order_by("-start").first())
    deals = svc.open_deals(payee)
    guesses = svc.typical_amounts({d.product for d in deals})
    for d in deals:
        d.guess = guesses.get(d.product, Decimal("0.00"))
    context: dict[str, object] = {"payee": payee, "period": period, "deals": deals}
    if request.method == "POST" and period is not None:
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
        context["errors"] = errors
        context["chosen"] = chosen
        est = None
        if chosen and not errors:
            try:
                est = svc.estimate(payee, period, chosen, timezone.localdate())
            except svc.EstimateError as exc:
                errors.append(str(exc))
        if est is not None:
            context["estimate"] = est
            # engine amounts at the payee's currency's places (10.006 KWD), never re-rounded
            cur = payee.currency
            context["delta"] = shown(est.after_total - est.before_total, cur)
            context["after_total"] = shown(est.after_total, cur)
            context["before_total"] = shown(est.before_total, cur)
            from teamquota.web.comp.views.common import plan_for
            from teamquota.web.comp.views.dashboard import _gate_text
            plan = plan_for(payee, period.run)
            from teamquota.web.comp.models import Team
            names = dict(Team.objects.filter(team_id__in={k[0] for k in est.team_before})
                         .values_list("team_id", "name"))
            # only the teams the rep belongs to in the estimated period (not a former team)
            teams = set(access.teams_visible_to(request.user, period)
                        .values_list("team_id", flat=True))
            context["team_rows"] = [
                {"team": names.get(k[0], k[0]), "component": k[1],
                 "gate_before": _gate_text(plan, k[1], v),
                 "gate_after": _gate_text(plan, k[1], est.team_after.get(k)),
                 "before": fmt_pct(v) if v is not None else "—",
                 "after": fmt_pct(est.team_after.get(k)) if est.team_after.get(k) is not None
                 else "—"} for k, v in est.team_before.items() if k[0] in teams]
            context["component_rows"] = [
                {"component": c, "before": shown(est.lines_before.get(c, Decimal(0)), cur),
                 "after": shown(est.lines_after.get(c, Decimal(0)), cur)}
                for c in sorted(set(est.lines_before) | set(est.lines_after))]
    return render(request, "comp/estimator.html", context)

"""Plan letters: what a letter says (made once, when sales ops sends it), a payee's letters
and their acceptance, and sales ops' and finance's status per plan version.

The rules are worded as the plan page words them (views.plans.describe) and, for curves
and tiers, as the statement's payout lines do (the engine's rule text), so a letter never
says a rule a second way."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from teamquota.core.money import fmt_pct
from teamquota.core.periods import Period, parse_period
from teamquota.engine.pay import _curve_rule
from teamquota.engine.tiers import tier_rule
from teamquota.plan.model import Component
from teamquota.plan.model import Plan as PlanModel
from teamquota.web.comp import access
from teamquota.web.comp.models import (
    Membership,
    Payee,
    Plan,
    PlanAssignment,
    PlanLetter,
    PlanVersion,
    Target,
)
from teamquota.web.comp.services import letters as letter_service
from teamquota.web.comp.services.import_diff import count
from teamquota.web.comp.services.money import shown
from teamquota.web.comp.views.common import plan_of_version, to_json
from teamquota.web.comp.views.plans import curve_chart, describe

Span = tuple[date, date | None]


def _rule(component: Component) -> str:
    """The rule as the statement's payout line words it (curves and tiers)."""
    if component.payout.curve:
        return _curve_rule(component)
    if component.payout.tiers:
        return tier_rule(component)
    return ""


def _component(component: Component) -> dict[str, Any]:
    chart = curve_chart(component)
    return {
        "id": component.id, "name": component.name or component.id,
        "facts": describe(component), "rule": _rule(component),
        "points": [[fmt_pct(x, 0), fmt_pct(y, 0)] for x, y in component.payout.curve or []],
        "cap": fmt_pct(component.payout.cap, 0) if component.payout.cap else "",
        "chart": json.loads(chart) if chart else None,
    }


def _paid_period(label: str, plan: PlanModel, spans: list[Span]) -> Period | None:
    """The target's period when the assignment pays it (a PlanAssignment pays the periods
    that END within its dates), else None (a label that is not a period: None too)."""
    try:
        period = parse_period(label, plan.year_start_month)
    except ValueError:
        return None
    paid = any(start <= period.end and (end is None or period.end <= end)
               for start, end in spans)
    return period if paid else None


def _targets(payee: Payee, plan: PlanModel, spans: list[Span]) -> list[dict[str, str]]:
    """The payee's targets for the periods their assignment pays: their own for the
    personal components, a team's (for a period they were its member on some day of) for
    the team components."""
    wanted: dict[tuple[str, str], Component] = {}
    for c in plan.components:
        kind = "payee" if c.scope == "payee" else "team"
        wanted[(kind, c.target.measure or c.target.of or c.id)] = c
    teams: dict[str, tuple[str, list[Span]]] = {}
    for m in Membership.objects.filter(payee=payee).select_related("team"):
        teams.setdefault(m.team.team_id, (m.team.name, []))[1].append((m.start_date,
                                                                       m.end_date))
    found = (Target.objects.filter(subject_type="payee", subject_id=payee.payee_id)
             | Target.objects.filter(subject_type="team", subject_id__in=list(teams)))
    currency = payee.currency or plan.currency
    rows = []
    for t in found.order_by("period", "subject_type", "subject_id", "measure"):
        component = wanted.get((t.subject_type, t.measure))
        period = _paid_period(t.period, plan, spans) if component else None
        if component is None or period is None:
            continue
        whose = "yours"
        if t.subject_type == "team":
            name, held = teams[t.subject_id]
            if not any(start <= period.end and (end is None or period.start <= end)
                       for start, end in held):
                continue
            whose = f"team {name}"
        rows.append({"period": t.period, "component": component.name or component.id,
                     "whose": whose, "amount": str(t.amount),
                     "shown": shown(t.amount, currency)})
    return rows


def letter_content(payee: Payee, version: PlanVersion) -> dict[str, Any]:
    """What the letter of ``version`` says to ``payee``: JSON only (stored as sent)."""
    loaded = plan_of_version(version)
    if loaded is None:
        raise ValueError(f"{version} does not load; fix the plan before sending letters")
    plan = loaded.plan
    spans: list[Span] = list(PlanAssignment.objects.filter(plan_id=version.plan_id,
                                                           payee=payee)
                             .order_by("start_date").values_list("start_date", "end_date"))
    currency = payee.currency or plan.currency
    return {
        "plan": plan.plan, "plan_name": plan.name or plan.plan, "version": version.number,
        "version_sha256": hashlib.sha256(version.yaml_text.encode("utf-8")).hexdigest(),
        "period": plan.period, "currency": plan.currency,
        "payee": {"id": payee.payee_id, "name": payee.name, "role": payee.role},
        "ti": str(payee.target_incentive), "ti_shown": shown(payee.target_incentive, currency),
        "ti_currency": currency,
        "effective": [{"start": start.isoformat(), "end": end.isoformat() if end else ""}
                      for start, end in spans],
        "plan_effective": ({"start": plan.effective.start.isoformat(),
                            "end": plan.effective.end.isoformat()} if plan.effective else None),
        "components": [_component(c) for c in plan.components],
        "targets": _targets(payee, plan, spans),
    }


def letter_for(request: HttpRequest, pk: int) -> PlanLetter:
    return get_object_or_404(access.letters_visible_to(request.user)
                             .select_related("version__plan", "payee"), pk=pk)


@access.signed_in
def letter_list(request: HttpRequest) -> HttpResponse:
    """A payee's own letters (waiting first); for sales ops and finance each plan's
    current version with its counts."""
    mine = []
    if request.user.payee_id:
        mine = list(PlanLetter.objects.filter(payee_id=request.user.payee_id)
                    .select_related("version__plan", "acceptance"))
        mine.sort(key=lambda ln: (hasattr(ln, "acceptance"), -ln.pk))
    plans = []
    if access.sees_everything(request.user):
        for plan in Plan.objects.prefetch_related("versions"):
            version = plan.current
            if version is not None:
                rows = letter_service.version_status(version)
                plans.append({"plan": plan, "version": version,
                              "counts": letter_service.counts(rows)})
    return render(request, "comp/letters.html", {
        "mine": mine, "plans": plans, "ops": access.sees_everything(request.user)})


def _chart_json(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**c, "chart_json": to_json(c["chart"]) if c.get("chart") else ""}
            for c in content["components"]]


@access.signed_in
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_for(request, pk)
    current = letter.version.plan.current
    return render(request, "comp/letter.html", {
        "letter": letter, "c": letter.content, "components": _chart_json(letter.content),
        "acceptance": getattr(letter, "acceptance", None),
        "own": access.may_accept_letter(request.user, letter),
        "superseded": current is not None and current.pk != letter.version_id,
        "current": current})


@require_POST
@access.signed_in
def letter_accept(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_for(request, pk)
    if not access.may_accept_letter(request.user, letter):
        raise PermissionDenied("only the payee accepts their plan letter, with their own "
                               "login")
    version = letter.version
    current = version.plan.current
    if current is not None and current.pk != version.pk:  # its acceptance would count for nothing
        messages.error(request, f"{version.plan.plan_id} version {version.number} was replaced "
                       f"by version {current.number}; accept the letter of version "
                       f"{current.number} instead")
        return redirect("letter", pk=letter.pk)
    _, new = letter_service.accept_letter(request.user, letter)
    messages.success(request, f"You accepted {version.plan.plan_id} version {version.number}"
                     if new else f"You had already accepted {version.plan.plan_id} version "
                     f"{version.number}")
    return redirect("letter", pk=letter.pk)


def _version_of(request: HttpRequest, plan: Plan) -> PlanVersion:
    """``?version=N`` (or the POST's), else the plan's current version."""
    wanted = request.POST.get("version") or request.GET.get("version")
    if not wanted:
        version = plan.current
        if version is None:
            raise Http404("the plan has no version yet")
        return version
    # ASCII digits, few enough for any database's integer ('²' is a digit to str.isdigit)
    if not re.fullmatch(r"[0-9]{1,9}", wanted):
        raise Http404(f"no version {wanted!r} of {plan.plan_id}: versions are numbers")
    return get_object_or_404(plan.versions, number=int(wanted))


@access.require_role(*access.EVERYTHING)
def letters_status(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = get_object_or_404(Plan, plan_id=plan_id)
    version = _version_of(request, plan)
    rows = letter_service.version_status(version)
    return render(request, "comp/letters_status.html", {
        "plan": plan, "version": version, "versions": plan.versions.all(), "rows": rows,
        "counts": letter_service.counts(rows),
        "can_send": request.user.has_role("sales_ops") and version == plan.current})


@require_POST
@access.require_role("sales_ops")
def letters_send(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = get_object_or_404(Plan, plan_id=plan_id)
    version = _version_of(request, plan)
    if version != plan.current:
        messages.error(request, f"version {version.number} was replaced by version "
                       f"{plan.current.number if plan.current else '?'}; send the current one")
    elif plan_of_version(version) is None:
        messages.error(request, f"{plan.plan_id} version {version.number} does not load; "
                       "fix the plan before sending letters")
    else:
        sent = letter_service.send_letters(request.user, version, letter_content)
        if sent:
            messages.success(request, f"Sent {count(len(sent), 'letter')} of {plan.plan_id} "
                             f"version {version.number}")
        else:
            messages.info(request, f"Every payee assigned {plan.plan_id} already has the "
                          f"letter of version {version.number}; nothing was sent")
    return redirect(reverse("letters_status", args=[plan.plan_id])
                    + f"?version={version.number}")

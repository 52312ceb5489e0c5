"""The organisation for sales ops: teams (create; name, leader from a date, parent) and
effective-dated memberships (join, move from a date, end). The rules live in
:mod:`..services.org`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models import Leadership, Membership, Payee, Period, Target, Team
from teamquota.web.comp.services import org
from teamquota.web.comp.services.target_edits import set_target


def _date(request: HttpRequest, field: str, label: str, required: bool = True) -> date | None:
    text = request.POST.get(field, "").strip()
    if not text and not required:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise org.OrgError(f"{label}: '{text}' is not a date; write YYYY-MM-DD") from None


def _payee(text: str, label: str, required: bool = True) -> Payee | None:
    text = text.strip()
    if not text and not required:
        return None
    found = Payee.objects.filter(payee_id=text).first()
    if found is None:
        raise org.OrgError(f"{label}: no payee has the id '{text}'")
    return found


def _team(text: str, label: str) -> Team | None:
    text = text.strip()
    if not text:
        return None
    found = Team.objects.filter(team_id=text).first()
    if found is None:
        raise org.OrgError(f"{label}: no team has the id '{text}'")
    return found


@access.require_role("sales_ops")
def org_list(request: HttpRequest) -> HttpResponse:
    errors = []
    if request.method == "POST":
        try:
            team, summary = org.save_team(
                request.user, None, request.POST.get("team_id", "").strip(),
                request.POST.get("name", ""), _payee(request.POST.get("leader_id", ""),
                                                     "leader", required=False),
                _team(request.POST.get("parent_id", ""), "parent team"),
                _date(request, "leader_from", "leader from", required=False))
            messages.success(request, summary)
            return redirect("org_team", team_id=team.team_id)
        except org.OrgError as exc:
            errors.append(str(exc))
    teams = Team.objects.select_related("leader", "parent").order_by("team_id")
    return render(request, "comp/org_list.html", {"teams": teams, "errors": errors,
                                                  "form": request.POST, **_pickers()})


def _pickers(team: Team | None = None) -> dict[str, Any]:
    """People and teams by name for the pages' pickers (a datalist when there are many)."""
    people = org.people_choices()
    return {"people": people, "long_people": len(people) > org.PICKER_LIMIT,
            "team_choices": org.team_choices(exclude=team)}


@access.require_role("sales_ops")
def org_team(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("leader", "parent"), team_id=team_id)
    errors = []
    if request.method == "POST":
        try:
            team, summary = org.save_team(
                request.user, team, team.team_id, request.POST.get("name", ""),
                _payee(request.POST.get("leader_id", ""), "leader", required=False),
                _team(request.POST.get("parent_id", ""), "parent team"),
                _date(request, "leader_from", "leader from", required=False))
            messages.success(request, summary)
            return redirect("org_team", team_id=team.team_id)
        except org.OrgError as exc:
            errors.append(str(exc))
    return _team_page(request, team, errors)


def _team_page(request: HttpRequest, team: Team, errors: list[str]) -> HttpResponse:
    memberships = list(Membership.objects.filter(team=team).select_related("payee")
                       .order_by("payee__name", "start_date"))
    payees = {m.payee.payee_id: m.payee for m in memberships}
    members = sorted(payees)
    targets = (Target.objects.filter(subject_type="team", subject_id=team.team_id)
               | Target.objects.filter(subject_type="payee", subject_id__in=members))
    context: dict[str, Any] = {
        "team": team, "errors": errors, "form": request.POST, "memberships": memberships,
        "leaderships": Leadership.objects.filter(team=team).select_related("payee")
        .order_by("start_date"),
        "member_choices": org.people_choices(Payee.objects.filter(payee_id__in=members)),
        "measures": sorted(set(Target.objects.values_list("measure", flat=True).distinct())),
        "period_labels": list(Period.objects.order_by("-start").values_list("label", flat=True)
                              [:24]),
        "targets": targets.order_by("period", "subject_type", "subject_id", "measure")[:500],
        **_pickers(team)}
    return render(request, "comp/org_team.html", context)


def _membership_change(request: HttpRequest, team: Team, change: Any) -> HttpResponse:
    try:
        messages.success(request, change())
    except org.OrgError as exc:
        return _team_page(request, team, [str(exc)])
    return redirect("org_team", team_id=team.team_id)


@require_POST
@access.require_role("sales_ops")
def membership_add(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_object_or_404(Team, team_id=team_id)
    return _membership_change(request, team, lambda: org.add_membership(
        request.user, _payee(request.POST.get("payee_id", ""), "payee"), team,
        _date(request, "start_date", "from"), _date(request, "end_date", "to", False)))


@require_POST
@access.require_role("sales_ops")
def membership_move(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_object_or_404(Team, team_id=team_id)

    def move() -> str:
        target = _team(request.POST.get("to_team", ""), "to team")
        if target is None:
            raise org.OrgError("to team: choose the team they move to")
        return org.move_member(request.user, _payee(request.POST.get("payee_id", ""),
                                                    "payee"), team, target,
                               _date(request, "day", "from"))
    return _membership_change(request, team, move)


@require_POST
@access.require_role("sales_ops")
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("payee", "team"),
                                   pk=membership_id)
    return _membership_change(request, membership.team, lambda: org.end_membership(
        request.user, membership, _date(request, "end_date", "last day", False)))


@require_POST
@access.require_role("sales_ops")
def target_set(request: HttpRequest, team_id: str) -> HttpResponse:
    """Set a target of the team or one of its members (from the team's page)."""
    team = get_object_or_404(Team, team_id=team_id)
    subject = request.POST.get("subject", "").strip()
    subject_type, subject_id = ("team", team.team_id) if subject in ("", team.team_id) \
        else ("payee", subject)

    def change() -> str:
        # the picker offers the team and its members: another team's payee is a tampered
        # (or stale) form, refused by name rather than set from the wrong page
        payee = Payee.objects.filter(payee_id=subject_id).first()
        if subject_type == "payee" and payee is not None and \
                not Membership.objects.filter(team=team, payee=payee).exists():
            raise org.OrgError(f"for: {payee.name} ({payee.payee_id}) is not a member of "
                               f"{team.name}; set their target from their team's page")
        return set_target(request.user, subject_type, subject_id,
                          request.POST.get("measure", ""), request.POST.get("period", ""),
                          request.POST.get("amount", ""))
    return _membership_change(request, team, change)

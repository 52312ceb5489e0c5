"""Who may see and do what — the one place access is decided (views only call this).

Every view gets its objects through a ``*_visible_to(user)`` queryset, so an object outside
the user's scope is simply not found (404), exactly as NetBox's restricted querysets do.
Role pages use :func:`require_role` (403 for a signed-in user without the role).

Scopes: a *rep* sees their own statement and the teams they belong to; a *leader* sees the
teams they lead and all their sub-teams, and the statements of those teams' members;
*finance* and *sales ops* see every result. Segregation of duties: :func:`can_approve`
refuses anyone who authored a plan version, import or assignment that a run read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from teamquota.web.comp.models import (
    AuditEvent,
    Dispute,
    Import,
    Payee,
    PayoutLine,
    Period,
    Plan,
    Run,
    Team,
    User,
)

EVERYTHING = ("finance", "sales_ops")


def _cached(user: Any, key: str, compute: Callable[[], Any]) -> Any:
    cache = user.__dict__.setdefault("_tq_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def led_team_ids(user: User) -> set[int]:
    """Teams the user leads, with every sub-team below them."""
    def compute() -> set[int]:
        if not user.payee_id or not user.has_role("leader"):
            return set()
        children: dict[int | None, list[int]] = {}
        for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(team_id)
        found: set[int] = set()
        todo = list(Team.objects.filter(leader_id=user.payee_id).values_list("id", flat=True))
        while todo:
            team = todo.pop()
            if team not in found:
                found.add(team)
                todo.extend(children.get(team, []))
        return found
    return _cached(user, "led", compute)


def member_team_ids(user: User) -> set[int]:
    if not user.payee_id:
        return set()
    return _cached(user, "member", lambda: set(
        Team.objects.filter(memberships__payee_id=user.payee_id).values_list("id", flat=True)))


def sees_everything(user: User) -> bool:
    return user.is_authenticated and user.has_role(*EVERYTHING)


def teams_visible_to(user: User) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if sees_everything(user):
        return Team.objects.all()
    return Team.objects.filter(id__in=led_team_ids(user) | member_team_ids(user))


def payees_visible_to(user: User) -> QuerySet[Payee]:
    """Payees whose statements the user may open."""
    if not user.is_authenticated:
        return Payee.objects.none()
    if sees_everything(user):
        return Payee.objects.all()
    led = led_team_ids(user)
    query = Q(id=user.payee_id) if user.payee_id else Q(pk__in=[])
    if led:
        query |= Q(memberships__team_id__in=led)
    return Payee.objects.filter(query).distinct()


def lines_visible_to(user: User) -> QuerySet[PayoutLine]:
    if sees_everything(user):
        return PayoutLine.objects.all()
    return PayoutLine.objects.filter(payee__in=payees_visible_to(user))


def disputes_visible_to(user: User) -> QuerySet[Dispute]:
    if sees_everything(user):
        return Dispute.objects.all()
    return Dispute.objects.filter(payee__in=payees_visible_to(user))


def members_detail_visible(user: User, team: Team, team_visibility: str) -> bool:
    """May the user see each member's numbers on ``team``'s dashboard? Leaders of the team,
    finance and sales ops always; members only when the plan says ``members``."""
    if sees_everything(user) or team.id in led_team_ids(user):
        return True
    return team_visibility == "members"


def plans_visible_to(user: User) -> QuerySet[Plan]:
    if not user.is_authenticated:
        return Plan.objects.none()
    if sees_everything(user) or user.has_role("leader"):
        return Plan.objects.all()
    return Plan.objects.filter(assignments__payee_id=user.payee_id).distinct()


def runs_visible_to(user: User) -> QuerySet[Run]:
    return Run.objects.all() if sees_everything(user) else Run.objects.none()


def imports_visible_to(user: User) -> QuerySet[Import]:
    return (Import.objects.all() if user.is_authenticated and user.has_role("sales_ops")
            else Import.objects.none())


def audit_visible_to(user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.all() if sees_everything(user) else AuditEvent.objects.none()


def can_answer_dispute(user: User, dispute: Dispute) -> bool:
    if user.has_role("sales_ops"):
        return True
    return user.has_role("leader") and dispute.payee_id in set(
        payees_visible_to(user).values_list("id", flat=True)) and \
        dispute.payee_id != user.payee_id


def run_input_authors(run: Run, period: Period | None = None) -> set[int]:
    """Users who changed what ``run`` pays: plan versions, imports, plan assignments, and
    the manual entries booked in ``period``."""
    authors = {pv.created_by_id for pv in run.plan_versions.all()}
    authors |= {imp.created_by_id for imp in run.imports.all()}
    from teamquota.web.comp.models import PlanAssignment
    authors |= set(PlanAssignment.objects.filter(
        plan__versions__in=run.plan_versions.all()).values_list("created_by_id", flat=True))
    if period is not None:
        authors |= set(PayoutLine.shown(period).filter(line_type="manual")
                       .values_list("created_by_id", flat=True))
    authors.discard(None)
    return authors


def approval_refusal(user: User, period: Period | Run | None) -> str | None:
    """Why ``user`` may not approve what ``period`` pays (None: they may); a run alone is
    judged on its inputs."""
    if not user.has_role("finance"):
        return "only finance approves payouts"
    run = period.run if isinstance(period, Period) else period
    if run is None:
        return "the period has no calculation to approve"
    if user.id in run_input_authors(run, period if isinstance(period, Period) else None):
        return ("segregation of duties: you changed a plan, an assignment or data that this "
                "run used, so someone else in finance must approve it")
    return None


def require_role(*roles: str) -> Callable[[Callable[..., HttpResponse]],
                                          Callable[..., HttpResponse]]:
    """Anonymous -> login page; signed in without one of ``roles`` -> 403."""
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and not request.user.has_role(*roles):
                raise PermissionDenied("your role does not give access to this page")
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


signed_in = require_role()


INSIGHT_ROLES = ("leader", "sales_ops")


def insight_teams_visible_to(user: User) -> QuerySet[Team]:
    """Teams whose insight pages (watchlist, strengths, conflicts) the user may open:
    sales ops every team, a leader the teams they lead and their sub-teams — never the
    team a leader merely belongs to. Reps and finance have none (the view answers 403)."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.has_role("sales_ops"):
        return Team.objects.all()
    return Team.objects.filter(id__in=led_team_ids(user))


def may_see_insights(user: User, team: Team) -> bool:
    """For menus and links only; the views decide with the queryset above."""
    return insight_teams_visible_to(user).filter(pk=team.pk).exists()

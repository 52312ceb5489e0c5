"""Who may see and do what — the one place access is decided (views only call this).

Every view gets its objects through a ``*_visible_to(user)`` queryset, so an object outside
the user's scope is simply not found (404), exactly as NetBox's restricted querysets do.
Role pages use :func:`require_role` (403 for a signed-in user without the role).

Scopes: a *rep* sees their own statement and the teams they belong to; a *leader* sees the
teams they lead and all their sub-teams, and the statements of those teams' members;
*finance* and *sales ops* see every result. Scopes are per period (``period``; None means
"in some period"): a membership counts for a period when it holds on at least one of its
days, and a line, a dispute or a statement is judged by its own period. Leadership has no
dates (``Team.leader``): the current leader leads the team in every period.
Segregation of duties: :func:`can_approve` refuses anyone who authored a plan version,
import or assignment that a run read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse

from teamquota.web.comp.models import (
    AuditEvent,
    Dispute,
    Import,
    Membership,
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


def during(period: Period | None, prefix: str = "") -> Q:
    """Memberships (``prefix`` leads to them) holding on some day of ``period``; None: any."""
    if period is None:
        return Q()
    return Q(**{f"{prefix}start_date__lte": period.end}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": period.start}))


def led_team_ids(user: User, period: Period | None = None) -> set[int]:
    """Teams the user leads, with every sub-team below them. Leadership is not dated (a
    plain ``Team.leader``), so the current leader leads in every ``period``."""
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


def member_team_ids(user: User, period: Period | None = None) -> set[int]:
    """Teams the user was a member of on some day of ``period`` (None: ever)."""
    if not user.payee_id:
        return set()
    return _cached(user, f"member:{period.label if period else ''}", lambda: set(
        Membership.objects.filter(during(period), payee_id=user.payee_id)
        .values_list("team_id", flat=True)))


def sees_everything(user: User) -> bool:
    return user.is_authenticated and user.has_role(*EVERYTHING)


def teams_visible_to(user: User, period: Period | None = None) -> QuerySet[Team]:
    """Teams whose dashboard (for ``period``) the user may open: those they lead (and the
    sub-teams), those they were a member of on some day of the period."""
    if not user.is_authenticated:
        return Team.objects.none()
    if sees_everything(user):
        return Team.objects.all()
    return Team.objects.filter(id__in=led_team_ids(user, period) | member_team_ids(user, period))


def payees_visible_to(user: User, period: Period | None = None) -> QuerySet[Payee]:
    """Payees whose statements (for ``period``) the user may open: their own, and those who
    were members of a team they lead on some day of the period."""
    if not user.is_authenticated:
        return Payee.objects.none()
    if sees_everything(user):
        return Payee.objects.all()
    led = led_team_ids(user, period)
    query = Q(id=user.payee_id) if user.payee_id else Q(pk__in=[])
    if led:
        query |= Q(id__in=Membership.objects.filter(during(period), team_id__in=led)
                   .values("payee_id"))
    return Payee.objects.filter(query)


def periods_visible_to(user: User, periods: list[Period], *, payee: Payee | None = None,
                       team: Team | None = None) -> list[Period]:
    """The ``periods`` in which the user may open ``payee``'s statement or ``team``'s
    dashboard (period pickers, the statement history, the dashboard trend)."""
    if sees_everything(user) or (payee is not None and payee.pk == user.payee_id) or \
            (team is not None and team.pk in led_team_ids(user)):
        return list(periods)
    if payee is not None:
        spans = Membership.objects.filter(payee=payee, team_id__in=led_team_ids(user))
    elif team is not None and user.payee_id:
        spans = Membership.objects.filter(payee_id=user.payee_id, team=team)
    else:
        return []
    held = list(spans.values_list("start_date", "end_date"))
    return [p for p in periods
            if any(start <= p.end and (end is None or p.start <= end) for start, end in held)]


def lines_visible_to(user: User, period: Period | None = None) -> QuerySet[PayoutLine]:
    """Payout lines the user may see, each judged by its own period: the user's own, and
    those of a payee who was a member of a team they lead on some day of the line's period.
    ``period``: only the lines booked in it."""
    lines = PayoutLine.objects.all() if period is None else \
        PayoutLine.objects.filter(period=period.label)
    if sees_everything(user):
        return lines
    if not user.is_authenticated:
        return lines.none()
    query = Q(payee_id=user.payee_id) if user.payee_id else Q(pk__in=[])
    led = led_team_ids(user, period)
    if led:
        bounds = Period.objects.filter(label=OuterRef(OuterRef("period")))
        query |= Q(Exists(Membership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=Subquery(bounds.values("start")[:1])),
            payee_id=OuterRef("payee_id"), team_id__in=led,
            start_date__lte=Subquery(bounds.values("end")[:1]))))
    return lines.filter(query)


def disputes_visible_to(user: User, period: Period | None = None) -> QuerySet[Dispute]:
    """Disputes on the lines the user may see (:func:`lines_visible_to`, by the disputed
    line's period)."""
    if sees_everything(user):
        return Dispute.objects.all() if period is None else \
            Dispute.objects.filter(line__period=period.label)
    return Dispute.objects.filter(line__in=lines_visible_to(user, period))


def members_detail_visible(user: User, team: Team, team_visibility: str,
                           period: Period | None = None) -> bool:
    """May the user see each member's numbers on ``team``'s dashboard for ``period``?
    Leaders of the team, finance and sales ops always; members of the team on some day of
    the period only when the plan says ``members``."""
    if sees_everything(user) or team.id in led_team_ids(user, period):
        return True
    return team_visibility == "members" and team.id in member_team_ids(user, period)


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
    """Sales ops, or a leader of a team (or a parent team) the payee was a member of on
    some day of the disputed line's period — never the payee themself."""
    if user.has_role("sales_ops"):
        return True
    if not user.has_role("leader") or dispute.payee_id == user.payee_id:
        return False
    period = Period.objects.filter(label=dispute.line.period).first()
    return period is not None and \
        payees_visible_to(user, period).filter(pk=dispute.payee_id).exists()


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

"""Who may see and do what — the one place access is decided (views only call this).

Every view gets its objects through a ``*_visible_to(user)`` queryset, so an object outside
the user's scope is simply not found (404), exactly as NetBox's restricted querysets do.
Role pages use :func:`require_role` (403 for a signed-in user without the role).

Scopes: a *rep* sees their own statement and the teams they belong to; a *leader* sees the
teams they lead and all their sub-teams, and the statements of those teams' members;
*finance* and *sales ops* see every result. Scopes are per period (``period``; None means
"in some period"): a membership (:class:`Membership`) and a leadership (:class:`Leadership`,
dated like memberships; ``Team.leader`` is only the open span's payee) count for a period
when they hold on at least one of its days, and a line, a dispute or a statement is judged
by its own period — a leader sees a member's line when, in that line's period, they led the
team (or a parent team) and the payee was a member of it. Parent links are not dated: a
leader of a team leads its current sub-teams in every period they led it. Insight pages
(about now, not a period) go to the teams led today.
Segregation of duties: :func:`approval_refusal` refuses anyone who authored an input a
run read or a period pays, and anyone whose login such an author created, last gave a
password or last gave roles; :func:`user_admin_refusal` keeps finance and administrator
logins (and the finance role) out of sales ops' reach.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from teamquota.web.comp.models import (
    AuditEvent,
    Dispute,
    Import,
    Leadership,
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
ONE_DAY = timedelta(days=1)


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


def _holds(start: date, end: date | None, first: date, last: date) -> bool:
    """A span [start, end] (end None: open) holds on some day of [first, last]."""
    return start <= last and (end is None or first <= end)


def _leader_spans(user: User) -> list[tuple[int, date, date | None]]:
    """(team, start, end) of every leadership of the user (one query per request)."""
    def compute() -> list[tuple[int, date, date | None]]:
        if not user.payee_id or not user.has_role("leader"):
            return []
        return list(Leadership.objects.filter(payee_id=user.payee_id)
                    .values_list("team_id", "start_date", "end_date"))
    return _cached(user, "leader_spans", compute)


def _with_sub_teams(user: User, roots: set[int]) -> set[int]:
    if not roots:
        return set()
    children: dict[int | None, list[int]] = _cached(user, "children", lambda: _children())
    found: set[int] = set()
    todo = list(roots)
    while todo:
        team = todo.pop()
        if team not in found:
            found.add(team)
            todo.extend(children.get(team, []))
    return found


def _children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    return children


def _led_between(user: User, first: date, last: date) -> set[int]:
    key = f"led:{first}:{last}"
    return _cached(user, key, lambda: _with_sub_teams(user, {
        team for team, start, end in _leader_spans(user) if _holds(start, end, first, last)}))


def led_team_ids(user: User, period: Period | None = None) -> set[int]:
    """Teams the user led on at least one day of ``period`` (None: ever), with every
    sub-team below them. Leadership is dated (:class:`Leadership`); parent links are not,
    so a team's sub-teams are today's sub-teams in every period."""
    if period is None:
        return _cached(user, "led", lambda: _with_sub_teams(
            user, {team for team, _, _ in _leader_spans(user)}))
    return _led_between(user, period.start, period.end)


def led_team_ids_today(user: User) -> set[int]:
    """Teams the user leads today (with their sub-teams): for pages about now."""
    today = timezone.localdate()
    return _led_between(user, today, today)


def _all_periods(user: User) -> list[Period]:
    return _cached(user, "periods", lambda: list(Period.objects.order_by("start")))


def _led_groups(user: User, periods: list[Period]) -> dict[frozenset[int], list[Period]]:
    """The ``periods`` grouped by the teams the user led in them (periods led in none are
    left out): a few groups, one per leadership change, whatever the number of periods."""
    groups: dict[frozenset[int], list[Period]] = {}
    for p in periods:
        led = led_team_ids(user, p)
        if led:
            groups.setdefault(frozenset(led), []).append(p)
    return groups


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
    """Teams whose dashboard (for ``period``) the user may open: those they led (and the
    sub-teams) and those they were a member of, on some day of the period."""
    if not user.is_authenticated:
        return Team.objects.none()
    if sees_everything(user):
        return Team.objects.all()
    return Team.objects.filter(id__in=led_team_ids(user, period) | member_team_ids(user, period))


def payees_visible_to(user: User, period: Period | None = None) -> QuerySet[Payee]:
    """Payees whose statements (for ``period``) the user may open: their own, and those who
    were members of a team they led, both on some day of the period (None: of one of the
    database's periods, so a payee listed has at least one statement the user may open)."""
    if not user.is_authenticated:
        return Payee.objects.none()
    if sees_everything(user):
        return Payee.objects.all()
    query = Q(id=user.payee_id) if user.payee_id else Q(pk__in=[])
    if period is not None:
        led = led_team_ids(user, period)
        if led:
            query |= Q(id__in=Membership.objects.filter(during(period), team_id__in=led)
                       .values("payee_id"))
    elif _leader_spans(user):  # some period in which both the leadership and the membership hold
        held = Q(pk__in=[])
        for teams, first, last in _led_ranges(user):
            held |= Q(team_id__in=teams, start_date__lte=last) & (
                Q(end_date__isnull=True) | Q(end_date__gte=first))
        query |= Q(id__in=Membership.objects.filter(held).values("payee_id"))
    return Payee.objects.filter(query)


def _led_ranges(user: User) -> list[tuple[frozenset[int], date, date]]:
    """(teams led, first day, last day): the database's periods grouped by the teams the
    user led in them, adjacent periods merged; with no periods yet, the leadership spans
    themselves (a period is only ever one of the days they cover)."""
    periods = _all_periods(user)
    if not periods:
        return [(frozenset(_with_sub_teams(user, {team})), start, end or date.max)
                for team, start, end in _leader_spans(user)]
    ranges: list[tuple[frozenset[int], date, date]] = []
    for teams, group in _led_groups(user, periods).items():
        for p in sorted(group, key=lambda p: p.start):
            if ranges and ranges[-1][0] == teams and p.start <= ranges[-1][2] + ONE_DAY:
                ranges[-1] = (teams, ranges[-1][1], max(ranges[-1][2], p.end))
            else:
                ranges.append((teams, p.start, p.end))
    return ranges


def periods_visible_to(user: User, periods: list[Period], *, payee: Payee | None = None,
                       team: Team | None = None) -> list[Period]:
    """The ``periods`` in which the user may open ``payee``'s statement or ``team``'s
    dashboard (period pickers, the statement history, the dashboard trend): each period
    by its own leadership and memberships — a payee's when the user led, in that period, a
    team the payee was a member of in it; a team's when the user led it (or a parent) or
    was a member of it in that period."""
    if sees_everything(user) or (payee is not None and payee.pk == user.payee_id):
        return list(periods)
    if payee is not None:
        held = list(Membership.objects.filter(payee=payee, team_id__in=led_team_ids(user))
                    .values_list("team_id", "start_date", "end_date"))
        return [p for p in periods if any(
            team in led_team_ids(user, p) and _holds(start, end, p.start, p.end)
            for team, start, end in held)]
    if team is None or not user.payee_id:
        return []
    mine = list(Membership.objects.filter(payee_id=user.payee_id, team=team)
                .values_list("start_date", "end_date"))
    return [p for p in periods if team.pk in led_team_ids(user, p)
            or any(_holds(start, end, p.start, p.end) for start, end in mine)]


def lines_visible_to(user: User, period: Period | None = None) -> QuerySet[PayoutLine]:
    """Payout lines the user may see, each judged by its own period: the user's own, and
    those of a payee who, in the line's period, was a member of a team the user led then
    (both on at least one day of it). ``period``: only the lines booked in it. One query
    (after the user's leaderships, the team tree and the periods): the periods are grouped
    by the teams led in them, one condition per group."""
    lines = PayoutLine.objects.all() if period is None else \
        PayoutLine.objects.filter(period=period.label)
    if sees_everything(user):
        return lines
    if not user.is_authenticated:
        return lines.none()
    query = Q(payee_id=user.payee_id) if user.payee_id else Q(pk__in=[])
    if _leader_spans(user):
        bounds = Period.objects.filter(label=OuterRef(OuterRef("period")))
        groups = _led_groups(user, [period] if period is not None else _all_periods(user))
        for teams, periods in groups.items():
            query |= Q(period__in=[p.label for p in periods]) & Q(Exists(
                Membership.objects.filter(
                    Q(end_date__isnull=True)
                    | Q(end_date__gte=Subquery(bounds.values("start")[:1])),
                    payee_id=OuterRef("payee_id"), team_id__in=teams,
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
    Leaders of the team in the period, finance and sales ops always; members of the team on
    some day of the period only when the plan says ``members``."""
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
    """Sales ops, or whoever led, in the disputed line's period, a team (or a parent team)
    the payee was a member of in it — never the payee themself."""
    if user.has_role("sales_ops"):
        return True
    if not user.has_role("leader") or dispute.payee_id == user.payee_id:
        return False
    period = Period.objects.filter(label=dispute.line.period).first()
    return period is not None and \
        payees_visible_to(user, period).filter(pk=dispute.payee_id).exists()


def run_inputs(run: Run, period: Period | None = None) -> list[tuple[int, str]]:
    """What changed what ``run`` pays, as (author's user id, action): plan versions,
    imports (organisation edits are ``edit`` imports), plan assignments, and the manual
    entries booked in ``period``. The action is worded for a refusal ("imported deals.csv
    (import #3) that this run read")."""
    from teamquota.web.comp.models import PlanAssignment
    versions = list(run.plan_versions.select_related("plan"))
    found = [(pv.created_by_id, f"saved plan {pv.plan.plan_id} version {pv.number} that "
                                "this run read") for pv in versions]
    for imp in run.imports.all():
        what = (f"edited {imp.table} in the app (import #{imp.pk})" if imp.mode == "edit"
                else f"imported {imp.file_name} (import #{imp.pk})")
        found.append((imp.created_by_id, f"{what} that this run read"))
    for a in (PlanAssignment.objects.filter(plan__versions__in=versions).distinct()
              .select_related("plan", "payee").order_by("id")):
        found.append((a.created_by_id, f"assigned plan {a.plan.plan_id} to "
                                       f"{a.payee.payee_id} that this run read"))
    if period is not None:
        for line in (PayoutLine.shown(period).filter(line_type="manual")
                     .select_related("payee").order_by("id")):
            found.append((line.created_by_id, f"booked a manual entry for "
                          f"{line.payee.payee_id} ({line.amount} {line.currency}) that this "
                          "period pays"))
    return [(author, action) for author, action in found if author is not None]


def run_input_authors(run: Run, period: Period | None = None) -> set[int]:
    """Users who changed what ``run`` pays (see :func:`run_inputs`)."""
    return {author for author, _ in run_inputs(run, period)}


# Segregation of duties over logins: a user owes their login to whoever created it, last
# set its password or last changed its roles (recorded on the user, migration 0008).
LOGIN_LINKS = (("created_by_id", "created your account"),
               ("password_set_by_id", "last set your password"),
               ("roles_set_by_id", "last changed your roles"))


def approval_refusal(user: User, period: Period | Run | None) -> str | None:
    """Why ``user`` may not approve what ``period`` pays (None: they may); a run alone is
    judged on its inputs. Refused: an author of any input, and anyone whose login was
    created, last given a password or last given roles by an author — the message names
    the author's action and the link."""
    if not user.has_role("finance"):
        return "only finance approves payouts"
    run = period.run if isinstance(period, Period) else period
    if run is None:
        return "the period has no calculation to approve"
    inputs = run_inputs(run, period if isinstance(period, Period) else None)
    own = [action for author, action in inputs if author == user.id]
    if own:
        return f"segregation of duties: you {own[0]}; someone else in finance must approve it"
    for author, action in inputs:
        links = [text for field, text in LOGIN_LINKS
                 if getattr(user, field) == author and author != user.id]
        if links:
            name = User.objects.filter(pk=author).values_list("username", flat=True).first()
            return f"segregation of duties: {name} {action}, and {' and '.join(links)}"
    return None


# Who administers which logins (docs/security.md, "Roles and segregation of duties"). Only
# sales ops, on the Users page, and only logins whose roles, before and after, are all in
# SALES_OPS_ADMINISTERS; finance and administrator (superuser/staff) logins, and the finance
# role itself, belong to the server administrator (``python -m teamquota.web.manage user``).
USER_ADMIN_ACTIONS = ("create", "set_password", "deactivate", "change_roles")
SALES_OPS_ADMINISTERS = frozenset({"rep", "leader", "sales_ops"})
_ADMIN_COMMAND = {"create": "user create {name} --roles {roles}",
                  "set_password": "changepassword {name}", "deactivate": "user deactivate {name}",
                  "change_roles": "user roles {name} {roles}"}
_VERB = {"set_password": "set a {kind} password", "deactivate": "deactivate a {kind} user",
         "change_roles": "change a {kind} user's roles"}


def user_admin_refusal(actor: User, action: str, target: User | None = None,
                       roles: frozenset[str] | None = None,
                       username: str | None = None) -> str | None:
    """Why ``actor`` may not ``action`` the login ``target`` (or, for ``create``, a new
    login ``username``) giving it ``roles`` (None: they may)."""
    if not actor.is_authenticated or not actor.has_role("sales_ops"):
        return "only sales ops administer users"
    name = target.username if target is not None else (username or "")
    command = _ADMIN_COMMAND[action].format(name=name, roles=",".join(sorted(roles or ())))
    if target is not None:
        if target.pk == actor.pk:
            return ("change your own password on the Password page" if action == "set_password"
                    else f"you cannot {action.replace('_', ' ')} yourself")
        kind = ("an administrator" if target.is_superuser or target.is_staff
                else "in finance" if not target.roles <= SALES_OPS_ADMINISTERS else None)
        if kind is not None:
            noun = "finance" if kind == "in finance" else "administrator"
            return (f"{target.username} is {kind}: sales ops may not "
                    f"{_VERB[action].format(kind=noun)}; the server administrator runs "
                    f"'python -m teamquota.web.manage {command}'")
    if roles is not None and not roles <= SALES_OPS_ADMINISTERS:
        return ("sales ops may not give the finance role; the server administrator runs "
                f"'python -m teamquota.web.manage {command}'")
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
    sales ops every team, a leader the teams they lead today and their sub-teams — never
    the team a leader merely belongs to, nor one they led before (the pages are about now).
    Reps and finance have none (the view answers 403)."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.has_role("sales_ops"):
        return Team.objects.all()
    return Team.objects.filter(id__in=led_team_ids_today(user))


def may_see_insights(user: User, team: Team) -> bool:
    """For menus and links only; the views decide with the queryset above."""
    return insight_teams_visible_to(user).filter(pk=team.pk).exists()


# --- notifications ---
def notifications_visible_to(user: User) -> QuerySet[Any]:
    """The user's own notices, and nobody else's (another user's notice id is a 404)."""
    from teamquota.web.comp.models import Notification
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)
# --- end notifications ---


# --- plan letters ---
def letters_visible_to(user: User) -> QuerySet[Any]:
    """Plan letters the user may read: their own; a leader's members' (the payees whose
    statements they may open); every letter for finance and sales ops."""
    from teamquota.web.comp.models import PlanLetter
    if not user.is_authenticated:
        return PlanLetter.objects.none()
    if sees_everything(user):
        return PlanLetter.objects.all()
    return PlanLetter.objects.filter(payee__in=payees_visible_to(user))


def may_accept_letter(user: User, letter: Any) -> bool:
    """Only the payee, signed in as themself, accepts their letter — never sales ops, nor a
    leader on a member's behalf."""
    return bool(user.is_authenticated and user.payee_id and letter.payee_id == user.payee_id)
# --- end plan letters ---

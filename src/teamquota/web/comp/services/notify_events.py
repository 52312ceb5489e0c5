"""Which audit event notifies whom: one handler per action name, and a run finishing.

The audit trail is the source: a ``post_save`` receiver on :class:`AuditEvent` (connected
in ``apps.py``) calls the handler registered for the event's action. Recipients come from
``access.py``'s querysets, so a notice never tells a user about something they may not
open (Sue is never told about Rita's statement). A handler runs in a savepoint of the
step's own transaction: its rows roll back with the step, and a bug here is logged and
never fails the approval, the review or the reply it reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse

from teamquota.web.comp import access
from teamquota.web.comp.models import (
    AuditEvent,
    Dispute,
    Leadership,
    Membership,
    Payee,
    PayoutLine,
    Period,
    PeriodReview,
    PlanVersion,
    Run,
    Team,
    User,
)
from teamquota.web.comp.services import close
from teamquota.web.comp.services.notify import notify

log = logging.getLogger(__name__)
Handler = Callable[[AuditEvent], None]
HANDLERS: dict[str, Handler] = {}


def on(action: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[action] = handler
        return handler
    return register


def audit_saved(sender: type, instance: AuditEvent, created: bool = False,
                raw: bool = False, **_: Any) -> None:
    """post_save of an AuditEvent: notify as its action's handler says."""
    handler = HANDLERS.get(instance.action)
    if not created or raw or handler is None:
        return
    _guarded(lambda: handler(instance), instance.action)


def run_done(sender: type, run: Run, **_: Any) -> None:
    """A run stored its results: each period it left calculated is due for review by the
    leaders of its teams to review."""
    _guarded(lambda: _review_due(run), f"run #{run.pk}")


def _guarded(work: Callable[[], None], what: str) -> None:
    try:
        with transaction.atomic():  # a savepoint inside the step's transaction
            work()
    except Exception:  # noqa: BLE001 - a notice must never fail the step it reports
        log.exception("notifications for %s failed", what)


def _active(users: Iterable[User]) -> list[User]:
    return [u for u in users if u.is_active]


def leaders_of(team: Team, period: Period | None) -> list[User]:
    """The users who led ``team`` on some day of ``period`` and, by access.py, lead it in
    that period (a leader login that lost the leader role gets nothing)."""
    payees = Leadership.objects.filter(access.during(period), team=team).values("payee_id")
    return [u for u in _active(User.objects.filter(payee_id__in=payees).select_related("payee"))
            if u.has_role("leader") and team.id in access.led_team_ids(u, period)]


def finance_users() -> list[User]:
    return [u for u in _active(User.objects.filter(role_names__contains="finance"))
            if u.has_role("finance")]


def _period(label: str) -> Period | None:
    return Period.objects.filter(label=label).first()


def _period_link(period: Period) -> str:
    return reverse("period", args=[period.label])


@on("period.approve")
def _statement_published(event: AuditEvent) -> None:
    period = _period(event.object_id)
    if period is None:
        return
    paid = PayoutLine.shown(period).values("payee_id")
    for user in _active(User.objects.filter(payee_id__in=paid).select_related("payee")):
        if not access.lines_visible_to(user, period).filter(payee_id=user.payee_id).exists():
            continue
        notify([user], "statement_published", f"Your {period.label} statement is published",
               f"Finance approved {period.label}: your statement shows what it pays you.",
               reverse("statement", args=[user.payee.payee_id]) + f"?period={period.label}",
               key=f"statement_published:{period.label}:{period.fingerprint}")


def _dispute(event: AuditEvent) -> Dispute | None:
    if not event.object_id.isdigit():
        return None
    return (Dispute.objects.select_related("line", "payee", "raised_by")
            .filter(pk=int(event.object_id)).first())


def _sees(user: User, dispute: Dispute) -> bool:
    return access.disputes_visible_to(user).filter(pk=dispute.pk).exists()


@on("dispute.raise")
def _question_raised(event: AuditEvent) -> None:
    """To the leaders of the payee's teams in the line's period, and finance."""
    dispute = _dispute(event)
    if dispute is None:
        return
    line, payee = dispute.line, dispute.payee
    period = _period(line.period)
    teams = Team.objects.filter(id__in=Membership.objects.filter(
        access.during(period), payee=payee).values("team_id"))
    recipients = [u for team in teams for u in leaders_of(team, period)] + finance_users()
    notify([u for u in recipients if u.pk != dispute.raised_by_id and _sees(u, dispute)],
           "question_raised", f"{payee.name} asked about a {line.period} line",
           f"{payee.name} raised a question on the {line.component_id} line of their "
           f"{line.period} statement.",
           reverse("dispute", args=[dispute.pk]), key=f"dispute.raise:{dispute.pk}")


@on("dispute.reply")
def _question_answered(event: AuditEvent) -> None:
    """To whoever raised the question, when someone else replied."""
    dispute = _dispute(event)
    if dispute is None or event.actor_id in (None, dispute.raised_by_id):
        return
    raiser = dispute.raised_by
    if not _sees(raiser, dispute):
        return
    who = (event.actor.get_full_name() or event.actor.username) if event.actor else "Someone"
    notify([raiser], "question_answered", "Your question was answered",
           f"{who} replied to your question on the {dispute.line.component_id} line of "
           f"{dispute.line.period}.",
           reverse("dispute", args=[dispute.pk]), key=f"dispute.reply:{event.pk}")


def _every_team(period: Period, done: set[int]) -> bool:
    """Every team of ``period`` to review is in ``done`` (and there is one)."""
    needed = {t.id for t in close.teams_to_review(period)}
    return bool(needed) and needed <= done


@on("period.review")
def _approval_needed(event: AuditEvent) -> None:
    """The last team of a period reviewed: finance may approve it."""
    period = _period(event.object_id)
    if period is None or not _every_team(period, close.reviewed_team_ids(period)):
        return
    # the newest review in the key: a leader pressing Review twice notifies once, a team
    # sent back (period.reject withdraws its review) and reviewed again notifies again
    newest = PeriodReview.objects.filter(period=period, fingerprint=period.fingerprint) \
        .order_by("-pk").values_list("pk", flat=True).first()
    notify([u for u in finance_users() if access.sees_everything(u)], "approval_needed",
           f"{period.label} is ready for finance's sign-off",
           f"Every leader has reviewed {period.label} (run #{period.run_id}); each team now "
           "waits for finance's sign-off, then the period for approval.",
           _period_link(period),
           key=f"approval_needed:{period.label}:{period.fingerprint}:{newest}")


@on("period.signoff")
def _ready_to_approve(event: AuditEvent) -> None:
    """The last team of a period signed off: finance may approve the period."""
    period = _period(event.object_id)
    if period is None or not _every_team(period, close.signed_off_team_ids(period)):
        return
    notify([u for u in finance_users() if access.sees_everything(u)], "approval_needed",
           f"{period.label} is ready for approval",
           f"Every team of {period.label} is signed off (run #{period.run_id}); the period "
           "waits for approval.",
           _period_link(period), key=f"period.signoff:{period.label}:{event.pk}")


@on("period.reject")
def _rejected(event: AuditEvent) -> None:
    """Finance sent one team's numbers back: to that team's leaders in the period."""
    period = _period(event.object_id)
    team = Team.objects.filter(team_id=str(event.details.get("team", ""))).first()
    if period is None or team is None:
        return
    reason = str(event.details.get("reason", "")).strip() or "no reason given"
    notify(leaders_of(team, period), "rejected",
           f"{team.name}'s {period.label} numbers were sent back",
           f"Finance sent {team.name}'s numbers for {period.label} back for another look: "
           f"{reason}",
           _period_link(period), key=f"period.reject:{event.pk}")


def _listed_payees(values: object) -> list[Payee]:
    """The payees a letters event lists: by Payee pk (ints) or payee_id (strings)."""
    items = values if isinstance(values, list) else []
    pks = [v for v in items if isinstance(v, int)]
    ids = [v for v in items if isinstance(v, str)]
    return list(Payee.objects.filter(pk__in=pks) | Payee.objects.filter(payee_id__in=ids))


def _letters_link() -> str:
    return reverse("letters")


@on("plan.letters_sent")
def _plan_to_accept(event: AuditEvent) -> None:
    """To each listed payee's own login: their plan letter waits for acceptance."""
    version = (PlanVersion.objects.select_related("plan")
               .filter(pk=int(event.object_id)).first() if event.object_id.isdigit() else None)
    what = f"{version.plan.name} (version {version.number})" if version else "your plan"
    payees = [p.pk for p in _listed_payees(event.details.get("payees"))]
    notify(_active(User.objects.filter(payee_id__in=payees)), "plan_to_accept",
           f"Your plan letter for {what} is ready",
           f"Read your plan letter for {what} and accept it.",
           _letters_link(), key=f"plan.letters_sent:{event.pk}")


def _review_due(run: Run) -> None:
    for period in Period.objects.filter(label__in=run.periods or [], run=run,
                                        status="calculated"):
        for team in close.teams_to_review(period):
            notify(leaders_of(team, period), "review_due",
                   f"Review {team.name} for {period.label}",
                   f"Run #{run.pk} calculated {period.label}: review {team.name}'s numbers "
                   "so finance can approve them.",
                   _period_link(period),
                   key=f"review_due:{period.label}:{team.team_id}:{period.fingerprint}")

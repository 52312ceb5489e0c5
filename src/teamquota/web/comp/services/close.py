"""The period close workflow: calculated -> reviewed (by each leader) -> approved (finance)
-> locked. Each step checks who may take it and leaves an audit event.

Reviews and the approval are given for the period's numbers as they stand (its
fingerprint): when a run or an entry changes them, they lapse (``teamquota.ledger.book``).
Locking is the ledger's: it freezes the lines and the payroll file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.utils import timezone

from teamquota.ledger import book
from teamquota.ledger.model import LedgerError
from teamquota.web.comp import access
from teamquota.web.comp.models import (
    Leadership,
    Membership,
    PayoutLine,
    Period,
    PeriodReview,
    Team,
    User,
    record,
)
from teamquota.web.comp.services.disk import full_disk, is_disk_full


class WorkflowError(Exception):
    """A step that is not allowed now; the message says why (shown to the user)."""


@contextmanager
def _stored(what: str, again: str) -> Iterator[None]:
    """The step's transaction; a full disk rolls it back and is the D050 message."""
    try:
        with transaction.atomic():
            yield
    except (OSError, DatabaseError) as exc:
        if not is_disk_full(exc):
            raise
        raise WorkflowError(full_disk(what, again)) from None


def teams_to_review(period: Period) -> list[Team]:
    """Teams led on some day of the period with at least one member paid in the period's
    run (a member on some day of it)."""
    if period.run_id is None:
        return []
    paid = PayoutLine.shown(period).values("payee_id")
    team_ids = Membership.objects.filter(access.during(period), payee_id__in=paid)
    led = Leadership.objects.filter(access.during(period))
    return list(Team.objects.filter(id__in=team_ids.values("team_id"))
                .filter(id__in=led.values("team_id")).order_by("name"))


def reviewed_team_ids(period: Period) -> set[int]:
    return set(PeriodReview.objects.filter(period=period, fingerprint=period.fingerprint)
               .values_list("team_id", flat=True))


def review(user: User, period: Period, team: Team) -> None:
    if period.status not in ("calculated", "reviewed"):
        raise WorkflowError(f"{period.label} is {period.get_status_display().lower()}; "
                            "only calculated periods are reviewed")
    if team.id not in access.led_team_ids(user, period):
        raise WorkflowError(f"you do not lead {team.name} in {period.label}")
    with _stored(f"the review of {team.name} for {period.label} could not be saved",
                 "review it again"):
        _unchanged(period, period.status)
        PeriodReview.objects.get_or_create(period=period, fingerprint=period.fingerprint,
                                           team=team, defaults={"reviewed_by": user,
                                                                "run_id": period.run_id})
        record(user, "period.review", "period", period.label,
               f"{user.username} reviewed {team.name} for {period.label} (run #{period.run_id})")
        needed = {t.id for t in teams_to_review(period)}
        if needed <= reviewed_team_ids(period):
            period.status = "reviewed"
            period.save(update_fields=["status"])


def _unchanged(period: Period, status: str) -> None:
    """Inside the step's transaction: the row (locked for update) still shows the run and
    status the user decided on — a run finishing meanwhile must not be approved unseen."""
    current = Period.objects.select_for_update().get(pk=period.pk)
    if (current.run_id, current.status, current.fingerprint) != (period.run_id, status,
                                                                 period.fingerprint):
        raise WorkflowError(f"{period.label} changed meanwhile (now run #{current.run_id}, "
                            f"{current.get_status_display().lower()}); reload and check it")


def approve(user: User, period: Period) -> None:
    refusal = access.approval_refusal(user, period)
    if refusal:
        raise WorkflowError(refusal)
    if period.status != "reviewed":
        missing = [t.name for t in teams_to_review(period)
                   if t.id not in reviewed_team_ids(period)]
        detail = f"; waiting for: {', '.join(missing)}" if missing else ""
        raise WorkflowError(f"{period.label} must be reviewed by every leader before "
                            f"approval{detail}")
    with _stored(f"{period.label} could not be approved", "approve it again"):
        _unchanged(period, "reviewed")
        period.status, period.approved_by, period.approved_at = "approved", user, \
            timezone.now()
        period.save()
        record(user, "period.approve", "period", period.label,
               f"{user.username} approved {period.label} (run #{period.run_id})")


def lock(user: User, period: Period) -> None:
    if not user.has_role("finance"):
        raise WorkflowError("only finance locks periods")
    if period.status != "approved":
        raise WorkflowError(f"{period.label} must be approved before it is locked")
    from teamquota.web.comp.services.ledger_store import DjangoStore
    with _stored(f"{period.label} could not be locked", "lock it again"):
        _unchanged(period, "approved")
        try:
            book.lock(DjangoStore(), period.label, user.username)
        except LedgerError as exc:
            raise WorkflowError(str(exc)) from None
        period.refresh_from_db()

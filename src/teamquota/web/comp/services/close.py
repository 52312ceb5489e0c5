"""The period close workflow: calculated -> reviewed (by each leader) -> signed off by
finance, team by team -> approved (finance) -> locked. Each step checks who may take it and
leaves an audit event.

Reviews, sign-offs and the approval are given for the period's numbers as they stand (its
fingerprint): when a run or an entry changes them, they lapse (``teamquota.ledger.book``).
Finance may instead reject a team's numbers with a reason: the leader's review is
withdrawn and the team shows as rejected until its leader reviews it again. The pages
confirm an approval or a lock with the fingerprint the user saw (``expected``): the step is
refused when the numbers changed since. Locking is the ledger's: it freezes the lines and
the payroll file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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
    TeamDecision,
    User,
    record,
)
from teamquota.web.comp.services.disk import full_disk, is_disk_full


class WorkflowError(Exception):
    """A step that is not allowed now; the message says why (shown to the user)."""


# The longest sign-off comment or rejection reason kept (a paragraph, not a document).
TEXT_LIMIT = 2000


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
               f"{user.username} reviewed {team.name} for {period.label} (run #{period.run_id})",
               team=team.team_id)
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


def _confirmed(period: Period, expected: str | None, what: str) -> None:
    """The page's confirmation: the fingerprint the user saw is still the period's (None:
    the API, which confirms nothing)."""
    if expected is not None and expected != period.fingerprint:
        raise WorkflowError(f"the numbers changed since you opened this page (you saw "
                            f"{expected[:12] or 'no hash'}, {period.label} is now "
                            f"{period.fingerprint[:12]}); nothing was {what}: check them "
                            "and confirm again")


def approve(user: User, period: Period, expected: str | None = None) -> None:
    refusal = access.approval_refusal(user, period)
    if refusal:
        raise WorkflowError(refusal)
    if period.status != "reviewed":
        missing = [t.name for t in teams_to_review(period)
                   if t.id not in reviewed_team_ids(period)]
        detail = f"; waiting for: {', '.join(missing)}" if missing else ""
        raise WorkflowError(f"{period.label} must be reviewed by every leader before "
                            f"approval{detail}")
    unsigned = [t.name for t in teams_to_review(period)
                if t.id not in signed_off_team_ids(period)]
    if unsigned:
        raise WorkflowError(f"finance must sign off every team of {period.label} before "
                            f"approval; waiting for: {', '.join(unsigned)}")
    _confirmed(period, expected, "approved")
    with _stored(f"{period.label} could not be approved", "approve it again"):
        _unchanged(period, "reviewed")
        period.status, period.approved_by, period.approved_at = "approved", user, \
            timezone.now()
        period.save()
        record(user, "period.approve", "period", period.label,
               f"{user.username} approved {period.label} (run #{period.run_id})",
               run=period.run_id, fingerprint=period.fingerprint)


def lock(user: User, period: Period, expected: str | None = None) -> None:
    if not user.has_role("finance"):
        raise WorkflowError("only finance locks periods")
    if period.status != "approved":
        raise WorkflowError(f"{period.label} must be approved before it is locked")
    _confirmed(period, expected, "locked")
    from teamquota.web.comp.services.ledger_store import DjangoStore
    with _stored(f"{period.label} could not be locked", "lock it again"):
        _unchanged(period, "approved")
        try:
            book.lock(DjangoStore(), period.label, user.username)
        except LedgerError as exc:
            raise WorkflowError(str(exc)) from None
        period.refresh_from_db()


# --- finance's per-team sign-off and rejection -------------------------------------------

@dataclass(frozen=True)
class TeamClose:
    """Where one team of a period stands: its leader's review and finance's latest word."""

    team: Team
    reviewed: bool
    decision: TeamDecision | None  # finance's latest sign-off or rejection, if any

    @property
    def signed_off(self) -> bool:
        d = self.decision
        return d is not None and d.decision == "signoff" and \
            d.fingerprint == d.period.fingerprint

    @property
    def rejected(self) -> bool:
        """Rejected and not reviewed again since (the rejection withdrew the review)."""
        return self.decision is not None and self.decision.decision == "reject" \
            and not self.reviewed


def latest_decisions(period: Period) -> dict[int, TeamDecision]:
    """Each team's latest decision in ``period`` (the model orders newest first)."""
    found: dict[int, TeamDecision] = {}
    for d in TeamDecision.objects.filter(period=period).select_related("decided_by"):
        d.period = period  # the caller's copy: its fingerprint is the one judged
        found.setdefault(d.team_id, d)
    return found


def team_states(period: Period) -> list[TeamClose]:
    reviewed, decisions = reviewed_team_ids(period), latest_decisions(period)
    return [TeamClose(t, t.id in reviewed, decisions.get(t.id)) for t in teams_to_review(period)]


def signed_off_team_ids(period: Period) -> set[int]:
    return {team for team, d in latest_decisions(period).items()
            if d.decision == "signoff" and d.fingerprint == period.fingerprint}


def _text(text: str, what: str, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise WorkflowError(f"say why: a {what} needs a reason the leader can act on")
    if len(text) > TEXT_LIMIT:
        raise WorkflowError(f"the {what} is {len(text):,} characters; at most "
                            f"{TEXT_LIMIT:,} are kept")
    return text


def _open_for_decision(user: User, period: Period, team: Team, verb: str, done: str) -> None:
    if not user.has_role("finance"):
        raise WorkflowError(f"only finance may {verb} a team's numbers")
    if period.status not in ("calculated", "reviewed"):
        raise WorkflowError(f"{period.label} is {period.get_status_display().lower()}; "
                            f"only the teams of a calculated or reviewed period are {done}")
    if team.id not in {t.id for t in teams_to_review(period)}:
        raise WorkflowError(f"{team.name} has no one to pay in {period.label}")


def signoff(user: User, period: Period, team: Team, comment: str = "",
            expected: str | None = None) -> None:
    """Finance signs off ``team``'s numbers as they stand, after its leader's review. The
    same segregation of duties as the approval: an author of what the period pays may not.
    ``expected``: the fingerprint the page showed (None: not checked)."""
    refusal = access.approval_refusal(user, period)
    if refusal and user.has_role("finance"):
        raise WorkflowError(refusal.replace("must approve it", "must sign it off"))
    _open_for_decision(user, period, team, "sign off", "signed off")
    if team.id not in reviewed_team_ids(period):
        raise WorkflowError(f"{team.name} must be reviewed by its leader before finance "
                            "signs it off")
    comment = _text(comment, "sign-off comment", required=False)
    _confirmed(period, expected, f"signed off for {team.name}")
    with _stored(f"the sign-off of {team.name} for {period.label} could not be saved",
                 "sign it off again"):
        _unchanged(period, period.status)
        TeamDecision.objects.create(period=period, team=team, decision="signoff",
                                    text=comment, fingerprint=period.fingerprint,
                                    run_id=period.run_id, decided_by=user)
        record(user, "period.signoff", "period", period.label,
               f"{user.username} signed off {team.name} for {period.label} "
               f"(run #{period.run_id})" + (f": {comment}" if comment else ""),
               team=team.team_id, comment=comment)


def reject(user: User, period: Period, team: Team, reason: str) -> None:
    """Finance sends ``team``'s numbers back to its leader with ``reason``: the leader's
    review is withdrawn (the period is no longer reviewed) until they review it again.
    Open to any finance user: sending numbers back approves nothing."""
    _open_for_decision(user, period, team, "reject", "rejected")
    reason = _text(reason, "rejection", required=True)
    with _stored(f"the rejection of {team.name} for {period.label} could not be saved",
                 "reject it again"):
        _unchanged(period, period.status)
        PeriodReview.objects.filter(period=period, team=team).delete()
        TeamDecision.objects.create(period=period, team=team, decision="reject", text=reason,
                                    fingerprint=period.fingerprint, run_id=period.run_id,
                                    decided_by=user)
        if period.status == "reviewed":
            period.status = "calculated"
            period.save(update_fields=["status"])
        record(user, "period.reject", "period", period.label,
               f"{user.username} rejected {team.name} for {period.label} "
               f"(run #{period.run_id}): {reason}", team=team.team_id, reason=reason)

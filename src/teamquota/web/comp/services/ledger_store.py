"""The ledger's store on the Django ORM: ``teamquota.ledger`` decides, this module keeps
the rows (Period, PayoutLine, PeriodReview, PeriodSnapshot). Runs' lines and entries are
PayoutLine rows: computed lines and corrections carry their run, manual entries none.

Every call runs inside the caller's transaction; the period rows are read ``FOR UPDATE``
so a run, a manual entry and a close step on the same periods are ordered, not mixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from teamquota.core.money import ZERO
from teamquota.ledger import book
from teamquota.ledger.causes import Inputs
from teamquota.ledger.corrections import Booked, ClawbackRules, rules_of
from teamquota.ledger.model import (
    CALCULATED,
    CORRECTION_TYPES,
    ENTRY_TYPES,
    LOCKED,
    OPEN,
    Amount,
    Entry,
    Key,
    LedgerError,
    PeriodState,
)
from teamquota.ledger.store import Row, Snapshot
from teamquota.plan.loader import LoadedPlan
from teamquota.web.comp.models import (
    AttainmentRow,
    CreditRow,
    Payee,
    PayoutLine,
    Period,
    PeriodSnapshot,
    Run,
    Team,
    User,
    record,
)
from teamquota.web.comp.models.results import as_paid


class DjangoStore:
    """:class:`teamquota.ledger.store.LedgerStore` over the app's models."""

    def __init__(self) -> None:
        self._users: dict[str, User | None] = {}
        self._versions: dict[tuple[int, str], str | None] = {}  # (run, plan) -> version

    def _user(self, name: str | None) -> User | None:
        if name is None:
            return None
        if name not in self._users:
            self._users[name] = User.objects.filter(username=name).first()
        return self._users[name]

    def _get(self, label: str) -> Period:
        found = Period.objects.select_for_update().filter(label=label).first()
        if found is None:
            raise LedgerError(f"period {label} is not in the ledger")
        return found

    def periods(self) -> list[PeriodState]:
        return [PeriodState(p.label, p.start, p.end, p.status, p.run_id)
                for p in Period.objects.select_for_update().order_by("start")]

    def create_period(self, period: PeriodState) -> None:
        # Two runs publishing at once may both create a new period: the second insert
        # waits for the first transaction and then finds the row there; keep that one.
        try:
            with transaction.atomic():
                Period.objects.create(label=period.label, start=period.start,
                                      end=period.end, status=period.status,
                                      run_id=period.run_id)
        except IntegrityError:
            if not Period.objects.filter(label=period.label).exists():
                raise

    def point(self, label: str, run_id: int) -> None:
        p = self._get(label)
        if p.is_locked:
            raise LedgerError(f"{label} is locked; its run is final")
        p.run_id = run_id
        p.status = CALCULATED if p.status == OPEN else p.status
        p.save(update_fields=["run", "status"])

    def set_status(self, label: str, status: str, actor: str | None) -> None:
        p = self._get(label)
        p.status = status
        fields = ["status"]
        if status == CALCULATED:
            p.approved_by = p.approved_at = None
            fields += ["approved_by", "approved_at"]
        if status == LOCKED:
            p.locked_by, p.locked_at = self._user(actor), timezone.now()
            fields += ["locked_by", "locked_at"]
        p.save(update_fields=fields)

    def computed(self, run_id: int | None, label: str) -> dict[Key, Amount]:
        out: dict[Key, Amount] = {}
        if run_id is None:
            return out
        # the lines are added here, as Decimals: SQLite's SUM adds floats (3 x
        # 9999999999999.99 = 30000000000000.0) and the ledger books the difference
        rows = (PayoutLine.objects.filter(run_id=run_id, period=label, adjusts_period="")
                .exclude(line_type__in=ENTRY_TYPES)
                .values_list("payee__payee_id", "plan_id", "component_id", "currency",
                             "team__team_id", "amount"))
        for payee_id, plan_id, component, currency, team_id, amount in rows.iterator():
            key = (payee_id, plan_id, component)
            before = out.get(key)
            total = (before.amount if before else ZERO) + _paid(amount)
            team = (before.team_id if before else None) or team_id
            out[key] = Amount(total, currency, team)
        return out

    def booked(self, source: str) -> dict[Key, Booked]:
        where = Q(pk__in=[])
        for p in Period.objects.filter(status=LOCKED, run__isnull=False):
            where |= Q(run_id=p.run_id, period=p.label)
        amounts: dict[Key, Decimal] = defaultdict(lambda: ZERO)
        instalments: dict[Key, int] = defaultdict(int)
        latest: dict[Key, tuple[int, str, str | None]] = {}
        for ln in (PayoutLine.objects.filter(where, adjusts_period=source,
                                             line_type__in=CORRECTION_TYPES)
                   .select_related("payee", "team")):
            key = (ln.payee.payee_id, ln.plan_id, ln.component_id)
            amounts[key] += ln.amount
            instalments[key] += ln.line_type == "clawback"
            run_id = max(latest.get(key, (0, "", None))[0], ln.run_id or 0)
            latest[key] = (run_id, ln.currency, ln.team.team_id if ln.team else None)
        return {k: Booked(amounts[k], instalments[k], latest[k][0], latest[k][1],
                          latest[k][2]) for k in amounts}

    def add_entries(self, run_id: int | None, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        if not entries:
            return
        locked = set(Period.objects.filter(status=LOCKED).values_list("label", flat=True))
        payees = dict(Payee.objects.filter(payee_id__in={e.key[0] for e in entries})
                      .values_list("payee_id", "id"))
        teams = dict(Team.objects.values_list("team_id", "id"))
        lines = []
        for e in entries:
            if e.period in locked:
                raise LedgerError(f"{e.period} is locked; nothing is booked into it")
            lines.append(PayoutLine(
                run_id=run_id, period=e.period, payee_id=payees[e.key[0]], plan_id=e.key[1],
                component_id=e.key[2], line_type=e.line_type,
                team_id=teams.get(e.team_id) if e.team_id else None, amount=e.amount,
                currency=e.currency, adjusts_period=e.source_period, cause=e.cause,
                rule=("manual adjustment" if run_id is None
                      else f"correction to locked period {e.source_period}"),
                explanation=e.explanation, created_by=self._user(e.author)))
        PayoutLine.objects.bulk_create(lines, batch_size=2000)

    def rows(self, label: str) -> list[Row]:
        period = Period.objects.filter(label=label).first()
        if period is None:
            return []
        out = []
        for ln in (PayoutLine.shown(period)
                   .values_list("pk", "run_id", "payee__payee_id", "plan_id", "component_id",
                                "line_type", "amount", "currency", "adjusts_period",
                                "team__team_id", "explanation").order_by("pk")):
            pk, run_id, payee, plan_id, component, line_type, amount, currency, source, \
                team, explanation = ln
            ref = f"entry:{pk}" if run_id is None else f"line:{pk}"
            out.append(Row(ref, (payee, plan_id, component), line_type, _paid(amount),
                           currency, source, team, explanation))
        return out

    def save_fingerprint(self, label: str, fingerprint: str) -> None:
        Period.objects.filter(label=label).update(fingerprint=fingerprint)

    def fingerprint_of(self, label: str) -> str:
        return Period.objects.filter(label=label).values_list("fingerprint", flat=True) \
            .first() or ""

    def inputs(self, run_id: int | None, label: str, key: Key, team_id: str | None) -> Inputs:
        if run_id is None:
            return Inputs()
        payee_id, plan_id, component = key
        subjects = [("payee", payee_id)] + ([("team", team_id)] if team_id else [])
        credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
        targets: dict[str, Decimal | None] = {}
        for subject_type, subject_id in subjects:
            for deal, amount in CreditRow.objects.filter(
                    run_id=run_id, period=label, subject_type=subject_type,
                    subject_id=subject_id).values_list("deal_id", "amount"):
                credits[deal] += Decimal(str(amount or ZERO))  # 10 places, kept
            for target in AttainmentRow.objects.filter(
                    run_id=run_id, period=label, plan_id=plan_id, component_id=component,
                    subject_type=subject_type, subject_id=subject_id).values_list(
                    "target_amount", flat=True):
                targets[f"{subject_type} {subject_id} {label}"] = \
                    None if target is None else _dec(target)
        if (run_id, plan_id) not in self._versions:  # asked once per correction otherwise
            number = (Run.objects.get(pk=run_id).plan_versions.filter(plan__plan_id=plan_id)
                      .values_list("number", flat=True).first())
            self._versions[(run_id, plan_id)] = \
                None if number is None else f"{plan_id} version {number}"
        version = self._versions[(run_id, plan_id)]
        teams = frozenset(t for t in PayoutLine.objects.filter(
            run_id=run_id, period=label, payee__payee_id=payee_id, plan_id=plan_id,
            component_id=component, adjusts_period="").values_list("team__team_id", flat=True)
            if t)
        return Inputs(dict(credits), targets, version, teams)

    def payees(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        return {pid: (name, email) for pid, name, email in Payee.objects.filter(
            payee_id__in=list(ids)).values_list("payee_id", "name", "email")}

    def save_snapshot(self, snapshot: Snapshot) -> None:
        PeriodSnapshot.objects.create(
            period=self._get(snapshot.label), fingerprint=snapshot.fingerprint,
            payroll_csv=snapshot.payroll_csv, sha256=snapshot.sha256,
            locked_by=snapshot.locked_by,
            totals={c: str(a) for c, a in snapshot.total.items()})

    def snapshot(self, label: str) -> Snapshot | None:
        s = PeriodSnapshot.objects.filter(period__label=label).first()
        if s is None:
            return None
        return Snapshot(label, s.fingerprint, s.payroll_csv, s.sha256, s.locked_by,
                        {c: Decimal(a) for c, a in s.totals.items()})

    def audit(self, actor: str | None, action: str, label: str, text: str) -> None:
        record(self._user(actor), action, "period", label, text)


def _dec(value: Any) -> Decimal:
    """A target (cents) as stored; SQLite hands sums back through float-free strings or
    Decimals."""
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else ZERO


def _paid(value: Any) -> Decimal:
    """A payout amount with every place it was paid to (3 for KWD: never cut back to
    cents), a cent amount as ``Decimal('10.00')`` (``models.results.as_paid``)."""
    return as_paid(Decimal(str(value))) if value is not None else ZERO


def rules(plans: dict[str, LoadedPlan]) -> dict[str, ClawbackRules]:
    return {plan_id: rules_of(p.plan) for plan_id, p in plans.items()}


def publish_run(run: Run, labels: list[str], plans: dict[str, LoadedPlan]) -> list[Entry]:
    """Publish a stored run to the periods (inside the run's transaction)."""
    first = next(iter(plans.values())).plan if plans else None
    kind = first.period if first else "quarter"
    ym = first.year_start_month if first else 1
    actor = run.started_by.username if run.started_by else None
    return book.publish(DjangoStore(), run.pk, labels, rules(plans), kind, ym, actor)


def deal_changes(old_run: int | None, new_run: int, label: str, payee_id: str) -> str:
    """The deals whose credit to the payee differs between two runs, in words."""
    store, key = DjangoStore(), (payee_id, "", "")
    from teamquota.ledger.causes import describe
    return describe(Inputs(store.inputs(old_run, label, key, None).credits),
                    Inputs(store.inputs(new_run, label, key, None).credits))

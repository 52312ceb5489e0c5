"""The ledger's actions: publish a run, book a manual entry, lock a period.

Every action runs on a :class:`~teamquota.ledger.store.LedgerStore` inside the caller's
transaction, so a failure changes nothing. After any action, each unlocked period whose
rows changed gets a new fingerprint, and its reviews and approval lapse (they were given
for other numbers).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from teamquota.core.money import ZERO, fmt_amount
from teamquota.core.periods import PeriodKind, parse_period
from teamquota.ledger import causes, placement
from teamquota.ledger.corrections import ClawbackRules, Draft, corrections
from teamquota.ledger.model import (
    APPROVED,
    CALCULATED,
    LOCKED,
    MANUAL,
    OPEN,
    REVIEWED,
    Entry,
    Key,
    LedgerError,
    PeriodState,
)
from teamquota.ledger.payroll import payroll_csv, payroll_rows
from teamquota.ledger.store import LedgerStore, Row, Snapshot


def fingerprint(rows: Iterable[Row]) -> str:
    """What a review or an approval was given for: the rows' content (a rerun that
    computes the same lines keeps it; a manual entry is counted by its identity, so two
    equal entries are two; 5.1 and 5.10 are the same amount)."""
    parts = sorted(repr((r.key, r.line_type, format(r.amount.normalize(), "f"), r.currency,
                         r.source_period,
                         r.team_id or "", r.explanation,
                         r.ref if r.ref.startswith("entry:") else "")) for r in rows)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _period(store: LedgerStore, label: str) -> PeriodState:
    for p in store.periods():
        if p.label == label:
            return p
    raise LedgerError(f"period {label} is not in the ledger")


def _ensure(store: LedgerStore, labels: Iterable[str], year_start_month: int) -> None:
    known = {p.label for p in store.periods()}
    for label in sorted(set(labels) - known):
        found = parse_period(label, year_start_month)
        store.create_period(PeriodState(label, found.start, found.end))


def _landing(store: LedgerStore, source: str, kind: PeriodKind, year_start_month: int) -> str:
    periods = store.periods()
    label = placement.landing_label(source, periods)
    if label is None:
        label, new = placement.following(periods, kind, year_start_month)
        store.create_period(new)
    return label


def refresh(store: LedgerStore, actor: str | None, why: str,
            labels: Iterable[str] | None = None) -> list[str]:
    """New fingerprints for unlocked periods whose rows changed (among ``labels``, else
    all); their reviews and approval lapse (audited). Returns the labels that changed."""
    changed = []
    only = None if labels is None else set(labels)
    for p in store.periods():
        if p.locked or (only is not None and p.label not in only):
            continue
        now = fingerprint(store.rows(p.label))
        if now == store.fingerprint_of(p.label):
            continue
        changed.append(p.label)
        store.save_fingerprint(p.label, now)
        if p.status in (REVIEWED, APPROVED):
            store.audit(actor, "period.reopened", p.label,
                        f"{p.label}: {p.status} numbers changed ({why}); reviews and approval "
                        "must be given again")
        if p.status != CALCULATED and p.run_id is not None:
            store.set_status(p.label, CALCULATED, actor)
    return changed


def publish(store: LedgerStore, run_id: int, labels: Iterable[str],
            rules: Mapping[str, ClawbackRules], kind: PeriodKind, year_start_month: int = 1,
            actor: str | None = None) -> list[Entry]:
    """Point every unlocked period at ``run_id`` and correct every locked one.

    A locked period keeps its run; what the new run computes differently for it (new -
    locked - corrections already paid in locked periods) becomes an entry in the period
    :mod:`.placement` names, with its cause. Manual entries are not touched."""
    _ensure(store, labels, year_start_month)
    for p in store.periods():
        if not p.locked:
            store.point(p.label, run_id)
    entries: list[Entry] = []
    for p in store.periods():
        if p.locked:
            entries += _correct(store, p, run_id, rules, kind, year_start_month, actor)
    for label in sorted({e.period for e in entries}):
        store.point(label, run_id)  # a period created to carry corrections
    store.add_entries(run_id, entries)
    refresh(store, actor, f"run #{run_id}")
    return entries


def _correct(store: LedgerStore, period: PeriodState, run_id: int,
             rules: Mapping[str, ClawbackRules], kind: PeriodKind, year_start_month: int,
             actor: str | None) -> list[Entry]:
    drafts = corrections(store.computed(run_id, period.label),
                         store.computed(period.run_id, period.label),
                         store.booked(period.label), rules)
    entries = []
    for draft in drafts:
        baseline = draft.baseline_run or period.run_id  # what was paid was computed there
        cause = causes.describe(
            store.inputs(baseline, period.label, draft.key, draft.team_id),
            store.inputs(run_id, period.label, draft.key, draft.team_id))
        if draft.waived:
            store.audit(actor, "clawback.waived", period.label,
                        f"{period.label} {draft.key[2]} for {draft.key[0]}: recalculated "
                        f"{fmt_amount(draft.outstanding)} not clawed back "
                        "(clawback.reduce_attainment is false: the locked attainment "
                        f"stands); cause: {cause}")
            continue
        entries.append(_entry(draft, period.label,
                              _landing(store, period.label, kind, year_start_month), cause))
    return entries


def _entry(draft: Draft, source: str, landing: str, cause: str) -> Entry:
    return Entry(draft.key, draft.amount, draft.currency, draft.line_type, landing, source,
                 cause, draft.explanation(source), draft.team_id)


def add_manual(store: LedgerStore, key: Key, source_period: str, amount: Decimal,
               currency: str, reason: str, author: str, kind: PeriodKind,
               year_start_month: int = 1, team_id: str | None = None,
               dispute: int | None = None, places: int = 2) -> Entry:
    """A manual decision for ``key`` in ``source_period``, booked where
    :mod:`.placement` says; it is kept, exactly once, by every later run. ``places``: the
    most decimals the amount may have (the places the plan pays its currency in)."""
    if amount == ZERO:
        raise LedgerError("a manual adjustment must not be zero")
    if amount.as_tuple().exponent < -places:  # type: ignore[operator]
        raise LedgerError(f"a manual adjustment has at most {places} decimals, not {amount}")
    _period(store, source_period)
    landing = _landing(store, source_period, kind, year_start_month)
    cause = (f"dispute #{dispute}: {reason}" if dispute is not None else reason) or \
        "manual decision"
    where = "" if landing == source_period else f", paid in {landing}"
    entry = Entry(key, amount, currency, MANUAL, landing, source_period, cause,
                  f"manual adjustment of {fmt_amount(amount)} by {author} for {source_period} "
                  f"{key[2]}{where}: {cause}", team_id, author, dispute)
    store.add_entries(None, [entry])
    refresh(store, author, f"manual adjustment by {author}", [landing])
    return entry


def lock(store: LedgerStore, label: str, actor: str, require_approved: bool = True
         ) -> Snapshot:
    """Freeze a period: its rows, fingerprint and payroll file (names and e-mails as they
    are now) are kept as they are; later differences become entries elsewhere."""
    period = _period(store, label)
    if period.locked:
        raise LedgerError(f"{label} is already locked")
    if require_approved and period.status != APPROVED:
        raise LedgerError(f"{label} must be approved before it is locked")
    rows = store.rows(label)
    now = fingerprint(rows)
    if require_approved and now != store.fingerprint_of(label):
        raise LedgerError(f"{label} changed since it was approved; it must be reviewed and "
                          "approved again")
    text = payroll_csv(payroll_rows(label, LOCKED, period.run_id, rows,
                                    store.payees({r.key[0] for r in rows})))
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        totals[r.currency] += r.amount
    snapshot = Snapshot(label, now, text, hashlib.sha256(text.encode()).hexdigest(), actor,
                        dict(totals))
    store.save_fingerprint(label, now)
    store.save_snapshot(snapshot)
    store.set_status(label, LOCKED, actor)
    store.audit(actor, "period.lock", label,
                f"{actor} locked {label}: run #{period.run_id} is final "
                f"(payroll sha256 {snapshot.sha256[:12]})")
    return snapshot


def payroll(store: LedgerStore, label: str) -> str:
    """The payroll file: the one written at lock for a locked period (checked against the
    rows it froze), else made now from the period's rows."""
    period = _period(store, label)
    if period.locked:
        snapshot = store.snapshot(label)
        if snapshot is None:
            raise LedgerError(f"{label} is locked but has no snapshot")
        if fingerprint(store.rows(label)) != snapshot.fingerprint:
            raise LedgerError(f"{label}'s locked rows no longer match the snapshot taken at "
                              "lock; the ledger was changed outside teamquota")
        return snapshot.payroll_csv
    rows = store.rows(label)
    return payroll_csv(payroll_rows(label, period.status, period.run_id, rows,
                                    store.payees({r.key[0] for r in rows})))


def paid_to_date(store: LedgerStore) -> dict[tuple[str, str], Decimal]:
    """Per (payee, currency): every period's rows summed — locked ones as frozen, open ones
    as they stand."""
    out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for p in store.periods():
        for r in store.rows(p.label):
            out[(r.key[0], r.currency)] += r.amount
    return dict(out)


__all__ = ["OPEN", "add_manual", "fingerprint", "lock", "paid_to_date", "payroll", "publish",
           "refresh"]

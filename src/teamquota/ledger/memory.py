"""A ledger store in memory: the reference implementation of
:class:`~teamquota.ledger.store.LedgerStore`, used by the property tests and as the body
of the CLI's file store (:mod:`.filestore`)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from teamquota.core.money import ZERO
from teamquota.ledger.causes import Inputs
from teamquota.ledger.corrections import Booked
from teamquota.ledger.model import (
    CALCULATED,
    CORRECTION_TYPES,
    OPEN,
    Amount,
    Entry,
    Key,
    LedgerError,
    PeriodState,
)
from teamquota.ledger.store import Row, Snapshot


@dataclass(frozen=True)
class Computed:
    """One computed payout line of a run."""

    period: str
    key: Key
    amount: Decimal
    currency: str
    line_type: str = "payout"
    team_id: str | None = None
    explanation: str = ""


@dataclass
class Run:
    lines: list[Computed]
    inputs: dict[tuple[str, Key], Inputs] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)


@dataclass
class MemoryStore:
    period_states: dict[str, PeriodState] = field(default_factory=dict)
    runs: dict[int, Run] = field(default_factory=dict)
    manual: list[Entry] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)
    events: list[tuple[str | None, str, str, str]] = field(default_factory=list)

    def add_run(self, run_id: int, lines: Iterable[Computed],
                inputs: dict[tuple[str, Key], Inputs] | None = None) -> None:
        if run_id in self.runs:
            raise LedgerError(f"run #{run_id} is already in the ledger")
        self.runs[run_id] = Run(list(lines), dict(inputs or {}))

    def next_run_id(self) -> int:
        return max(self.runs, default=0) + 1

    # -- LedgerStore --------------------------------------------------------------------
    def periods(self) -> list[PeriodState]:
        return sorted(self.period_states.values(), key=lambda p: p.start)

    def create_period(self, period: PeriodState) -> None:
        if period.label in self.period_states:
            raise LedgerError(f"period {period.label} exists")
        self.period_states[period.label] = period

    def point(self, label: str, run_id: int) -> None:
        p = self.period_states[label]
        if p.locked:
            raise LedgerError(f"{label} is locked; its run is final")
        status = CALCULATED if p.status == OPEN else p.status
        self.period_states[label] = dataclasses.replace(p, run_id=run_id, status=status)

    def set_status(self, label: str, status: str, actor: str | None) -> None:
        self.period_states[label] = dataclasses.replace(self.period_states[label],
                                                        status=status)

    def computed(self, run_id: int | None, label: str) -> dict[Key, Amount]:
        out: dict[Key, Amount] = {}
        if run_id is None:
            return out
        for line in self.runs[run_id].lines:
            if line.period != label:
                continue
            before = out.get(line.key)
            total = (before.amount if before else ZERO) + line.amount
            team = (before.team_id if before else None) or line.team_id
            out[line.key] = Amount(total, line.currency, team)
        return out

    def booked(self, source: str) -> dict[Key, Booked]:
        amounts: dict[Key, Decimal] = defaultdict(lambda: ZERO)
        instalments: dict[Key, int] = defaultdict(int)
        latest: dict[Key, int] = {}
        seen: dict[Key, Entry] = {}
        for p in self.periods():
            if not p.locked or p.run_id is None:
                continue
            for e in self.runs[p.run_id].entries:
                if e.period == p.label and e.source_period == source \
                        and e.line_type in CORRECTION_TYPES:
                    amounts[e.key] += e.amount
                    instalments[e.key] += e.line_type == "clawback"
                    latest[e.key] = max(latest.get(e.key, 0), p.run_id)
                    seen[e.key] = e
        return {k: Booked(amounts[k], instalments[k], latest[k], seen[k].currency,
                          seen[k].team_id) for k in amounts}

    def add_entries(self, run_id: int | None, entries: Iterable[Entry]) -> None:
        for e in entries:
            if self.period_states[e.period].locked:
                raise LedgerError(f"{e.period} is locked; nothing is booked into it")
            if run_id is None:
                self.manual.append(e)
            else:
                self.runs[run_id].entries.append(e)

    def rows(self, label: str) -> list[Row]:
        p = self.period_states[label]
        out = []
        if p.run_id is not None:
            run = self.runs[p.run_id]
            for i, c in enumerate(run.lines):
                if c.period == label:
                    out.append(Row(f"run:{p.run_id}:{i}", c.key, c.line_type, c.amount,
                                   c.currency, "", c.team_id, c.explanation))
            for i, e in enumerate(run.entries):
                if e.period == label:
                    out.append(_row(f"run:{p.run_id}:e{i}", e))
        for i, e in enumerate(self.manual):
            if e.period == label:
                out.append(_row(f"entry:{i}", e))
        return out

    def save_fingerprint(self, label: str, fingerprint: str) -> None:
        self.fingerprints[label] = fingerprint

    def fingerprint_of(self, label: str) -> str:
        return self.fingerprints.get(label, "")

    def inputs(self, run_id: int | None, label: str, key: Key, team_id: str | None) -> Inputs:
        if run_id is None:
            return Inputs()
        return self.runs[run_id].inputs.get((label, key), Inputs())

    def payees(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        return {i: self.people.get(i, ("", "")) for i in ids}

    def save_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots[snapshot.label] = snapshot

    def snapshot(self, label: str) -> Snapshot | None:
        return self.snapshots.get(label)

    def audit(self, actor: str | None, action: str, label: str, text: str) -> None:
        self.events.append((actor, action, label, text))


def _row(ref: str, e: Entry) -> Row:
    return Row(ref, e.key, e.line_type, e.amount, e.currency, e.source_period, e.team_id,
               e.explanation)

"""The storage interface the ledger's rules run on.

Implementations: ``teamquota.web.comp.services.ledger_store`` (Django ORM),
:mod:`teamquota.ledger.filestore` (a folder, for the CLI) and
:mod:`teamquota.ledger.memory` (tests). A store keeps rows; it decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from teamquota.ledger.causes import Inputs
from teamquota.ledger.corrections import Booked
from teamquota.ledger.model import Amount, Entry, Key, PeriodState


@dataclass(frozen=True)
class Row:
    """A line as a period shows it: a run's computed line or an entry."""

    ref: str  # stable identity: "run:<id>:<line>" or "entry:<id>"
    key: Key
    line_type: str
    amount: Decimal
    currency: str
    source_period: str = ""  # the period an entry corrects; '' for a computed line
    team_id: str | None = None
    explanation: str = ""


@dataclass(frozen=True)
class Snapshot:
    """A locked period, frozen: its fingerprint and the payroll file as written at lock
    (names and e-mails as they were then)."""

    label: str
    fingerprint: str
    payroll_csv: str
    sha256: str
    locked_by: str
    total: Mapping[str, Decimal]  # per currency


class LedgerStore(Protocol):
    def periods(self) -> list[PeriodState]:
        """Every period, ordered by start."""

    def create_period(self, period: PeriodState) -> None: ...

    def point(self, label: str, run_id: int) -> None:
        """The period now shows ``run_id``'s lines (and its corrections booked there)."""

    def set_status(self, label: str, status: str, actor: str | None) -> None:
        """Status change; back to ``calculated`` clears the approval."""

    def computed(self, run_id: int | None, label: str) -> dict[Key, Amount]:
        """A run's computed lines for a period, summed by key (no corrections, no
        manual entries)."""

    def booked(self, source: str) -> dict[Key, Booked]:
        """Corrections for ``source`` paid in locked periods, summed by key."""

    def add_entries(self, run_id: int | None, entries: Iterable[Entry]) -> None:
        """Corrections computed by ``run_id``, or manual entries (``run_id`` None)."""

    def rows(self, label: str) -> list[Row]:
        """What the period pays now: its run's lines for it, that run's corrections booked
        in it, and the manual entries booked in it."""

    def save_fingerprint(self, label: str, fingerprint: str) -> None: ...

    def fingerprint_of(self, label: str) -> str:
        """The fingerprint saved for the period ('' before any)."""

    def inputs(self, run_id: int | None, label: str, key: Key, team_id: str | None) -> Inputs:
        """What a run read for one key of a period (for the cause of a correction)."""

    def payees(self, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Name and e-mail of each payee, as they are now."""

    def save_snapshot(self, snapshot: Snapshot) -> None: ...

    def snapshot(self, label: str) -> Snapshot | None: ...

    def audit(self, actor: str | None, action: str, label: str, text: str) -> None: ...

"""The ledger's nouns: periods, the key a payout is booked under, and entries.

Two kinds of rows make up what a period pays:

* **computed lines** — a calculation run's payout lines for the period (the engine's
  payouts table). A run's rows never change; an unlocked period simply points at the
  newest run, a locked period at the run it was locked with, for ever;
* **entries** — corrections and manual decisions, each booked *in* one period (where it is
  paid) *for* a source period (which it corrects), with its cause. Corrections to locked
  periods (``adjustment``, ``clawback``) are computed by a run and belong to it, like its
  lines; manual entries (``manual``: a dispute resolution, a one-off decision) belong to
  the period they are booked in and to no run, so no recalculation touches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

Key = tuple[str, str, str]
"""What a payout is booked under: (payee id, plan id, component id)."""

OPEN, CALCULATED, REVIEWED, APPROVED, LOCKED = ("open", "calculated", "reviewed", "approved",
                                                 "locked")
CORRECTION_TYPES = ("adjustment", "clawback")
MANUAL = "manual"
ENTRY_TYPES = (*CORRECTION_TYPES, MANUAL)


class LedgerError(Exception):
    """A ledger action that is not allowed; the message says why (shown to the user)."""


@dataclass(frozen=True)
class PeriodState:
    label: str
    start: date
    end: date
    status: str = OPEN
    run_id: int | None = None

    @property
    def locked(self) -> bool:
        return self.status == LOCKED


@dataclass(frozen=True)
class Amount:
    """A key's computed total in one period of one run."""

    amount: Decimal
    currency: str
    team_id: str | None = None


@dataclass(frozen=True)
class Entry:
    """An adjustment, clawback instalment or manual entry.

    ``period`` is where it is paid, ``source_period`` the period it corrects; ``cause``
    names what changed (deals, targets, memberships, plan version) or the manual decision.
    """

    key: Key
    amount: Decimal
    currency: str
    line_type: str
    period: str
    source_period: str
    cause: str
    explanation: str
    team_id: str | None = None
    author: str | None = None
    dispute: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def payee_id(self) -> str:
        return self.key[0]

"""Which period an adjustment is paid in.

The rule (docs/ledger.md): an entry for a period is booked in that period while it is not
locked; once it is locked, in the first period after it that is not locked; when every
later period is locked, in the period that follows the last one (created for it). An entry
is never booked into an earlier period than the one it corrects, nor into a locked one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from teamquota.core.periods import PeriodKind, period_of
from teamquota.ledger.model import LedgerError, PeriodState


def landing_label(source: str, periods: Sequence[PeriodState]) -> str | None:
    """The label an entry for ``source`` is booked in, or None when a new period after the
    last one is needed (:func:`following`)."""
    by_label = {p.label: p for p in periods}
    found = by_label.get(source)
    if found is None:
        raise LedgerError(f"period {source} is not in the ledger")
    if not found.locked:
        return source
    later = sorted((p for p in periods if p.start > found.end), key=lambda p: p.start)
    for period in later:
        if not period.locked:
            return period.label
    return None


def following(periods: Sequence[PeriodState], kind: PeriodKind,
              year_start_month: int) -> tuple[str, PeriodState]:
    """The period after the last one of the ledger (label and its dates)."""
    last = max(periods, key=lambda p: p.end)
    found = period_of(kind, last.end + timedelta(days=1), year_start_month)
    return found.label, PeriodState(found.label, found.start, found.end)

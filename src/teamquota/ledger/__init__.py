"""The payout ledger: what was paid, locked, adjusted and disputed (docs/ledger.md).

A library below ``cli`` and ``web``: the rules live here, storage behind
:class:`~teamquota.ledger.store.LedgerStore` (the Django ORM for the web app, a folder of
files for the CLI, memory for tests). Nothing here imports Django, Typer or Rich.
"""

from teamquota.ledger.book import add_manual, lock, publish
from teamquota.ledger.model import Entry, Key, LedgerError, PeriodState
from teamquota.ledger.store import LedgerStore

__all__ = ["Entry", "Key", "LedgerError", "LedgerStore", "PeriodState", "add_manual", "lock",
           "publish"]

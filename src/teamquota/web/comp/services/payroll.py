"""The payroll export of a period: the ledger's payroll file (``teamquota.ledger.payroll``):
for a locked period the one frozen at lock, else made from the period's lines now. Cells
that could start a formula are prefixed with a quote."""

from __future__ import annotations

from teamquota.core.spreadsheet import FORMULA_STARTS, safe_cell
from teamquota.ledger import book
from teamquota.ledger.payroll import HEADER
from teamquota.web.comp.models import Period
from teamquota.web.comp.services.ledger_store import DjangoStore

__all__ = ["FORMULA_STARTS", "HEADER", "payroll_csv", "safe_cell"]


def payroll_csv(period: Period) -> str:
    return book.payroll(DjangoStore(), period.label)

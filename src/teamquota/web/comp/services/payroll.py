"""The payroll export of a period: the ledger's payroll file (``teamquota.ledger.payroll``):
for a locked period the one frozen at lock, else made from the period's lines now. Cells
that could start a formula are prefixed with a quote."""

from __future__ import annotations

from teamquota.core.spreadsheet import FORMULA_STARTS, safe_cell
from teamquota.ledger import book
from teamquota.ledger.model import LedgerError
from teamquota.ledger.payroll import HEADER
from teamquota.web.comp.models import Period, User, record
from teamquota.web.comp.services.ledger_store import DjangoStore

__all__ = ["FORMULA_STARTS", "HEADER", "PayrollRefused", "export_payroll", "payroll_csv",
           "safe_cell"]


def payroll_csv(period: Period) -> str:
    return book.payroll(DjangoStore(), period.label)


class PayrollRefused(Exception):
    """The period has no payroll file to give (not approved; the ledger refuses)."""


def export_payroll(user: User, period: Period) -> str:
    """The payroll file of an approved or locked period, the export audited: the Periods
    page and the API both call this (the caller has checked the finance role)."""
    if period.status not in ("approved", "locked"):
        raise PayrollRefused(f"{period.label} is not approved yet; payroll exports only "
                             "approved or locked periods")
    record(user, "payroll.export", "period", period.label,
           f"{user.username} exported payroll for {period.label} (run #{period.run_id})")
    try:
        return payroll_csv(period)
    except LedgerError as exc:
        raise PayrollRefused(str(exc)) from None

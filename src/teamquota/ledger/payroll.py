"""The payroll file of a period: one CSV line per payee, plan and pay component (each
correction and manual entry on its own line, naming the period it corrects), text cells
safe to open in a spreadsheet. Written once at lock and kept (the snapshot); before the
lock it is made from the period's rows as they are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from teamquota.core.money import ZERO, fmt_amount, minor_unit
from teamquota.core.spreadsheet import csv_text, safe_cell
from teamquota.ledger.store import Row

HEADER = ["period", "payee_id", "payee_name", "email", "plan", "component", "currency",
          "amount", "status", "run"]


def paid_text(amount: Decimal, currency: str) -> str:
    """An amount as a payroll file writes it: the currency's places (10.00 USD, 10.006 KWD,
    1000 JPY) and any finer place it was paid to, never rounded again."""
    return fmt_amount(amount, minor_unit(currency)).replace(",", "")


def payroll_rows(label: str, status: str, run_id: int | None, rows: Iterable[Row],
                 payees: Mapping[str, tuple[str, str]]) -> list[list[str]]:
    totals: dict[tuple[str, str, str, str], Decimal] = {}
    for row in sorted(rows, key=lambda r: (r.key, r.source_period, r.line_type != "manual",
                                           r.ref)):
        payee_id, plan_id, component = row.key
        if row.source_period:
            component = f"{component} ({row.line_type} for {row.source_period})"
        group = (payee_id, plan_id, component, row.currency)
        totals[group] = totals.get(group, ZERO) + row.amount
    out = []
    for (payee_id, plan_id, component, currency), amount in sorted(totals.items()):
        name, email = payees.get(payee_id, ("", ""))
        out.append([safe_cell(label), safe_cell(payee_id), safe_cell(name), safe_cell(email),
                    safe_cell(plan_id), safe_cell(component), safe_cell(currency),
                    paid_text(amount, currency), status, "" if run_id is None else str(run_id)])
    return out


def payroll_csv(lines: list[list[str]]) -> str:
    # The amount (column 8) is a number: written plain, a negative correction unquoted.
    return csv_text(([*line[:7], Decimal(line[7]), *line[8:]] for line in lines), HEADER)

"""The payroll export: one CSV line per payee and pay component for a period, safe to open
in a spreadsheet (cells that could start a formula are prefixed with a quote)."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from decimal import Decimal

from teamquota.web.comp.models import PayoutLine, Period

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["period", "payee_id", "payee_name", "email", "plan", "component", "currency",
          "amount", "status", "run"]


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formula injection (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def payroll_rows(period: Period) -> list[list[str]]:
    totals: OrderedDict[tuple[int, str, str, str], Decimal] = OrderedDict()
    payees = {}
    lines = (PayoutLine.objects.filter(run_id=period.run_id, period=period.label)
             .select_related("payee").order_by("payee__payee_id", "plan_id", "component_id",
                                                "adjusts_period", "id"))
    for line in lines:
        component = line.component_id
        if line.adjusts_period:
            component = f"{line.component_id} ({line.line_type} for {line.adjusts_period})"
        key = (line.payee_id, line.plan_id, component, line.currency)
        totals[key] = totals.get(key, Decimal("0")) + line.amount
        payees[line.payee_id] = line.payee
    rows = []
    for (payee_pk, plan_id, component, currency), amount in totals.items():
        payee = payees[payee_pk]
        # Amounts are plain decimals; a negative one (a clawback) must stay a number, so
        # only text cells are neutralised.
        rows.append([safe_cell(period.label), safe_cell(payee.payee_id), safe_cell(payee.name),
                     safe_cell(payee.email), safe_cell(plan_id), safe_cell(component),
                     safe_cell(currency), f"{amount:.2f}", period.status,
                     str(period.run_id)])
    return rows


def payroll_csv(period: Period) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(payroll_rows(period))
    return out.getvalue()

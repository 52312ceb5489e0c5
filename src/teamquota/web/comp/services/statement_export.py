"""A statement as files: CSV (every payout line with its inputs, rule and arithmetic, then
the total) and PDF (as the page shows it). The caller passes what
``views.statement.statement_data`` built, after checking access as the page does.

Amounts are Decimals at their currency's places, never rounded again (10.00 USD, 10.006
KWD, 1000 JPY); the CSV goes through the project's one writer (core.spreadsheet), so no
text cell can start a formula."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teamquota.core.money import fmt_money, fmt_pct
from teamquota.core.spreadsheet import csv_text
from teamquota.web.comp.models import Payee, Period
from teamquota.web.comp.services.import_diff import count
from teamquota.web.comp.services.money import plain, shown
from teamquota.web.comp.services.pdf import Document

HEADER = ("period", "payee_id", "payee_name", "component_id", "team_id", "line_type",
          "deal_id", "measure_value", "target_amount", "attainment", "rule", "explanation",
          "cause", "amount", "currency")


def _amount(value: Decimal, currency: str) -> Decimal:
    """The amount at its currency's places (and any finer place it was paid to), as a
    Decimal so the CSV writes it as a number (a negative one is not quoted as text)."""
    return Decimal(plain(value, currency))


def _ratio(value: Decimal | None) -> Decimal | None:
    """A measure or an attainment without its storage's trailing zeros (1500.0000 ->
    1500, 0.500000000000 -> 0.5)."""
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def statement_rows(payee: Payee, period: Period, data: dict[str, Any]) -> list[list[object]]:
    currency = data["currency"]
    rows: list[list[object]] = []
    for ln in data["lines"]:
        rows.append([period.label, payee.payee_id, payee.name, ln.component_id,
                     ln.team.team_id if ln.team else "", ln.line_type, ln.deal_id,
                     _ratio(ln.measure_value), ln.target_amount, _ratio(ln.attainment),
                     ln.rule, ln.explanation, ln.cause, _amount(ln.amount, ln.currency),
                     ln.currency])
    rows.append([period.label, payee.payee_id, payee.name, "total", "", "", "", None, None,
                 None, "", f"sum of {count(len(data['lines']), 'line')}", "",
                 _amount(data["total"], currency), currency])
    return rows


def statement_csv(payee: Payee, period: Period, data: dict[str, Any]) -> str:
    return csv_text(statement_rows(payee, period, data), HEADER)


def statement_pdf(payee: Payee, period: Period, data: dict[str, Any], *,
                  compress: bool = True) -> bytes:
    currency = data["currency"]
    doc = Document(f"Statement - {payee.name} - {period.label}", compress=compress)
    doc.heading(f"Statement - {payee.name}")
    doc.paragraph(f"{payee.payee_id} - {payee.role} - target incentive "
                  f"{fmt_money(payee.target_incentive)} {currency} a year - period "
                  f"{period.label} ({period.start} to {period.end}), status "
                  f"{period.get_status_display().lower()}", muted=True)
    doc.paragraph(f"Total for {period.label}: {shown(data['total'], currency)} {currency}")
    doc.heading("Payout lines", 2)
    rows = []
    for ln in data["lines"]:
        how = ln.explanation + (f"\nrule: {ln.rule}" if ln.rule else "") + \
            (f"\ncause: {ln.cause}" if ln.cause else "")
        rows.append([ln.component_id + (f"\n{ln.team.name}" if ln.team else ""), ln.line_type,
                     fmt_pct(ln.attainment) if ln.attainment is not None else "", how,
                     shown(ln.amount, ln.currency)])
    rows.append(["Total", "", "", "", shown(data["total"], currency)])
    doc.table(["Component", "Type", "Attainment", "How it was calculated", "Amount"], rows,
              (1.3, 1, 1, 4, 1.2), numeric=(2, 4), bold_last=True)
    doc.heading("Deals behind the numbers", 2)
    deals = data["deals"]
    deal_rows = [[c.deal_id, getattr(deals.get(c.deal_id), "account", "") or "-",
                  str(c.close_date or "-"), c.rule, fmt_money(c.amount or Decimal(0))]
                 for c in data["credits"]]
    if deal_rows:
        doc.table(["Deal", "Account", "Closed", "Credit rule", "Credited"], deal_rows,
                  (1.2, 1.6, 1, 1.4, 1), numeric=(4,))
    else:
        doc.paragraph("No deals credited to you in this period.", muted=True)
    return doc.output()

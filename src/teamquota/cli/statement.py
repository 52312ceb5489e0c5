"""A payee's statement as Rich text: every payout line with its rule and arithmetic, and the
total. A thin renderer over :attr:`Results.payouts` — the numbers and the words come from the
engine; this module only groups, orders and lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from teamquota.cli.output import cells
from teamquota.core.money import ZERO, fmt_amount, minor_unit

if TYPE_CHECKING:
    import pyarrow as pa

    from teamquota.engine.results import Results


@dataclass(frozen=True)
class StatementLine:
    component_id: str
    line_type: str
    amount: Decimal
    currency: str
    rule: str
    explanation: str
    team_id: str | None = None
    deal_id: str | None = None


@dataclass(frozen=True)
class Statement:
    payee_id: str
    period: str
    lines: tuple[StatementLine, ...]

    def totals(self) -> dict[str, Decimal]:
        """Currency -> the sum of the (already rounded) lines."""
        sums: dict[str, Decimal] = {}
        for line in self.lines:
            sums[line.currency] = sums.get(line.currency, ZERO) + line.amount
        return sums


def statements(payouts: pa.Table, payee_id: str,
               periods: Sequence[str] | None = None) -> list[Statement]:
    """The payee's statements, one per period in period order, lines in table order."""
    by_period: dict[str, list[StatementLine]] = {}
    for row in payouts.to_pylist():
        if row["payee_id"] != payee_id or (periods and row["period"] not in periods):
            continue
        by_period.setdefault(row["period"], []).append(StatementLine(
            row["component_id"], row["line_type"], row["amount"], row["currency"],
            row["rule"] or "", row["explanation"] or "", row["team_id"], row["deal_id"]))
    return [Statement(payee_id, period, tuple(lines))
            for period, lines in sorted(by_period.items())]


def payees(payouts: pa.Table) -> list[str]:
    return sorted(set(payouts.column("payee_id").to_pylist()))


def money(amount: Decimal, currency: str) -> str:
    return f"{fmt_amount(amount, minor_unit(currency))} {currency}"


def render_statement(statement: Statement, plan_id: str = "") -> Text:
    """Plain-width text (no table), so long explanations wrap like prose, never mid-cell."""
    text = Text()
    on_plan = f" (plan {plan_id})" if plan_id else ""
    text.append(f"Statement for {statement.payee_id}, {statement.period}{on_plan}\n", "bold")
    for line in statement.lines:
        extra = "".join(f" {label} {value}" for label, value in
                        (("team", line.team_id), ("deal", line.deal_id)) if value)
        text.append(f"  {line.component_id} [{line.line_type}]{extra}: ")
        text.append(money(line.amount, line.currency), "bold")
        text.append(f"\n    rule: {line.rule}\n")
        if line.explanation:
            text.append(f"    {line.explanation}\n", "dim")
    for currency, total in sorted(statement.totals().items()):
        text.append("  total: ")
        text.append(money(total, currency), "bold green")
        text.append("\n")
    text.rstrip()
    return text


def render_statements(results: Results, payee_id: str,
                      periods: Sequence[str] | None = None) -> Group:
    parts: list[Text] = []
    for statement in statements(results.payouts, payee_id, periods):
        if parts:
            parts.append(Text(""))  # a blank line between periods
        parts.append(render_statement(statement, results.plan_id))
    return Group(*parts)


def totals_table(results: Results, title: str | None = None) -> Table:
    """Payee, period and total for every payee and period of a run."""
    table = Table(title=title, title_justify="left")
    table.add_column("payee")
    table.add_column("period")
    table.add_column("total", justify="right")
    for row in results.totals().to_pylist():
        table.add_row(*cells(row["payee_id"], row["period"],
                             money(row["amount"], row["currency"])))
    return table

"""The statement renderer and the totals table, over the hand-built payouts of conftest.py
(p1 in 2017-Q3: 4,000.00 + 4,500.00 = 8,500.00)."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rich.console import Console

from teamquota.cli.statement import (
    payees,
    render_statement,
    render_statements,
    statements,
    totals_table,
)
from teamquota.engine.results import Results

Factory = Callable[[], Results]


def text_of(renderable: Any) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_statements__one_per_period_in_order_with_exact_totals(make_results: Factory) -> None:
    found = statements(make_results().payouts, "p1")
    assert [s.period for s in found] == ["2017-Q2", "2017-Q3"]
    assert found[1].totals() == {"USD": Decimal("8500.00")}  # 4,000.00 + 4,500.00


def test_statements__filter_by_period_and_unknown_payee(make_results: Factory) -> None:
    assert [s.period for s in statements(make_results().payouts, "p1", ["2017-Q3"])] == ["2017-Q3"]
    assert statements(make_results().payouts, "nobody") == []
    assert payees(make_results().payouts) == ["p1", "p2"]


def test_render_statement__every_line_with_rule_explanation_and_total(
        make_results: Factory) -> None:
    statement = statements(make_results().payouts, "p1", ["2017-Q3"])[0]
    assert text_of(render_statement(statement, "ae")) == (
        "Statement for p1, 2017-Q3 (plan ae)\n"
        "  personal [curve]: 4,000.00 USD\n"
        "    rule: personal: 40% of TI x curve(attainment)\n"
        "    10,000.00 x 0.4 x 1.0 = 4,000.00\n"
        "  team [curve] team east: 4,500.00 USD\n"
        "    rule: team: 60% of TI x curve\n"
        "    10,000.00 x 0.6 x 0.75 = 4,500.00\n"
        "  total: 8,500.00 USD\n")


def test_render_statements__periods_apart_by_a_blank_line(make_results: Factory) -> None:
    rendered = text_of(render_statements(make_results(), "p1"))
    assert rendered.startswith("Statement for p1, 2017-Q2 (plan ae)\n"
                               "  personal [curve]: 1,234.56 USD\n"
                               "    rule: personal\n"
                               "  total: 1,234.56 USD\n"
                               "\n"
                               "Statement for p1, 2017-Q3 (plan ae)\n")
    assert rendered.endswith("  total: 8,500.00 USD\n")


def test_totals_table__one_row_per_payee_and_period(make_results: Factory) -> None:
    assert text_of(totals_table(make_results(), "plan ae")) == (
        "plan ae" + " " * 27 + "\n"  # the title is padded to the table's 34 columns
        "┏━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━┓\n"
        "┃ payee ┃ period  ┃        total ┃\n"
        "┡━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━┩\n"
        "│ p1    │ 2017-Q2 │ 1,234.56 USD │\n"
        "│ p1    │ 2017-Q3 │ 8,500.00 USD │\n"
        "│ p2    │ 2017-Q3 │    10.00 USD │\n"
        "└───────┴─────────┴──────────────┘\n")


def test_totals_table__prints_ids_as_written_not_as_markup(make_results: Factory) -> None:
    results = make_results()
    renamed = results.payouts.set_column(
        1, "payee_id", [[f"[bold]{p}" for p in results.payouts["payee_id"].to_pylist()]])
    results.payouts = renamed
    assert "│ [bold]p1 │ 2017-Q2 │" in text_of(totals_table(results, "plan ae"))


def test_money__shows_every_place_a_line_was_paid_to() -> None:
    from teamquota.cli.statement import money
    # rounding.places 3 on a USD line: 2,154.831 is not shown as 2,154.83
    assert money(Decimal("2154.831"), "USD") == "2,154.831 USD"
    assert money(Decimal("10.006"), "KWD") == "10.006 KWD"
    assert money(Decimal("10.000"), "KWD") == "10.000 KWD"  # the currency's three places
    # a cent column holds yen as 1234.00: shown as the currency's whole yen
    assert money(Decimal("1234.00"), "JPY") == "1,234 JPY"
    assert money(Decimal("4000.00"), "USD") == "4,000.00 USD"

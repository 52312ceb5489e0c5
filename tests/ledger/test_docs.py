"""docs/ledger.md's worked example, replayed step by step against its table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from teamquota.core.money import fmt_money
from teamquota.ledger import book
from teamquota.ledger.memory import MemoryStore
from tests.ledger.test_book import RITA, approve_and_lock, run, total

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def _table() -> list[list[str]]:
    lines = DOC.read_text().split("## A worked example", 1)[1].splitlines()
    rows = [ln for ln in lines if ln.startswith("| ") and not ln.startswith("| step")]
    return [[c.strip() for c in row.strip("|").split("|")][1:] for row in rows]


def _state(store: MemoryStore) -> list[str]:
    shown = []
    for label in ("2017-Q1", "2017-Q2", "2017-Q3"):
        shown.append(fmt_money(total(store, label)) if label in store.period_states
                     and store.rows(label) else "")
    paid = sum(book.paid_to_date(store).values(), Decimal(0))
    return [*shown, fmt_money(paid)]


def test_docs__the_worked_example_table_is_what_the_ledger_does():
    store, states = MemoryStore(), []
    run(store, {("2017-Q1", RITA): "1000.00"})
    states.append(_state(store))
    approve_and_lock(store, "2017-Q1")
    states.append(_state(store))
    book.add_manual(store, RITA, "2017-Q1", Decimal("50.00"), "USD", "missed SPIF", "otto",
                    "quarter", dispute=7)
    states.append(_state(store))
    run(store, {("2017-Q1", RITA): "1030.00", ("2017-Q2", RITA): "1200.00"})
    states.append(_state(store))
    run(store, {("2017-Q1", RITA): "1030.00", ("2017-Q2", RITA): "1200.00"})
    states.append(_state(store))
    approve_and_lock(store, "2017-Q2")
    states.append(_state(store))
    run(store, {("2017-Q1", RITA): "1000.00", ("2017-Q2", RITA): "1200.00",
                ("2017-Q3", RITA): "900.00"})
    states.append(_state(store))
    assert states == _table()

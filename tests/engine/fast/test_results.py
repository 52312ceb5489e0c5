"""What a calculation returns (engine/results.py): totals per payee, period and currency,
the tables by name, pandas and polars views, credits loaded on first use, and the output
folder written as a whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as Dec

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from teamquota.engine.results import ATTAINMENT_SCHEMA, CREDITS, PAYOUTS, Results


def payout(period, payee, amount, currency="USD", component="sales"):
    return {"period": period, "payee_id": payee, "component_id": component,
            "line_type": "commission", "team_id": None, "deal_id": None,
            "measure_value": None, "target_amount": None, "attainment": None,
            "factor": None, "amount": Dec(amount), "currency": currency,
            "rule": "4% of sales", "explanation": "=HYPERLINK(\"x\")"}


PAYOUT_ROWS = [payout("2017-Q2", "bob", "10.00"), payout("2017-Q1", "bob", "0.01"),
               payout("2017-Q1", "ann", "100.10"),
               payout("2017-Q1", "ann", "-0.10", component="cap"),
               payout("2017-Q1", "ann", "7.00", currency="EUR"),
               payout("2017-Q1", "bob", "2.50")]
CREDIT_ROWS = [{"period": "2017-Q1", "deal_id": "d1", "subject_type": "payee",
                "subject_id": "ann", "rule": "owner", "share": Dec("1"), "payee_id": "ann",
                "amount": Dec("100"), "counts_for_team": True, "close_date": date(2017, 2, 1)}]


def results(credits=None) -> Results:
    return Results(credits=pa.Table.from_pylist(CREDIT_ROWS, CREDITS) if credits is None
                   else credits,
                   attainment=pa.Table.from_pylist([], ATTAINMENT_SCHEMA),
                   payouts=pa.Table.from_pylist(PAYOUT_ROWS, PAYOUTS))


def test_totals__sum_each_payee_period_and_currency_sorted_by_period_then_payee():
    # ann Q1 USD: 100.10 - 0.10 = 100.00; ann Q1 EUR 7.00 apart; bob Q1: 0.01 + 2.50 = 2.51
    rows = results().totals().to_pylist()
    assert [(r["period"], r["payee_id"]) for r in rows] == [
        ("2017-Q1", "ann"), ("2017-Q1", "ann"), ("2017-Q1", "bob"), ("2017-Q2", "bob")]
    assert sorted(rows, key=lambda r: (r["period"], r["payee_id"], r["currency"])) == [
        {"period": "2017-Q1", "payee_id": "ann", "currency": "EUR", "amount": Dec("7.00")},
        {"period": "2017-Q1", "payee_id": "ann", "currency": "USD", "amount": Dec("100.00")},
        {"period": "2017-Q1", "payee_id": "bob", "currency": "USD", "amount": Dec("2.51")},
        {"period": "2017-Q2", "payee_id": "bob", "currency": "USD", "amount": Dec("10.00")}]
    assert results().totals().column_names == ["period", "payee_id", "currency", "amount"]


def test_tables__by_name_and_as_pandas_and_polars():
    found = results()
    assert list(found.tables()) == ["credits", "attainment", "payouts"]
    assert found.tables()["payouts"] is found.payouts
    assert found.tables()["attainment"] is found.attainment
    assert found.tables()["credits"].num_rows == 1
    assert list(found.to_pandas()["amount"]) == [Dec(r["amount"]) for r in PAYOUT_ROWS]
    assert list(found.to_pandas("credits")["deal_id"]) == ["d1"]
    assert found.to_polars()["payee_id"].to_list() == [r["payee_id"] for r in PAYOUT_ROWS]
    assert found.to_polars("credits")["subject_id"].to_list() == ["ann"]


def test_credits__collected_once_on_first_use():
    calls = []

    def collect() -> pa.Table:
        calls.append(1)
        return pa.Table.from_pylist(CREDIT_ROWS, CREDITS)

    found = results(credits=collect)
    assert calls == []
    assert found.credits.num_rows == 1
    assert found.credits.num_rows == 1
    assert calls == [1]
    with pytest.raises(AttributeError, match="nothing"):
        found.nothing  # noqa: B018


def test_write__every_table_in_both_formats_with_safe_text_cells(tmp_path):
    out = tmp_path / "out"
    written = results().write(out)
    assert [p.name for p in written] == [
        "credits.parquet", "credits.csv", "attainment.parquet", "attainment.csv",
        "payouts.parquet", "payouts.csv"]
    assert all(p.parent == out and p.exists() for p in written)
    assert pq.read_table(out / "payouts.parquet").equals(results().payouts)
    text = (out / "payouts.csv").read_text().splitlines()
    assert text[0].startswith('"period","payee_id","component_id"')
    # a formula-looking explanation gets a leading quote (core.spreadsheet)
    assert text[1].endswith('"USD","4% of sales","\'=HYPERLINK(""x"")"')


def test_write__one_format_replaces_the_old_run_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    results().write(out)
    (out / "notes.txt").write_text("mine")
    written = results().write(out, formats=("csv",))
    assert [p.name for p in written] == ["credits.csv", "attainment.csv", "payouts.csv"]
    # the old run's Parquet files are gone (not a mix of two runs), the user's file stays
    assert sorted(p.name for p in out.iterdir()) == [
        "attainment.csv", "credits.csv", "notes.txt", "payouts.csv"]
    written = results().write(out, formats=("parquet",))
    assert [p.name for p in written] == ["credits.parquet", "attainment.parquet",
                                         "payouts.parquet"]
    assert sorted(p.name for p in out.iterdir()) == [
        "attainment.parquet", "credits.parquet", "notes.txt", "payouts.parquet"]

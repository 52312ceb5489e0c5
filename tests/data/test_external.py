"""External deals (data/external.py): sources, canonical types and the checks run on the
backend, with the loader's codes and example deal ids."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from teamquota.backends import connect
from teamquota.core.diagnostics import Diagnostics
from teamquota.data.external import ExternalTable, canonical, check_deals, parse_source
from teamquota.data.fx import FxRates
from teamquota.data.loader import LoadOptions, load

GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"
PAYEES = pa.table({"payee_id": ["ann", "bob"]})


def test_parse_source__explicit_and_inferred(tmp_path: Path) -> None:
    assert parse_source("table:crm.deals") == ExternalTable("table", "crm.deals")
    assert parse_source("delta:s3://lake/deals") == ExternalTable("delta", "s3://lake/deals")
    assert parse_source("/data/deals.parquet") == ExternalTable("parquet", "/data/deals.parquet")
    assert parse_source(str(tmp_path)) == ExternalTable("parquet", str(tmp_path))
    assert parse_source("main.sales.deals") == ExternalTable("table", "main.sales.deals")
    with pytest.raises(ValueError, match="expected table:NAME, parquet:PATH or delta:PATH"):
        parse_source("deals file.csv")


def _deals(path: Path, **columns: pa.Array) -> ExternalTable:
    base = {"deal_id": pa.array(["D1", "D2"]), "owner_id": pa.array(["ann", "bob"]),
            "amount": pa.array([Decimal("100.00"), Decimal("50.50")], pa.decimal128(18, 2)),
            "currency": pa.array(["USD", "USD"]), "stage": pa.array(["Won", "Won"]),
            "close_date": pa.array([date(2017, 1, 5), date(2017, 2, 1)])}
    base.update(columns)
    pq.write_table(pa.table({k: v for k, v in base.items() if v is not None}), path)
    return ExternalTable("parquet", str(path))


def _canonical(source: ExternalTable) -> tuple[object, Diagnostics]:
    diagnostics = Diagnostics()
    backend = connect("duckdb")
    return canonical(backend.read(source), str(source), diagnostics), diagnostics


def test_canonical__integer_ids_and_amounts_become_text_and_cents(tmp_path: Path) -> None:
    source = _deals(tmp_path / "d.parquet", deal_id=pa.array([1, 2], pa.int64()),
                    amount=pa.array([100, 50], pa.int32()), account=None)
    deals, diagnostics = _canonical(source)
    assert not list(diagnostics)
    table = deals.to_pyarrow()
    assert table["deal_id"].to_pylist() == ["1", "2"]
    assert table["amount"].type == pa.decimal128(18, 2)
    assert table["amount"].to_pylist() == [Decimal("100.00"), Decimal("50.00")]
    assert table["account"].null_count == 2  # optional and absent: null


def test_canonical__float_money_timestamps_and_missing_columns_are_refused(
        tmp_path: Path) -> None:
    source = _deals(tmp_path / "d.parquet", amount=pa.array([100.0, 50.5]),
                    close_date=pa.array([datetime(2017, 1, 5, 9), datetime(2017, 2, 1)]),
                    stage=None)
    deals, diagnostics = _canonical(source)
    assert deals is None
    found = {(d.code, d.message.split(":")[0]) for d in diagnostics}
    assert found == {("D001", "missing required column 'stage'; the table has"),
                     ("D014", "column 'amount' is float64"),
                     ("D014", "column 'close_date' is timestamp(6)")}
    texts = " ".join(d.message for d in diagnostics)
    assert "floating-point money cannot hold cents exactly" in texts
    assert "in your booking time zone" in texts


def test_wide_decimals_are_checked_value_by_value(tmp_path: Path) -> None:
    # a warehouse's DECIMAL(38,18): 100.5 and 2 fit in cents; 1.005 and 10^17 do not
    source = _deals(tmp_path / "d.parquet",
                    deal_id=pa.array(["D1", "D2", "D3", "D4"]),
                    owner_id=pa.array(["ann"] * 4), currency=pa.array(["USD"] * 4),
                    stage=pa.array(["Won"] * 4), close_date=pa.array([date(2017, 1, 5)] * 4),
                    amount=pa.array([Decimal("100.5"), Decimal("1.005"), Decimal("2"),
                                     Decimal(10**17)], pa.decimal128(38, 18)))
    backend = connect("duckdb")
    raw = backend.read(source)
    diagnostics = Diagnostics()
    deals = canonical(raw, str(source), diagnostics)
    assert deals is not None and not list(diagnostics)
    check_deals(deals, backend, str(source), diagnostics, payees=PAYEES, source=raw)
    (problem,) = list(diagnostics)
    assert problem.code == "D012"
    assert problem.message.startswith("2 deals: column 'amount' has more decimal places or "
                                      "digits than decimal(18, 2) holds (e.g. deal ")
    assert "'D2'" in problem.message and "'D4'" in problem.message
    # the same column with values that all fit passes and keeps them exact
    fits = _deals(tmp_path / "fits.parquet", amount=pa.array(
        [Decimal("100.5"), Decimal("2")], pa.decimal128(38, 18)))
    raw = backend.read(fits)
    clean = Diagnostics()
    deals = canonical(raw, str(fits), clean)
    check_deals(deals, backend, str(fits), clean, payees=PAYEES, source=raw)
    assert not list(clean)
    assert deals.to_pyarrow()["amount"].to_pylist() == [Decimal("100.50"), Decimal("2.00")]


def test_check_deals__each_problem_counted_with_examples(tmp_path: Path) -> None:
    # 8 rows: D1 twice (1 repeat), a blank owner, an unknown owner 'zed' (2 deals), a
    # negative amount, a Won deal without a close date, a currency 'usd', a stage 'won'
    source = _deals(
        tmp_path / "d.parquet",
        deal_id=pa.array(["D1", "D1", "D3", "D4", "D5", "D6", "D7", "D8"]),
        owner_id=pa.array(["ann", "ann", None, "zed", "zed", "bob", "bob", "bob"]),
        amount=pa.array([Decimal(v) for v in ("1", "2", "3", "4", "-5", "6", "7", "8")],
                        pa.decimal128(18, 2)),
        currency=pa.array(["USD"] * 6 + ["usd", "USD"]),
        stage=pa.array(["Won"] * 7 + ["won"]),
        close_date=pa.array([date(2017, 1, 5)] * 5 + [None] + [date(2017, 1, 5)] * 2))
    backend = connect("duckdb")
    diagnostics = Diagnostics()
    deals = canonical(backend.read(source), str(source), diagnostics)
    assert deals is not None
    check_deals(deals, backend, str(source), diagnostics, payees=PAYEES, currency="USD")
    messages = {d.code + " " + d.message for d in diagnostics}
    assert messages == {
        "D002 1 deal: column 'owner_id' is blank (e.g. deal 'D3')",
        "D002 1 deal: column 'close_date' is blank, but the deal is closed (e.g. deal 'D6')",
        "D005 1 deal: column 'amount' is negative; expected 0 or more (e.g. deal 'D5')",
        "D006 1 deal ids appear on more than one row (e.g. deal 'D1')",
        "D007 1 owner_id value(s) are not a payee_id in payees: 'zed' (2 deals)",
        "D010 column 'currency': 'usd' is not a currency code",
        "D036 stage 'won' looks like 'Won' but is not spelled 'Won', so those deals count "
        "as open",
    }
    assert all(d.source is not None and d.source.path == str(source) for d in diagnostics)
    # the hint names what exists: the CLI has no option for negative deals, the ledger does
    (negative,) = [d for d in diagnostics if d.code == "D005"]
    assert negative.hint == ("to reverse a paid deal, set its stage to Lost (or remove its "
                             "row) and post again with teamquota ledger post: the difference "
                             "becomes a clawback")


def test_check_deals__foreign_currency_needs_a_rate_and_splits_need_deals(
        tmp_path: Path) -> None:
    source = _deals(tmp_path / "d.parquet", currency=pa.array(["EUR", "GBP"]))
    backend = connect("duckdb")
    diagnostics = Diagnostics()
    deals = canonical(backend.read(source), str(source), diagnostics)
    splits = pa.table({"deal_id": ["D1", "D9"], "payee_id": ["ann", "bob"]})
    check_deals(deals, backend, str(source), diagnostics, payees=PAYEES, splits=splits,
                currency="USD", rates=FxRates.from_table(pa.table({
                    "from_currency": ["EUR"], "to_currency": ["USD"], "period": ["2017"],
                    "rate": pa.array([Decimal("1.1")], pa.decimal128(18, 8))})))
    messages = sorted(d.code + " " + d.message for d in diagnostics)
    assert messages == [
        "D007 1 split deal_id value(s) are not a deal_id in " + str(source) + " (e.g. deal 'D9')",
        "D011 column 'currency': deal 'D2' closed 2017-02-01 in GBP, but fx_rates has no "
        "rate from GBP to USD for that day, month, quarter or year"]


def _small_tables(tmp_path: Path) -> Path:
    """A data folder with every table but the deals (which are read where they live)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("payees.csv", "teams.csv", "memberships.csv"):
        (folder / name).write_bytes((GOOD / name).read_bytes())
    return folder


def test_load__a_problem_in_external_deals_stops_the_load(tmp_path: Path) -> None:
    folder = _small_tables(tmp_path)
    source = _deals(tmp_path / "d.parquet", owner_id=pa.array(["nobody", "nobody"]))
    result = load(folder, options=LoadOptions(external={"deals": source}))
    assert result.dataset is None
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["D007"]
    missing = load(folder, options=LoadOptions(external={"deals": ExternalTable(
        "parquet", str(tmp_path / "none.parquet"))}))
    assert missing.dataset is None
    (problem,) = [d for d in missing.diagnostics if d.severity == "error"]
    assert problem.code == "D000" and problem.message.startswith(
        f"cannot read parquet:{tmp_path / 'none.parquet'}")


def test_load__members_who_own_none_of_the_external_deals_are_listed(tmp_path: Path) -> None:
    # members are ann and bob (memberships.csv); both deals belong to ann
    folder = _small_tables(tmp_path)
    source = _deals(tmp_path / "d.parquet", owner_id=pa.array(["ann", "ann"]))
    loaded = load(folder, options=LoadOptions(external={"deals": source}))
    assert loaded.dataset is not None, list(loaded.diagnostics)
    assert [(d.code, d.severity, d.message) for d in loaded.diagnostics
            if d.code == "D033"] == [("D033", "info", "1 team member owns no deals: Bob Ray")]

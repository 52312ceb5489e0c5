"""load_table / load / rejects: exact types, physical lines, all-or-nothing and reject mode."""

from __future__ import annotations

import shutil
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from teamquota.data.loader import LoadOptions, load, load_dataset, load_table
from teamquota.data.rejects import write_rejects
from teamquota.data.tables import MONEY

GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"
DEALS_HEADER = "deal_id,owner_id,account,product,amount,currency,stage,close_date\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _good_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for good in GOOD.iterdir():
        shutil.copy(good, tmp_path / good.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_load_table__money_is_exact_from_the_source_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", DEALS_HEADER
                  + "D1,ann,Acme,GTX,0.10,USD,Won,2017-03-01\n"
                  + "D2,ann,Acme,GTX,0.2,USD,Won,2017-03-02\n"
                  + "D3,ann,Acme,GTX, 1054 ,USD,Won,2017-03-03\n")
    table, lines, diagnostics = load_table("deals", path)
    assert not diagnostics.has_errors
    assert table.schema.field("amount").type == MONEY
    amounts = table["amount"].to_pylist()
    # 0.10 + 0.2 + 1054 = 1054.30 exactly (as floats 0.1 + 0.2 != 0.3)
    assert sum(amounts, Decimal(0)) == Decimal("1054.30")
    assert amounts[2] == Decimal("1054.00")
    assert table["close_date"].to_pylist()[0] == date(2017, 3, 1)
    assert list(lines) == [2, 3, 4]


def test_load_table__blanks_are_null_and_extra_columns_stay_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv",
                  "deal_id,owner_id,account,product,amount,currency,stage,close_date,region\n"
                  "D1,ann,,GTX,,USD,Engaging,,  North \n")
    table, _, diagnostics = load_table("deals", path)
    row = table.to_pylist()[0]
    assert (row["account"], row["amount"], row["close_date"]) == (None, None, None)
    assert row["region"] == "North"
    assert table.schema.field("region").type == pa.string()
    assert not diagnostics.has_errors


def test_load_table__on_error_fail_returns_no_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", DEALS_HEADER
                  + "D1,ann,Acme,GTX,100,USD,Won,2017-03-01\n"
                  + "D2,ann,Acme,GTX,1O0,USD,Won,2017-03-01\n")
    table, lines, diagnostics = load_table("deals", path)
    assert table.num_rows == 0 and list(lines) == []
    assert [d.render() for d in diagnostics.errors] == [
        f"{path}:3: error[D003]: column 'amount': '1O0' is not a decimal number\n"
        "hint: digits with '.' as decimal separator and no thousands separators, "
        "e.g. 12500.00"]


def test_load_table__on_error_reject_keeps_the_good_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", DEALS_HEADER
                  + "D1,ann,Acme,GTX,100,USD,Won,2017-03-01\n"
                  + "D2,ann,Acme,GTX,1O0,USD,Won,2017-03-01\n"
                  + "D3,ann,Acme,GTX,300,USD,Won,2017-03-01\n")
    table, lines, diagnostics = load_table("deals", path, on_error="reject")
    assert table["deal_id"].to_pylist() == ["D1", "D3"]
    assert list(lines) == [2, 4]
    assert not diagnostics.has_errors  # rejected rows are warnings, plus a D040 count
    assert [d.code for d in diagnostics] == ["D003", "D040"]
    assert diagnostics.items[-1].message == "1 of 3 rows rejected"


def test_load_table__lines_survive_blank_lines_and_multiline_values(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", DEALS_HEADER
                  + "D1,ann,\"Acme\nEurope\",GTX,100,USD,Won,2017-03-01\n"
                  + "\n"
                  + "D2,ann,Acme,GTX,200,USD,Won,2017-03-01\n")
    table, lines, _ = load_table("deals", path)
    # header 1, D1 spans lines 2-3, line 4 is blank, D2 is on line 5
    assert list(lines) == [2, 5]
    assert table["account"].to_pylist()[0] == "Acme\nEurope"


def test_load_table__reads_a_bom_and_crlf_file(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DEALS_HEADER + "D1,ann,Acme,GTX,100,USD,Won,2017-03-01\n")
                     .replace("\n", "\r\n").encode())
    table, lines, diagnostics = load_table("deals", path)
    assert table["deal_id"].to_pylist() == ["D1"] and list(lines) == [2]
    assert table["close_date"].to_pylist() == [date(2017, 3, 1)]


def test_load_table__not_utf8_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(DEALS_HEADER.encode() + "D1,ann,Café,GTX,1,USD,Won,2017-03-01\n"
                     .encode("latin-1"))
    _, _, diagnostics = load_table("deals", path)
    # line 2 is 'D1,ann,Caf' (10 bytes) then latin-1's 0xe9: the 11th byte of the line
    assert [d.render() for d in diagnostics] == [
        f"{path}:2: error[D000]: not UTF-8 text: byte 0xe9 (byte 11 of the line, byte "
        f"{len(DEALS_HEADER) + 11} of the file) is not valid UTF-8; state the file's encoding:"
        " --encoding cp1252 (or latin-1, ...) on the command line or 'encoding: cp1252' in "
        "the column map; or save the file as UTF-8"]


def test_load_table__parquet_typed_columns_load_without_text(tmp_path: Path) -> None:
    table = pa.table({
        "deal_id": ["D1", "D2"], "owner_id": ["ann", "bob"],
        "amount": pa.array([Decimal("10.50"), Decimal("7")], pa.decimal128(10, 2)),
        "stage": ["Won", "Won"],
        "close_date": pa.array([date(2017, 3, 1), date(2017, 4, 1)], pa.date32()),
        "units": pa.array([3, 4], pa.int32()),
    })
    pq.write_table(table, tmp_path / "deals.parquet")
    loaded, lines, diagnostics = load_table("deals", tmp_path / "deals.parquet")
    assert not diagnostics.has_errors
    assert loaded["amount"].type == MONEY
    assert loaded["amount"].to_pylist() == [Decimal("10.50"), Decimal("7.00")]
    assert loaded["units"].to_pylist() == ["3", "4"]  # extra columns are text
    assert list(lines) == [1, 2]  # Parquet "lines" are 1-based row numbers


def test_load_table__parquet_float_money_is_refused(tmp_path: Path) -> None:
    pq.write_table(pa.table({"deal_id": ["D1"], "owner_id": ["ann"], "amount": [0.1],
                             "stage": ["Won"], "close_date": ["2017-03-01"]}),
                   tmp_path / "deals.parquet")
    _, _, diagnostics = load_table("deals", tmp_path / "deals.parquet")
    assert [d.message for d in diagnostics] == [
        "column 'amount' is stored as double, which cannot hold money exactly; store it as "
        "decimal or text"]


def test_load_table__many_bad_rows_are_summarised_after_200(tmp_path: Path) -> None:
    rows = "".join(f"D{i},ann,Acme,GTX,x{i},USD,Won,2017-03-01\n" for i in range(250))
    _, _, diagnostics = load_table("deals", _write(tmp_path / "deals.csv", DEALS_HEADER + rows))
    # 200 row diagnostics, then one line for the other 50
    assert len(diagnostics) == 201
    assert diagnostics.items[-1].message == (
        "... and 50 more rows with the same kind of problem")


def test_load__reject_mode_cascades_and_writes_reject_csv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "payees.csv", "payee_id,name,email,role,currency,target_incentive\n"
           "ann,Ann Lee,,AE,USD,20000\nbob,Bob Ray,,AE,USD,-1\nlea,Lea Kim,,leader,USD,30000\n")
    _write(folder / "splits.csv", "deal_id,payee_id,share\nD1,ann,0.5\nD1,lea,0.5\n"
           "D2,bob,1\n")
    result = load(".", options=LoadOptions(on_error="reject"))
    assert result.dataset is not None
    # bob is rejected (negative incentive) -> his deal D2 and his membership go too ->
    # D2's split goes with D2; D1 keeps its two splits
    assert result.counts == {"payees": (2, 1), "teams": (1, 0), "memberships": (1, 1),
                             "deals": (2, 1), "splits": (2, 1)}
    assert result.dataset["deals"]["deal_id"].to_pylist() == ["D1", "D3"]
    written = write_rejects(result.rejects, folder / "rejects")
    assert sorted(p.name for p in written) == ["deals.rejects.csv", "memberships.rejects.csv",
                                               "payees.rejects.csv", "splits.rejects.csv"]
    deals = pacsv.read_csv(folder / "rejects" / "deals.rejects.csv").to_pylist()
    assert [(r["line"], r["reason"], r["deal_id"]) for r in deals] == [
        (3, "D007: column 'owner_id': 'bob' is not a payee_id in payees.csv", "D2")]


def test_load__reject_mode_rejects_a_deal_whose_splits_do_not_add_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "splits.csv", "deal_id,payee_id,share\nD1,ann,0.5\nD1,bob,0.4\n")
    result = load(".", options=LoadOptions(on_error="reject"))
    assert result.dataset is not None
    # 0.5 + 0.4 = 0.9: both splits and deal D1 are rejected, so D1 is not paid 100% to ann
    assert result.dataset["deals"]["deal_id"].to_pylist() == ["D2", "D3"]
    assert result.rejects["deals"]["reason"].to_pylist() == [
        "D009: deal 'D1' is rejected with its splits in splits.csv"]


def test_load__sequential_memberships_and_fx_rates_are_fine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "memberships.csv", "payee_id,team_id,start_date,end_date\n"
           "ann,east,2017-01-01,2017-06-30\nann,east,2017-07-01,\nbob,east,2017-01-01,\n")
    _write(folder / "deals.csv", DEALS_HEADER + "D1,ann,Acme,GTX,100,EUR,Won,2017-03-01\n")
    _write(folder / "fx_rates.csv", "from_currency,to_currency,period,rate\nEUR,USD,2017,1.1\n")
    dataset, diagnostics = load_dataset(".", currency="USD")
    assert dataset is not None, diagnostics.render()
    assert dataset["fx_rates"]["rate"].to_pylist() == [Decimal("1.10000000")]


def test_load__missing_required_file_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    (folder / "teams.csv").unlink()
    dataset, diagnostics = load_dataset(".")
    assert dataset is None
    assert diagnostics.render() == (
        ".: error[D000]: no teams.csv or teams.parquet in this folder\n"
        "hint: the teams table is required; docs/data.md lists its columns")


def test_load__300k_deal_csv_loads_in_seconds(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    n = 300_000
    ids = np.char.add("D", np.arange(n).astype(str))
    pacsv.write_csv(pa.table({
        "deal_id": ids, "owner_id": np.where(np.arange(n) % 2, "ann", "bob"),
        "amount": np.char.add((np.arange(n) % 9000).astype(str), ".25"),
        "currency": np.full(n, "USD"), "stage": np.full(n, "Won"),
        "close_date": np.full(n, "2017-05-31")}), folder / "deals.csv")
    start = time.perf_counter()
    result = load(".")
    elapsed = time.perf_counter() - start
    assert result.dataset is not None and result.dataset["deals"].num_rows == n
    assert elapsed < 10, f"{elapsed:.1f}s"


def test_load_table__a_won_stage_spelled_otherwise_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "deals.csv", DEALS_HEADER
                  + "D1,ann,Acme,GTX,100,USD,Closed Won,2017-03-01\n"
                  + "D2,ann,Acme,GTX,100,USD,Closed Won,\n")
    _, _, diagnostics = load_table("deals", path)
    assert [d.render() for d in diagnostics if d.code == "D036"] == [
        f"{path}: warning[D036]: stage 'Closed Won' on 2 deals looks like 'Won' but is not "
        "spelled 'Won', so those deals count as open\n"
        "hint: map it in a column map: values: {stage: {Closed Won: Won}}"]


@pytest.mark.slow
def test_load__a_million_deal_parquet_loads_in_seconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    (folder / "deals.csv").unlink()
    n = 1_000_000
    cents = pa.array(np.arange(n) % 1_000_000, pa.int64()).cast(pa.decimal128(38, 0))
    pq.write_table(pa.table({
        "deal_id": np.char.add("D", np.arange(n).astype(str)),
        "owner_id": np.where(np.arange(n) % 2, "ann", "bob"),
        "amount": cents.cast(pa.decimal128(18, 2)),
        "currency": np.full(n, "USD"), "stage": np.full(n, "Won"),
        "close_date": pa.array(np.full(n, 17300, np.int32)).cast(pa.date32())}),
        folder / "deals.parquet")
    start = time.perf_counter()
    result = load(".")
    elapsed = time.perf_counter() - start
    assert result.dataset is not None and result.dataset["deals"].num_rows == n
    # the sum of 0 .. 999,999 is 499,999,500,000
    assert pa.compute.sum(result.dataset["deals"]["amount"]).as_py() == Decimal(
        "499999500000.00")
    assert elapsed < 20, f"{elapsed:.1f}s"

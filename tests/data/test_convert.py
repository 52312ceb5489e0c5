"""The DuckDB conversion agrees with the Arrow parser it replaced, value for value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from teamquota.data import duck
from teamquota.data.convert import decimal_pattern
from teamquota.data.loader import LoadOptions, load_table
from teamquota.data.parse import _needs_cleaning, clean_strings, parse_decimal
from teamquota.data.tables import MONEY, RATE

DEALS_HEADER = "deal_id,owner_id,account,product,amount,currency,stage,close_date\n"


def _sql_decimal(texts: list[str], type_: pa.Decimal128Type) -> list[Decimal | None]:
    con = duck.connect()
    try:
        con.register("t", pa.table({"x": pa.array(texts, pa.string())}))
        rows = con.execute(f"SELECT CASE WHEN regexp_full_match(x, '{decimal_pattern(type_)}') "
                           f"THEN CAST(x AS DECIMAL({type_.precision},{type_.scale})) END "
                           "FROM t").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


TRICKY = ["0", "5.", ".5", "+05", "-0.10", "007.1", "1.230", "1.2300000", "1.231", ".", "+",
          "-.", "1e3", "1,000", "12,5O0.00", "0x10", "9999999999999999.99",
          "10000000000000000", "0000000000000000012.5", ".000", "1.", "--1", "1.2.3",
          "١٢", "NaN", "inf"]


def test_decimal_pattern__accepts_exactly_what_parse_decimal_accepts() -> None:
    for type_ in (MONEY, RATE):
        texts = pa.array(TRICKY, pa.string())
        expected = parse_decimal(texts, type_, "x")[0].to_pylist()
        assert _sql_decimal(TRICKY, type_) == expected, type_


@settings(max_examples=50, deadline=None)
@given(st.lists(st.from_regex(r"\A[+-]?[0-9]{0,18}(\.[0-9]{0,4})?\Z"), min_size=1,
                max_size=30))
def test_decimal_pattern__agrees_on_any_digit_text(texts: list[str]) -> None:
    texts = [t for t in texts if t] or ["0"]
    expected = parse_decimal(pa.array(texts, pa.string()), MONEY, "x")[0].to_pylist()
    assert _sql_decimal(texts, MONEY) == expected


def test_whitespace__is_what_arrow_trims() -> None:
    # every code point Arrow's utf8_trim_whitespace removes, and no other
    points = [c for c in range(0x3001) if not 0xD800 <= c <= 0xDFFF]
    padded = pa.array(["x" + chr(c) for c in points])
    trimmed = pc.utf8_trim_whitespace(padded).to_pylist()
    assert "".join(chr(c) for c, t in zip(points, trimmed, strict=True) if t == "x") \
        == duck.WHITESPACE


def test_clean__trims_like_arrow_and_blanks_are_null() -> None:
    values = ["a", " a ", "\u00a0a\u3000", "\t", "", "é", " é b ", None, "a\u2003"]
    con = duck.connect()
    try:
        con.register("t", pa.table({"x": pa.array(values, pa.string())}))
        got = [r[0] for r in con.execute(f"SELECT {duck.clean('x')} FROM t").fetchall()]
    finally:
        con.close()
    assert got == clean_strings(pa.array(values, pa.string())).to_pylist()


def test_needs_cleaning__looks_at_both_ends_and_blanks() -> None:
    assert not _needs_cleaning(pa.array(["a", "b c", None, "D1"]))
    for dirty in ([" a"], ["a "], [""], ["a", "", None], ["é"], ["a\u00a0"]):
        assert _needs_cleaning(pa.array(dirty, pa.string())), dirty
    # a slice starts mid-buffer: the offsets must be read from the slice's own start
    assert not _needs_cleaning(pa.array([" x", "a", "b"]).slice(1))


def test_load_table__csv_values_are_trimmed_parsed_and_bad_ones_quoted(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER
                    + "D1, ann ,\u00a0Acme\u00a0,GTX, 10.5 ,USD,Won, 2017-03-01\n"
                    + "D2,ann,\"\",GTX,1.005,USD,Won,2017-3-1\n"
                    + "D3,ann,,GTX,-2,USD,Lost,0000-01-01\n", encoding="utf-8")
    table, lines, diagnostics = load_table("deals", path, on_error="reject")
    assert table.to_pylist() == [{
        "deal_id": "D1", "owner_id": "ann", "account": "Acme", "product": "GTX",
        "amount": Decimal("10.50"), "currency": "USD", "stage": "Won",
        "close_date": date(2017, 3, 1)}]
    assert list(lines) == [2]
    # 1.005 would round to 1.01 in a plain cast; 2017-3-1 and year 0 are not ISO dates
    assert [d.message for d in diagnostics if d.code != "D040"] == [
        "column 'amount': '1.005' has more than 2 decimal places",
        "column 'close_date': '2017-3-1' is not a date",
        "column 'close_date': '0000-01-01' is not a date",
        "column 'amount': '-2' is negative; expected 0 or more"]


def test_load_table__bad_line_and_bad_utf8_mid_file(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER + "D1,ann,Acme,GTX,1,USD,Won,2017-03-01\n"
                    + "D2,ann\n" + "D3,ann,\"Acme\nEast\",GTX,2,USD,Won,2017-03-01\n",
                    encoding="utf-8")
    table, lines, diagnostics = load_table("deals", path, on_error="reject")
    # header 1, D1 on 2, the short line 3, D3 spans 4-5
    assert table["deal_id"].to_pylist() == ["D1", "D3"] and list(lines) == [2, 4]
    assert [(d.code, d.source.line if d.source else None) for d in diagnostics] == [
        ("D013", 3), ("D040", None)]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(DEALS_HEADER.encode() + b"D1,ann,Acme,GTX,1,USD,Won,2017-03-01\n" * 3
                      + "D9,ann,Café,GTX,1,USD,Won,2017-03-01\n".encode("latin-1"))
    _, _, diagnostics = load_table("deals", latin)
    # the header, three D1 lines, then D9 on line 5: 'D9,ann,Caf' is 10 bytes, so the é
    # (latin-1 0xe9) is its 11th byte
    assert [(d.source.line if d.source else None, d.message) for d in diagnostics] == [(
        5, "not UTF-8 text: byte 0xe9 (byte 11 of the line, byte "
        f"{len(DEALS_HEADER) + 3 * 37 + 11} of the file) is not valid UTF-8; state the "
        "file's encoding: --encoding cp1252 (or latin-1, ...) on the command line or "
        "'encoding: cp1252' in the column map; or save the file as UTF-8")]


def test_load_table__parquet_text_is_trimmed_and_keys_checked(tmp_path: Path) -> None:
    pq.write_table(pa.table({
        "deal_id": ["D1", "D2 ", "D2"], "owner_id": ["ann", "ann", "bob"],
        "amount": ["1", "2", "3"], "stage": ["Won", "Won", "Won"],
        "close_date": ["2017-03-01"] * 3}), tmp_path / "deals.parquet")
    _, _, diagnostics = load_table("deals", tmp_path / "deals.parquet")
    # 'D2 ' is 'D2' once trimmed, so rows 2 and 3 repeat a key (the hash of the raw text
    # would have missed it)
    assert [d.render() for d in diagnostics.errors] == [
        f"{tmp_path / 'deals.parquet'}:2: error[D006]: duplicate deal_id 'D2' (repeated on "
        "line 3)\nhint: each deal_id may appear only once; remove or merge the repeated rows",
        f"{tmp_path / 'deals.parquet'}:3: error[D006]: duplicate deal_id 'D2' (first on "
        "line 2)\nhint: each deal_id may appear only once; remove or merge the repeated rows"]


def test_load_table__reject_table_holds_the_source_text(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER + "D1,ann,,GTX,1,USD,Won,2017-03-01\n"
                    + "D2,ann,Acme, x1 ,USD,Won,2017-03-01\n".replace(" x1 ", "GTX, x1 "),
                    encoding="utf-8")
    from teamquota.data.loader import load_tables
    result = load_tables({"deals": path}, options=LoadOptions(on_error="reject"))
    rejects = result.rejects["deals"].to_pylist()
    # the reject row is the file's text as written (not trimmed, not typed)
    assert [(r["line"], r["amount"], r["deal_id"]) for r in rejects] == [(3, " x1 ", "D2")]
    assert result.counts == {"deals": (1, 1)}


def test_dataset_row_lines__are_compact_for_consecutive_lines(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER + "".join(
        f"D{i},ann,Acme,GTX,1,USD,Won,2017-03-01\n" for i in range(5)), encoding="utf-8")
    _, lines, _ = load_table("deals", path)
    assert lines == range(2, 7)
    assert np.asarray(lines).tolist() == [2, 3, 4, 5, 6]


def test_load_table__a_trailing_comma_in_the_header_is_an_unnamed_extra(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER.replace("\n", ",\n") + "D1,ann,Acme,GTX,1,USD,Won,2017-03-01,\n",
                    encoding="utf-8")
    table, _, diagnostics = load_table("deals", path)
    assert not diagnostics.has_errors
    assert table.column_names[-1] == "" and table[""].to_pylist() == [None]


def test_load_table__padded_and_space_only_values(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER
                    + "D1,ann,Acme,GTX,\u00a012.5\t,USD,Won,\u30002017-03-01 \n"
                    + "D2,ann,Acme,GTX,   ,USD,Open,  \n"
                    + "D3,ann,Acme,GTX, -3 ,USD,Won,2017-03-01\n", encoding="utf-8")
    table, _, diagnostics = load_table("deals", path, on_error="reject")
    # padding of any kind is trimmed before parsing; only spaces is a blank, not a bad value
    assert [(r["amount"], r["close_date"]) for r in table.to_pylist()] == [
        (Decimal("12.50"), date(2017, 3, 1)), (None, None)]
    assert [d.message for d in diagnostics if d.code == "D005"] == [
        "column 'amount': '-3' is negative; expected 0 or more"]


def test_reject_tables__rows_after_a_bad_line_and_from_parquet(tmp_path: Path) -> None:
    from teamquota.data.loader import load_tables
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_HEADER + "D1,ann,,GTX,1,USD,Won,2017-03-01\n"
                    + "D2,ann\n"
                    + "D3,ann,Acme,GTX,x,USD,Won,2017-03-01\n", encoding="utf-8")
    result = load_tables({"deals": path}, options=LoadOptions(on_error="reject"))
    # the short line 3 is not a row, so D3 is row 1 (0-based) of the scan, on line 4
    assert [(r["line"], r["reason"][:4], r["deal_id"]) for r in
            result.rejects["deals"].to_pylist()] == [(3, "D013", None), (4, "D003", "D3")]
    pq.write_table(pa.table({
        "deal_id": ["D1", "D2", "D3"], "owner_id": ["ann"] * 3,
        "amount": pa.array([Decimal("1"), Decimal("-2"), Decimal("3")], pa.decimal128(9, 2)),
        "stage": ["Won"] * 3, "close_date": pa.array([date(2017, 3, 1)] * 3)}),
        tmp_path / "deals.parquet")
    result = load_tables({"deals": tmp_path / "deals.parquet"},
                         options=LoadOptions(on_error="reject"))
    assert [(r["line"], r["deal_id"], r["amount"]) for r in
            result.rejects["deals"].to_pylist()] == [(2, "D2", "-2.00")]


def test_keep__few_rejects_are_sliced_out_without_copying() -> None:
    from teamquota.data.loader import _keep
    from teamquota.data.problems import LoadedTable
    table = pa.Table.from_batches([pa.record_batch({"x": list(range(a, a + 4))})
                                   for a in (0, 4, 8)])  # rows 0-11 in three chunks
    loaded = LoadedTable("deals", "deals.csv", table, np.arange(2, 14))
    # the first row, both sides of a chunk boundary (3, 4) and the last row
    kept = _keep(loaded, dict.fromkeys([0, 3, 4, 11], ["D003: ..."]))
    assert kept.table["x"].to_pylist() == [1, 2, 5, 6, 7, 8, 9, 10]
    assert kept.lines.tolist() == [3, 4, 7, 8, 9, 10, 11, 12]
    assert kept.original_rows(np.array([0, 7])).tolist() == [1, 10]
    assert _keep(loaded, dict.fromkeys(range(12), [""])).table.num_rows == 0

"""The byte-level proofs (data/bytecheck.py) that let the row checks skip clean columns.

Each proof may only say "every value passes" when the exact check would find nothing, so
every case here is loaded twice, with the proofs and with them forced to fail (the exact
checks alone), and both loads must give the same diagnostics and table; the cases sit at
the checks' boundaries.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from teamquota.data import bytecheck, table_checks
from teamquota.data.loader import load_table

HEADER = "deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
GOOD_REST = "ann,Acme,GTX,1.00,USD,Won,2017-03-01"


def _load(path: Path) -> tuple[pa.Table, list[tuple[str, str, int | None]]]:
    table, _, diagnostics = load_table("deals", path)
    return table, [(d.code, d.message, d.source.line) for d in diagnostics]


def _both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str]
          ) -> list[tuple[str, str, int | None]]:
    """The diagnostics of a deals file of ``rows``, checked to be the same without proofs."""
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    table, fast = _load(path)
    with monkeypatch.context() as patched:
        patched.setattr(bytecheck, "all_of", lambda *a, **k: False)
        patched.setattr(bytecheck, "no_byte", lambda *a, **k: False)
        patched.setattr(bytecheck, "most_bytes", lambda *a, **k: None)
        patched.setattr(table_checks, "_ascending", lambda *a, **k: False)
        exact_table, exact = _load(path)
    assert fast == exact
    assert table.equals(exact_table)
    return fast


def test_ids_of_100_allowed_characters_pass_101_do_not(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    at_limit = "D" + "x" * 99  # 1 + 99 = 100 characters, ID_MAX
    over = "D" + "x" * 100  # 101
    assert _both(tmp_path, monkeypatch, [f"{at_limit},{GOOD_REST}", f"a.b-c_d@e:f,{GOOD_REST}"]
                 ) == []
    found = _both(tmp_path, monkeypatch, [f"{at_limit},{GOOD_REST}", f"{over},{GOOD_REST}"])
    assert [(code, line) for code, _, line in found] == [("D024", 3)]


def test_a_tab_inside_an_id_is_refused_at_its_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # a tab at either end is surrounding whitespace (trimmed, as before); inside it is D024
    found = _both(tmp_path, monkeypatch, [f"D1\t,{GOOD_REST}", f"D\t2,{GOOD_REST}"])
    assert found == [("D024", "column 'deal_id': 'D\\t2' is not an id", 3)]


def test_an_id_of_dots_only_is_refused_one_starting_with_a_dot_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _both(tmp_path, monkeypatch, [f".D1,{GOOD_REST}", f"..,{GOOD_REST}"])
    assert found == [("D024", "column 'deal_id': '..' is not an id", 3)]


def test_a_nul_byte_is_found_in_any_text_column(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    found = _both(tmp_path, monkeypatch, ["D1,ann,Ac\x00me,GTX,1.00,USD,Won,2017-03-01"])
    assert found == [("D028", "column 'account': the value holds a NUL byte", 2)]


def test_text_of_the_column_length_passes_one_more_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # stage holds 60 characters; bytes only bound characters from above: 59 x 'é' is 59
    # characters in 118 bytes, so the proof fails and the exact check must still pass it
    assert _both(tmp_path, monkeypatch, [f"D1,ann,Acme,GTX,1.00,USD,{'é' * 59},"]) == []
    found = _both(tmp_path, monkeypatch, [f"D1,ann,Acme,GTX,1.00,USD,{'s' * 61},"])
    assert [(code, line) for code, _, line in found] == [("D026", 2)]


def test_currency_codes_of_three_capitals_only(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rows = ["D1,ann,Acme,GTX,1.00,USD,Won,2017-03-01", "D2,ann,Acme,GTX,1.00,,Won,2017-03-01",
            "D3,ann,Acme,GTX,1.00,usd,Won,2017-03-01", "D4,ann,Acme,GTX,1.00,USDX,Won,2017-03-01",
            "D5,ann,Acme,GTX,1.00,US,Won,2017-03-01"]
    found = _both(tmp_path, monkeypatch, rows)
    assert [(m, line) for _, m, line in found] == [
        ("column 'currency': 'usd' is not a currency code", 4),
        ("column 'currency': 'USDX' is not a currency code", 5),
        ("column 'currency': 'US' is not a currency code", 6)]


def test_dates_at_the_window_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inside = ["D1,ann,Acme,GTX,1.00,USD,Won,1900-01-01", "D2,ann,Acme,GTX,1.00,USD,Won,2199-12-31"]
    assert _both(tmp_path, monkeypatch, inside) == []
    found = _both(tmp_path, monkeypatch, [*inside, "D3,ann,Acme,GTX,1.00,USD,Won,1899-12-31",
                                          "D4,ann,Acme,GTX,1.00,USD,Won,2200-01-01"])
    assert [(code, line) for code, _, line in found] == [("D019", 4), ("D019", 5)]


def test_dates_not_iso_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _both(tmp_path, monkeypatch, ["D1,ann,Acme,GTX,1.00,USD,Won,2017-02-29",
                                          "D2,ann,Acme,GTX,1.00,USD,Won,2017-1-05",
                                          "D3,ann,Acme,GTX,1.00,USD,Won,2016-02-29"])
    assert [(m, line) for _, m, line in found] == [
        ("column 'close_date': '2017-02-29' is not a date", 2),  # 2017 is no leap year
        ("column 'close_date': '2017-1-05' is not a date", 3)]


def test_amounts_of_2_decimals_and_16_digits_pass(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    found = _both(tmp_path, monkeypatch, [
        "D1,ann,Acme,GTX,1.00,USD,Won,2017-03-01",
        "D2,ann,Acme,GTX,1.005,USD,Won,2017-03-01",
        "D3,ann,Acme,GTX,1234567890123456.00,USD,Won,2017-03-01",  # 16 digits
        "D4,ann,Acme,GTX,12345678901234567.00,USD,Won,2017-03-01"])  # 17
    assert [(m, line) for _, m, line in found] == [
        ("column 'amount': '1.005' has more than 2 decimal places", 3),
        ("column 'amount': '12345678901234567.00' has more than 16 digits before the point", 5)]


def test_repeated_ids_in_key_order_and_not(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ascending = [f"D{i},{GOOD_REST}" for i in range(1, 4)]  # D1 < D2 < D3: no pass needed
    assert _both(tmp_path, monkeypatch, ascending) == []
    # D2 twice in a row: 'D2' < 'D2' is false, so the exact check runs and finds them
    found = _both(tmp_path, monkeypatch, [*ascending[:2], f"D2,{GOOD_REST}", ascending[2]])
    assert [(m, line) for _, m, line in found] == [
        ("duplicate deal_id 'D2' (repeated on line 4)", 3),
        ("duplicate deal_id 'D2' (first on line 3)", 4)]


def test_blank_required_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _both(tmp_path, monkeypatch, [f"D1,{GOOD_REST}", "D2,,Acme,GTX,1.00,USD,Won,"])
    assert ("D002", "column 'owner_id' is blank; a value is required", 3) in found


def test_proofs_on_sliced_and_null_holding_arrays() -> None:
    ids = pa.array(["bad id", "D1", None, "D2", "x" * 101])
    allowed = bytecheck.byte_table(b"D12x")
    assert not bytecheck.all_of(ids, allowed, 1, 100)
    assert bytecheck.all_of(ids.slice(1, 3), allowed, 1, 100)  # 'D1', null, 'D2'
    assert not bytecheck.all_of(ids.slice(1, 4), allowed, 1, 100)  # and the 101 x's
    assert not bytecheck.all_of(pa.array([".D"]), bytecheck.byte_table(b".D"), 1, 9,
                                not_first=b".")
    assert bytecheck.most_bytes(pa.array(["é", None, "ab"])) == 2  # 'é' is 2 bytes
    assert bytecheck.most_bytes(pa.chunked_array([pa.array(["abc"]), pa.array(["a"])])) == 3
    assert bytecheck.no_byte(pa.array(["\x00", "ab"]).slice(1), 0)  # the slice is past it
    assert not bytecheck.no_byte(pa.array(["a", "\x00"], pa.large_string()), 0)
    assert not bytecheck.no_byte(pa.array(["a"]).dictionary_encode(), 0)  # cannot tell

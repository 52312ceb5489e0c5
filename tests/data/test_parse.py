"""Text -> decimal and date parsing: exact for every value a column can hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from teamquota.data.parse import clean_strings, parse_date, parse_decimal
from teamquota.data.tables import MONEY

money = st.decimals(min_value=Decimal("-9999999999999999.99"),
                    max_value=Decimal("9999999999999999.99"), places=2)


@given(st.lists(money, min_size=1, max_size=20))
def test_parse_decimal__any_money_text_round_trips_exactly(values: list[Decimal]) -> None:
    parsed, bad = parse_decimal(pa.array([f"{v:f}" for v in values]), MONEY, "amount")
    assert bad == []
    assert parsed.to_pylist() == values


def test_parse_decimal__names_each_kind_of_bad_text() -> None:
    texts = clean_strings(pa.array(["12,500.00", "1e3", "0.125", "12345678901234567",
                                    " 7 ", "", "+.5"]))
    parsed, bad = parse_decimal(texts, MONEY, "amount")
    assert parsed.to_pylist() == [None, None, None, None, Decimal("7.00"), None,
                                  Decimal("0.50")]
    assert [(b.code, b.rows.tolist(), b.messages) for b in bad] == [
        ("D003", [0, 1], ["column 'amount': '12,500.00' is not a decimal number",
                          "column 'amount': '1e3' is not a decimal number"]),
        ("D012", [2], ["column 'amount': '0.125' has more than 2 decimal places"]),
        ("D012", [3], ["column 'amount': '12345678901234567' has more than 16 digits "
                       "before the point"])]


def test_parse_decimal__trailing_zeros_beyond_the_scale_are_exact() -> None:
    parsed, bad = parse_decimal(pa.array(["12.500", "3.10000"]), MONEY, "amount")
    assert bad == [] and parsed.to_pylist() == [Decimal("12.50"), Decimal("3.10")]


def test_parse_date__rejects_impossible_and_non_iso_dates() -> None:
    parsed, bad = parse_date(pa.array(["2017-02-28", "2017-02-30", "2017-3-1", None]),
                             "close_date")
    assert parsed.to_pylist() == [date(2017, 2, 28), None, None, None]
    assert bad[0].rows.tolist() == [1, 2]


def test_parse_date__uses_a_column_map_format() -> None:
    parsed, bad = parse_date(pa.array(["3/1/2017", "12/31/2017", "31/12/2017"]),
                             "close_date", "%m/%d/%Y")
    assert parsed.to_pylist() == [date(2017, 3, 1), date(2017, 12, 31), None]
    assert bad[0].messages == ["column 'close_date': '31/12/2017' is not a date"]

"""Fx rates at load (data/fx.py): labels by year, quarter, month or day; a deal needs a
rate for its close date; the rules the engine uses (most specific label wins)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from teamquota.core.periods import parse_period
from teamquota.data.fx import FxRates, fx_label, is_fx_label
from teamquota.data.loader import LoadOptions, load
from tests.data.test_loader import DEALS_HEADER, _good_folder, _write

FX_HEADER = "from_currency,to_currency,period,rate\n"


def _rates(*rows: tuple[str, str, str, str], year_start_month: int = 1) -> FxRates:
    columns = list(zip(*rows, strict=True))
    return FxRates.from_table(pa.table({
        "from_currency": columns[0], "to_currency": columns[1], "period": columns[2],
        "rate": pa.array([Decimal(r) for r in columns[3]], pa.decimal128(18, 8))}),
        year_start_month)


def test_fx_label__year_quarter_month_and_day() -> None:
    assert [fx_label(x) for x in ("2023", "2023-Q2", "2023-05", " 2023-05-17 ")] == [
        "2023", "2023-Q2", "2023-05", "2023-05-17"]
    assert not any(is_fx_label(x) for x in ("2023-13", "2023-Q5", "2023-02-30", "23", "Q2"))


def test_fx_rates__most_specific_label_of_the_day_wins() -> None:
    rates = _rates(("EUR", "USD", "2017", "1.05"), ("EUR", "USD", "2017-Q1", "1.1"),
                   ("EUR", "USD", "2017-03", "1.2"), ("EUR", "USD", "2017-03-15", "1.3"))
    on = {day: rates.on("EUR", "USD", date.fromisoformat(day)) for day in (
        "2017-03-15", "2017-03-14", "2017-01-01", "2017-12-31", "2018-01-01")}
    assert on == {"2017-03-15": Decimal("1.3"), "2017-03-14": Decimal("1.2"),
                  "2017-01-01": Decimal("1.1"), "2017-12-31": Decimal("1.05"),
                  "2018-01-01": None}
    assert rates.on("GBP", "USD", date(2017, 3, 15)) is None


def test_fx_rates__a_payout_line_takes_its_period_or_a_containing_one() -> None:
    rates = _rates(("USD", "GBP", "2017", "0.8"), ("USD", "GBP", "2017-Q1", "0.75"),
                   ("USD", "GBP", "2017-03", "0.5"))
    assert rates.for_period("USD", "GBP", parse_period("2017-Q1")) == Decimal("0.75")
    assert rates.for_period("USD", "GBP", parse_period("2017-Q2")) == Decimal("0.8")
    assert rates.for_period("USD", "GBP", parse_period("2017-03")) == Decimal("0.5")
    assert rates.for_period("USD", "GBP", parse_period("2017-02")) == Decimal("0.75")
    # a year's line never takes a finer rate
    assert rates.for_period("USD", "GBP", parse_period("2018")) is None


def test_fx_rates__fiscal_labels_follow_the_plans_year_start() -> None:
    rates = _rates(("EUR", "USD", "2018", "1.2"), year_start_month=2)
    # FY2018 = 2017-02-01 .. 2018-01-31
    assert rates.on("EUR", "USD", date(2017, 2, 1)) == Decimal("1.2")
    assert rates.on("EUR", "USD", date(2018, 1, 31)) == Decimal("1.2")
    assert rates.on("EUR", "USD", date(2017, 1, 31)) is None


def test_load__fx_labels_by_day_month_quarter_and_year_are_accepted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "deals.csv", DEALS_HEADER + "D1,ann,Acme,GTX,100,EUR,Won,2017-03-01\n"
           "D2,ann,Acme,GTX,100,EUR,Won,2018-03-15\n")
    _write(folder / "fx_rates.csv", FX_HEADER + "EUR,USD,2017,1.1\nEUR,USD,2018-Q1,1.2\n"
           "EUR,USD,2018-03,1.3\nEUR,USD,2018-03-15,1.4\n")
    result = load(".", options=LoadOptions(currency="USD"))
    assert result.dataset is not None, result.diagnostics.render()


def test_load__fx_label_that_is_no_period_is_refused_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "fx_rates.csv", FX_HEADER + "EUR,USD,2017,1.1\nEUR,USD,2017-13,1.2\n"
           "EUR,USD,FY17,1.2\n")
    result = load(".", options=LoadOptions(currency="USD"))
    assert result.dataset is None
    assert [d.render() for d in result.diagnostics.errors] == [
        f"fx_rates.csv:{line}: error[D016]: column 'period': '{label}' is not a period label"
        "\nhint: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD, e.g. 2017-Q2"
        for line, label in ((3, "2017-13"), (4, "FY17"))]


def test_load__a_rate_of_another_year_does_not_convert_a_deal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    _write(folder / "deals.csv", DEALS_HEADER + "D1,ann,Acme,GTX,100,EUR,Won,2017-03-01\n"
           "D2,ann,Acme,GTX,100,EUR,Won,2018-01-01\nD3,ann,Acme,GTX,,EUR,Open,\n")
    _write(folder / "fx_rates.csv", FX_HEADER + "EUR,USD,2017,1.1\n")
    result = load(".", options=LoadOptions(currency="USD"))
    # D3 is open (no close date, no amount): nothing to convert yet
    assert [d.render() for d in result.diagnostics.errors] == [
        "deals.csv:3: error[D011]: column 'currency': deal 'D2' closed 2018-01-01 in EUR, "
        "but fx_rates has no rate from EUR to USD for that day, month, quarter or year\n"
        "hint: add an fx_rates row from_currency, to_currency USD, a period that contains "
        "the close date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) and a rate"]


def test_load__fiscal_year_rate_with_the_plans_year_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _good_folder(tmp_path, monkeypatch)
    # FY2018 starts 2017-02-01 when the plan's year starts in February
    _write(folder / "deals.csv", DEALS_HEADER + "D1,ann,Acme,GTX,100,EUR,Won,2017-03-01\n")
    _write(folder / "fx_rates.csv", FX_HEADER + "EUR,USD,2018,1.1\n")
    assert load(".", options=LoadOptions(currency="USD")).dataset is None
    fiscal = load(".", options=LoadOptions(currency="USD", year_start_month=2))
    assert fiscal.dataset is not None, fiscal.diagnostics.render()

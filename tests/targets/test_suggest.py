"""Target suggestions on a small history whose numbers can be checked by hand.

History: coverage 2017-03-01 .. 2017-06-30 (first and last close dates), so 2017-Q1 has
31 of its 90 days covered and 2017-Q2 all 91.
  ann: won 3,100 on 2017-03-15 (Q1) and 9,000 on 2017-05-10 (Q2)
  bob: won 1,000 on 2017-06-30 (Q2); a lost deal on 2017-03-01
  cid: no deals
All three are in team 'east' (under 'company') from 2017-01-01.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from teamquota.core.diagnostics import InputError
from teamquota.data.dataset import Dataset
from teamquota.data.demo import demo_dataset
from teamquota.data.loader import load_table
from teamquota.data.tables import TARGETS
from teamquota.targets import allocate_team_targets, suggest_targets, write_targets_csv

TI = "20000"


def _history() -> Dataset:
    return Dataset.from_records(
        payees=[{"payee_id": p, "name": p.title(), "target_incentive": TI}
                for p in ("ann", "bob", "cid")],
        teams=[{"team_id": "company", "name": "Company"},
               {"team_id": "east", "name": "East", "parent_team_id": "company"}],
        memberships=[{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
                     for p in ("ann", "bob", "cid")],
        deals=[
            {"deal_id": "1", "owner_id": "ann", "amount": "3100", "stage": "Won",
             "close_date": "2017-03-15"},
            {"deal_id": "2", "owner_id": "ann", "amount": "9000", "stage": "Won",
             "close_date": "2017-05-10"},
            {"deal_id": "3", "owner_id": "bob", "amount": "1000", "stage": "Won",
             "close_date": "2017-06-30"},
            {"deal_id": "4", "owner_id": "bob", "amount": "0", "stage": "Lost",
             "close_date": "2017-03-01"},
        ])


def _amounts(table: pa.Table) -> dict[tuple[str, str], Decimal]:
    return {(r["subject_id"], r["period"]): r["amount"] for r in table.to_pylist()}


def test_suggest_targets__trailing_two_quarters_scaled_and_rounded() -> None:
    table = suggest_targets(_history(), period="quarter", year=2018, lookback=2)
    amounts = _amounts(table)
    # ann: Q1 3,100 x 90/31 = 9,000 (scaled to a full quarter); Q2 9,000
    #      mean 9,000 x 1.10 = 9,900 -> nearest 1,000 = 10,000
    # bob: Q1 0, Q2 1,000 -> mean 500 x 1.10 = 550 -> 1,000 (0.55 rounds half up to 1)
    # cid: no history -> median of east's suggestions (10,000, 1,000) = 5,500 -> 6,000
    # east and company: 10,000 + 1,000 + 6,000 = 17,000
    for quarter in ("2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4"):
        assert amounts[("ann", quarter)] == Decimal("10000")
        assert amounts[("bob", quarter)] == Decimal("1000")
        assert amounts[("cid", quarter)] == Decimal("6000")
        assert amounts[("east", quarter)] == Decimal("17000")
        assert amounts[("company", quarter)] == Decimal("17000")
    assert table.num_rows == 5 * 4
    assert table.schema.field("amount").type == TARGETS.column("amount").type


def test_suggest_targets__notes_say_how_each_number_was_made() -> None:
    rows = {(r["subject_id"], r["period"]): r for r in
            suggest_targets(_history(), year=2018).to_pylist()}
    assert rows[("ann", "2018-Q1")]["note"] == (
        "mean won of 2017-Q1, 2017-Q2 (2017-Q1 scaled to a full period) x 1.10")
    assert rows[("cid", "2018-Q1")]["note"] == (
        "no won deals in the history: median of team east; check by hand")
    assert rows[("east", "2018-Q1")]["note"] == "sum of 3 members' targets"
    assert rows[("ann", "2018-Q1")]["measure"] == "personal"
    assert rows[("east", "2018-Q1")]["measure"] == "team"


def test_suggest_targets__lookback_one_uses_the_last_quarter_only() -> None:
    amounts = _amounts(suggest_targets(_history(), year=2018, lookback=1))
    # ann: Q2 9,000 x 1.10 = 9,900 -> 10,000; bob: 1,000 x 1.10 = 1,100 -> 1,000
    # cid: median(10,000, 1,000) = 5,500 -> 6,000
    assert (amounts[("ann", "2018-Q3")], amounts[("bob", "2018-Q3")],
            amounts[("cid", "2018-Q3")]) == (Decimal("10000"), Decimal("1000"),
                                              Decimal("6000"))


def test_suggest_targets__same_year_falls_back_and_says_so() -> None:
    rows = {(r["subject_id"], r["period"]): r for r in
            suggest_targets(_history(), year=2017, growth=Decimal("1")).to_pylist()}
    # no history before 2017-Q1: the first two covered quarters; ann mean 9,000 x 1 = 9,000
    assert rows[("ann", "2017-Q3")]["amount"] == Decimal("9000")
    assert rows[("ann", "2017-Q3")]["note"].startswith("no history before 2017-Q1; ")


def test_suggest_targets__monthly_and_explicit_periods() -> None:
    amounts = _amounts(suggest_targets(_history(), period="month", periods=["2017-07"],
                                       lookback=2, round_to=Decimal(100),
                                       team_measure=None))
    # months before 2017-07: 2017-05 and 2017-06; ann 9,000 and 0 -> mean 4,500 x 1.10
    # = 4,950 -> nearest 100 = 5,000; bob 0 and 1,000 -> 550 -> 600 (5.5 rounds half up)
    assert amounts == {("ann", "2017-07"): Decimal("5000"), ("bob", "2017-07"): Decimal("600"),
                       ("cid", "2017-07"): Decimal("2800")}  # median(5,000, 600) = 2,800


def test_allocate_team_targets__parts_sum_exactly_to_the_team_target() -> None:
    team = suggest_targets(_history(), year=2018).filter(
        pa.compute.equal(pa.compute.field("subject_id"), "east"))
    team = team.filter(pa.compute.equal(team["period"], "2018-Q1"))
    team = team.set_column(team.schema.get_field_index("amount"), "amount",
                           pa.array([Decimal("10000.00")], TARGETS.column("amount").type))
    parts = allocate_team_targets(team, {"east": {"ann": Decimal(1), "bob": Decimal(1),
                                                  "cid": Decimal(1)}})
    # 10,000 / 3 = 3,333.333...: 3,333.33 each and the one cent left goes to the first
    assert _amounts(parts) == {("ann", "2018-Q1"): Decimal("3333.34"),
                               ("bob", "2018-Q1"): Decimal("3333.33"),
                               ("cid", "2018-Q1"): Decimal("3333.33")}


def test_write_targets_csv__round_trips_through_the_loader(tmp_path: Path) -> None:
    table = suggest_targets(_history(), year=2018)
    path = write_targets_csv(table, tmp_path / "targets.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "subject_type,subject_id,measure,period,amount,note"
    assert lines[1] == ("payee,ann,personal,2018-Q1,10000.00,"
                        "\"mean won of 2017-Q1, 2017-Q2 (2017-Q1 scaled to a full period) "
                        "x 1.10\"")
    loaded, _, diagnostics = load_table("targets", path)
    assert not diagnostics.has_errors
    assert loaded["amount"].to_pylist() == table["amount"].to_pylist()


def test_suggest_targets__demo_team_targets_are_sums_of_members() -> None:
    table = suggest_targets(demo_dataset(), year=2017, method="run_rate")
    rows = table.to_pylist()
    payees = {(r["subject_id"], r["period"]): r["amount"] for r in rows
              if r["subject_type"] == "payee"}
    teams = {(r["subject_id"], r["period"]): r["amount"] for r in rows
             if r["subject_type"] == "team"}
    assert len(payees) == 35 * 4  # every agent, every quarter (managers are not members)
    assert teams[("maventech", "2017-Q2")] == sum(
        (a for (p, q), a in payees.items() if q == "2017-Q2"), Decimal(0))
    assert all(a % 1000 == 0 and a > 0 for a in payees.values())


def test_suggest_targets__prorate_to_data_shrinks_the_first_partial_period() -> None:
    rows = {(r["subject_id"], r["period"]): r for r in
            suggest_targets(_history(), year=2017, prorate_to_data=True).to_pylist()}
    # ann: 9,000 x 1.10 = 9,900; 2017-Q1 has data from 2017-03-01: 31 of 90 days
    #      9,900 x 31/90 = 3,410 -> 3,000; later quarters are not prorated: 10,000
    assert rows[("ann", "2017-Q1")]["amount"] == Decimal("3000")
    assert rows[("ann", "2017-Q1")]["note"].endswith(
        "x 1.10 x 31/90 days (the data starts 2017-03-01)")
    assert rows[("ann", "2017-Q2")]["amount"] == Decimal("10000")


def _in_currencies(rates: list[dict[str, str]]) -> Dataset:
    """ann is paid in EUR; bob in the plan's USD. ann won 1,000 USD (2017-03-15) and
    900 EUR (2017-05-10); bob won 1,000 EUR (2017-06-30)."""
    history = _history()
    payees = history["payees"].to_pylist()
    payees[0]["currency"] = "EUR"
    deals = history["deals"].to_pylist()
    deals[0].update(amount="1000", currency="USD")
    deals[1].update(amount="900", currency="EUR")
    deals[2].update(currency="EUR")
    return Dataset.from_records(payees=payees, teams=history["teams"].to_pylist(),
                                memberships=history["memberships"].to_pylist(),
                                deals=deals, fx_rates=rates)


def test_suggest_targets__history_in_the_plans_currency_whoever_is_paid_in_what() -> None:
    rates = [{"from_currency": "USD", "to_currency": "EUR", "period": "2017", "rate": "0.9"},
             {"from_currency": "EUR", "to_currency": "USD", "period": "2017-Q2",
              "rate": "1.1"}]
    amounts = _amounts(suggest_targets(_in_currencies(rates), year=2018, lookback=2,
                                       growth=Decimal("1"), round_to=Decimal("1"),
                                       currency="USD"))
    # targets are in the plan's USD (the engine compares them with USD measures), though
    # ann is paid in EUR:
    # ann: Q1 1,000 USD x 90/31 days = 2,903.2258...; Q2 900 EUR x 1.1 = 990.00 USD
    #   mean (2,903.2258... + 990.00) / 2 = 1,946.61... -> 1,947 USD
    # bob: Q1 0; Q2 1,000 EUR x 1.1 = 1,100 USD -> mean 550 USD
    assert amounts[("ann", "2018-Q1")] == Decimal("1947")
    assert amounts[("bob", "2018-Q1")] == Decimal("550")


def test_suggest_targets__deal_without_a_rate_into_the_plans_currency_is_refused() -> None:
    rates = [{"from_currency": "EUR", "to_currency": "USD", "period": "2017-Q2",
              "rate": "1.1"}]
    with pytest.raises(InputError) as caught:
        suggest_targets(_in_currencies(rates), year=2018, currency="EUR")
    # in a EUR plan ann's USD deal needs a USD->EUR rate; the same D011 as the loader and
    # the engine
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        "<deals>: error[D011]: column 'currency': deal '1' closed 2017-03-15 in USD, but "
        "fx_rates has no rate from USD to EUR for that day, month, quarter or year\n"
        "hint: add an fx_rates row from_currency, to_currency EUR, a period that contains "
        "the close date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) and a rate"]

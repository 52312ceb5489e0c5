"""Currencies without surprises: a deal converts into the plan's currency at the most
specific fx rate of its close date (day > month > quarter > year), on every backend, or the
run is refused with D011 naming the deal; a payout line converts into the payee's currency
at its period's rate or a containing period's."""

from __future__ import annotations

from decimal import Decimal as Dec
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from teamquota.backends import Backend
from teamquota.core.diagnostics import InputError
from teamquota.data import Dataset
from teamquota.data.external import ExternalTable
from teamquota.engine.run import run
from teamquota.plan import load_plan_text
from tests.engine.conftest import amounts
from tests.engine.test_hybrid import deal

PLAN = """
plan: fx
period: quarter
components:
  - id: won
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {rate: 0.1}
"""
PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]
EUR_5000 = "column 'currency': deal 'e1' closed 2017-02-01 in EUR, but fx_rates has no " \
    "rate from EUR to USD for that day, month, quarter or year"
HINT = "add an fx_rates row from_currency, to_currency USD, a period that contains the " \
    "close date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) and a rate"


def fx(period: str, rate: str, source: str = "EUR", to: str = "USD") -> dict[str, str]:
    return {"from_currency": source, "to_currency": to, "period": period, "rate": rate}


def errors(calc, plan=PLAN, **records) -> list[str]:
    with pytest.raises(InputError) as caught:
        calc(plan, **records)
    return [d.render() for d in caught.value.diagnostics.errors]


def won(calc, deals, rates, plan=PLAN, payees=PAYEES):
    return amounts(calc(plan, payees=payees, teams=TEAMS, memberships=MEMBERS, deals=deals,
                        fx_rates=rates))


def test_fx__deal_without_a_rate_is_refused_not_paid_as_plan_currency(calc):
    # issue 12: 5,000.00 EUR in a USD plan with no rate was paid as 5,000 USD (500.00)
    assert errors(calc, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                  deals=[deal("e1", "ann", "5000.00", "2017-02-01", currency="EUR")]) == [
        f"<deals>: error[D011]: {EUR_5000}\nhint: {HINT}"]


def test_fx__deal_without_a_rate_for_its_day_is_refused_though_others_have_one(calc):
    # a rate for 2017-Q2 does not convert a deal of 2017-02-01 (Q1)
    assert errors(calc, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                  deals=[deal("e1", "ann", "5000.00", "2017-02-01", currency="EUR"),
                         deal("e2", "ann", "100.00", "2017-04-03", currency="EUR")],
                  fx_rates=[fx("2017-Q2", "1.1")]) == [
        f"<deals>: error[D011]: {EUR_5000}\nhint: {HINT}"]


def test_fx__refusal_points_at_the_deals_file_and_line(backend):
    plan = load_plan_text(PLAN, "plan.yaml")
    data = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                                deals=[deal("u1", "ann", "1.00", "2017-02-01"),
                                       deal("e1", "ann", "5000.00", "2017-02-01",
                                            currency="EUR")])
    data.sources["deals"] = "crm/deals.csv"
    data.row_lines["deals"] = range(2, 4)
    with pytest.raises(InputError) as caught:
        run(plan, data, backend=backend)
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        f"crm/deals.csv:3: error[D011]: {EUR_5000}\nhint: {HINT}"]


def test_fx__year_rate_converts_every_deal_of_the_year(calc):
    # issue 12: a rate labelled 2017 was ignored by the join on the period label (0 paid)
    results = calc(PLAN, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("e1", "ann", "5000.00", "2017-01-01", currency="EUR"),
                          deal("e2", "ann", "1000.00", "2017-12-31", currency="EUR")],
                   fx_rates=[fx("2017", "1.1")])
    # Q1: 5,000.00 EUR x 1.1 = 5,500.00 USD x 10% = 550.00
    # Q4: 1,000.00 EUR x 1.1 = 1,100.00 USD x 10% = 110.00
    assert {r["period"]: r["amount"] for r in results.payouts.to_pylist()} == {
        "2017-Q1": Dec("550.00"), "2017-Q2": Dec("0.00"), "2017-Q3": Dec("0.00"),
        "2017-Q4": Dec("110.00")}


@pytest.mark.parametrize(("day", "expected"), [
    # the first and last day of each period the rates name
    ("2017-03-15", Dec("1300.00")),  # that day's rate: 1,000 x 1.3 = 1,300.00
    ("2017-03-01", Dec("1200.00")),  # March's: 1,000 x 1.2 = 1,200.00
    ("2017-03-31", Dec("1200.00")),
    ("2017-01-01", Dec("1100.00")),  # Q1's (no January rate): 1,000 x 1.1 = 1,100.00
    ("2017-02-28", Dec("1100.00")),
    ("2017-04-01", Dec("1050.00")),  # the year's (no Q2 rate): 1,000 x 1.05 = 1,050.00
    ("2017-12-31", Dec("1050.00")),
])
def test_fx__most_specific_rate_wins(calc, day, expected):
    rates = [fx("2017", "1.05"), fx("2017-Q1", "1.1"), fx("2017-03", "1.2"),
             fx("2017-03-15", "1.3")]
    results = calc(PLAN, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("e1", "ann", "1000.00", day, currency="EUR")], fx_rates=rates)
    (credit,) = [r for r in results.credits.to_pylist() if r["subject_type"] == "payee"]
    assert credit["amount"] == expected


def test_fx__fiscal_year_and_quarter_labels_are_the_plans(calc):
    plan = PLAN.replace("period: quarter", "period: quarter\nyear_start_month: 2")
    # FY2018 runs 2017-02-01 .. 2018-01-31, so 2017-01-31 is FY2017 (its Q4)
    results = calc(plan, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("e1", "ann", "1000.00", "2017-01-31", currency="EUR"),
                          deal("e2", "ann", "1000.00", "2017-02-01", currency="EUR")],
                   fx_rates=[fx("2017-Q4", "1.1"), fx("2018", "1.2")])
    # e1: 1,000 x 1.1 (FY2017-Q4) = 1,100.00; e2: 1,000 x 1.2 (FY2018) = 1,200.00
    assert {r["deal_id"]: r["amount"] for r in results.credits.to_pylist()
            if r["subject_type"] == "payee"} == {
        "e1": Dec("1100.0000000000"), "e2": Dec("1200.0000000000")}


def test_fx__label_that_is_no_period_is_refused(calc):
    assert errors(calc, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                  deals=[deal("e1", "ann", "1000.00", "2017-02-01", currency="EUR")],
                  fx_rates=[fx("2017", "1.1"), fx("2017-13", "1.2")]) == [
        "<fx_rates>: error[D016]: column 'period': '2017-13' is not a period label\n"
        "hint: expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD, e.g. 2017-Q2"]


def test_fx__payout_line_converts_at_a_year_rate(calc):
    payees = [{**PAYEES[0], "currency": "GBP"}]
    got = won(calc, [deal("d1", "ann", "1000.00", "2017-02-01")],
              [fx("2017", "0.8", "USD", "GBP")], payees=payees)
    # 1,000 USD x 10% = 100 USD x 0.8 (2017's rate for 2017-Q1) = 80.00 GBP
    assert got == {("ann", "won", None): Dec("80.00")}


def test_fx__payout_line_prefers_its_own_period_to_the_year(calc):
    payees = [{**PAYEES[0], "currency": "GBP"}]
    results = calc(PLAN, payees=payees, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "1000.00", "2017-02-01")],
                   fx_rates=[fx("2017", "0.8", "USD", "GBP"),
                             fx("2017-Q1", "0.75", "USD", "GBP"),
                             fx("2017-03", "0.5", "USD", "GBP")])
    # Q1's own rate, not the year's nor March's: 100 USD x 0.75 = 75.00 GBP
    line = next(r for r in results.payouts.to_pylist() if r["period"] == "2017-Q1")
    assert (line["amount"], line["currency"]) == (Dec("75.00"), "GBP")


def _external(backend: Backend, path: Path) -> ExternalTable:
    if backend.name == "spark":
        backend.session.read.parquet(str(path)).createOrReplaceTempView("fx_deals")
        return ExternalTable("table", "fx_deals")
    if backend.name == "postgres":
        pytest.skip("the external-deals suite covers PostgreSQL sources")
    return ExternalTable("parquet", str(path))


def _deals_parquet(tmp_path: Path, currency: str) -> Path:
    path = tmp_path / "deals.parquet"
    rows = [deal("e1", "ann", "5000.00", "2017-02-01", currency=currency)]
    pq.write_table(Dataset.from_records(deals=rows)["deals"], path)
    return path


def test_fx__deals_read_where_they_live_are_refused_alike(backend, tmp_path):
    plan = load_plan_text(PLAN, "plan.yaml")
    data = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=MEMBERS)
    source = _external(backend, _deals_parquet(tmp_path, "EUR"))
    data.external["deals"] = source
    with pytest.raises(InputError) as caught:
        run(plan, data, backend=backend)
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        f"{source}: error[D011]: {EUR_5000}\nhint: {HINT}"]


def test_fx__deals_read_where_they_live_convert_at_a_year_rate(backend, tmp_path):
    plan = load_plan_text(PLAN, "plan.yaml")
    data = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                                fx_rates=[fx("2017", "1.1")])
    data.external["deals"] = _external(backend, _deals_parquet(tmp_path, "EUR"))
    results = run(plan, data, backend=backend, periods=["2017-Q1"])
    # 5,000.00 EUR x 1.1 = 5,500.00 USD x 10% = 550.00
    assert amounts(results) == {("ann", "won", None): Dec("550.00")}


def test_fx__arrow_tables_built_in_code_are_checked_too(backend):
    plan = load_plan_text(PLAN, "plan.yaml")
    records = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                                   deals=[deal("e1", "ann", "5000.00", "2017-02-01",
                                               currency="EUR")])
    data = Dataset({name: pa.Table.from_batches(t.to_batches(), t.schema)
                    for name, t in records.tables.items()})
    with pytest.raises(InputError) as caught:
        run(plan, data, backend=backend)
    assert [d.code for d in caught.value.diagnostics.errors] == ["D011"]


def test_fx__a_late_deal_without_a_rate_is_refused_by_the_incremental_run():
    from teamquota.engine.incremental import recalculate

    plan = load_plan_text(PLAN, "plan.yaml")
    records = {"payees": PAYEES, "teams": TEAMS, "memberships": MEMBERS}
    before = Dataset.from_records(**records, deals=[deal("u1", "ann", "1.00", "2017-02-01")])
    after = Dataset.from_records(**records, deals=[
        deal("u1", "ann", "1.00", "2017-02-01"),
        deal("e1", "ann", "5000.00", "2017-02-01", currency="EUR")])
    with pytest.raises(InputError) as caught:
        recalculate(run(plan, before), plan, after, {"e1"})
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        f"<deals>: error[D011]: {EUR_5000}\nhint: {HINT}"]

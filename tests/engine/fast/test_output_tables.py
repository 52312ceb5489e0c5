"""The tables a run returns, whole: their column types (a reader's contract: pandas and
polars frames, CSVs and the web's stored lines take them as they are), and the small
located errors of targets and oversized deals."""

from decimal import Decimal as Dec

import pyarrow as pa
import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.test_hybrid import HYBRID, PAYEES, TEAMS, deal, target

ANN = dict(payees=PAYEES[:1], teams=TEAMS[:1],
           memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}])
TEXT, MEASURE, MONEY, RATIO = pa.string(), pa.decimal128(38, 10), pa.decimal128(18, 2), \
    pa.decimal128(38, 12)


def test_tables__payouts_and_attainment_keep_their_column_types(calc):
    results = calc(HYBRID, **ANN, deals=[deal("d1", "ann", "412000", "2017-02-10")],
                   targets=[target("team", "east", "team", "400000"),
                            target("payee", "ann", "personal", "400000")])
    assert [(f.name, f.type) for f in results.payouts.schema] == [
        ("period", TEXT), ("payee_id", TEXT), ("component_id", TEXT), ("line_type", TEXT),
        ("team_id", TEXT), ("deal_id", TEXT), ("measure_value", MEASURE),
        ("target_amount", MONEY), ("attainment", RATIO), ("factor", RATIO),
        ("amount", MONEY), ("currency", TEXT), ("rule", TEXT), ("explanation", TEXT)]
    assert [(f.name, f.type) for f in results.attainment.schema][:7] == [
        ("period", TEXT), ("component_id", TEXT), ("subject_type", TEXT),
        ("subject_id", TEXT), ("measure_value", MEASURE), ("target_amount", MONEY),
        ("attainment", RATIO)]


def test_tables__a_target_of_three_places_is_shown_to_the_cent(calc):
    # a year's 1,000.50 with Q1's custom share 0.1: 100.050 (three places), shown 100.05;
    # 1,000.25 x 0.1 = 100.025 is shown 100.02 (half-even); attainment reads the value
    # itself: 100 / 100.025 = 0.99975006248437890527...
    plan = HYBRID.replace("currency: USD", "currency: USD\ntarget_distribution: "
                          "{method: custom, custom: [0.1, 0.2, 0.3, 0.4]}")
    results = calc(plan, **ANN, deals=[deal("d1", "ann", "100", "2017-02-10")],
                   targets=[target("team", "east", "team", "1000.50", "2017"),
                            target("payee", "ann", "personal", "1000.25", "2017")])
    shown = {r["component_id"]: (r["target_amount"], r["attainment"])
             for r in results.attainment.to_pylist() if r["period"] == "2017-Q1"}
    assert shown == {"personal": (Dec("100.02"), Dec("0.999750062484")),
                     "team": (Dec("100.05"), Dec("0.999500249875"))}


def test_tables__a_month_target_in_a_quarterly_plan_is_refused_by_row(calc):
    with pytest.raises(InputError) as caught:
        calc(HYBRID, **ANN, deals=[deal("d1", "ann", "100", "2017-02-10")],
             targets=[target("payee", "ann", "personal", "100", "2017-Q1"),
                      target("payee", "ann", "personal", "100", "2017-02")])
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        "<targets>: error[E011]: targets row 2: period 2017-02 is finer than the plan's "
        "quarter\nhint: give targets per quarter or per year"]


@pytest.mark.parametrize("count, listed", [
    (5, "d1, d2, d3, d4, d5"), (6, "d1, d2, d3, d4, d5 ...")])
def test_tables__oversized_foreign_deals_are_listed_five_at_most(calc, count, listed):
    # each deal 10^13 EUR: a rate multiplies it, so each is refused (E054); five are named
    deals = [deal(f"d{i}", "ann", "10000000000000.00", "2017-02-01", currency="EUR")
             for i in range(1, count + 1)]
    with pytest.raises(InputError) as caught:
        calc(HYBRID, **ANN, deals=deals,
             fx_rates=[{"from_currency": "EUR", "to_currency": "USD", "period": "2017",
                        "rate": "1"}])
    (error,) = [d.message for d in caught.value.diagnostics.errors]
    assert error == (f"{count} split or foreign-currency deal(s) of 10,000,000,000,000.00 "
                     f"or more: {listed}")

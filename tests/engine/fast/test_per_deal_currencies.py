"""SPIF and per-deal lines, whole rows: payees paid in EUR and KWD (each deal's amount
converted at the period's rate and rounded in the payee's currency), a gated payee's 0.00
line, a SPIF no deal qualifies for, per-deal tiers that start again each quarter and a
flat per-deal rate."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal

FIELDS = ("period", "payee_id", "component_id", "line_type", "deal_id", "measure_value",
          "factor", "amount", "currency", "rule", "explanation")
PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"},
          {"payee_id": "bob", "name": "Bob", "target_incentive": "40000", "currency": "EUR"},
          {"payee_id": "cy", "name": "Cy", "target_incentive": "40000", "currency": "KWD"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p["payee_id"], "team_id": "east", "start_date": "2017-01-01"}
           for p in PAYEES]
SPIF = """
plan: spif
period: quarter
components:
  - id: spif
    scope: payee
    measure: {count: true, where: {stage: Won, amount: {gte: 1000}}}
    gate: {min_activity: {type: meeting, count: 1}}
    payout: {per_deal: 100}
  - id: big
    scope: payee
    measure: {count: true, where: {stage: Won, amount: {gte: 1000000}}}
    payout: {per_deal: 500}
"""
SPIF_RULE = "SPIF 100.00 per qualifying deal"


def rows(results):
    return [tuple(r[k] for k in FIELDS) for r in lines(results)]


def test_spif_rows__converted_per_deal_gated_and_none_qualifying(calc):
    results = calc(SPIF, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("a1", "ann", "1000", "2017-02-10"),
                          deal("b1", "bob", "5000", "2017-02-11"),
                          deal("c1", "cy", "2000", "2017-02-12")],
                   fx_rates=[{"from_currency": "USD", "to_currency": "EUR",
                              "period": "2017-Q1", "rate": "0.9"},
                             {"from_currency": "USD", "to_currency": "KWD",
                              "period": "2017", "rate": "0.3071"}],
                   activities=[{"payee_id": p, "type": "meeting", "date": "2017-01-05"}
                               for p in ("bob", "cy")])
    # ann had no meeting: her deal's line pays 0.00; bob 100 x 0.9 = 90.00 EUR; cy 100 x
    # 0.3071 = 30.710 KWD (three places); no deal reaches 1,000,000: no 'big' line
    assert rows(results) == [
        ("2017-Q1", "ann", "spif", "spif", "a1", Dec(1), None, Dec("0"), "USD", SPIF_RULE,
         "spif count of Won: deal a1 qualifies; gate not met (0 meeting activities: needs at "
         "least 1) -> 0.00"),
        ("2017-Q1", "bob", "spif", "spif", "b1", Dec(1), Dec(100), Dec("90.00"), "EUR",
         SPIF_RULE, "spif count of Won: deal b1 qualifies x FX 0.9 USD->EUR -> 90.00"),
        ("2017-Q1", "cy", "spif", "spif", "c1", Dec(1), Dec(100), Dec("30.710"), "KWD",
         SPIF_RULE, "spif count of Won: deal c1 qualifies x FX 0.3071 USD->KWD -> 30.71")]
    assert str(lines(results, payee_id="cy")[0]["amount"]) == "30.710"


PER_DEAL = """
plan: pd
period: quarter
components:
  - id: tiers
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.05}, {from: 1000, rate: 0.1}], mode: per_deal,
             basis: amount}
  - id: flat
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {rate: 0.1, mode: per_deal, basis: amount}
"""
TIERED = ("commission per deal, tiers filled in close-date order: 5.00% from 0.00, "
          "10.00% from 1,000.00")
FLAT = "commission per deal, tiers filled in close-date order: 10.00% from 0.00"


def test_per_deal_rows__tiers_start_again_each_quarter_and_a_flat_rate(calc):
    results = calc(PER_DEAL, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "800", "2017-02-10"),
                          deal("d2", "ann", "400", "2017-03-10"),
                          deal("d3", "ann", "900.05", "2017-04-10")])
    # tiers, Q1: d1 0 -> 800 at 5% = 40.00; d2 800 -> 1,200: 200 x 5% + 200 x 10% = 30.00
    #   Q2 starts at 0 again: d3 900.05 x 5% = 45.0025 -> 45.00 (carried on from 1,200 it
    #   would be 90.01, all at 10%)
    # flat 10%: 80.00, 40.00 and 90.005 -> 90.01 (half up)
    assert [(r["period"], r["component_id"], r["deal_id"], r["amount"], r["rule"],
             r["explanation"]) for r in lines(results)] == [
        ("2017-Q1", "tiers", "d1", Dec("40.00"), TIERED, "deal d1 800.00: running total "
         "0.00 -> 800.00 at 5.00% from 0.00, 10.00% from 1,000.00 = 40.00"),
        ("2017-Q1", "tiers", "d2", Dec("30.00"), TIERED, "deal d2 400.00: running total "
         "800.00 -> 1,200.00 at 5.00% from 0.00, 10.00% from 1,000.00 = 30.00"),
        ("2017-Q1", "flat", "d1", Dec("80.00"), FLAT,
         "deal d1 800.00: running total 0.00 -> 800.00 at 10.00% from 0.00 = 80.00"),
        ("2017-Q1", "flat", "d2", Dec("40.00"), FLAT,
         "deal d2 400.00: running total 800.00 -> 1,200.00 at 10.00% from 0.00 = 40.00"),
        ("2017-Q2", "tiers", "d3", Dec("45.00"), TIERED, "deal d3 900.05: running total "
         "0.00 -> 900.05 at 5.00% from 0.00, 10.00% from 1,000.00 = 45.00"),
        ("2017-Q2", "flat", "d3", Dec("90.01"), FLAT,
         "deal d3 900.05: running total 0.00 -> 900.05 at 10.00% from 0.00 = 90.01")]


def test_per_deal_rows__a_payee_paid_in_eur_gets_each_deal_converted(calc):
    results = calc(PER_DEAL, payees=PAYEES[1:2],
                   teams=TEAMS, memberships=MEMBERS[1:2],
                   deals=[deal("b1", "bob", "800", "2017-02-10")],
                   fx_rates=[{"from_currency": "USD", "to_currency": "EUR",
                              "period": "2017-Q1", "rate": "0.9"}])
    # tiers: 800 x 5% = 40.00 USD x 0.9 = 36.00 EUR; flat: 80.00 x 0.9 = 72.00 EUR
    assert [(r["component_id"], r["amount"], r["currency"], r["explanation"])
            for r in lines(results)] == [
        ("tiers", Dec("36.00"), "EUR", "deal b1 800.00: running total 0.00 -> 800.00 at "
         "5.00% from 0.00, 10.00% from 1,000.00 x FX 0.9 USD->EUR = 36.00"),
        ("flat", Dec("72.00"), "EUR", "deal b1 800.00: running total 0.00 -> 800.00 at "
         "10.00% from 0.00 x FX 0.9 USD->EUR = 72.00")]

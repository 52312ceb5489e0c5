"""Year-to-date accumulation on commission components: rates and every tier mode pay on
the year-to-date measure, minus what earlier periods of the year paid."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]
PLAN = """
plan: ytd
period: quarter
effective: {{start: 2017-01-01, end: 2017-06-30}}
components:
  - id: sales
    scope: payee
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {payout}
    accumulate: {accumulate}
    {extra}
"""
# the public worked example: 4% to 150k, 6% to 250k (8% above)
ANNUAL_TIERS = ("{tiers: [{from: 0, rate: 0.04}, {from: 150000, rate: 0.06}, "
                "{from: 250000, rate: 0.08}], basis: amount, mode: %s}")
TARGET_TIERS = "{tiers: [{from: 0, rate: 0.02}, {from: 1, rate: 0.05}], mode: %s}"
EARLY_AND_LATE = [deal("d1", "ann", "145000", "2017-02-10"),
                  deal("d2", "ann", "20000", "2017-05-10")]
BELOW_THEN_ABOVE = [deal("d1", "ann", "90000", "2017-02-10"),
                    deal("d2", "ann", "120000", "2017-05-10")]
TARGETS = [target("payee", "ann", "sales", "100000", "2017-Q1"),
           target("payee", "ann", "sales", "100000", "2017-Q2")]


def run(calc, payout, deals, accumulate="ytd", targets=(), extra="", periods=None):
    return calc(PLAN.format(payout=payout, accumulate=accumulate, extra=extra),
                periods=periods, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                deals=deals, targets=list(targets))


def by_period(results):
    return [(line["period"], line["deal_id"], line["amount"]) for line in lines(results)]


def test_ytd__marginal_tiers_fill_across_the_year(calc):
    results = run(calc, ANNUAL_TIERS % "marginal", EARLY_AND_LATE)
    # Q1: 145,000 x 4% = 5,800.00
    # Q2 YTD 165,000: 150,000 x 4% + 15,000 x 6% = 6,000 + 900 = 6,900.00; paid before
    #     5,800.00 -> 1,100.00 (200 + 900 on the 20k deal; by the period alone: 800.00)
    assert by_period(results) == [("2017-Q1", None, Dec("5800.00")),
                                  ("2017-Q2", None, Dec("1100.00"))]
    assert lines(results, period="2017-Q2")[0]["explanation"] == (
        "sales Won YTD 165,000.00 -> tiers 4.00% from 0.00, 6.00% from 150,000.00, 8.00% "
        "from 250,000.00 (each slice at its tier's rate) = 6,900.00; paid in earlier periods"
        " 5,800.00 -> 1,100.00")


def test_ytd__a_run_for_one_period_counts_the_earlier_ones(calc):
    results = run(calc, ANNUAL_TIERS % "marginal", EARLY_AND_LATE, periods=["2017-Q2"])
    # as above: 6,900.00 - 5,800.00
    assert by_period(results) == [("2017-Q2", None, Dec("1100.00"))]


def test_ytd__whole_amount_tiers_true_up_earlier_periods(calc):
    results = run(calc, TARGET_TIERS % "whole", BELOW_THEN_ABOVE, targets=TARGETS)
    # Q1: 90,000 / 100,000 = 90%: all at 2% = 1,800.00
    # Q2 YTD: 210,000 / 200,000 = 105%: all 210,000 at 5% = 10,500.00 - 1,800.00 = 8,700.00
    assert by_period(results) == [("2017-Q1", None, Dec("1800.00")),
                                  ("2017-Q2", None, Dec("8700.00"))]


def test_ytd__zero_until_quota_reads_the_year_to_date_target(calc):
    results = run(calc, TARGET_TIERS % "zero_until_quota", BELOW_THEN_ABOVE, targets=TARGETS)
    # Q1: 90,000 < 100,000: 0.00
    # Q2 YTD: 210,000 - 200,000 = 10,000 above target x 5% = 500.00 (by the period alone,
    #     120,000 - 100,000 = 20,000 x 5% = 1,000.00)
    assert by_period(results) == [("2017-Q1", None, Dec("0.00")),
                                  ("2017-Q2", None, Dec("500.00"))]


def test_ytd__flat_rate_rounds_the_year_to_date_once(calc):
    deals = [deal("d1", "ann", "100.10", "2017-02-10"),
             deal("d2", "ann", "100.10", "2017-05-10")]
    results = run(calc, "{rate: 0.05}", deals)
    # Q1: 100.10 x 5% = 5.005 -> 5.01; Q2 YTD 200.20 x 5% = 10.01 - 5.01 = 5.00
    # (by the period: 5.01 twice, 10.02 for 10.01 earned)
    assert by_period(results) == [("2017-Q1", None, Dec("5.01")),
                                  ("2017-Q2", None, Dec("5.00"))]


def test_ytd__per_deal_tiers_fill_from_the_start_of_the_year(calc):
    results = run(calc, ANNUAL_TIERS % "per_deal", EARLY_AND_LATE)
    # d1: 0 -> 145,000 at 4% = 5,800.00
    # d2: 145,000 -> 165,000: 5,000 x 4% + 15,000 x 6% = 200 + 900 = 1,100.00
    assert by_period(results) == [("2017-Q1", "d1", Dec("5800.00")),
                                  ("2017-Q2", "d2", Dec("1100.00"))]


def test_ytd__a_gate_blocked_earlier_is_caught_up_when_it_passes(calc):
    extra = "gate: {min_activity: {type: meeting, count: 1}}"
    results = calc(PLAN.format(payout=ANNUAL_TIERS % "marginal", accumulate="ytd",
                               extra=extra),
                   payees=PAYEES, teams=TEAMS, memberships=MEMBERS, deals=EARLY_AND_LATE,
                   activities=[{"payee_id": "ann", "type": "meeting", "date": "2017-05-02"}])
    # Q1: no meeting, gate not met: 0.00 paid
    # Q2: gate met; YTD 6,900.00 - paid before 0.00 = 6,900.00
    assert by_period(results) == [("2017-Q1", None, Dec("0.00")),
                                  ("2017-Q2", None, Dec("6900.00"))]


def test_ytd__period_accumulation_pays_each_period_alone(calc):
    results = run(calc, ANNUAL_TIERS % "marginal", EARLY_AND_LATE, accumulate="period")
    # Q2: 20,000 x 4% = 800.00
    assert by_period(results) == [("2017-Q1", None, Dec("5800.00")),
                                  ("2017-Q2", None, Dec("800.00"))]


def test_ytd__a_curve_blocked_earlier_pays_the_whole_year_when_its_gate_passes(calc):
    plan = PLAN.format(payout="{curve: [[0, 0], [1, 1], [2, 3]]}", accumulate="ytd",
                       extra="weight: 1\n    gate: {min_activity: {type: meeting, count: 1}}")
    results = calc(plan, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "50", "2017-02-01"),
                          deal("d2", "ann", "250", "2017-05-01")],
                   targets=[target("payee", "ann", "sales", "100", "2017-Q1"),
                            target("payee", "ann", "sales", "100", "2017-Q2")],
                   activities=[{"payee_id": "ann", "type": "meeting", "date": "2017-05-02"}])
    # Q1: gate not met, 0.00 paid (50% would have earned 5,000.00)
    # Q2 YTD: 300 / 200 = 150% -> 1 + 0.5 x 2 = 2.0 x YTD TI 20,000 = 40,000.00; earlier
    #     periods paid 0.00 -> 40,000.00 (not 40,000 - 5,000: Q1's 5,000 was never paid)
    assert by_period(results) == [("2017-Q1", None, Dec("0.00")),
                                  ("2017-Q2", None, Dec("40000.00"))]

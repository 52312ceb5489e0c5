"""Targets: distribution of annual targets and targets derived through the hierarchy."""

from decimal import Decimal as Dec

import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.conftest import amounts
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"},
          {"payee_id": "bob", "name": "Bob", "target_incentive": "20000"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
           for p in ("ann", "bob")]
PLAN = """
plan: t
period: quarter
effective: {{start: 2017-01-01, end: 2017-12-31}}
{extra}
components:
  - id: personal
    scope: payee
    weight: 0.5
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [2, 2]]}}
    {personal}
  - id: team
    scope: team
    weight: 0.5
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [2, 2]]}}
    {team}
"""


def targets_of(results, component):
    return {(r["subject_id"], r["period"]): r["target_amount"]
            for r in results.attainment.to_pylist() if r["component_id"] == component}


def test_targets__annual_split_equally_keeps_the_exact_quarter(calc):
    results = calc(PLAN.format(extra="", personal="", team=""), payees=PAYEES[:1],
                   teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "25000", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000.01", "2017")])
    # 100,000.01 / 4 = 25,000.0025 exactly, shown to the cent as 25,000.00; Q1 attainment
    # 25,000 / 25,000.0025 = 0.99999990000001 (a target rounded to 25,000.01 would give
    # 0.99999960000016)
    assert targets_of(results, "personal") == {
        ("ann", "2017-Q1"): Dec("25000.00"), ("ann", "2017-Q2"): Dec("25000.00"),
        ("ann", "2017-Q3"): Dec("25000.00"), ("ann", "2017-Q4"): Dec("25000.00")}
    q1 = [r for r in results.attainment.to_pylist()
          if (r["period"], r["component_id"]) == ("2017-Q1", "personal")]
    assert q1[0]["attainment"] == Dec("0.999999900000")


def test_targets__annual_split_by_days(calc):
    results = calc(PLAN.format(extra="target_distribution: {method: days}", personal="",
                               team=""),
                   payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1], deals=[],
                   targets=[target("payee", "ann", "personal", "365000", "2017")])
    # 1,000 a day: Q1 90 days, Q2 91, Q3 92, Q4 92
    assert targets_of(results, "personal") == {
        ("ann", "2017-Q1"): Dec("90000.00"), ("ann", "2017-Q2"): Dec("91000.00"),
        ("ann", "2017-Q3"): Dec("92000.00"), ("ann", "2017-Q4"): Dec("92000.00")}


def test_targets__annual_split_by_custom_shares(calc):
    results = calc(PLAN.format(extra="target_distribution: {method: custom, custom: "
                                     "[0.1, 0.2, 0.3, 0.4]}", personal="", team=""),
                   payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1], deals=[],
                   targets=[target("payee", "ann", "personal", "1000", "2017")])
    assert list(targets_of(results, "personal").values()) == [
        Dec("100.00"), Dec("200.00"), Dec("300.00"), Dec("400.00")]


def test_targets__team_target_is_sum_of_members(calc):
    results = calc(PLAN.format(extra="", personal="",
                               team="target: {source: sum_of_members, of: personal}"),
                   periods=["2017-Q1"], payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "30000", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "40000"),
                            target("payee", "bob", "personal", "20000")])
    # team target 40,000 + 20,000 = 60,000; team 30,000 / 60,000 = 50% -> factor 0.5
    # ann: quarter TI 10,000 x 0.5 x 0.5 = 2,500.00; bob: 5,000 x 0.5 x 0.5 = 1,250.00
    assert targets_of(results, "team") == {("east", "2017-Q1"): Dec("60000.00")}
    assert amounts(results, component_id="team") == {("ann", "team", "east"): Dec("2500.00"),
                                                     ("bob", "team", "east"): Dec("1250.00")}


def test_targets__team_target_allocated_to_members_by_ti(calc):
    results = calc(PLAN.format(extra="", team="",
                               personal="target: {source: from_team, of: team}"),
                   periods=["2017-Q1"], payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[], targets=[target("team", "east", "team", "90000")])
    # TI 40,000 : 20,000 -> 60,000.00 and 30,000.00
    assert targets_of(results, "personal") == {("ann", "2017-Q1"): Dec("60000.00"),
                                               ("bob", "2017-Q1"): Dec("30000.00")}


def test_targets__distributed_by_days_keep_every_digit_for_attainment(calc):
    plan = """
plan: t
period: quarter
effective: {start: 2017-01-01, end: 2017-03-31}
target_distribution: {method: days}
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [2, 2]]}
"""
    results = calc(plan, payees=[{"payee_id": "ann", "name": "Ann",
                                  "target_incentive": "400000"}],
                   teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "24657.53", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000", "2017")])
    # Q1 target = 100,000 x 90 / 365 = 24,657.534246575342... (shown 24,657.53)
    # attainment 24,657.53 / 24,657.5342465... = 24,657.53 x 365 / 9,000,000
    #   = 0.99999982777...; factor = attainment; quarter TI 100,000 x 0.99999982777...
    #   = 99,999.982777... -> 99,999.98 (a target rounded to 24,657.53 would give
    #   attainment exactly 1 and 100,000.00)
    (line,) = results.payouts.to_pylist()
    assert line["amount"] == Dec("99999.98")
    assert line["target_amount"] == Dec("24657.53")
    (row,) = results.attainment.to_pylist()
    assert (row["target_amount"], row["attainment"]) == (Dec("24657.53"),
                                                         Dec("0.999999827778"))


def test_targets__sum_of_members_weights_days_and_rounds_to_the_cent_in_any_currency(calc):
    # a KWD plan (three-place currency): the team target is still rounded to the cent
    results = calc(PLAN.format(extra="currency: KWD", personal="",
                               team="target: {source: sum_of_members, of: personal}"),
                   periods=["2017-Q1"], payees=PAYEES, teams=TEAMS,
                   memberships=[{"payee_id": "ann", "team_id": "east",
                                 "start_date": "2017-03-02"}, MEMBERS[1]],
                   deals=[deal("d1", "bob", "10000", "2017-02-01", currency="KWD")],
                   targets=[target("payee", "ann", "personal", "1000"),
                            target("payee", "bob", "personal", "20000")])
    # ann is in east 30 of Q1's 90 days (2017-03-02..31): 1,000 x 30 / 90 = 333.333...;
    # bob all 90 days: 20,000 -> 20,333.333... -> 20,333.33 (not 20,333.333)
    assert targets_of(results, "team") == {("east", "2017-Q1"): Dec("20333.33")}
    (row,) = [r for r in results.attainment.to_pylist() if r["component_id"] == "team"]
    # attainment reads the rounded target: 10,000 / 20,333.33 = 0.491803359312...
    # (10,000 / 20,333.333 would be 0.491803286751)
    assert row["attainment"] == Dec("0.491803359312")


def test_targets__team_target_split_equally_and_a_team_without_one_skipped(calc):
    payees = [*PAYEES, {"payee_id": "cy", "name": "Cy", "target_incentive": "40000"}]
    members = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
               {"payee_id": "bob", "team_id": "west", "start_date": "2017-01-01"},
               {"payee_id": "cy", "team_id": "west", "start_date": "2017-01-01"}]
    results = calc(PLAN.format(extra="", team="",
                               personal="target: {source: from_team, of: team, by: equal}"),
                   periods=["2017-Q1"], payees=payees,
                   teams=[*TEAMS, {"team_id": "west", "name": "West"}], memberships=members,
                   deals=[], targets=[target("team", "west", "team", "90000")])
    # east (ann's team, first in order) has no team target: ann gets none; west's 90,000
    # split equally between bob and cy whatever their TIs (20,000 and 40,000): 45,000.00
    # each (by TI it would be 30,000 and 60,000)
    assert targets_of(results, "personal") == {("bob", "2017-Q1"): Dec("45000.00"),
                                               ("cy", "2017-Q1"): Dec("45000.00")}


def test_targets__custom_shares_that_do_not_fit_the_target_period_are_refused(calc):
    plan = PLAN.format(extra="target_distribution: {method: custom, custom: [0.1, 0.2, 0.3, "
                             "0.4]}", personal="", team="").replace("period: quarter",
                                                                      "period: month")
    with pytest.raises(InputError) as caught:
        calc(plan, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1], deals=[],
             targets=[target("payee", "ann", "personal", "3000", "2017-Q1")])
    # a quarter's target in a monthly plan is split into its 3 months: 4 shares do not fit
    assert [d.render() for d in caught.value.diagnostics.errors if d.code == "E012"] == [
        "plan.yaml:5:1: error[E012]: target for 2017-Q1 is split into 3 months but "
        "target_distribution.custom lists 4 shares\nhint: give 3 shares that sum to 1"]

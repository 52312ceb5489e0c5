"""Targets: distribution of annual targets and targets derived through the hierarchy."""

from decimal import Decimal as Dec

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


def test_targets__annual_split_equally_to_the_cent(calc):
    results = calc(PLAN.format(extra="", personal="", team=""), payees=PAYEES[:1],
                   teams=TEAMS, memberships=MEMBERS[:1], deals=[],
                   targets=[target("payee", "ann", "personal", "100000.01", "2017")])
    # 100,000.01 / 4 = 25,000.0025: floors 25,000.00 leave 0.01 for the first quarter
    assert targets_of(results, "personal") == {
        ("ann", "2017-Q1"): Dec("25000.01"), ("ann", "2017-Q2"): Dec("25000.00"),
        ("ann", "2017-Q3"): Dec("25000.00"), ("ann", "2017-Q4"): Dec("25000.00")}


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

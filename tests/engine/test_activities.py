"""Activity measures (count of meetings) and activity and personal gates."""

from decimal import Decimal as Dec

from tests.engine.conftest import amounts, lines
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": "4000"} for p in ("ann", "bob")]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"} for p in ("ann", "bob")]


def meeting(payee, day, quantity=None, kind="meeting"):
    row = {"payee_id": payee, "type": kind, "date": day}
    if quantity is not None:
        row["quantity"] = quantity
    return row


def test_activities__count_of_meetings_against_a_target(calc):
    plan = """
plan: a
period: quarter
components:
  - id: meetings
    scope: payee
    weight: 1
    measure: {source: activities, sum: quantity, where: {type: meeting}}
    payout: {curve: [[0, 0], [1, 1]], cap: 1.2}
"""
    results = calc(plan, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1], deals=[],
                   activities=[meeting("ann", "2017-01-05"), meeting("ann", "2017-02-05", "3"),
                               meeting("ann", "2017-02-06", kind="call")],
                   targets=[target("payee", "ann", "meetings", "8")])
    # meetings: 1 (quantity blank counts 1) + 3 = 4 (the call does not count) / 8 = 50%
    # -> factor 0.5 x quarter TI 1,000 = 500.00
    (line,) = lines(results)
    assert line["amount"] == Dec("500.00")
    assert line["explanation"] == ("meetings meeting 4.00 / target 8.00 = 50.0% -> curve "
                                   "50.0% x TI 1,000.00 x 1 = 500.00")


def test_gate__min_activity_and_personal_attainment(calc):
    plan = """
plan: g
period: quarter
components:
  - id: personal
    scope: payee
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: team
    scope: team
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    gate: {personal_attainment_at_least: 0.5, min_activity: {type: meeting, count: 2}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
    results = calc(plan, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "600", "2017-02-01"),
                          deal("d2", "bob", "400", "2017-02-01")],
                   activities=[meeting("ann", "2017-01-05", "2"), meeting("bob", "2017-01-05")],
                   targets=[target("payee", "ann", "personal", "1000"),
                            target("payee", "bob", "personal", "1000"),
                            target("team", "east", "team", "1000")])
    # team 1,000 / 1,000 = 100% -> 1,000 x 0.5 x 1.0 = 500.00 for members who pass the gate:
    # ann: personal 60% >= 50% and 2 meetings -> 500.00
    # bob: personal 40% < 50% -> 0.00 (the personal gate is checked first)
    assert amounts(results, component_id="team") == {("ann", "team", "east"): Dec("500.00"),
                                                     ("bob", "team", "east"): Dec("0.00")}
    (bob,) = lines(results, payee_id="bob", component_id="team")
    assert bob["explanation"] == (
        "team Won 1,000.00 / target 1,000.00 = 100.0%; gate not met (personal attainment "
        "40.0%: team needs at least 50.0%) -> 0.00")


def test_gate__min_activity_blocks_a_member_without_enough_meetings(calc):
    plan = """
plan: g
period: quarter
components:
  - id: team
    scope: team
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    gate: {min_activity: {type: meeting, count: 2}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
    results = calc(plan, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "1000", "2017-02-01")],
                   activities=[meeting("ann", "2017-01-05", "2"), meeting("bob", "2017-01-05")],
                   targets=[target("team", "east", "team", "1000")])
    # bob has 1 meeting < 2 -> 0.00; ann 1,000 x 1 x 1.0 = 1,000.00
    assert amounts(results) == {("ann", "team", "east"): Dec("1000.00"),
                                ("bob", "team", "east"): Dec("0.00")}
    assert lines(results, payee_id="bob")[0]["explanation"].endswith(
        "gate not met (1 meeting activities: needs at least 2) -> 0.00")


def test_activities__a_payee_with_only_other_activity_types_measures_zero(calc):
    plan = """
plan: a
period: quarter
components:
  - id: meetings
    scope: payee
    weight: 1
    measure: {source: activities, sum: quantity, where: {type: meeting}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
    results = calc(plan, payees=PAYEES, teams=TEAMS, memberships=MEMBERS, deals=[],
                   activities=[meeting("ann", "2017-01-05"), meeting("bob", "2017-01-06", "5",
                                                                     kind="call")],
                   targets=[target("payee", "ann", "meetings", "4"),
                            target("payee", "bob", "meetings", "4")])
    # ann: 1 meeting / 4 = 25% -> 0.25 x 1,000 = 250.00; bob logged only calls: his
    # measure is 0 (not missing): 0.00 / 4 -> 0.00
    by_payee = {row["payee_id"]: row for row in lines(results)}
    assert by_payee["ann"]["amount"] == Dec("250.00")
    assert by_payee["bob"]["measure_value"] == Dec("0")
    assert by_payee["bob"]["explanation"] == ("meetings meeting 0.00 / target 4.00 = 0.0% -> "
                                              "curve 0.0% x TI 1,000.00 x 1 = 0.00")


def test_activities__a_meeting_on_the_last_day_of_the_quarter_counts_in_it(calc):
    plan = """
plan: a
period: quarter
components:
  - id: meetings
    scope: payee
    weight: 1
    measure: {source: activities, sum: quantity, where: {type: meeting}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
    results = calc(plan, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1], deals=[],
                   activities=[meeting("ann", "2017-03-31", "2"), meeting("ann", "2017-04-01")],
                   targets=[target("payee", "ann", "meetings", "4", q)
                            for q in ("2017-Q1", "2017-Q2")])
    # Q1: the 2 meetings of 03-31 / 4 = 50% -> 500.00; Q2: the one of 04-01 / 4 -> 250.00
    assert [(r["period"], r["measure_value"], r["amount"]) for r in lines(results)] == [
        ("2017-Q1", Dec("2"), Dec("500.00")), ("2017-Q2", Dec("1"), Dec("250.00"))]

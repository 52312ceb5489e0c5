"""Measure filters by operator, the activity gate of a member of a sub-team, deals outside
the run, and where a measure's missing table is reported."""

from decimal import Decimal as Dec

import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"}]
TEAMS = [{"team_id": "east", "name": "East", "parent_team_id": "na"},
         {"team_id": "na", "name": "North America"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]
PLAN = """
plan: filters
period: quarter
effective: {{start: 2017-01-01, end: 2017-12-31}}
components:
  - id: sales
    scope: payee
    measure: {measure}
{gate}    payout: {{rate: 0.1}}
"""


def q1(results):
    """Ann's 2017-Q1 amount (the plan runs the whole year: Q2-Q4 pay 0.00)."""
    (line,) = lines(results, period="2017-Q1")
    return line["amount"]


def run(calc, measure, deals, gate="", **tables):
    return calc(PLAN.format(measure=measure, gate=gate), payees=PAYEES, teams=TEAMS,
                memberships=MEMBERS, deals=deals, **tables)


DEALS = [deal("d1", "ann", "100", "2017-02-01"), deal("d2", "ann", "150", "2017-02-02",
                                                      stage="Booked"),
         deal("d3", "ann", "200", "2017-02-03", stage="Lost"), deal("d4", "ann", "250",
                                                                    "2017-02-04")]


@pytest.mark.parametrize("where, paid", [
    # stage Won or Booked and amount above 100: d2 150 + d4 250 = 400 -> 10% = 40.00
    ("{stage: {in: [Won, Booked]}, amount: {gt: 100}}", "40.00"),
    # at least 150 and below 250: d2 150 + d3 200 = 350 -> 35.00
    ("{amount: {gte: 150, lt: 250}}", "35.00"),
    # at most 150, not Lost: d1 100 + d2 150 = 250 -> 25.00
    ("{amount: {lte: 150}, stage: {ne: Lost}}", "25.00"),
    # not Won: d2 150 + d3 200 = 350 -> 35.00
    ("{stage: {not_in: [Won]}}", "35.00"),
])
def test_filters__each_operator_selects_its_deals(calc, where, paid):
    results = run(calc, f"{{sum: amount, where: {where}}}", DEALS)
    assert q1(results) == Dec(paid)


def test_filters__a_deal_before_the_run_is_not_credited(calc):
    # d0 closed on 2016-12-31, the day before the plan's first quarter: no credit row
    results = run(calc, "{sum: amount}", [deal("d0", "ann", "999", "2016-12-31"), *DEALS[:1]])
    assert {r["deal_id"] for r in results.credits.to_pylist()} == {"d1"}
    assert q1(results) == Dec("10.00")


def test_activity_gate__a_sub_team_member_counts_their_meetings_once(calc):
    # ann (in east, under na) held 1 meeting; the gate needs 2: blocked, though her
    # meeting is credited to east and to na as well (team rows are not her count)
    results = run(calc, "{sum: amount}", DEALS[:1],
                  gate="    gate: {min_activity: {type: meeting, count: 2}}\n",
                  activities=[{"payee_id": "ann", "type": "meeting", "date": "2017-02-01"}])
    assert q1(results) == Dec("0.00")


def test_missing_table__located_at_the_measures_source(calc):
    with pytest.raises(InputError) as caught:
        run(calc, "{source: activities, sum: quantity}", DEALS[:1])
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        "plan.yaml:8:15: error[E002]: component 'sales' measures activities, but no "
        "activities table was loaded\n"
        "hint: load a activities file or change the measure's source"]

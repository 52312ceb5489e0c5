"""Caps, draws and year-to-date accumulation."""

from decimal import Decimal as Dec

from tests.engine.conftest import amounts, lines
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]
PERSONAL = """
plan: p
period: quarter
{plan_extra}
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [1, 1], [2, 3]]}}
    {component_extra}
"""


def run(calc, deals, targets, plan_extra="", component_extra="", periods=None):
    return calc(PERSONAL.format(plan_extra=plan_extra, component_extra=component_extra),
                periods=periods, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                deals=deals, targets=targets)


def test_cap_amount__adds_a_negative_cap_line(calc):
    # 150% -> 1 + 0.5 x 2 = 2.0 x TI 10,000 = 20,000.00; capped at 15,000 -> cap line -5,000
    results = run(calc, [deal("d1", "ann", "150", "2017-02-01")],
                  [target("payee", "ann", "personal", "100")],
                  component_extra="cap_amount: 15000")
    assert [(line["line_type"], line["amount"]) for line in lines(results)] == [
        ("curve", Dec("20000.00")), ("cap", Dec("-5000.00"))]
    assert lines(results, line_type="cap")[0]["explanation"] == (
        "personal earned 20,000.00 > cap 15,000.00 -> -5,000.00")


def test_plan_cap__ti_multiple(calc):
    # plan cap 1.5 x quarter TI 10,000 = 15,000; earned 20,000 -> -5,000 on the _plan line
    results = run(calc, [deal("d1", "ann", "150", "2017-02-01")],
                  [target("payee", "ann", "personal", "100")], plan_extra="cap_ti_multiple: 1.5")
    assert amounts(results, line_type="cap") == {("ann", "_plan", None): Dec("-5000.00")}


def test_draw__recoverable_advances_then_recovers(calc):
    # Q1 earns 20% x 10,000 = 2,000 < draw 5,000 -> advance 3,000 (balance 3,000)
    # Q2 earns 120% -> 1 + 0.2 x 2 = 1.4 x 10,000 = 14,000: 9,000 above the draw
    #    recovers all 3,000 -> balance 0
    results = run(calc, [deal("d1", "ann", "20", "2017-02-01"),
                         deal("d2", "ann", "120", "2017-05-01")],
                  [target("payee", "ann", "personal", "100", "2017-Q1"),
                   target("payee", "ann", "personal", "100", "2017-Q2")],
                  plan_extra="draw: {amount: 5000, kind: recoverable}")
    plan_lines = [(line["period"], line["line_type"], line["amount"]) for line in lines(results)
                  if line["component_id"] == "_plan"]
    assert plan_lines == [("2017-Q1", "draw", Dec("3000.00")),
                          ("2017-Q2", "draw_recovery", Dec("-3000.00"))]


def test_draw__non_recoverable_is_a_guaranteed_minimum(calc):
    results = run(calc, [deal("d1", "ann", "20", "2017-02-01"),
                         deal("d2", "ann", "120", "2017-05-01")],
                  [target("payee", "ann", "personal", "100", "2017-Q1"),
                   target("payee", "ann", "personal", "100", "2017-Q2")],
                  plan_extra="draw: {amount: 5000}")
    plan_lines = [(line["period"], line["line_type"], line["amount"]) for line in lines(results)
                  if line["component_id"] == "_plan"]
    assert plan_lines == [("2017-Q1", "draw", Dec("3000.00"))]  # nothing recovered later


def test_ytd__pays_the_difference_from_earlier_periods(calc):
    # Q1: 50 / 100 = 50% -> 0.5 x TI 10,000 = 5,000.00
    # Q2 YTD: (50 + 250) / 200 = 150% -> 1 + 0.5 x 2 = 2.0 x YTD TI 20,000 = 40,000.00;
    #     paid before 5,000 -> Q2 line 35,000.00
    results = run(calc, [deal("d1", "ann", "50", "2017-02-01"),
                         deal("d2", "ann", "250", "2017-05-01")],
                  [target("payee", "ann", "personal", "100", "2017-Q1"),
                   target("payee", "ann", "personal", "100", "2017-Q2")],
                  component_extra="accumulate: ytd")
    assert [(line["period"], line["amount"]) for line in lines(results)] == [
        ("2017-Q1", Dec("5000.00")), ("2017-Q2", Dec("35000.00"))]
    assert lines(results, period="2017-Q2")[0]["explanation"] == (
        "personal Won YTD 300.00 / target 200.00 = 150.0% -> curve 200.0% x YTD TI 20,000.00 "
        "x 1 = 40,000.00; paid in earlier periods 5,000.00 -> 35,000.00")


def test_ytd__a_run_for_one_period_still_counts_earlier_ones(calc):
    results = run(calc, [deal("d1", "ann", "50", "2017-02-01"),
                         deal("d2", "ann", "250", "2017-05-01")],
                  [target("payee", "ann", "personal", "100", "2017-Q1"),
                   target("payee", "ann", "personal", "100", "2017-Q2")],
                  component_extra="accumulate: ytd", periods=["2017-Q2"])
    assert [(line["period"], line["amount"]) for line in lines(results)] == [
        ("2017-Q2", Dec("35000.00"))]

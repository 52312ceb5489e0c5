"""Every boundary of the pay rules, on every backend: exactly at a gate, a tier, a cap; the
last day of a membership and a move; ties in per-deal order; half-cent ties on every line
kind. Each case is one tiny inline plan. The fast tier (tests/engine/fast) runs these same
tests on DuckDB only, for mutation testing.

One payee unless said: Ann, annual TI 20,000 -> quarter TI 5,000, in team East all year.
"""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

ANN = [{"payee_id": "ann", "name": "Ann", "target_incentive": "20000"}]
EAST = [{"team_id": "east", "name": "East"}]
ANN_IN_EAST = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]


def paid(results, **where):
    """(payee, component, line type, team, deal, amount) of every line, in output order."""
    return [(r["payee_id"], r["component_id"], r["line_type"], r["team_id"], r["deal_id"],
             r["amount"]) for r in lines(results, **where)]


def texts(results, **where):
    return [r["explanation"] for r in lines(results, **where)]


# --- gates ------------------------------------------------------------------------------

TEAM_GATE = """
plan: gate
period: quarter
components:
  - id: team
    scope: team
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0.5, 0], [1, 1]]}
"""


def run_team_gate(calc, amount):
    return calc(TEAM_GATE, payees=ANN, teams=EAST, memberships=ANN_IN_EAST,
                deals=[deal("d1", "ann", amount, "2017-02-01")],
                targets=[target("team", "east", "team", "100000")])


def test_team_gate__attainment_exactly_at_the_gate_pays(calc):
    results = run_team_gate(calc, "80000")
    # 80,000 / 100,000 = 80.0% exactly, the gate: pays. Curve 0.5..1: (0.8 - 0.5) / 0.5 =
    # 0.6 -> 5,000 x 1 (weight) x 0.6 = 3,000.00
    assert paid(results) == [("ann", "team", "curve", "east", None, Dec("3000.00"))]
    assert texts(results) == ["team Won 80,000.00 / target 100,000.00 = 80.0% -> curve 60.0% "
                              "x TI 5,000.00 x 1 in team east = 3,000.00"]


def test_team_gate__a_cent_below_the_gate_does_not_pay(calc):
    results = run_team_gate(calc, "79999.99")
    # 79,999.99 / 100,000 = 79.99999% < 80%: blocked (the curve alone would pay
    # 5,000 x 0.5999998 = 2,999.999 -> 3,000.00)
    assert paid(results) == [("ann", "team", "curve", "east", None, Dec("0.00"))]
    assert texts(results) == ["team Won 79,999.99 / target 100,000.00 = 80.0%; gate not met "
                              "(team east at 80.0%: team pays from 80.0%) -> 0.00"]


PERSONAL_GATE = """
plan: gate
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: bonus
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    gate: {personal_attainment_at_least: 0.5}
    payout: {rate: 0.01}
"""


def run_personal_gate(calc, amount):
    return calc(PERSONAL_GATE, payees=ANN, teams=EAST, memberships=ANN_IN_EAST,
                deals=[deal("d1", "ann", amount, "2017-02-01")],
                targets=[target("payee", "ann", "personal", "100000")])


def test_personal_gate__attainment_exactly_at_the_gate_pays(calc):
    results = run_personal_gate(calc, "50000")
    # personal 50,000 / 100,000 = 50.0% exactly, the bonus's gate: pays 1% x 50,000 = 500.00
    # (personal: 5,000 x 1 x 0.5 = 2,500.00)
    assert paid(results) == [("ann", "personal", "curve", None, None, Dec("2500.00")),
                             ("ann", "bonus", "commission", None, None, Dec("500.00"))]
    assert texts(results, component_id="bonus") == ["bonus Won 50,000.00 -> x 1.00% = 500.00"]


def test_personal_gate__a_cent_below_the_gate_does_not_pay(calc):
    results = run_personal_gate(calc, "49999.99")
    # 49,999.99 / 100,000 = 49.99999% < 50%: no bonus (it would be 1% x 49,999.99 = 500.00);
    # personal: 5,000 x 1 x 0.4999999 = 2,499.9995, a half-cent tie -> half up 2,500.00
    assert paid(results) == [("ann", "personal", "curve", None, None, Dec("2500.00")),
                             ("ann", "bonus", "commission", None, None, Dec("0.00"))]
    assert texts(results, component_id="bonus") == [
        "bonus Won 49,999.99; gate not met (personal attainment 50.0%: bonus needs at least "
        "50.0%) -> 0.00"]


# --- tiers ------------------------------------------------------------------------------

TIERS = """
plan: tiers
period: quarter
components:
  - id: sales
    scope: payee
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{tiers: [{{from: 0, rate: 0.02}}, {{from: 1.0, rate: 0.05}}], mode: {mode}}}
"""


def run_tiers(calc, mode, deals, target_amount="100000"):
    return calc(TIERS.format(mode=mode), payees=ANN, teams=EAST, memberships=ANN_IN_EAST,
                deals=deals, targets=[target("payee", "ann", "sales", target_amount)])


def test_whole_tiers__exactly_at_the_tier_boundary_pays_the_higher_rate(calc):
    results = run_tiers(calc, "whole", [deal("d1", "ann", "100000", "2017-02-01")])
    # 100,000 / 100,000 = 100% reaches the 5% tier: all of it at 5% = 5,000.00
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("5000.00"))]


def test_whole_tiers__a_cent_below_the_boundary_pays_the_lower_rate(calc):
    results = run_tiers(calc, "whole", [deal("d1", "ann", "99999.99", "2017-02-01")])
    # 99,999.99 x 2% = 1,999.9998 -> 2,000.00
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("2000.00"))]


def test_marginal_tiers__a_slice_ending_exactly_at_the_boundary(calc):
    results = run_tiers(calc, "marginal", [deal("d1", "ann", "100000.10", "2017-02-01")])
    # 100,000 x 2% + 0.10 x 5% = 2,000 + 0.005 = 2,000.005 -> half up 2,000.01
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("2000.01"))]


def test_zero_until_quota__exactly_at_quota_pays_nothing_a_cent_above_pays_it(calc):
    at = run_tiers(calc, "zero_until_quota", [deal("d1", "ann", "100000", "2017-02-01")])
    # nothing above the 100,000 quota: 0.00
    assert paid(at) == [("ann", "sales", "commission", None, None, Dec("0.00"))]
    above = run_tiers(calc, "zero_until_quota", [deal("d1", "ann", "100000.10", "2017-02-01")])
    # 0.10 above quota x 5% = 0.005 -> half up 0.01
    assert paid(above) == [("ann", "sales", "commission", None, None, Dec("0.01"))]


def test_per_deal_tiers__a_deal_ending_exactly_at_the_boundary(calc):
    results = run_tiers(calc, "per_deal", [deal("d1", "ann", "100000", "2017-02-01"),
                                           deal("d2", "ann", "10000", "2017-02-02")])
    # d1: 0 -> 100,000 (exactly the boundary) all at 2% = 2,000.00
    # d2: 100,000 -> 110,000 all at 5% = 500.00
    assert paid(results) == [("ann", "sales", "deal", None, "d1", Dec("2000.00")),
                             ("ann", "sales", "deal", None, "d2", Dec("500.00"))]


# --- caps -------------------------------------------------------------------------------

CAPPED = """
plan: capped
period: quarter
{caps}
components:
  - id: sales
    scope: payee
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{rate: 0.1}}
    {component_cap}
"""


def run_capped(calc, amount, caps="", component_cap=""):
    return calc(CAPPED.format(caps=caps, component_cap=component_cap), payees=ANN,
                teams=EAST, memberships=ANN_IN_EAST,
                deals=[deal("d1", "ann", amount, "2017-02-01")])


def test_plan_cap__total_exactly_at_the_cap_adds_no_cap_line(calc):
    results = run_capped(calc, "70000", caps="cap_amount: 7000")
    # 10% x 70,000 = 7,000.00 = the cap: nothing cut
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("7000.00"))]


def test_plan_cap__a_cent_above_the_cap_is_cut_by_a_cent(calc):
    results = run_capped(calc, "70000.10", caps="cap_amount: 7000")
    # 10% x 70,000.10 = 7,000.01 > 7,000: a cap line of -0.01
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("7000.01")),
                             ("ann", "_plan", "cap", None, None, Dec("-0.01"))]
    assert texts(results, line_type="cap") == [
        "total 7,000.01 > plan cap 7,000.00 -> -0.01"]


def test_plan_cap__the_lower_of_the_amount_and_the_ti_multiple_binds(calc):
    results = run_capped(calc, "90000", caps="cap_amount: 10000\ncap_ti_multiple: 1.5")
    # 10% x 90,000 = 9,000.00; caps 10,000.00 and 1.5 x 5,000 = 7,500.00: the lower,
    # 7,500.00, binds -> 7,500 - 9,000 = -1,500.00
    assert paid(results) == [("ann", "sales", "commission", None, None, Dec("9000.00")),
                             ("ann", "_plan", "cap", None, None, Dec("-1500.00"))]
    assert texts(results, line_type="cap") == [
        "total 9,000.00 > plan cap 1.5 x TI = 7,500.00 -> -1,500.00"]
    # the other way round: the amount is lower (7,000.00 < 7,500.00) -> -2,000.00
    other = run_capped(calc, "90000", caps="cap_amount: 7000\ncap_ti_multiple: 1.5")
    assert paid(other, line_type="cap") == [("ann", "_plan", "cap", None, None,
                                             Dec("-2000.00"))]


def test_component_cap__exactly_at_the_cap_no_line_a_cent_above_cut(calc):
    at = run_capped(calc, "70000", component_cap="cap_amount: 7000")
    # 10% x 70,000 = 7,000.00 = the component's cap: no cap line
    assert paid(at) == [("ann", "sales", "commission", None, None, Dec("7000.00"))]
    above = run_capped(calc, "70000.10", component_cap="cap_amount: 7000")
    # 7,000.01 > 7,000: -0.01
    assert paid(above) == [("ann", "sales", "commission", None, None, Dec("7000.01")),
                           ("ann", "sales", "cap", None, None, Dec("-0.01"))]
    assert texts(above, line_type="cap") == ["sales earned 7,000.01 > cap 7,000.00 -> -0.01"]


CURVE_CAP = """
plan: curvecap
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1], [1.5, 2]], cap: 2}
"""


def run_curve_cap(calc, amount):
    return calc(CURVE_CAP, payees=ANN, teams=EAST, memberships=ANN_IN_EAST,
                deals=[deal("d1", "ann", amount, "2017-02-01")],
                targets=[target("payee", "ann", "personal", "100000")])


def test_curve_cap__exactly_at_the_cap_and_beyond(calc):
    at = run_curve_cap(calc, "150000")
    # 150% is the last point: factor 2.0 = the cap -> 5,000 x 1 x 2 = 10,000.00
    assert paid(at) == [("ann", "personal", "curve", None, None, Dec("10000.00"))]
    assert texts(at) == ["personal Won 150,000.00 / target 100,000.00 = 150.0% -> curve "
                         "200.0% x TI 5,000.00 x 1 = 10,000.00"]
    beyond = run_curve_cap(calc, "150001")
    # 150.001%: 2 + 0.00001 x 2 = 2.00002 uncapped; the cap 2.0 binds -> 10,000.00
    assert paid(beyond) == [("ann", "personal", "curve", None, None, Dec("10000.00"))]
    assert texts(beyond) == ["personal Won 150,001.00 / target 100,000.00 = 150.0% -> curve "
                             "capped at 200.0% x TI 5,000.00 x 1 = 10,000.00"]
    below = run_curve_cap(calc, "149999")
    # 149.999%: 1 + 0.49999 x 2 = 1.99998 -> 9,999.90
    assert paid(below) == [("ann", "personal", "curve", None, None, Dec("9999.90"))]


# --- memberships ------------------------------------------------------------------------

TEAM_CURVE = """
plan: teams
period: quarter
components:
  - id: team
    scope: team
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
EAST_WEST = [{"team_id": "east", "name": "East"}, {"team_id": "west", "name": "West"}]
TEAM_TARGETS = [target("team", "east", "team", "100000"),
                target("team", "west", "team", "100000")]


def test_membership__last_day_credits_that_team_the_next_day_the_new_one(calc):
    results = calc(TEAM_CURVE, payees=ANN, teams=EAST_WEST, memberships=[
        {"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01",
         "end_date": "2017-02-14"},
        {"payee_id": "ann", "team_id": "west", "start_date": "2017-02-15"}],
        deals=[deal("d1", "ann", "50000", "2017-02-14"),   # East's last day
               deal("d2", "ann", "30000", "2017-02-15")],  # West's first day
        targets=TEAM_TARGETS)
    # Q1 2017 = 90 days: East Jan 1 - Feb 14 = 31 + 14 = 45 days, West Feb 15 - Mar 31 =
    # 14 + 31 = 45 days. East 50,000 / 100,000 = 50% -> 5,000 x 0.5 x 45/90 = 1,250.00;
    # West 30,000 / 100,000 = 30% -> 5,000 x 0.3 x 45/90 = 750.00
    assert paid(results) == [("ann", "team", "curve", "east", None, Dec("1250.00")),
                             ("ann", "team", "curve", "west", None, Dec("750.00"))]
    assert [r["measure_value"] for r in lines(results)] == [Dec("50000"), Dec("30000")]
    assert texts(results) == [
        "team Won 50,000.00 / target 100,000.00 = 50.0% -> curve 50.0% x TI 5,000.00 x 1 x "
        "45/90 days in team east = 1,250.00",
        "team Won 30,000.00 / target 100,000.00 = 30.0% -> curve 30.0% x TI 5,000.00 x 1 x "
        "45/90 days in team west = 750.00"]


def test_membership__a_stint_of_one_day_on_the_quarters_last_day(calc):
    results = calc(TEAM_CURVE, payees=ANN, teams=EAST_WEST, memberships=[
        {"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01",
         "end_date": "2017-03-30"},
        {"payee_id": "ann", "team_id": "west", "start_date": "2017-03-31",
         "end_date": "2017-03-31"}],
        deals=[deal("d1", "ann", "90000", "2017-03-31")],
        targets=TEAM_TARGETS)
    # East Jan 1 - Mar 30 = 89 days, no deals: 0.00; West one day, Mar 31: 90,000 /
    # 100,000 = 90% -> 5,000 x 0.9 x 1/90 = 50.00
    assert paid(results) == [("ann", "team", "curve", "east", None, Dec("0.00")),
                             ("ann", "team", "curve", "west", None, Dec("50.00"))]


def test_membership__same_day_move_the_move_day_is_in_both_teams(calc):
    # East ends on Feb 14 and West starts on Feb 14: both memberships hold that day (the
    # end date is inclusive), so a deal that day credits both teams and the day counts in
    # both (what the engine does today; memberships of different teams may overlap)
    results = calc(TEAM_CURVE, payees=ANN, teams=EAST_WEST, memberships=[
        {"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01",
         "end_date": "2017-02-14"},
        {"payee_id": "ann", "team_id": "west", "start_date": "2017-02-14"}],
        deals=[deal("d1", "ann", "50000", "2017-02-14"),
               deal("d2", "ann", "30000", "2017-02-15")],
        targets=TEAM_TARGETS)
    # East Jan 1 - Feb 14 = 45 days: 50,000 -> 50% -> 5,000 x 0.5 x 45/90 = 1,250.00
    # West Feb 14 - Mar 31 = 15 + 31 = 46 days: 50,000 + 30,000 = 80% -> 5,000 x 0.8 x
    # 46/90 = 2,044.444.. -> 2,044.44
    assert paid(results) == [("ann", "team", "curve", "east", None, Dec("1250.00")),
                             ("ann", "team", "curve", "west", None, Dec("2044.44"))]


# --- per-deal order ---------------------------------------------------------------------

PER_DEAL = """
plan: perdeal
period: quarter
components:
  - id: sales
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 1000, rate: 0.1}], basis: amount,
             mode: per_deal}
"""


def test_per_deal__close_date_first_then_deal_id_on_ties(calc):
    # given out of order: a1 closes last though its id sorts first; b1 and b2 share a day
    results = calc(PER_DEAL, payees=ANN, teams=EAST, memberships=ANN_IN_EAST,
                   deals=[deal("a1", "ann", "500", "2017-02-02"),
                          deal("b2", "ann", "500", "2017-02-01"),
                          deal("b1", "ann", "700", "2017-02-01")])
    # b1 (Feb 1, before b2 by id): 0 -> 700 at 1% = 7.00
    # b2 (Feb 1): 700 -> 1,200: 300 x 1% + 200 x 10% = 3 + 20 = 23.00
    # a1 (Feb 2): 1,200 -> 1,700 at 10% = 50.00
    # (by id alone: a1 5.00, b1 5 + 20 = 25.00, b2 50.00; b2 before b1: 5.00 and 25.00)
    by_deal = {r["deal_id"]: r["amount"] for r in lines(results)}
    assert by_deal == {"b1": Dec("7.00"), "b2": Dec("23.00"), "a1": Dec("50.00")}
    assert sorted(texts(results)) == [
        "deal a1 500.00: running total 1,200.00 -> 1,700.00 at 1.00% from 0.00, 10.00% from "
        "1,000.00 = 50.00",
        "deal b1 700.00: running total 0.00 -> 700.00 at 1.00% from 0.00, 10.00% from "
        "1,000.00 = 7.00",
        "deal b2 500.00: running total 700.00 -> 1,200.00 at 1.00% from 0.00, 10.00% from "
        "1,000.00 = 23.00"]


# --- year to date -----------------------------------------------------------------------

YTD = """
plan: ytd
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    accumulate: ytd
    measure: {sum: amount, where: {stage: Won}}
    gate: {personal_attainment_at_least: 0.5}
    payout: {curve: [[0, 0], [1, 1], [2, 2]]}
"""
YTD_TARGETS = [target("payee", "ann", "personal", "100000", q)
               for q in ("2017-Q1", "2017-Q2", "2017-Q3")]


def test_ytd__a_gate_failing_after_a_paid_quarter_takes_back_what_was_paid(calc):
    results = calc(YTD, ["2017-Q1", "2017-Q2", "2017-Q3"], payees=ANN, teams=EAST,
                   memberships=ANN_IN_EAST, targets=YTD_TARGETS,
                   deals=[deal("d1", "ann", "100000", "2017-02-01"),
                          deal("d3", "ann", "200000", "2017-08-01")])
    # Q1: 100,000 / 100,000 = 100% -> YTD TI 5,000 x 1 = 5,000.00, nothing paid before
    # Q2: the quarter's own attainment 0 / 100,000 = 0% < the 50% gate: YTD 0.00 - 5,000.00
    #     paid before = -5,000.00 (ungated it would be 200,000 target, 100,000 -> 50% ->
    #     10,000 x 0.5 = 5,000.00 - 5,000.00 = 0.00)
    # Q3: 200,000 / 100,000 = 200% passes; YTD 300,000 / 300,000 = 100% -> 15,000.00; Q2's
    #     gate failed, so nothing counts as paid before: 15,000.00 (the year nets 15,000.00)
    assert [(r["period"], r["amount"]) for r in lines(results)] == [
        ("2017-Q1", Dec("5000.00")), ("2017-Q2", Dec("-5000.00")), ("2017-Q3", Dec("15000.00"))]
    assert texts(results, period="2017-Q2") == [
        "personal Won YTD 100,000.00 / target 200,000.00 = 50.0%; gate not met (personal "
        "attainment 0.0%: personal needs at least 50.0%) -> YTD 0.00 - paid before 5,000.00 "
        "= -5,000.00"]


# --- half-cent ties, rounded half up (the plan's default) or as the plan says -----------

def one_component(payout, measure="{sum: amount, where: {stage: Won}}", extra="",
                  rounding="half_up"):
    weight = "weight: 1" if "curve" in payout else ""  # only a curve reads a weight (P017)
    return f"""
plan: ties
period: quarter
rounding: {{mode: {rounding}}}
{extra}
components:
  - id: c
    scope: payee
    {weight}
    measure: {measure}
    payout: {payout}
"""


def run_one(calc, plan_yaml, amount, payees=ANN, splits=None):
    records = {"payees": payees, "teams": EAST, "memberships": [
        {"payee_id": p["payee_id"], "team_id": "east", "start_date": "2017-01-01"}
        for p in payees],
        "deals": [deal("d1", "ann", amount, "2017-02-01")],
        "targets": [target("payee", "ann", "c", "100000")]}
    if splits:
        records["splits"] = splits
    return calc(plan_yaml, **records)


def test_half_cent__curve_line(calc):
    curve = "{curve: [[0, 0], [1, 1], [2, 2]]}"
    up = run_one(calc, one_component(curve), "100000.10")
    # 100,000.10 / 100,000 = 1.000001 -> 5,000 x 1 x 1.000001 = 5,000.005: half up 5,000.01
    assert paid(up) == [("ann", "c", "curve", None, None, Dec("5000.01"))]
    even = run_one(calc, one_component(curve, rounding="half_even"), "100000.10")
    # half even: 5,000.005 -> 5,000.00 (0 is even)
    assert paid(even) == [("ann", "c", "curve", None, None, Dec("5000.00"))]


def test_half_cent__commission_line(calc):
    up = run_one(calc, one_component("{rate: 0.05}"), "100.10")
    # 5% x 100.10 = 5.005: half up 5.01
    assert paid(up) == [("ann", "c", "commission", None, None, Dec("5.01"))]
    assert texts(up) == ["c Won 100.10 / target 100,000.00 = 0.1% -> x 5.00% = 5.01"]
    even = run_one(calc, one_component("{rate: 0.05}", rounding="half_even"), "100.10")
    assert paid(even) == [("ann", "c", "commission", None, None, Dec("5.00"))]


def test_half_cent__tier_lines(calc):
    tiers = "[{from: 0, rate: 0.01}, {from: 100, rate: 0.05}]"
    marginal = run_one(calc, one_component(f"{{tiers: {tiers}, basis: amount}}"), "150.10")
    # 100 x 1% + 50.10 x 5% = 1.00 + 2.505 = 3.505: half up 3.51
    assert paid(marginal) == [("ann", "c", "commission", None, None, Dec("3.51"))]
    whole = run_one(calc, one_component(f"{{tiers: {tiers}, basis: amount, mode: whole}}"),
                    "150.10")
    # all 150.10 at 5% = 7.505: half up 7.51
    assert paid(whole) == [("ann", "c", "commission", None, None, Dec("7.51"))]
    per_deal = run_one(calc, one_component(f"{{tiers: {tiers}, basis: amount, "
                                           "mode: per_deal}"), "150.10")
    # d1 0 -> 150.10: 100 x 1% + 50.10 x 5% = 3.505: half up 3.51
    assert paid(per_deal) == [("ann", "c", "deal", None, "d1", Dec("3.51"))]
    even = run_one(calc, one_component(f"{{tiers: {tiers}, basis: amount}}",
                                       rounding="half_even"), "150.10")
    # half even: 3.505 -> 3.50
    assert paid(even) == [("ann", "c", "commission", None, None, Dec("3.50"))]


def test_half_cent__pool_and_its_parts(calc):
    pool = """
plan: ties
period: quarter
components:
  - id: pool
    scope: team
    measure: {sum: amount, where: {stage: Won}}
    payout: {pool: {rate: 0.05, split: equal}}
"""
    two = [*ANN, {"payee_id": "bob", "name": "Bob", "target_incentive": "20000"}]
    results = calc(pool, payees=two, teams=EAST, memberships=[
        {"payee_id": p, "team_id": "east", "start_date": "2017-01-01"} for p in ("ann", "bob")],
        deals=[deal("d1", "ann", "100.10", "2017-02-01")])
    # pool 5% x 100.10 = 5.005: half up 5.01; split equally 2.505 each: floors 2.50 + 2.50
    # leave a cent, to the first of the tied remainders (ann): 2.51 + 2.50 = 5.01
    assert paid(results) == [("ann", "pool", "pool", "east", None, Dec("2.51")),
                             ("bob", "pool", "pool", "east", None, Dec("2.50"))]
    assert texts(results) == [
        "pool 5.00% x pool Won 100.10 = 5.01; share 50.00% by equal (90/90 days) = 2.51",
        "pool 5.00% x pool Won 100.10 = 5.01; share 50.00% by equal (90/90 days) = 2.50"]


def test_half_cent__spif_line_of_a_split_deal(calc):
    two = [*ANN, {"payee_id": "bob", "name": "Bob", "target_incentive": "20000"}]
    results = run_one(calc, one_component(
        "{per_deal: 250.01}", measure="{count: true, where: {stage: Won}}"), "1000",
        payees=two, splits=[{"deal_id": "d1", "payee_id": "ann", "share": "0.5"},
                            {"deal_id": "d1", "payee_id": "bob", "share": "0.5"}])
    # each is credited half the deal: 0.5 x 250.01 = 125.005: half up 125.01 each
    assert sorted(paid(results)) == [("ann", "c", "spif", None, "d1", Dec("125.01")),
                                     ("bob", "c", "spif", None, "d1", Dec("125.01"))]
    # (the share shows with four places: explain.number's docstring says '2.5')
    assert texts(results, payee_id="ann") == [
        "c count of Won: deal d1 qualifies, credited 0.5000 x 250.01 -> 125.01"]


def test_half_cent__ytd_lines(calc):
    ytd = YTD.replace("    gate: {personal_attainment_at_least: 0.5}\n", "")
    results = calc(ytd, ["2017-Q1", "2017-Q2"], payees=ANN, teams=EAST,
                   memberships=ANN_IN_EAST, targets=YTD_TARGETS[:2],
                   deals=[deal("d1", "ann", "100000.10", "2017-02-01"),
                          deal("d2", "ann", "100000", "2017-05-01")])
    # Q1: 100,000.10 / 100,000 = 1.000001 -> 5,000 x 1.000001 = 5,000.005: half up 5,000.01
    # Q2: YTD 200,000.10 / 200,000 = 1.0000005 -> 10,000 x 1.0000005 = 10,000.005: half up
    #     10,000.01, less 5,000.01 paid in Q1 = 5,000.00
    assert [(r["period"], r["amount"]) for r in lines(results)] == [
        ("2017-Q1", Dec("5000.01")), ("2017-Q2", Dec("5000.00"))]


def test_half_cent__draw_lines(calc):
    draw = one_component("{rate: 0.05}", extra="draw: {amount: 10.01, kind: recoverable}")
    results = calc(draw, ["2017-Q1", "2017-Q2"], payees=ANN, teams=EAST,
                   memberships=ANN_IN_EAST,
                   deals=[deal("d1", "ann", "100.10", "2017-02-01"),
                          deal("d2", "ann", "300.10", "2017-05-01")])
    # Q1: 5% x 100.10 = 5.005 -> 5.01 < draw 10.01: advance 10.01 - 5.01 = 5.00
    # Q2: 5% x 300.10 = 15.005 -> 15.01; above the draw 15.01 - 10.01 = 5.00 recovers the
    #     5.00 balance: -5.00 (draw lines are differences of rounded cents: no tie of their
    #     own)
    assert [(r["period"], r["line_type"], r["amount"]) for r in lines(results)] == [
        ("2017-Q1", "commission", Dec("5.01")), ("2017-Q1", "draw", Dec("5.00")),
        ("2017-Q2", "commission", Dec("15.01")), ("2017-Q2", "draw_recovery", Dec("-5.00"))]
    assert texts(results, line_type="draw") == [
        "earned 5.01 < draw 10.01 -> advance 5.00; balance owed 5.00"]
    assert {r["rule"] for r in lines(results, component_id="_plan")} == {
        "recoverable draw 10.01 per quarter"}
    assert texts(results, line_type="draw_recovery") == [
        "earned 15.01; above the draw 5.00 recovers 5.00 of the balance; balance owed 0.00"]


def test_contribution_gate__exactly_the_minimum_share_shares_the_pool(calc):
    plan = """
plan: pool
period: quarter
components:
  - id: pool
    scope: team
    measure: {sum: amount, where: {stage: Won}}
    gate: {min_contribution_share: 0.2}
    payout: {pool: {rate: 0.01, split: equal}}
"""
    two = [*ANN, {"payee_id": "bob", "name": "Bob", "target_incentive": "20000"}]
    results = calc(plan, payees=two, teams=EAST, memberships=[
        {"payee_id": p, "team_id": "east", "start_date": "2017-01-01"} for p in ("ann", "bob")],
        deals=[deal("d1", "ann", "8000", "2017-02-01"), deal("d2", "bob", "2000", "2017-02-01")])
    # Bob 2,000 / 10,000 = 20.0%, exactly the minimum: he shares. Pool 1% x 10,000 = 100.00,
    # equal split 50.00 each
    assert paid(results) == [("ann", "pool", "pool", "east", None, Dec("50.00")),
                             ("bob", "pool", "pool", "east", None, Dec("50.00"))]


def test_draw__earnings_exactly_at_the_draw_and_a_balance_over_quarters(calc):
    plan = one_component("{rate: 0.1}", extra="draw: {amount: 1000, kind: recoverable}")
    results = calc(plan, ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"], payees=ANN,
                   teams=EAST, memberships=ANN_IN_EAST,
                   deals=[deal("d1", "ann", "10000", "2017-02-01"),
                          deal("d2", "ann", "6000", "2017-05-01"),
                          deal("d3", "ann", "7000", "2017-08-01"),
                          deal("d4", "ann", "12000", "2017-11-01")])
    # Q1: 10% x 10,000 = 1,000.00, exactly the draw: no draw line
    # Q2: 600.00 < 1,000: advance 400.00 (balance 400); Q3: 700.00: advance 300.00
    #     (balance 700); Q4: 1,200.00, 200.00 above the draw recovers 200.00 (balance 500)
    assert [(r["period"], r["line_type"], r["amount"])
            for r in lines(results, component_id="_plan")] == [
        ("2017-Q2", "draw", Dec("400.00")), ("2017-Q3", "draw", Dec("300.00")),
        ("2017-Q4", "draw_recovery", Dec("-200.00"))]
    assert texts(results, line_type="draw_recovery") == [
        "earned 1,200.00; above the draw 200.00 recovers 200.00 of the balance; balance owed "
        "500.00"]

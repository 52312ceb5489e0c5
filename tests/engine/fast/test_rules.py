"""Small per-rule cases for the fast tier (DuckDB): pool splits by days, TI and
contribution, gates with nothing to read, draws' statement rules."""

from decimal import Decimal as Dec

import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

TEAMS = [{"team_id": "east", "name": "East"}]
TWO = [{"payee_id": "ann", "name": "Ann", "target_incentive": "30000"},
       {"payee_id": "bob", "name": "Bob", "target_incentive": "10000"}]
# Ann all quarter (90 days); Bob joins on Mar 2 (30 days: Mar 2 - 31)
JOINER = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
          {"payee_id": "bob", "team_id": "east", "start_date": "2017-03-02"}]


def rows(results):
    return [(r["payee_id"], r["component_id"], r["line_type"], r["amount"], r["explanation"])
            for r in lines(results)]


def pool(split):
    return f"""
plan: pool
period: quarter
components:
  - id: pool
    scope: team
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{pool: {{rate: 0.01, split: {split}}}}}
"""


def run_pool(calc, split, deals):
    return calc(pool(split), payees=TWO, teams=TEAMS, memberships=JOINER, deals=deals)


def test_pool__equal_split_weighs_days_in_the_team(calc):
    results = run_pool(calc, "equal", [deal("d1", "ann", "12000", "2017-02-01")])
    # pool 1% x 12,000 = 120.00; weights 90 and 30 days: 90/120 x 120 = 90.00, 30/120 = 30.00
    assert rows(results) == [
        ("ann", "pool", "pool", Dec("90.00"), "pool 1.00% x pool Won 12,000.00 = 120.00; "
         "share 75.00% by equal (90/90 days) = 90.00"),
        ("bob", "pool", "pool", Dec("30.00"), "pool 1.00% x pool Won 12,000.00 = 120.00; "
         "share 25.00% by equal (30/90 days) = 30.00")]


def test_pool__ti_share_weighs_ti_times_days(calc):
    results = run_pool(calc, "ti_share", [deal("d1", "ann", "10000", "2017-02-01")])
    # pool 1% x 10,000 = 100.00; weights 30,000 x 90 = 2,700,000 and 10,000 x 30 = 300,000:
    # 90% -> 90.00 and 10% -> 10.00
    assert rows(results) == [
        ("ann", "pool", "pool", Dec("90.00"), "pool 1.00% x pool Won 10,000.00 = 100.00; "
         "share 90.00% by ti_share (TI x 90/90 days) = 90.00"),
        ("bob", "pool", "pool", Dec("10.00"), "pool 1.00% x pool Won 10,000.00 = 100.00; "
         "share 10.00% by ti_share (TI x 30/90 days) = 10.00")]


def test_pool__contribution_split_a_member_without_deals_gets_nothing(calc):
    results = run_pool(calc, "contribution", [deal("d1", "ann", "10000", "2017-02-01")])
    # pool 1% x 10,000 = 100.00, all contributed by Ann: 100.00; Bob contributed nothing
    assert rows(results) == [
        ("ann", "pool", "pool", Dec("100.00"), "pool 1.00% x pool Won 10,000.00 = 100.00; "
         "share 100.00% by contribution (contributed 10,000.00) = 100.00"),
        ("bob", "pool", "pool", Dec("0.00"), "pool 1.00% x pool Won 10,000.00 = 100.00; "
         "share 0.00% by contribution (contributed 0.00) = 0.00")]


def test_personal_gate__a_plan_without_a_payee_component_blocks_with_no_target(calc):
    plan = """
plan: gate
period: quarter
components:
  - id: team
    scope: team
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    gate: {personal_attainment_at_least: 0.5}
    payout: {curve: [[0, 0], [1, 1]]}
"""
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "100000", "2017-02-01")],
                   targets=[target("team", "east", "team", "100000")])
    # no payee-scope component to read a personal attainment from: the gate is not met
    assert rows(results) == [
        ("ann", "team", "curve", Dec("0.00"), "team Won 100,000.00 / target 100,000.00 = "
         "100.0%; gate not met (personal attainment no target: team needs at least 50.0%) "
         "-> 0.00")]


def test_draw__non_recoverable_tops_up_and_never_recovers(calc):
    plan = """
plan: draw
period: quarter
draw: {amount: 500, kind: non_recoverable}
components:
  - id: c
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {rate: 0.1}
"""
    results = calc(plan, ["2017-Q1", "2017-Q2"], payees=TWO[:1], teams=TEAMS,
                   memberships=JOINER[:1], deals=[deal("d1", "ann", "3000", "2017-02-01"),
                                                  deal("d2", "ann", "9000", "2017-05-01")])
    # Q1: 10% x 3,000 = 300.00 < 500: +200.00, not owed back; Q2: 900.00 >= 500: no line
    assert [(r["period"], r["line_type"], r["amount"], r["rule"], r["explanation"])
            for r in lines(results, component_id="_plan")] == [
        ("2017-Q1", "draw", Dec("200.00"), "non-recoverable draw 500.00 per quarter",
         "earned 300.00 < draw 500.00 -> advance 200.00")]


TEAM_GATED_PERSONAL = """
plan: gate
period: quarter
components:
  - id: personal
    scope: payee
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: team
    scope: team
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
"""


def test_team_gate__on_a_payee_component_reads_the_plans_team_component(calc):
    def run(amount):
        return calc(TEAM_GATED_PERSONAL, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                    deals=[deal("d1", "ann", amount, "2017-02-01")],
                    targets=[target("payee", "ann", "personal", "100000"),
                             target("team", "east", "team", "100000")])
    # team 80,000 / 100,000 = 80% meets the gate: personal 7,500 x 0.5 x 0.8 = 3,000.00
    assert [r["amount"] for r in lines(run("80000"), component_id="personal")] == [
        Dec("3000.00")]
    # team 79,999.99: 79.99999% < 80% -> the personal line is blocked
    assert [r["explanation"] for r in lines(run("79999.99"), component_id="personal")] == [
        "personal Won 79,999.99 / target 100,000.00 = 80.0%; gate not met (team east at "
        "80.0%: personal pays from 80.0%) -> 0.00"]


def test_team_gate__a_plan_without_a_team_component_has_no_team_target(calc):
    plan = TEAM_GATED_PERSONAL.split("  - id: team")[0].replace("weight: 0.5", "weight: 1")
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "80000", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000")])
    assert [r["explanation"] for r in lines(results)] == [
        "personal Won 80,000.00 / target 100,000.00 = 80.0%; gate not met (team gate 80.0%: "
        "no team target) -> 0.00"]


def test_personal_gate__attainment_is_exact_beyond_28_digits(calc):
    # 200 / 300 = 0.666.. < the gate 0.66666666666666666666666666668; at the default 28
    # digits 2/3 would round up to 0.6666666666666666666666666667 and pass
    plan = PERSONAL_GATED.format(gate="0.66666666666666666666666666668")
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "200", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "300")])
    # personal: quarter TI 7,500 x 1 x 2/3 = 5,000.00; bonus gated: 0.00 (not 10% x 200)
    assert [(r["component_id"], r["amount"]) for r in lines(results)] == [
        ("personal", Dec("5000.00")), ("bonus", Dec("0.00"))]


PERSONAL_GATED = """
plan: gate
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [1, 1]]}}
  - id: bonus
    scope: payee
    measure: {{sum: amount, where: {{stage: Won}}}}
    gate: {{personal_attainment_at_least: {gate}}}
    payout: {{rate: 0.1}}
"""


def test_pool__weights_split_a_member_without_a_weight_gets_nothing(calc):
    results = run_pool(calc, "weights, weights: {ann: 3}",
                       [deal("d1", "ann", "10000", "2017-02-01")])
    # pool 100.00, weights ann 3, bob none (0): all 100.00 to Ann
    assert [(r["payee_id"], r["amount"]) for r in lines(results)] == [
        ("ann", Dec("100.00")), ("bob", Dec("0.00"))]


def test_pool__nobody_contributed_shares_split_equally_in_words(calc):
    results = run_pool(calc, "contribution", [deal("d1", "ann", "10000", "2017-02-01",
                                                   stage="Lost")])
    # no Won deals: pool 1% x 0 = 0.00; no weights, so each share reads 1/2 = 50.00%
    assert [(r["payee_id"], r["amount"], r["factor"]) for r in lines(results)] == [
        ("ann", Dec("0.00"), Dec("0.5")), ("bob", Dec("0.00"), Dec("0.5"))]


def test_pool__teams_without_members_and_a_blocked_first_member_are_skipped_over(calc):
    plan = pool("equal").replace("    payout:", "    gate: {min_contribution_share: 0.1}\n"
                                              "    payout:")
    payees = [{"payee_id": "amy", "name": "Amy", "target_incentive": "10000"}, *TWO]
    teams = [{"team_id": "aaa", "name": "Empty"}, *TEAMS]
    members = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
               for p in ("amy", "ann", "bob")]
    results = calc(plan, payees=payees, teams=teams, memberships=members,
                   deals=[deal("d1", "ann", "6000", "2017-02-01"),
                          deal("d2", "bob", "4000", "2017-02-01")])
    # team aaa has no members: no lines; east: pool 1% x 10,000 = 100.00; Amy (first)
    # contributed 0% < 10%: 0.00; Ann and Bob share equally (90 days each): 50.00 each
    assert [(r["team_id"], r["payee_id"], r["amount"]) for r in lines(results)] == [
        ("east", "amy", Dec("0.00")), ("east", "ann", Dec("50.00")),
        ("east", "bob", Dec("50.00"))]


def test_pool__parts_in_a_currency_without_cents(calc):
    plan = pool("equal").replace("period: quarter", "period: quarter\ncurrency: JPY")
    three = [*TWO, {"payee_id": "cat", "name": "Cat", "target_incentive": "10000"}]
    members = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
               for p in ("ann", "bob", "cat")]
    results = calc(plan, payees=three, teams=TEAMS, memberships=members,
                   deals=[deal("d1", "ann", "10001", "2017-02-01", currency="JPY")])
    # pool 1% x 10,001 = 100.01 -> 100 yen; 100 / 3 = 33.3..: 34, 33, 33
    assert [(r["payee_id"], r["amount"]) for r in lines(results)] == [
        ("ann", Dec("34")), ("bob", Dec("33")), ("cat", Dec("33"))]


CURVE = """
plan: curve
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {{{measure}, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [1, 1], [1.5, 2]], cap: 2}}
"""


def test_curve__a_tie_in_the_percent_text_takes_the_decimal_path_and_still_caps(calc):
    # 200,050 / 100,000 = 200.05%, a tie in the tenths of the text: worked out in Decimals.
    # Uncapped 2 + 0.5005 x 2 = 3.001; the cap 2 binds -> quarter TI 7,500 x 2 = 15,000.00
    results = calc(CURVE.format(measure="sum: amount"), payees=TWO[:1], teams=TEAMS,
                   memberships=JOINER[:1], deals=[deal("d1", "ann", "200050", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000")])
    assert [(r["amount"], r["factor"], r["explanation"]) for r in lines(results)] == [
        (Dec("15000.00"), Dec("2.000000000000"),
         "personal Won 200,050.00 / target 100,000.00 = 200.1% -> curve capped at 200.0% x "
         "TI 7,500.00 x 1 = 15,000.00")]


def test_curve__a_gated_line_on_the_decimal_path_keeps_its_measure_and_words(calc):
    plan = CURVE.format(measure="sum: amount") + \
        "    gate: {min_activity: {type: meeting, count: 1}}\n"
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "200050", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000")])
    # the same 200.05% tie as above, no meeting: 0.00, the line still shows the measure
    assert [(r["amount"], r["measure_value"], r["attainment"], r["explanation"])
            for r in lines(results)] == [
        (Dec("0.00"), Dec("200050"), Dec("2.0005"),
         "personal Won 200,050.00 / target 100,000.00 = 200.1%; gate not met (0 meeting "
         "activities: needs at least 1) -> 0.00")]


def test_curve__a_count_measure_on_the_decimal_path_shows_counts(calc):
    # 2,001 deals / 2,000 = 100.05%, a tie in the text: the count reads '2,001', not money;
    # 1.0005 -> 1 + 0.0005 x 2 = 1.001 -> 7,500 x 1.001 = 7,507.50
    results = calc(CURVE.format(measure="count: true"), payees=TWO[:1], teams=TEAMS,
                   memberships=JOINER[:1],
                   deals=[deal(f"d{i}", "ann", "1", "2017-02-01") for i in range(2001)],
                   targets=[target("payee", "ann", "personal", "2000")])
    assert [(r["amount"], r["explanation"]) for r in lines(results)] == [
        (Dec("7507.50"), "personal count of Won 2,001 / target 2,000.00 = 100.1% -> curve "
         "100.1% x TI 7,500.00 x 1 = 7,507.50")]


def test_missing_target__a_located_warning_and_no_line(calc):
    results = calc(CURVE.format(measure="sum: amount"), payees=TWO[:1], teams=TEAMS,
                   memberships=JOINER[:1], deals=[deal("d1", "ann", "100", "2017-02-01")])
    assert lines(results) == []
    assert [d.render() for d in results.diagnostics if d.code == "E010"] == [
        "plan.yaml:5:5: warning[E010]: no target for payee 'ann', component 'personal', "
        "period 2017-Q1: no personal line\n"
        "hint: add a row to the targets table or derive targets in the plan"]


def test_missing_target__located_at_the_components_target_key_when_it_has_one(calc):
    plan = CURVE.format(measure="sum: amount") + "    target: {source: file, measure: quota}\n"
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "100", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100")])
    # the target row names measure 'personal', the component reads 'quota': no target; the
    # warning points at line 10 (the target key), not at the component (line 5)
    assert lines(results) == []
    assert [d.render() for d in results.diagnostics if d.code == "E010"] == [
        "plan.yaml:10:5: warning[E010]: no target for payee 'ann', component 'personal', "
        "period 2017-Q1: no personal line\n"
        "hint: add a row to the targets table or derive targets in the plan"]


TWO_TEAM_COMPONENTS = """
plan: gates
period: quarter
components:
  - id: volume
    scope: team
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: margin
    scope: team
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0, 0], [1, 1]]}
"""


def test_team_gate__reads_its_own_component_not_the_plans_first_team_one(calc):
    results = calc(TWO_TEAM_COMPONENTS, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "90000", "2017-02-01")],
                   targets=[target("team", "east", "volume", "200000"),
                            target("team", "east", "margin", "100000")])
    # margin 90,000 / 100,000 = 90% >= 80%: pays 7,500 x 0.5 x 0.9 = 3,375.00 (volume is
    # 45%, which would block it); volume 7,500 x 0.5 x 0.45 = 1,687.50
    assert [(r["component_id"], r["amount"]) for r in lines(results)] == [
        ("volume", Dec("1687.50")), ("margin", Dec("3375.00"))]


def test_team_gate__each_team_of_a_mover_is_judged_on_its_own_attainment(calc):
    plan = TWO_TEAM_COMPONENTS.split("  - id: margin")[1].replace("weight: 0.5", "weight: 1")
    plan = "plan: gates\nperiod: quarter\ncomponents:\n  - id: margin" + plan
    results = calc(plan, payees=TWO[:1], teams=[*TEAMS, {"team_id": "west", "name": "West"}],
                   memberships=[{"payee_id": "ann", "team_id": "east",
                                 "start_date": "2017-01-01", "end_date": "2017-02-14"},
                                {"payee_id": "ann", "team_id": "west",
                                 "start_date": "2017-02-15"}],
                   deals=[deal("d1", "ann", "90000", "2017-02-01"),
                          deal("d2", "ann", "50000", "2017-03-01")],
                   targets=[target("team", "east", "margin", "100000"),
                            target("team", "west", "margin", "100000")])
    # 45 days in each (West, the later stint, is her main team). East 90% passes: 7,500 x
    # 0.9 x 45/90 = 3,375.00; West 50% < 80%: 0.00
    assert [(r["team_id"], r["amount"]) for r in lines(results)] == [
        ("east", Dec("3375.00")), ("west", Dec("0.00"))]


def test_component_cap__sums_every_line_of_the_component(calc):
    plan = """
plan: cap
period: quarter
components:
  - id: c
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.1}], basis: amount, mode: per_deal}
    cap_amount: 500
"""
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "4000", "2017-02-01"),
                          deal("d2", "ann", "4000", "2017-02-02")])
    # two deal lines of 10% x 4,000 = 400.00: 800.00 > the cap 500: -300.00
    assert [(r["line_type"], r["amount"]) for r in lines(results)] == [
        ("deal", Dec("400.00")), ("deal", Dec("400.00")), ("cap", Dec("-300.00"))]


def test_activity_gate__a_payee_without_activities_is_blocked(calc):
    plan = """
plan: act
period: quarter
components:
  - id: c
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    gate: {min_activity: {type: call, count: 5}}
    payout: {rate: 0.1}
"""
    results = calc(plan, payees=TWO, teams=TEAMS, memberships=JOINER,
                   deals=[deal("d1", "ann", "1000", "2017-02-01")],
                   activities=[{"payee_id": "bob", "type": "call", "date": "2017-03-05",
                                "quantity": "5"}])
    # Ann made no calls (0 < 5): blocked; Bob made 5: 10% x 0 = 0.00, not blocked
    assert [r["explanation"] for r in lines(results)] == [
        "c Won 1,000.00; gate not met (0 call activities: needs at least 5) -> 0.00",
        "c Won 0.00 -> x 10.00% = 0.00"]


def test_curve__a_yearly_plan_pays_the_whole_annual_ti(calc):
    plan = CURVE.format(measure="sum: amount").replace("period: quarter", "period: year")
    results = calc(plan, payees=TWO[:1], teams=TEAMS, memberships=JOINER[:1],
                   deals=[deal("d1", "ann", "50000", "2017-02-01")],
                   targets=[target("payee", "ann", "personal", "100000", "2017")])
    # 50,000 / 100,000 = 50% -> factor 0.5 x annual TI 30,000 (12 of 12 months) = 15,000.00
    assert [(r["period"], r["amount"], r["explanation"]) for r in lines(results)] == [
        ("2017", Dec("15000.00"), "personal Won 50,000.00 / target 100,000.00 = 50.0% -> "
         "curve 50.0% x TI 30,000.00 x 1 = 15,000.00")]


def test_eligible_roles__only_those_roles_get_lines_and_the_stages_are_timed(calc):
    plan = CURVE.format(measure="sum: amount").replace("period: quarter",
                                                       "period: quarter\neligible_roles: [AE]")
    payees = [{**TWO[0], "role": "AE"}, {**TWO[1], "role": "SE"}]
    results = calc(plan, payees=payees, teams=TEAMS, memberships=JOINER,
                   deals=[deal("d1", "ann", "50000", "2017-02-01"),
                          deal("d2", "bob", "50000", "2017-03-10")],
                   targets=[target("payee", p, "personal", "100000") for p in ("ann", "bob")])
    # bob is an SE: credited, but the plan pays AEs only -> ann alone: 50% x 7,500 = 3,750.00
    assert [(r["payee_id"], r["amount"]) for r in lines(results)] == [("ann", Dec("3750.00"))]
    assert list(results.timings) == ["check", "load", "credit", "measure", "activities",
                                     "target", "per_deal", "pay", "assemble"]


def test_targets__a_bad_period_label_in_the_targets_table_is_located(calc):
    with pytest.raises(InputError) as caught:
        calc(CURVE.format(measure="sum: amount"), payees=TWO[:1], teams=TEAMS,
             memberships=JOINER[:1], deals=[deal("d1", "ann", "100", "2017-02-01")],
             targets=[target("payee", "ann", "personal", "100", "2017-Q5")])
    assert [d.render() for d in caught.value.diagnostics.errors if d.code == "E011"] == [
        "<targets>: error[E011]: targets row 1: not a period label: '2017-Q5'; expected "
        "YYYY, YYYY-Qn or YYYY-MM"]


def test_pool__a_team_of_only_ineligible_members_does_not_stop_the_next(calc):
    # the plan pays AEs; team aaa's only member is an SE: no pool lines there; east
    # (Ann, an AE) still gets its pool: 1% x 5,000 = 50.00, all of it hers
    plan = pool("equal").replace("period: quarter", "period: quarter\neligible_roles: [AE]")
    payees = [{**TWO[0], "role": "AE"}, {**TWO[1], "role": "SE"}]
    results = calc(plan, payees=payees, teams=[{"team_id": "aaa", "name": "A"}, *TEAMS],
                   memberships=[{"payee_id": "bob", "team_id": "aaa",
                                 "start_date": "2017-01-01"}, JOINER[0]],
                   deals=[deal("d1", "ann", "5000", "2017-02-01"),
                          deal("d2", "bob", "7000", "2017-02-01")])
    assert [(r["team_id"], r["payee_id"], r["amount"]) for r in lines(results)] == [
        ("east", "ann", Dec("50.00"))]

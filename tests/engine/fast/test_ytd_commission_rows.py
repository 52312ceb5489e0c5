"""Year-to-date commission lines, whole rows: every field, a payee paid in another currency
(the period's difference converted at the period's rate, rounded in the payee's currency,
three places for KWD), a payee without a target (a located warning, no line, the next
payee still paid) and a gate that blocks a quarter before or after a paid one."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

PLAN = """
plan: ytd
period: quarter
effective: {start: 2017-01-01, end: 2017-06-30}
components:
  - id: sales
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.02}, {from: 1, rate: 0.05}], mode: whole}
    accumulate: ytd
"""
GATE = "    gate: {min_activity: {type: meeting, count: 1}}\n"
FIELDS = ("period", "payee_id", "component_id", "line_type", "measure_value", "target_amount",
          "attainment", "factor", "amount", "currency", "rule")
RULE = "commission, whole tiers (of target), year to date"
PAYEES = [{"payee_id": "abe", "name": "Abe", "target_incentive": "40000"},
          {"payee_id": "ann", "name": "Ann", "target_incentive": "40000"},
          {"payee_id": "bob", "name": "Bob", "target_incentive": "40000", "currency": "EUR"},
          {"payee_id": "cy", "name": "Cy", "target_incentive": "40000", "currency": "KWD"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p["payee_id"], "team_id": "east", "start_date": "2017-01-01"}
           for p in PAYEES]
ANN = [deal("d1", "ann", "90000", "2017-02-10"), deal("d2", "ann", "120000", "2017-05-10")]
DEALS = [deal("a1", "abe", "500", "2017-02-10"), *ANN,
         deal("b1", "bob", "90000", "2017-02-10"), deal("b2", "bob", "120000", "2017-05-10"),
         deal("c1", "cy", "100.05", "2017-02-10")]
# abe has no target
TARGETS = [target("payee", p, "sales", "100000", q)
           for p in ("ann", "bob", "cy") for q in ("2017-Q1", "2017-Q2")]
FX = [{"from_currency": "USD", "to_currency": "EUR", "period": "2017-Q1", "rate": "0.9"},
      {"from_currency": "USD", "to_currency": "EUR", "period": "2017-Q2", "rate": "0.8"},
      {"from_currency": "USD", "to_currency": "KWD", "period": "2017", "rate": "0.3071"}]
TIERS_Q1 = "tiers 2.00% from 0.00, 5.00% from 100,000.00 (all at the highest tier reached)"
TIERS_Q2 = "tiers 2.00% from 0.00, 5.00% from 200,000.00 (all at the highest tier reached)"


def row(period, payee, measure, target_amount, attainment, amount, currency):
    return (period, payee, "sales", "commission", Dec(measure), Dec(target_amount),
            Dec(attainment), None, Dec(amount), currency, RULE)


def test_ytd_commission_rows__every_field_in_three_currencies(calc):
    results = calc(PLAN, payees=PAYEES, teams=TEAMS, memberships=MEMBERS, deals=DEALS,
                   targets=TARGETS, fx_rates=FX)
    found = lines(results)
    # ann Q1: 90,000 / 100,000 = 90% (below the 100% tier): all at 2% = 1,800.00
    #     Q2 YTD: 210,000 / 200,000 = 105%: all at 5% = 10,500.00 - 1,800.00 = 8,700.00
    # bob: the same in USD, paid in EUR at each quarter's rate: 1,800.00 x 0.9 = 1,620.00,
    #     8,700.00 x 0.8 = 6,960.00
    # cy: 100.05 x 2% = 2.001 -> 2.00 USD x 0.3071 = 0.6142 -> 0.614 KWD (three places);
    #     Q2: 2.00 - 2.00 = 0.000
    assert [tuple(r[k] for k in FIELDS) for r in found] == [
        row("2017-Q1", "ann", "90000", "100000.00", "0.9", "1800.00", "USD"),
        row("2017-Q1", "bob", "90000", "100000.00", "0.9", "1620.00", "EUR"),
        row("2017-Q1", "cy", "100.05", "100000.00", "0.0010005", "0.614", "KWD"),
        row("2017-Q2", "ann", "210000", "200000.00", "1.05", "8700.00", "USD"),
        row("2017-Q2", "bob", "210000", "200000.00", "1.05", "6960.00", "EUR"),
        row("2017-Q2", "cy", "100.05", "200000.00", "0.00050025", "0.000", "KWD")]
    assert [r["explanation"] for r in found] == [
        f"sales Won YTD 90,000.00 / target 100,000.00 = 90.0% -> {TIERS_Q1} = 1,800.00; "
        "paid in earlier periods 0.00 -> 1,800.00",
        f"sales Won YTD 90,000.00 / target 100,000.00 = 90.0% -> {TIERS_Q1} = 1,800.00; "
        "paid in earlier periods 0.00 -> 1,800.00 x FX 0.9 USD->EUR = 1,620.00",
        f"sales Won YTD 100.05 / target 100,000.00 = 0.1% -> {TIERS_Q1} = 2.00; "
        "paid in earlier periods 0.00 -> 2.00 x FX 0.3071 USD->KWD = 0.614",
        f"sales Won YTD 210,000.00 / target 200,000.00 = 105.0% -> {TIERS_Q2} = 10,500.00; "
        "paid in earlier periods 1,800.00 -> 8,700.00",
        f"sales Won YTD 210,000.00 / target 200,000.00 = 105.0% -> {TIERS_Q2} = 10,500.00; "
        "paid in earlier periods 1,800.00 -> 8,700.00 x FX 0.8 USD->EUR = 6,960.00",
        f"sales Won YTD 100.05 / target 200,000.00 = 0.1% -> {TIERS_Q2} = 2.00; "
        "paid in earlier periods 2.00 -> 0.00 x FX 0.3071 USD->KWD = 0.00"]
    # abe has no target in either quarter: a warning each, no line (and the payees after
    # him are still paid, above)
    assert [d.render() for d in results.diagnostics if d.code == "E010"] == [
        f"plan.yaml:6:5: warning[E010]: no target for payee 'abe', component 'sales', period "
        f"{q} or an earlier period of its year: no sales line\n"
        "hint: add a row to the targets table or derive targets in the plan"
        for q in ("2017-Q1", "2017-Q2")]


def run_gate(calc, meeting_day):
    return calc(PLAN + GATE, payees=PAYEES[1:2], teams=TEAMS, memberships=MEMBERS[1:2],
                deals=ANN, targets=TARGETS[:2],
                activities=[{"payee_id": "ann", "type": "meeting", "date": meeting_day}])


def test_ytd_commission_rows__a_gate_blocked_first_quarter_is_caught_up(calc):
    found = lines(run_gate(calc, "2017-05-02"))
    # Q1: no meeting -> 0.00; Q2: met, YTD 10,500.00 - paid before 0.00 = 10,500.00
    assert [(r["period"], r["amount"], r["explanation"]) for r in found] == [
        ("2017-Q1", Dec("0.00"), "sales Won YTD 90,000.00 / target 100,000.00 = 90.0%; gate "
         "not met (0 meeting activities: needs at least 1) -> YTD 0.00 - paid before 0.00 = "
         "0.00"),
        ("2017-Q2", Dec("10500.00"), f"sales Won YTD 210,000.00 / target 200,000.00 = 105.0% "
         f"-> {TIERS_Q2} = 10,500.00; paid in earlier periods 0.00 -> 10,500.00")]


def test_ytd_commission_rows__a_gate_that_fails_after_a_paid_quarter_takes_it_back(calc):
    found = lines(run_gate(calc, "2017-02-02"))
    # Q1: met, 1,800.00; Q2: no meeting -> YTD 0.00 - paid before 1,800.00 = -1,800.00
    assert [(r["period"], r["amount"], r["explanation"]) for r in found] == [
        ("2017-Q1", Dec("1800.00"), f"sales Won YTD 90,000.00 / target 100,000.00 = 90.0% -> "
         f"{TIERS_Q1} = 1,800.00; paid in earlier periods 0.00 -> 1,800.00"),
        ("2017-Q2", Dec("-1800.00"), "sales Won YTD 210,000.00 / target 200,000.00 = 105.0%; "
         "gate not met (0 meeting activities: needs at least 1) -> YTD 0.00 - paid before "
         "1,800.00 = -1,800.00")]


def test_ytd_commission_rows__a_missing_target_is_located_at_the_target_key(calc):
    plan = PLAN + "    target: {source: file, measure: quota}\n"
    results = calc(plan, payees=PAYEES[1:2], teams=TEAMS, memberships=MEMBERS[1:2],
                   deals=ANN, targets=TARGETS[:2])
    # the rows name measure 'sales', the component reads 'quota': no target, no line; the
    # warning points at the target key (line 11), not at the component (line 6)
    assert lines(results) == []
    assert [d.render() for d in results.diagnostics if d.code == "E010"][0].startswith(
        "plan.yaml:11:5: warning[E010]: no target for payee 'ann', component 'sales', "
        "period 2017-Q1")


def test_ytd_commission_rows__the_plans_places_round_the_converted_difference(calc):
    # rounding to whole units: ann's Q1 1,800 USD x 0.9013 = 1,622.34 EUR -> 1,622 (the
    # plan's 0 places, not EUR's 2); Q2 8,700 x 0.8 = 6,960
    plan = PLAN.replace("period: quarter", "period: quarter\nrounding: {places: 0}")
    fx = [{**FX[0], "rate": "0.9013"}, FX[1]]
    results = calc(plan, payees=[{**PAYEES[1], "currency": "EUR"}], teams=TEAMS,
                   memberships=MEMBERS[1:2], deals=ANN, targets=TARGETS[:2], fx_rates=fx)
    assert [(r["period"], r["amount"], r["currency"]) for r in lines(results)] == [
        ("2017-Q1", Dec("1622"), "EUR"), ("2017-Q2", Dec("6960"), "EUR")]

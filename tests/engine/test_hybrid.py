"""The issue's hybrid plan: personal 40% + team 60%, team gate at 80%, on every backend."""

from decimal import Decimal as Dec

import pytest

from tests.engine.conftest import amounts, lines

HYBRID = """
plan: ae-hybrid-2017
period: quarter
currency: USD
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {source: deals, sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0.0], [1.0, 1.0], [1.5, 2.0]], cap: 2.5}
  - id: team
    scope: team
    weight: 0.6
    measure: {source: deals, sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0.8, 0.5], [1.0, 1.0], [1.3, 1.6]], cap: 2.0}
"""

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "80000"},
          {"payee_id": "bob", "name": "Bob", "target_incentive": "16000"}]
TEAMS = [{"team_id": "east", "name": "East"}, {"team_id": "west", "name": "West"}]


def target(kind, who, measure, amount, period="2017-Q1"):
    return {"subject_type": kind, "subject_id": who, "measure": measure, "period": period,
            "amount": amount}


def deal(deal_id, owner, amount, day, stage="Won", **extra):
    return {"deal_id": deal_id, "owner_id": owner, "amount": amount, "stage": stage,
            "close_date": day, **extra}


def test_hybrid__issue_example_explanation(calc):
    # Ann: annual TI 80,000 -> quarter TI 20,000. Team Won 412,000 / 400,000 = 103.0%
    # -> curve 1 + 0.03 x 2 = 1.06 -> 20,000 x 0.6 x 1.06 = 12,720.00
    results = calc(
        HYBRID, payees=PAYEES[:1], teams=TEAMS[:1],
        memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}],
        deals=[deal("d1", "ann", "412000", "2017-02-10")],
        targets=[target("team", "east", "team", "400000"),
                 target("payee", "ann", "personal", "400000")])
    (team_line,) = lines(results, component_id="team")
    assert team_line["explanation"] == (
        "team Won 412,000.00 / target 400,000.00 = 103.0% -> curve 106.0% x TI 20,000.00 x "
        "0.6 in team east = 12,720.00")
    assert team_line["amount"] == Dec("12720.00")
    # personal: 103% -> 1 + 0.03 x 2 = 1.06 -> 20,000 x 0.4 x 1.06 = 8,480.00
    assert amounts(results, component_id="personal") == {("ann", "personal", None):
                                                         Dec("8480.00")}
    # each curve component's line names its own rule (two rules in one run)
    assert {r["component_id"]: r["rule"] for r in lines(results)} == {
        "personal": "0.4 of target incentive on personal attainment; "
                    "curve 50%->0%, 100%->100%, 150%->200%, cap 250%",
        "team": "0.6 of target incentive on team attainment; "
                "curve 80%->50%, 100%->100%, 130%->160%, cap 200%"}


def test_hybrid__mid_quarter_move_credits_old_then_new_team_and_prorates(calc):
    results = calc(
        HYBRID, payees=PAYEES, teams=TEAMS,
        memberships=[
            {"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
            {"payee_id": "bob", "team_id": "east", "start_date": "2017-01-01",
             "end_date": "2017-02-14"},
            {"payee_id": "bob", "team_id": "west", "start_date": "2017-02-15"}],
        deals=[deal("d1", "ann", "60000", "2017-01-10"),
               deal("d2", "bob", "30000", "2017-02-01"),   # Bob still in East
               deal("d3", "bob", "25000", "2017-03-01"),   # Bob now in West
               deal("d4", "bob", "99000", "2017-03-01", stage="Lost")],
        targets=[target("payee", "ann", "personal", "50000"),
                 target("payee", "bob", "personal", "50000"),
                 target("team", "east", "team", "100000"),
                 target("team", "west", "team", "20000")])
    # Quarter TIs: Ann 80,000/4 = 20,000; Bob 16,000/4 = 4,000. Q1 2017 has 90 days;
    # Bob was in East Jan 1 - Feb 14 (45 days) and West Feb 15 - Mar 31 (45 days).
    # East Won 60,000 + 30,000 = 90,000 / 100,000 = 90% -> 0.5 + 0.1 x 2.5 = 0.75
    # West Won 25,000 / 20,000 = 125% -> 1 + 0.25 x 2 = 1.5
    # Ann personal 60,000/50,000 = 120% -> 1.4; Bob 55,000/50,000 = 110% -> 1.2
    assert amounts(results) == {
        ("ann", "personal", None): Dec("11200.00"),  # 20,000 x 0.4 x 1.4
        ("ann", "team", "east"): Dec("9000.00"),     # 20,000 x 0.6 x 0.75
        ("bob", "personal", None): Dec("1920.00"),   # 4,000 x 0.4 x 1.2
        ("bob", "team", "east"): Dec("900.00"),      # 4,000 x 0.6 x 0.75 x 45/90
        ("bob", "team", "west"): Dec("1800.00"),     # 4,000 x 0.6 x 1.5 x 45/90
    }
    (bob_west,) = lines(results, payee_id="bob", team_id="west")
    assert bob_west["explanation"] == (
        "team Won 25,000.00 / target 20,000.00 = 125.0% -> curve 150.0% x TI 4,000.00 x 0.6 "
        "x 45/90 days in team west = 1,800.00")


def test_hybrid__team_gate_blocks_below_80_percent(calc):
    results = calc(
        HYBRID, payees=PAYEES[:1], teams=TEAMS[:1],
        memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}],
        deals=[deal("d1", "ann", "74000", "2017-02-10")],
        targets=[target("team", "east", "team", "100000"),
                 target("payee", "ann", "personal", "100000")])
    (team_line,) = lines(results, component_id="team")
    assert team_line["amount"] == Dec("0.00")
    assert team_line["explanation"] == (
        "team Won 74,000.00 / target 100,000.00 = 74.0%; gate not met (team east at 74.0%: "
        "team pays from 80.0%) -> 0.00")
    # personal 74% -> (0.74 - 0.5) x 2 = 0.48 -> 20,000 x 0.4 x 0.48 = 3,840.00
    assert amounts(results, component_id="personal")[("ann", "personal", None)] == \
        Dec("3840.00")


def test_hybrid__caps_limit_the_factor(calc):
    results = calc(
        HYBRID, payees=PAYEES[:1], teams=TEAMS[:1],
        memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}],
        deals=[deal("d1", "ann", "300000", "2017-02-10")],
        targets=[target("team", "east", "team", "100000"),
                 target("payee", "ann", "personal", "100000")])
    # personal 300% -> 2 + 1.5 x 2 = 5.0, capped at 2.5 -> 20,000 x 0.4 x 2.5 = 20,000.00
    # team 300% -> 1.6 + 1.7 x 2 = 5.0, capped at 2.0 -> 20,000 x 0.6 x 2.0 = 24,000.00
    assert amounts(results) == {("ann", "personal", None): Dec("20000.00"),
                                ("ann", "team", "east"): Dec("24000.00")}
    (personal,) = lines(results, component_id="personal")
    assert "curve capped at 250.0%" in personal["explanation"]


def test_hybrid__no_deals_still_gets_a_zero_line_and_missing_target_warns(calc):
    results = calc(
        HYBRID, payees=PAYEES, teams=TEAMS[:1],
        memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
                     {"payee_id": "bob", "team_id": "east", "start_date": "2017-01-01"}],
        deals=[deal("d1", "ann", "10", "2017-02-10")],
        targets=[target("payee", "bob", "personal", "1000"),
                 target("team", "east", "team", "1000000")])
    assert amounts(results, payee_id="bob", component_id="personal") == {
        ("bob", "personal", None): Dec("0.00")}
    warnings = [d.render() for d in results.diagnostics]
    assert warnings == ["plan.yaml:6:5: warning[E010]: no target for payee 'ann', component "
                        "'personal', period 2017-Q1: no personal line\nhint: add a row to the "
                        "targets table or derive targets in the plan"]


@pytest.mark.spark
def test_hybrid__large_tables_reach_spark_through_parquet(spark_backend, monkeypatch):
    # Forcing the Parquet path for every table must not change a cent (the Arrow hand-off
    # and the Parquet read give Spark the same typed rows).
    from teamquota.data import Dataset
    from teamquota.engine.run import run
    from teamquota.plan import load_plan_text

    backend = spark_backend
    records = dict(
        payees=PAYEES, teams=TEAMS,
        memberships=[{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
                     {"payee_id": "bob", "team_id": "west", "start_date": "2017-01-01"}],
        deals=[deal("d1", "ann", "412000", "2017-02-10"), deal("d2", "bob", "1000.01",
                                                                "2017-03-01")],
        targets=[target("team", "east", "team", "400000"),
                 target("payee", "ann", "personal", "400000")])
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    direct = run(plan, Dataset.from_records(**records), backend=backend)
    monkeypatch.setattr(backend, "parquet_rows", 0)
    via_parquet = run(plan, Dataset.from_records(**records), backend=backend)
    assert via_parquet.payouts.to_pylist() == direct.payouts.to_pylist()
    assert via_parquet.credits.to_pylist() == direct.credits.to_pylist()

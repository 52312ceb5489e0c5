"""Dated leadership: a leader is credited for a team's deal when they led the team on the
deal's close date (the leaderships table); without one, teams.leader_id leads always."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal

PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": "40000", "role": role}
          for p, role in (("ann", "AE"), ("lea", "leader"), ("nina", "leader"),
                          ("vic", "leader"))]
# teams.leader_id names east's leader today (nina); na's leader vic has no leaderships rows
TEAMS = [{"team_id": "east", "name": "East", "leader_id": "nina", "parent_team_id": "na"},
         {"team_id": "na", "name": "North America", "leader_id": "vic"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]
# Lea leads east until 2017-09-30 (her last day), Nina from 2017-10-01
LEADS = [{"team_id": "east", "leader_id": "lea", "start_date": "2017-01-01",
          "end_date": "2017-09-30"},
         {"team_id": "east", "leader_id": "nina", "start_date": "2017-10-01"}]
# ann's deals on Lea's last day (2017-Q3) and on Nina's first (2017-Q4)
DEALS = [deal("d1", "ann", "1000", "2017-09-30"), deal("d2", "ann", "2000", "2017-10-01")]
PLAN = """
plan: leaders
period: quarter
crediting: {leaders: true, rollup: true}
components:
  - id: won
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {rate: 0.1}
"""
PERIODS = ["2017-Q3", "2017-Q4"]


def leader_rows(results):
    return sorted((r["deal_id"], r["subject_id"], r["amount"])
                  for r in results.credits.to_pylist() if r["rule"] == "leader")


def paid(results):
    """{(period, payee): amount} of the won component's lines."""
    return {(r["period"], r["payee_id"]): r["amount"]
            for r in lines(results, component_id="won")}


def test_leadership__a_deal_credits_who_led_the_team_on_its_close_date(calc):
    results = calc(PLAN, PERIODS, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=DEALS, leaderships=LEADS)
    # d1 (2017-09-30, Lea's last day) -> lea; d2 (2017-10-01, Nina's first) -> nina;
    # vic leads na undated (no leaderships rows for na), so both reach him by roll-up
    assert leader_rows(results) == [
        ("d1", "lea", Dec("1000.0000000000")), ("d1", "vic", Dec("1000.0000000000")),
        ("d2", "nina", Dec("2000.0000000000")), ("d2", "vic", Dec("2000.0000000000"))]
    # 10% of each measure: ann Q3 1,000 -> 100.00, Q4 2,000 -> 200.00;
    # lea Q3 1,000 -> 100.00, Q4 0 -> 0.00; nina Q3 0 -> 0.00, Q4 2,000 -> 200.00;
    # vic Q3 1,000 -> 100.00, Q4 2,000 -> 200.00
    assert paid(results) == {
        ("2017-Q3", "ann"): Dec("100.00"), ("2017-Q4", "ann"): Dec("200.00"),
        ("2017-Q3", "lea"): Dec("100.00"), ("2017-Q4", "lea"): Dec("0.00"),
        ("2017-Q3", "nina"): Dec("0.00"), ("2017-Q4", "nina"): Dec("200.00"),
        ("2017-Q3", "vic"): Dec("100.00"), ("2017-Q4", "vic"): Dec("200.00")}
    measures = {(r["period"], r["subject_id"]): r["measure_value"]
                for r in results.attainment.to_pylist() if r["subject_type"] == "payee"}
    assert (measures[("2017-Q3", "lea")], measures[("2017-Q4", "nina")]) == (
        Dec("1000"), Dec("2000"))


def test_leadership__without_a_leaderships_table_the_teams_leader_leads_always(calc):
    results = calc(PLAN, PERIODS, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=DEALS)
    # as before dated leadership: teams.leader_id nina is credited both deals, lea neither
    assert leader_rows(results) == [
        ("d1", "nina", Dec("1000.0000000000")), ("d1", "vic", Dec("1000.0000000000")),
        ("d2", "nina", Dec("2000.0000000000")), ("d2", "vic", Dec("2000.0000000000"))]
    # nina Q3 1,000 x 10% = 100.00, Q4 2,000 x 10% = 200.00; lea 0.00 both quarters
    assert {k: v for k, v in paid(results).items() if k[1] in ("lea", "nina")} == {
        ("2017-Q3", "lea"): Dec("0.00"), ("2017-Q4", "lea"): Dec("0.00"),
        ("2017-Q3", "nina"): Dec("100.00"), ("2017-Q4", "nina"): Dec("200.00")}


def test_leadership__a_player_coach_gets_no_leader_credit_on_their_own_deal(calc):
    # lea is a member of east and owns d1 on her last day as its leader
    members = [*MEMBERS, {"payee_id": "lea", "team_id": "east", "start_date": "2017-01-01"}]
    results = calc(PLAN, PERIODS, payees=PAYEES, teams=TEAMS, memberships=members,
                   deals=[deal("d1", "lea", "1000", "2017-09-30"), DEALS[1]],
                   leaderships=LEADS)
    # d1: lea's owner credit only (no leader credit on top), and none for nina, who did
    # not lead east on 2017-09-30; d2 (ann's, 2017-10-01) -> nina
    assert leader_rows(results) == [
        ("d1", "vic", Dec("1000.0000000000")),
        ("d2", "nina", Dec("2000.0000000000")), ("d2", "vic", Dec("2000.0000000000"))]
    # lea Q3: owner 1,000 x 10% = 100.00 (not 200.00); nina Q3 0.00, Q4 200.00
    assert {k: v for k, v in paid(results).items() if k[1] in ("lea", "nina")} == {
        ("2017-Q3", "lea"): Dec("100.00"), ("2017-Q4", "lea"): Dec("0.00"),
        ("2017-Q3", "nina"): Dec("0.00"), ("2017-Q4", "nina"): Dec("200.00")}


def test_leadership__a_team_with_no_leader_on_the_close_date_credits_no_leader(calc):
    # east has no leader from 2017-10-01 (Lea's span ended, no one followed yet)
    results = calc(PLAN, PERIODS, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=DEALS, leaderships=LEADS[:1])
    # d2 reaches no east leader (teams.leader_id nina does not stand in for a listed team)
    assert leader_rows(results) == [
        ("d1", "lea", Dec("1000.0000000000")), ("d1", "vic", Dec("1000.0000000000")),
        ("d2", "vic", Dec("2000.0000000000"))]

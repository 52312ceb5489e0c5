"""Crediting: splits, roll-up to parent teams, leaders and overlays (never double counted),
and currency conversion."""

from decimal import Decimal as Dec

from tests.engine.conftest import amounts
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": "40000", "role": role}
          for p, role in (("ann", "AE"), ("bob", "AE"), ("sam", "SE"), ("lee", "leader"))]
TEAMS = [{"team_id": "east", "name": "East", "leader_id": "lee", "parent_team_id": "na"},
         {"team_id": "west", "name": "West", "parent_team_id": "na"},
         {"team_id": "na", "name": "North America"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"},
           {"payee_id": "bob", "team_id": "west", "start_date": "2017-01-01"}]
MEASURE = """
plan: credit
period: quarter
crediting: {{leaders: true}}
components:
  - id: won
    scope: {scope}
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {payout}
"""


def credit_rows(results, **where):
    return sorted((r["subject_type"], r["subject_id"], r["rule"], r["amount"])
                  for r in results.credits.to_pylist()
                  if all(r[k] == v for k, v in where.items()))


def test_credit__split_deal_credits_each_payee_and_each_team_once(calc):
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "1000", "2017-02-01")],
                   splits=[{"deal_id": "d1", "payee_id": "ann", "share": "0.6"},
                           {"deal_id": "d1", "payee_id": "bob", "share": "0.4"}])
    # ann 600 (east), bob 400 (west); North America gets both halves by roll-up (1,000
    # in all, not 2,000); lee leads east so is credited ann's 600 as leader (not a team row)
    assert credit_rows(results, deal_id="d1") == [
        ("payee", "ann", "split", Dec("600.0000000000")),
        ("payee", "bob", "split", Dec("400.0000000000")),
        ("payee", "lee", "leader", Dec("600.0000000000")),
        ("team", "east", "membership", Dec("600.0000000000")),
        ("team", "na", "rollup", Dec("400.0000000000")),
        ("team", "na", "rollup", Dec("600.0000000000")),
        ("team", "west", "membership", Dec("400.0000000000")),
    ]
    # 10% commission: ann 60.00, bob 40.00, lee 60.00 (leader credit counts for his own pay)
    assert amounts(results) == {("ann", "won", None): Dec("60.00"),
                                ("bob", "won", None): Dec("40.00"),
                                ("lee", "won", None): Dec("60.00"),
                                ("sam", "won", None): Dec("0.00")}


def test_credit__overlay_credits_covering_payee_but_not_the_team(calc):
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "1000", "2017-02-01", account="Acme"),
                          deal("d2", "bob", "500", "2017-02-01", account="Beta")],
                   coverage=[{"payee_id": "sam", "covers_type": "account", "covers_id": "Acme",
                              "start_date": "2017-01-01", "share": "0.5"}])
    # sam covers Acme at 50%: 500 credit -> 50.00; the team east total stays 1,000
    assert amounts(results)[("sam", "won", None)] == Dec("50.00")
    assert credit_rows(results, subject_id="east") == [
        ("team", "east", "membership", Dec("1000.0000000000"))]


def test_credit__team_overlay_counts_first_and_last_covered_days(calc):
    # ann joins east on 2017-02-01; sam covers team east at 50% through February only.
    # d1 closes on both first days (membership and cover), d2 on the cover's last day,
    # d3 the day after it: sam is credited (1,000 + 400) x 0.5 = 700 -> 10% = 70.00
    # (a deal on the joining day is east's; the cover's end day is inside it)
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=PAYEES, teams=TEAMS,
                   memberships=[{"payee_id": "ann", "team_id": "east",
                                 "start_date": "2017-02-01"}],
                   deals=[deal("d1", "ann", "1000", "2017-02-01"),
                          deal("d2", "ann", "400", "2017-02-28"),
                          deal("d3", "ann", "200", "2017-03-01")],
                   coverage=[{"payee_id": "sam", "covers_type": "team", "covers_id": "east",
                              "start_date": "2017-02-01", "end_date": "2017-02-28",
                              "share": "0.5"}])
    assert credit_rows(results, subject_id="sam") == [
        ("payee", "sam", "overlay", Dec("200.0000000000")),
        ("payee", "sam", "overlay", Dec("500.0000000000"))]
    assert amounts(results)[("sam", "won", None)] == Dec("70.00")


def test_credit__parent_team_measure_is_sum_of_sub_teams(calc):
    plan = MEASURE.format(scope="team",
                          payout="{curve: [[0, 0], [1, 1]]}\n    weight: 1")
    results = calc(plan, payees=PAYEES, teams=TEAMS,
                   memberships=[*MEMBERS, {"payee_id": "lee", "team_id": "na",
                                           "start_date": "2017-01-01"}],
                   deals=[deal("d1", "ann", "300", "2017-02-01"),
                          deal("d2", "bob", "200", "2017-02-01")],
                   targets=[target("team", t, "won", "1000") for t in ("east", "west", "na")])
    # na = east 300 + west 200 = 500 / 1,000 = 50% -> 0.5 x TI 10,000 = 5,000.00 for lee
    att = {(r["subject_id"]): r["measure_value"] for r in results.attainment.to_pylist()}
    assert att == {"east": Dec("300"), "west": Dec("200"), "na": Dec("500")}
    assert amounts(results)[("lee", "won", "na")] == Dec("5000.00")


def test_credit__deals_convert_to_plan_currency_at_the_period_rate(calc):
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "1000", "2017-02-01", currency="EUR"),
                          deal("d2", "ann", "100", "2017-02-01")],
                   fx_rates=[{"from_currency": "EUR", "to_currency": "USD",
                              "period": "2017-Q1", "rate": "1.0625"}])
    # 1,000 EUR x 1.0625 = 1,062.50 USD + 100 USD = 1,162.50 x 10% = 116.25
    assert amounts(results) == {("ann", "won", None): Dec("116.25")}


def test_credit__payee_paid_in_other_currency(calc):
    payees = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000",
               "currency": "GBP"}]
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=payees, teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "1000", "2017-02-01")],
                   fx_rates=[{"from_currency": "USD", "to_currency": "GBP",
                              "period": "2017-Q1", "rate": "0.8"}])
    # 1,000 USD x 10% = 100 USD x 0.8 = 80.00 GBP
    (line,) = results.payouts.to_pylist()
    assert (line["amount"], line["currency"]) == (Dec("80.00"), "GBP")
    assert line["explanation"].endswith("x 10.00% x FX 0.8 USD->GBP = 80.00")


def test_credit__player_coach_is_credited_once_on_their_own_deal(calc):
    # lee leads east and is also a member of it; lee owns d1 (1,000)
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=PAYEES[3:], teams=TEAMS[:1] + TEAMS[2:],
                   memberships=[{"payee_id": "lee", "team_id": "east",
                                 "start_date": "2017-01-01"}],
                   deals=[deal("d1", "lee", "1000", "2017-02-01")])
    # owner credit 1,000 only (no second, leader credit on the same deal): 10% = 100.00
    assert credit_rows(results, subject_type="payee") == [
        ("payee", "lee", "owner", Dec("1000.0000000000"))]
    assert amounts(results) == {("lee", "won", None): Dec("100.00")}


def test_credit__player_coach_gets_leader_credit_on_the_rest_of_a_split_deal(calc):
    results = calc(MEASURE.format(scope="payee", payout="{rate: 0.1}"),
                   payees=[PAYEES[0], PAYEES[3]], teams=TEAMS[:1] + TEAMS[2:],
                   memberships=[MEMBERS[0], {"payee_id": "lee", "team_id": "east",
                                             "start_date": "2017-01-01"}],
                   deals=[deal("d1", "lee", "1000", "2017-02-01")],
                   splits=[{"deal_id": "d1", "payee_id": "lee", "share": "0.6"},
                           {"deal_id": "d1", "payee_id": "ann", "share": "0.4"}])
    # lee: own split 600 + leader credit on ann's 400 = 1,000 (the deal once) -> 100.00
    assert amounts(results) == {("ann", "won", None): Dec("40.00"),
                                ("lee", "won", None): Dec("100.00")}

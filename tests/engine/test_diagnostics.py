"""A run with bad input fails with every problem listed, each saying where and what."""

import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.test_hybrid import HYBRID, deal

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "1000"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]


def errors(calc, plan=HYBRID, **records) -> list[str]:
    with pytest.raises(InputError) as caught:
        calc(plan, **records)
    return [d.render() for d in caught.value.diagnostics.errors]


def test_run__measure_on_a_column_the_deals_do_not_have(calc):
    plan = HYBRID.replace("where: {stage: Won}}\n    payout: {curve: [[0.5",
                          "where: {segment: SMB}}\n    payout: {curve: [[0.5")
    assert errors(calc, plan, payees=PAYEES, teams=[{"team_id": "east", "name": "E"}],
                  memberships=MEMBERS, deals=[deal("d1", "ann", "1", "2017-01-02")]) == [
        "plan.yaml:9:43: error[E001]: component 'personal' uses column 'segment', which "
        "the deals table does not have\nhint: deals columns: account, amount, close_date, "
        "currency, deal_id, owner_id, product, stage"]


def test_run__deal_owner_not_in_payees(calc):
    assert errors(calc, payees=PAYEES, teams=[{"team_id": "east", "name": "E"}],
                  memberships=MEMBERS,
                  deals=[deal("d1", "zed", "1", "2017-01-02"),
                         deal("d2", "yan", "1", "2017-01-02")]) == [
        "error[E040]: 2 deal owner(s) are not in payees: yan, zed\nhint: their deals would "
        "credit no one; add them to payees"]


def test_run__team_hierarchy_cycle(calc):
    teams = [{"team_id": "east", "name": "E", "parent_team_id": "na"},
             {"team_id": "na", "name": "NA", "parent_team_id": "east"}]
    found = errors(calc, payees=PAYEES, teams=teams, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "1", "2017-01-02")])
    assert found[0] == ("error[E020]: team hierarchy has a cycle through 'east': east -> na "
                        "-> east\nhint: each team's parent_team_id must lead up to a root")


def test_run__missing_table(calc):
    assert errors(calc, payees=PAYEES, teams=[{"team_id": "east", "name": "E"}],
                  deals=[deal("d1", "ann", "1", "2017-01-02")]) == [
        "error[E050]: the memberships table is missing\nhint: load a memberships file "
        "(docs/data.md)"]


def test_run__payee_paid_in_a_currency_without_fx_rate(calc):
    payees = [{**PAYEES[0], "currency": "EUR"}]
    plan = """
plan: c
period: quarter
components:
  - id: sales
    scope: payee
    measure: {sum: amount}
    payout: {rate: 0.1}
"""
    assert errors(calc, plan, payees=payees, teams=[{"team_id": "east", "name": "E"}],
                  memberships=MEMBERS, deals=[deal("d1", "ann", "100", "2017-01-02")]) == [
        "error[E030]: no FX rate USD->EUR for 2017-Q1 (payee 'ann' is paid in EUR)\nhint: "
        "add the rate to the fx_rates table"]

"""A correction's cause in words: every input the two runs read, compared."""

from __future__ import annotations

from decimal import Decimal as D

from teamquota.ledger.causes import Inputs, describe


def test_describe__deals_added_removed_and_changed_in_deal_order():
    old = Inputs(credits={"A": D("100.00"), "B": D("50.00")})
    new = Inputs(credits={"B": D("75.50"), "C": D("1200.00")})
    assert describe(old, new) == ("deal A removed (was 100.00); deal B changed 50.00 -> 75.50;"
                                  " deal C added (1,200.00)")


def test_describe__shows_five_deals_and_counts_the_rest():
    new = Inputs(credits={f"D{i}": D(i) for i in range(1, 8)})
    text = describe(Inputs(), new)
    # 7 added: D1..D5 shown, "and 2 more deals"
    assert text == ("deal D1 added (1.00); deal D2 added (2.00); deal D3 added (3.00); "
                    "deal D4 added (4.00); deal D5 added (5.00); and 2 more deals")
    six = Inputs(credits={f"D{i}": D(i) for i in range(1, 6)})
    assert "more deals" not in describe(Inputs(), six)  # exactly five: all shown


def test_describe__targets_teams_and_plan_version():
    old = Inputs(targets={"team north 2017-Q3": D("100000.00"), "payee rita 2017-Q3": None},
                 plan_version="ae version 2", teams=frozenset({"north"}))
    new = Inputs(targets={"team north 2017-Q3": D("90000.00"),
                          "payee rita 2017-Q3": D("5000.00")},
                 plan_version="ae version 3", teams=frozenset({"south", "east"}))
    assert describe(old, new) == (
        "target payee rita 2017-Q3 none -> 5,000.00; "
        "target team north 2017-Q3 100,000.00 -> 90,000.00; "
        "team membership north -> east, south; plan ae version 2 -> ae version 3")


def test_describe__a_team_or_plan_appearing_from_none():
    assert describe(Inputs(), Inputs(teams=frozenset({"north"}), plan_version="ae v1")) == \
        "team membership none -> north; plan none -> ae v1"
    assert describe(Inputs(teams=frozenset({"north"})), Inputs()) == \
        "team membership north -> none"


def test_describe__says_so_when_none_of_its_inputs_changed():
    same = Inputs(credits={"A": D("1.00")}, targets={"t": D("2.00")}, plan_version="v",
                  teams=frozenset({"north"}))
    assert describe(same, same) == (
        "recalculated with the same deals, targets, teams and plan version "
        "(memberships' days, target incentives or assignments changed)")

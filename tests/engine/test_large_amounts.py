"""The largest amount the loader accepts (9,999,999,999,999.99: data.limits) is credited
exactly when a split share or an fx rate multiplies it, on every backend (the product was
worked out in decimal(20,10), which holds amounts below 10^10: a run failed E999)."""

from decimal import Decimal as Dec

import pytest

from teamquota.core.diagnostics import InputError
from tests.engine.test_hybrid import deal

PLAN = """
plan: big
period: quarter
components:
  - id: won
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {rate: 0.01}
"""
PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": "40000"}
          for p in ("ann", "bob")]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
           for p in ("ann", "bob")]
LARGEST = "9999999999999.99"


def credited(results):
    return {(r["subject_id"], r["deal_id"]): r["amount"]
            for r in results.credits.to_pylist() if r["subject_type"] == "payee"}


def test_large__a_split_of_the_largest_deal_is_credited_to_the_tenth_place(calc):
    results = calc(PLAN, payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", LARGEST, "2017-02-01")],
                   splits=[{"deal_id": "d1", "payee_id": p, "share": "0.5"}
                           for p in ("ann", "bob")])
    # 9,999,999,999,999.99 x 0.5 = 4,999,999,999,999.995 each; 1% of it = 49,999,999,999.99995
    # -> 50,000,000,000.00
    assert credited(results) == {("ann", "d1"): Dec("4999999999999.995"),
                                 ("bob", "d1"): Dec("4999999999999.995")}
    assert {r["payee_id"]: r["amount"] for r in results.payouts.to_pylist()} == {
        "ann": Dec("50000000000.00"), "bob": Dec("50000000000.00")}


def test_large__the_largest_foreign_deal_is_converted_to_the_tenth_place(calc):
    results = calc(PLAN, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", LARGEST, "2017-02-01", currency="EUR")],
                   fx_rates=[{"from_currency": "EUR", "to_currency": "USD",
                              "period": "2017", "rate": "1.23456789"}])
    # 9,999,999,999,999.99 x 1.23456789 = 12,345,678,899,999.9876543211 (exact: 10
    # places); 1% = 123,456,788,999.999876... -> 123,456,789,000.00
    assert credited(results) == {("ann", "d1"): Dec("12345678899999.9876543211")}
    (line,) = results.payouts.to_pylist()
    assert line["amount"] == Dec("123456789000.00")


def test_large__a_split_or_foreign_deal_at_the_product_limit_is_refused_by_id(calc):
    deals = [deal("d1", "ann", "10000000000000.00", "2017-02-01"),
             deal("d2", "ann", "10000000000000.00", "2017-02-01", currency="EUR"),
             deal("d3", "ann", "-10000000000000.00", "2017-02-01", stage="Lost"),
             deal("d4", "ann", "99999999999999.99", "2017-02-01")]  # alone: fine
    with pytest.raises(InputError) as caught:
        calc(PLAN, payees=PAYEES, teams=TEAMS, memberships=MEMBERS, deals=deals,
             splits=[{"deal_id": d, "payee_id": p, "share": "0.5"}
                     for d in ("d1", "d3") for p in ("ann", "bob")],
             fx_rates=[{"from_currency": "EUR", "to_currency": "USD", "period": "2017",
                        "rate": "1"}])
    assert [d.render() for d in caught.value.diagnostics.errors] == [
        "error[E054]: 3 split or foreign-currency deal(s) of 10,000,000,000,000.00 or more: "
        "d1, d2, d3\nhint: a share or an fx rate multiplies amounts exactly below "
        "10,000,000,000,000.00; split or convert such a deal in the source system"]


def test_large__an_unsplit_deal_above_the_product_limit_is_paid(calc):
    results = calc(PLAN, payees=PAYEES[:1], teams=TEAMS, memberships=MEMBERS[:1],
                   deals=[deal("d1", "ann", "99999999999999.99", "2017-02-01")])
    # 1% of 99,999,999,999,999.99 = 999,999,999,999.9999 -> 1,000,000,000,000.00
    assert [r["amount"] for r in results.payouts.to_pylist()] == [Dec("1000000000000.00")]

"""Team pools: rate x team measure, split exactly to the cent; the free-rider guard."""

from decimal import Decimal as Dec

from tests.engine.conftest import amounts, lines
from tests.engine.test_hybrid import deal

PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": ti}
          for p, ti in (("ann", "30000"), ("bob", "20000"), ("cat", "10000"))]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": p, "team_id": "east", "start_date": "2017-01-01"}
           for p in ("ann", "bob", "cat")]


def pool_plan(split: str, extra: str = "", gate: str = "") -> str:
    return f"""
plan: pool
period: quarter
components:
  - id: pool
    scope: team
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{pool: {{rate: 0.01, split: {split}{extra}}}}}
    {gate}
"""


def run(calc, split, deals, extra="", gate=""):
    return calc(pool_plan(split, extra, gate), payees=PAYEES, teams=TEAMS,
                memberships=MEMBERS, deals=deals)


def test_pool__equal_split_allocates_the_pennies(calc):
    # pool 1% x 10,000.00 = 100.00; 100.00 / 3 = 33.333..: floors 33.33 each leave 0.01,
    # which goes to the first largest remainder (all equal: ann) -> 33.34, 33.33, 33.33
    results = run(calc, "equal", [deal("d1", "ann", "10000", "2017-02-01")])
    assert amounts(results) == {("ann", "pool", "east"): Dec("33.34"),
                                ("bob", "pool", "east"): Dec("33.33"),
                                ("cat", "pool", "east"): Dec("33.33")}
    assert sum(amounts(results).values()) == Dec("100.00")
    assert lines(results, payee_id="bob")[0]["explanation"] == (
        "pool 1.00% x pool Won 10,000.00 = 100.00; share 33.33% by equal (90/90 days) = 33.33")


def test_pool__ti_share_split(calc):
    # pool 1% x 12,000 = 120.00 split 30k:20k:10k -> 60.00, 40.00, 20.00
    results = run(calc, "ti_share", [deal("d1", "cat", "12000", "2017-02-01")])
    assert amounts(results) == {("ann", "pool", "east"): Dec("60.00"),
                                ("bob", "pool", "east"): Dec("40.00"),
                                ("cat", "pool", "east"): Dec("20.00")}


def test_pool__contribution_split(calc):
    # pool 1% x (6,000 + 3,000 + 1,000) = 100.00 split 6:3:1 -> 60.00, 30.00, 10.00
    results = run(calc, "contribution", [deal("d1", "ann", "6000", "2017-02-01"),
                                         deal("d2", "bob", "3000", "2017-02-01"),
                                         deal("d3", "cat", "1000", "2017-02-01")])
    assert amounts(results) == {("ann", "pool", "east"): Dec("60.00"),
                                ("bob", "pool", "east"): Dec("30.00"),
                                ("cat", "pool", "east"): Dec("10.00")}


def test_pool__fixed_weights(calc):
    # pool 100.00 with weights 1:1:2 -> 25.00, 25.00, 50.00
    results = run(calc, "weights", [deal("d1", "ann", "10000", "2017-02-01")],
                  extra=", weights: {ann: 1, bob: 1, cat: 2}")
    assert amounts(results)[("cat", "pool", "east")] == Dec("50.00")


def test_pool__free_rider_guard_excludes_members_below_min_contribution(calc):
    # cat contributed 200 of 10,000 = 2% < 5%: she gets 0.00 and says why;
    # ann and bob share 100.00 equally -> 50.00 each
    results = run(calc, "equal", [deal("d1", "ann", "5000", "2017-02-01"),
                                  deal("d2", "bob", "4800", "2017-02-01"),
                                  deal("d3", "cat", "200", "2017-02-01")],
                  gate="gate: {min_contribution_share: 0.05}")
    assert amounts(results) == {("ann", "pool", "east"): Dec("50.00"),
                                ("bob", "pool", "east"): Dec("50.00"),
                                ("cat", "pool", "east"): Dec("0.00")}
    assert lines(results, payee_id="cat")[0]["explanation"] == (
        "pool 1.00% x pool Won 10,000.00 = 100.00; not sharing (contribution 200.00 of team "
        "10,000.00 = 2.0%: the pool needs at least 5.0%) -> 0.00")


def test_pool__shares_paid_in_other_currencies_round_by_the_plans_mode_in_their_places(calc):
    plan = pool_plan("equal").replace("period: quarter", "period: quarter\nrounding: {mode: down}")
    payees = [dict(PAYEES[0]), {**PAYEES[1], "currency": "EUR"}, {**PAYEES[2], "currency": "KWD"}]
    results = calc(plan, payees=payees, teams=TEAMS, memberships=MEMBERS,
                   deals=[deal("d1", "ann", "10000", "2017-02-01")],
                   fx_rates=[{"from_currency": "USD", "to_currency": c, "period": "2017",
                              "rate": r} for c, r in (("EUR", "0.9"), ("KWD", "0.3071"))])
    # pool 1% x 10,000.00 = 100.00 -> 33.34 / 33.33 / 33.33 (largest remainder, to ann);
    # bob: 33.33 x 0.9 = 29.997 -> 29.99 EUR (down); cat: 33.33 x 0.3071 = 10.235643 ->
    # 10.235 KWD (down, three places)
    assert {(r["payee_id"], r["currency"]): r["amount"] for r in lines(results)} == {
        ("ann", "USD"): Dec("33.34"), ("bob", "EUR"): Dec("29.99"),
        ("cat", "KWD"): Dec("10.235")}

"""Whole payout rows, every field (measure, target, attainment, factor, currency, rule),
for two small plans that touch most line kinds: a gated contribution pool, and a plan with
a capped curve, per-deal tiers, a gated SPIF, a capped commission and a plan cap."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

FIELDS = [
    "period",
    "payee_id",
    "component_id",
    "line_type",
    "team_id",
    "deal_id",
    "measure_value",
    "target_amount",
    "attainment",
    "factor",
    "amount",
    "currency",
    "rule",
]
THREE = [
    {"payee_id": p, "name": p.title(), "target_incentive": ti}
    for p, ti in (("ann", "30000"), ("bob", "20000"), ("cat", "10000"))
]
EAST = [{"team_id": "east", "name": "East"}]
MEMBERS = [
    {"payee_id": p, "team_id": "east", "start_date": "2017-01-01"} for p in ("ann", "bob", "cat")
]

PER_DEAL_RULE = ("commission per deal, tiers filled in close-date order: 1.00% from 0%, "
                 "2.00% from 50% of target")


def rows(results):
    return [tuple(r[k] for k in FIELDS) for r in lines(results)]


POOL = """
plan: pool
period: quarter
components:
  - id: pool
    scope: team
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.5, min_contribution_share: 0.2}
    payout: {pool: {rate: 0.01, split: contribution}}
"""


def test_whole_rows__gated_contribution_pool(calc):
    results = calc(
        POOL,
        payees=THREE,
        teams=EAST,
        memberships=MEMBERS,
        deals=[
            deal("d1", "ann", "10000", "2017-02-01"),
            deal("d2", "bob", "5000", "2017-03-01"),
            deal("d3", "cat", "1000", "2017-03-01"),
        ],
        targets=[target("team", "east", "pool", "20000")],
    )
    # team 16,000 / 20,000 = 80% >= 50%; pool 1% x 16,000 = 160.00. Cat contributed
    # 1,000 / 16,000 = 6.25% < 20%: not sharing. Ann 10,000 and Bob 5,000 share by
    # contribution: 2/3 x 160 = 106.666.. and 1/3 = 53.333..: floors 106.66 + 53.33 leave a
    # cent, to Ann's larger remainder -> 106.67, 53.33
    assert rows(results) == [
        (
            "2017-Q1",
            "ann",
            "pool",
            "pool",
            "east",
            None,
            Dec("16000.0000000000"),
            Dec("20000.00"),
            Dec("0.800000000000"),
            Dec("0.666666666667"),
            Dec("106.67"),
            "USD",
            "team pool 1.00% of team measure, split contribution",
        ),
        (
            "2017-Q1",
            "bob",
            "pool",
            "pool",
            "east",
            None,
            Dec("16000.0000000000"),
            Dec("20000.00"),
            Dec("0.800000000000"),
            Dec("0.333333333333"),
            Dec("53.33"),
            "USD",
            "team pool 1.00% of team measure, split contribution",
        ),
        (
            "2017-Q1",
            "cat",
            "pool",
            "pool",
            "east",
            None,
            Dec("16000.0000000000"),
            Dec("20000.00"),
            Dec("0.800000000000"),
            None,
            Dec("0.00"),
            "USD",
            "team pool 1.00% of team measure, split contribution",
        ),
    ]
    assert [r["explanation"] for r in lines(results)][2] == (
        "pool 1.00% x pool Won 16,000.00 = 160.00; not sharing (contribution 1,000.00 of "
        "team 16,000.00 = 6.3%: the pool needs at least 20.0%) -> 0.00"
    )


MIXED = """
plan: mixed
period: quarter
cap_amount: 2000
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1]], cap: 1.5}
  - id: deals
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 0.5, rate: 0.02}], mode: per_deal}
  - id: spif
    scope: payee
    measure: {count: true, where: {stage: Won, amount: {gte: 20000}}}
    gate: {personal_attainment_at_least: 0.6}
    payout: {per_deal: 100}
  - id: bonus
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    gate: {personal_attainment_at_least: 0.6}
    payout: {rate: 0.001}
    cap_amount: 30
"""


def test_whole_rows__curve_per_deal_spif_capped_commission_and_plan_cap(calc):
    results = calc(
        MIXED,
        payees=THREE[:2],
        teams=EAST,
        memberships=MEMBERS[:2],
        deals=[
            deal("d1", "ann", "30000", "2017-02-01"),
            deal("d2", "ann", "20000", "2017-02-03"),
            deal("d3", "bob", "10000", "2017-03-01"),
        ],
        targets=[
            target("payee", who, c, amount)
            for who, amount in (("ann", "60000"), ("bob", "40000"))
            for c in ("personal", "deals")
        ],
    )
    # Ann (quarter TI 7,500): 50,000 / 60,000 = 83.3% -> (0.8333 - 0.5) / 0.5 = 0.6667 ->
    # 5,000.00; per deal (tier 2 from 0.5 x 60,000 = 30,000): d1 0 -> 30,000 at 1% = 300.00,
    # d2 30,000 -> 50,000 at 2% = 400.00; SPIF d1, d2 (>= 20,000; 83% >= 60%) 100.00 each;
    # bonus 0.1% x 50,000 = 50.00, capped at 30: -20.00; total 5,000 + 300 + 400 + 200 +
    # 50 - 20 = 5,930.00 > plan cap 2,000: -3,930.00
    # Bob: 10,000 / 40,000 = 25% < 50%: curve 0.00; d3 0 -> 10,000 at 1% = 100.00; no
    # qualifying deal; bonus gated (25% < 60%): 0.00
    assert rows(results) == [
        (
            "2017-Q1",
            "ann",
            "personal",
            "curve",
            None,
            None,
            Dec("50000.0000000000"),
            Dec("60000.00"),
            Dec("0.833333333333"),
            Dec("0.666666666667"),
            Dec("5000.00"),
            "USD",
            "1 of target incentive on personal attainment; curve 50%->0%, 100%->100%, cap 150%",
        ),
        (
            "2017-Q1",
            "ann",
            "deals",
            "deal",
            None,
            "d1",
            Dec("30000.0000000000"),
            Dec("60000.00"),
            None,
            None,
            Dec("300.00"),
            "USD",
            PER_DEAL_RULE,
        ),
        (
            "2017-Q1",
            "ann",
            "deals",
            "deal",
            None,
            "d2",
            Dec("20000.0000000000"),
            Dec("60000.00"),
            None,
            None,
            Dec("400.00"),
            "USD",
            PER_DEAL_RULE,
        ),
        (
            "2017-Q1",
            "ann",
            "spif",
            "spif",
            None,
            "d1",
            Dec("1.0000000000"),
            None,
            None,
            Dec("100.000000000000"),
            Dec("100.00"),
            "USD",
            "SPIF 100.00 per qualifying deal",
        ),
        (
            "2017-Q1",
            "ann",
            "spif",
            "spif",
            None,
            "d2",
            Dec("1.0000000000"),
            None,
            None,
            Dec("100.000000000000"),
            Dec("100.00"),
            "USD",
            "SPIF 100.00 per qualifying deal",
        ),
        (
            "2017-Q1",
            "ann",
            "bonus",
            "commission",
            None,
            None,
            Dec("50000.0000000000"),
            None,
            None,
            None,
            Dec("50.00"),
            "USD",
            "commission, marginal tiers (of target)",
        ),
        (
            "2017-Q1",
            "ann",
            "bonus",
            "cap",
            None,
            None,
            None,
            None,
            None,
            None,
            Dec("-20.00"),
            "USD",
            "bonus capped at 30.00 per period",
        ),
        (
            "2017-Q1",
            "ann",
            "_plan",
            "cap",
            None,
            None,
            None,
            None,
            None,
            None,
            Dec("-3930.00"),
            "USD",
            "plan cap 2,000.00",
        ),
        (
            "2017-Q1",
            "bob",
            "personal",
            "curve",
            None,
            None,
            Dec("10000.0000000000"),
            Dec("40000.00"),
            Dec("0.250000000000"),
            Dec("0E-12"),
            Dec("0.00"),
            "USD",
            "1 of target incentive on personal attainment; curve 50%->0%, 100%->100%, cap 150%",
        ),
        (
            "2017-Q1",
            "bob",
            "deals",
            "deal",
            None,
            "d3",
            Dec("10000.0000000000"),
            Dec("40000.00"),
            None,
            None,
            Dec("100.00"),
            "USD",
            PER_DEAL_RULE,
        ),
        (
            "2017-Q1",
            "bob",
            "bonus",
            "commission",
            None,
            None,
            Dec("10000.0000000000"),
            None,
            None,
            None,
            Dec("0.00"),
            "USD",
            "commission, marginal tiers (of target)",
        ),
    ]

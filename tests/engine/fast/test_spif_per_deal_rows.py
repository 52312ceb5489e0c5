"""SPIF lines gated per payee (every qualifying deal of a blocked payee a 0.00 line) and
per-deal tiers filled year to date in a fiscal year starting in February, whole rows."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

FIELDS = [
    "period",
    "payee_id",
    "component_id",
    "line_type",
    "deal_id",
    "measure_value",
    "factor",
    "amount",
    "explanation",
]
PAYEES = [
    {"payee_id": p, "name": p.title(), "target_incentive": "40000"} for p in ("amy", "ann", "bob")
]
EAST = [{"team_id": "east", "name": "East"}]
MEMBERS = [
    {"payee_id": p, "team_id": "east", "start_date": "2016-01-01"} for p in ("amy", "ann", "bob")
]


def rows(results):
    return [tuple(r[k] for k in FIELDS) for r in lines(results)]


SPIF = """
plan: spif
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: spif
    scope: payee
    measure: {count: true, where: {stage: Won, amount: {gte: 1000}}}
    gate: {personal_attainment_at_least: 0.5}
    payout: {per_deal: 100}
"""


def test_spif_rows__a_blocked_payee_gets_a_zero_line_per_qualifying_deal(calc):
    results = calc(
        SPIF,
        payees=PAYEES,
        teams=EAST,
        memberships=MEMBERS,
        deals=[
            deal("d1", "amy", "2000", "2017-01-15"),
            deal("d2", "amy", "3000", "2017-01-16"),
            deal("d3", "ann", "20000", "2017-02-15"),
            deal("d4", "bob", "1000", "2017-04-15"),
        ],
        targets=[
            target("payee", "amy", "personal", "20000"),
            target("payee", "ann", "personal", "10000"),
        ],
    )
    # quarter TI 10,000. Amy 5,000 / 20,000 = 25% -> 2,500.00; under the 50% gate her two
    # qualifying deals pay 0.00 each. Ann 200% -> 20,000.00 and 100.00 for d3. Bob has no
    # target: no curve line, and his Q2 deal d4 (1,000 qualifies) is gated: 0.00
    assert rows(results) == [
        (
            "2017-Q1",
            "amy",
            "personal",
            "curve",
            None,
            Dec("5000.0000000000"),
            Dec("0.250000000000"),
            Dec("2500.00"),
            (
                "personal Won 5,000.00 / target 20,000.00 = 25.0% -> curve 25.0% x TI 10,000.00 x "
                "1 = 2,500.00"
            ),
        ),
        (
            "2017-Q1",
            "amy",
            "spif",
            "spif",
            "d1",
            Dec("1.0000000000"),
            None,
            Dec("0.00"),
            (
                "spif count of Won: deal d1 qualifies; gate not met (personal attainment 25.0%: "
                "spif needs at least 50.0%) -> 0.00"
            ),
        ),
        (
            "2017-Q1",
            "amy",
            "spif",
            "spif",
            "d2",
            Dec("1.0000000000"),
            None,
            Dec("0.00"),
            (
                "spif count of Won: deal d2 qualifies; gate not met (personal attainment 25.0%: "
                "spif needs at least 50.0%) -> 0.00"
            ),
        ),
        (
            "2017-Q1",
            "ann",
            "personal",
            "curve",
            None,
            Dec("20000.0000000000"),
            Dec("2.000000000000"),
            Dec("20000.00"),
            (
                "personal Won 20,000.00 / target 10,000.00 = 200.0% -> curve 200.0% x TI "
                "10,000.00 x 1 = 20,000.00"
            ),
        ),
        (
            "2017-Q1",
            "ann",
            "spif",
            "spif",
            "d3",
            Dec("1.0000000000"),
            Dec("100.000000000000"),
            Dec("100.00"),
            "spif count of Won: deal d3 qualifies -> 100.00",
        ),
        (
            "2017-Q2",
            "bob",
            "spif",
            "spif",
            "d4",
            Dec("1.0000000000"),
            None,
            Dec("0.00"),
            (
                "spif count of Won: deal d4 qualifies; gate not met (personal attainment no "
                "target: spif needs at least 50.0%) -> 0.00"
            ),
        ),
    ]


PER_DEAL_YTD = """
plan: pd
period: quarter
year_start_month: 2
effective: {start: 2016-11-01, end: 2017-07-31}
components:
  - id: c
    scope: payee
    accumulate: ytd
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 1000, rate: 0.1}], basis: amount, mode: per_deal}
"""


def test_per_deal_ytd_rows__the_running_total_restarts_with_the_fiscal_year(calc):
    results = calc(
        PER_DEAL_YTD,
        payees=PAYEES[1:2],
        teams=EAST,
        memberships=MEMBERS[1:2],
        deals=[
            deal("d1", "ann", "600", "2016-12-15"),
            deal("d2", "ann", "600", "2017-01-20"),
            deal("d3", "ann", "600", "2017-02-10"),
            deal("d4", "ann", "600", "2017-05-10"),
        ],
    )
    # FY2017 (Feb 2016 - Jan 2017): d1 0 -> 600 at 1% = 6.00; d2 600 -> 1,200: 400 x 1% +
    # 200 x 10% = 24.00. FY2018 starts Feb 1, 2017: d3 0 -> 600 = 6.00; d4 (Q2) continues
    # the year: 600 -> 1,200 = 24.00
    assert rows(results) == [
        (
            "2017-Q4",
            "ann",
            "c",
            "deal",
            "d1",
            Dec("600.0000000000"),
            None,
            Dec("6.00"),
            (
                "deal d1 600.00: running total 0.00 -> 600.00 at 1.00% from 0.00, 10.00% from "
                "1,000.00 = 6.00"
            ),
        ),
        (
            "2017-Q4",
            "ann",
            "c",
            "deal",
            "d2",
            Dec("600.0000000000"),
            None,
            Dec("24.00"),
            (
                "deal d2 600.00: running total 600.00 -> 1,200.00 at 1.00% from 0.00, 10.00% from "
                "1,000.00 = 24.00"
            ),
        ),
        (
            "2018-Q1",
            "ann",
            "c",
            "deal",
            "d3",
            Dec("600.0000000000"),
            None,
            Dec("6.00"),
            (
                "deal d3 600.00: running total 0.00 -> 600.00 at 1.00% from 0.00, 10.00% from "
                "1,000.00 = 6.00"
            ),
        ),
        (
            "2018-Q2",
            "ann",
            "c",
            "deal",
            "d4",
            Dec("600.0000000000"),
            None,
            Dec("24.00"),
            (
                "deal d4 600.00: running total 600.00 -> 1,200.00 at 1.00% from 0.00, 10.00% from "
                "1,000.00 = 24.00"
            ),
        ),
    ]

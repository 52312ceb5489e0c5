"""Year-to-date curve lines, whole rows, in a fiscal year starting in December: each
quarter pays the year-to-date payout less what the year's earlier quarters paid."""

from decimal import Decimal as Dec

from tests.engine.conftest import lines
from tests.engine.test_hybrid import deal, target

FIELDS = [
    "period",
    "payee_id",
    "component_id",
    "line_type",
    "measure_value",
    "target_amount",
    "attainment",
    "factor",
    "amount",
    "rule",
    "explanation",
]
YTD = """
plan: ytd
period: quarter
year_start_month: 12
effective: {start: 2017-12-01, end: 2018-08-31}
components:
  - id: personal
    scope: payee
    weight: 0.5
    accumulate: ytd
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1], [2, 3]], cap: 1.5}
  - id: other
    scope: payee
    weight: 0.5
    measure: {sum: amount, where: {stage: Lost}}
    payout: {curve: [[0, 0], [1, 1]]}
"""
PAYEES = [{"payee_id": p, "name": p.title(), "target_incentive": "40000"} for p in ("amy", "ann")]


def test_ytd_rows__fiscal_quarters_fall_cap_and_a_payee_missing_later_targets(calc):
    results = calc(
        YTD,
        payees=PAYEES,
        teams=[{"team_id": "east", "name": "East"}],
        memberships=[
            {"payee_id": p, "team_id": "east", "start_date": "2017-01-01"} for p in ("amy", "ann")
        ],
        deals=[
            deal("d1", "ann", "120000", "2018-01-15"),
            deal("d2", "ann", "30000", "2018-04-15"),
            deal("d3", "ann", "250000", "2018-07-15"),
            deal("d4", "amy", "50000", "2018-01-15"),
        ],
        targets=[
            target("payee", "ann", "personal", "100000", q)
            for q in ("2018-Q1", "2018-Q2", "2018-Q3")
        ]
        + [target("payee", "amy", "personal", "100000", "2018-Q1")],
    )
    # FY2018 from Dec 2017: Q1 Dec-Feb, Q2 Mar-May, Q3 Jun-Aug; quarter TI 10,000.
    # Amy: Q1 50% -> 0 -> 0.00; no targets after Q1, so no later lines.
    # Ann Q1: 120,000 / 100,000 = 120% -> 1 + 0.2 x 2 = 1.4 -> 10,000 x 0.5 x 1.4 = 7,000.00
    # Q2: 150,000 / 200,000 = 75% -> 0.5 -> 20,000 x 0.5 x 0.5 = 5,000.00 - 7,000.00 = -2,000.00
    # Q3: 400,000 / 300,000 = 133.3% -> 1 + 0.333 x 2 = 1.667, capped 1.5 -> 30,000 x 0.5 x
    #     1.5 = 22,500.00 - 5,000.00 paid by Q1 and Q2 = 17,500.00
    assert [tuple(r[k] for k in FIELDS) for r in lines(results, component_id="personal")] == [
        (
            "2018-Q1",
            "amy",
            "personal",
            "curve",
            Dec("50000.0000000000"),
            Dec("100000.00"),
            Dec("0.500000000000"),
            Dec("0E-12"),
            Dec("0.00"),
            "0.5 of target incentive, year to date",
            (
                "personal Won YTD 50,000.00 / target 100,000.00 = 50.0% -> curve 0.0% x YTD TI "
                "10,000.00 x 0.5 = 0.00; paid in earlier periods 0.00 -> 0.00"
            ),
        ),
        (
            "2018-Q1",
            "ann",
            "personal",
            "curve",
            Dec("120000.0000000000"),
            Dec("100000.00"),
            Dec("1.200000000000"),
            Dec("1.400000000000"),
            Dec("7000.00"),
            "0.5 of target incentive, year to date",
            (
                "personal Won YTD 120,000.00 / target 100,000.00 = 120.0% -> curve 140.0% x YTD TI "
                "10,000.00 x 0.5 = 7,000.00; paid in earlier periods 0.00 -> 7,000.00"
            ),
        ),
        (
            "2018-Q2",
            "ann",
            "personal",
            "curve",
            Dec("150000.0000000000"),
            Dec("200000.00"),
            Dec("0.750000000000"),
            Dec("0.500000000000"),
            Dec("-2000.00"),
            "0.5 of target incentive, year to date",
            (
                "personal Won YTD 150,000.00 / target 200,000.00 = 75.0% -> curve 50.0% x YTD TI "
                "20,000.00 x 0.5 = 5,000.00; paid in earlier periods 7,000.00 -> -2,000.00"
            ),
        ),
        (
            "2018-Q3",
            "ann",
            "personal",
            "curve",
            Dec("400000.0000000000"),
            Dec("300000.00"),
            Dec("1.333333333333"),
            Dec("1.500000000000"),
            Dec("17500.00"),
            "0.5 of target incentive, year to date",
            (
                "personal Won YTD 400,000.00 / target 300,000.00 = 133.3% -> curve capped at "
                "150.0% x YTD TI 30,000.00 x 0.5 = 22,500.00; paid in earlier periods 5,000.00 -> "
                "17,500.00"
            ),
        ),
    ]

"""The benchmark's plan, ae-hybrid-2017, as constants, and its payout arithmetic, exact.

The pandas and per-row baselines finish with these functions; the hand SQL and the engine
do their own arithmetic, so agreement between them is a real check. The arithmetic runs
in ``Fraction``: an attainment like 1/3 has no finite decimal, and rounding it to any
number of digits can push a payout that is exactly a half cent to the wrong side.
``tests/bench`` checks the constants against the plan file when it exists.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

PLAN_FILE = Path(__file__).resolve().parents[1] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml"
D = Decimal
PERIOD_MONTHS = 3
PERSONAL_WEIGHT = D("0.4")
PERSONAL_CURVE = ((D("0.5"), D("0")), (D("1.0"), D("1.0")), (D("1.5"), D("2.0")))
PERSONAL_CAP = D("2.5")
TEAM_WEIGHT = D("0.6")
TEAM_GATE = D("0.8")
TEAM_CURVE = ((D("0.8"), D("0.5")), (D("1.0"), D("1.0")), (D("1.3"), D("1.6")))
TEAM_CAP = D("2.0")
WON = "Won"
CENT = D("0.01")


def curve(points: tuple[tuple[Decimal, Decimal], ...], cap: Decimal,
          attainment: Fraction) -> Fraction:
    """0 below the first point, linear between points, last slope beyond, then capped."""
    if attainment < points[0][0]:
        return Fraction(0)
    segment = len(points) - 2
    for i in range(len(points) - 1):
        if attainment < points[i + 1][0]:
            segment = i
            break
    (x0, y0), (x1, y1) = (tuple(map(Fraction, p)) for p in points[segment:segment + 2])
    return min(y0 + (y1 - y0) * (attainment - x0) / (x1 - x0), Fraction(cap))


def period_ti(annual: Decimal) -> Fraction:
    return Fraction(annual) * PERIOD_MONTHS / 12


def personal_amount(annual_ti: Decimal, measure: Decimal, target: Decimal) -> Decimal:
    factor = curve(PERSONAL_CURVE, PERSONAL_CAP, Fraction(measure) / Fraction(target))
    return round_cents(period_ti(annual_ti) * Fraction(PERSONAL_WEIGHT) * factor)


def team_amount(annual_ti: Decimal, measure: Decimal, target: Decimal, days: int,
                period_days: int) -> Decimal:
    attainment = Fraction(measure) / Fraction(target)
    if attainment < TEAM_GATE:
        return D("0.00")
    factor = curve(TEAM_CURVE, TEAM_CAP, attainment)
    return round_cents(period_ti(annual_ti) * Fraction(TEAM_WEIGHT) * factor
                       * Fraction(days, period_days))


def round_cents(amount: Fraction) -> Decimal:
    """Half-up to cents (amounts here are never negative): floor(100x + 1/2)."""
    doubled = amount * 200
    cents = (doubled.numerator + doubled.denominator) // (2 * doubled.denominator)
    return (D(cents) * CENT).quantize(CENT)


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)

"""The benchmark's plan, ae-hybrid-2017, as constants, and its payout arithmetic, exact.

The pandas and per-row baselines finish with these functions; the hand SQL and the engine
do their own arithmetic, so agreement between them is a real check. Money is turned into
integer cents and each payout into one integer fraction, rounded half-up once: an
attainment like 1/3 has no finite decimal, and rounding it to any number of digits can
push a payout that is exactly a half cent to the wrong side. (``Fraction`` would be as
exact, but its gcd on every operation makes the finish several times slower.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

PLAN_FILE = Path(__file__).resolve().parent / "ae-hybrid.yaml"
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


@dataclass(frozen=True)
class _Segment:
    start: Fraction
    # on this segment f(M / T) = (a M + b T) / (c T), all integers
    a: int
    b: int
    c: int


class Curve:
    """A piecewise-linear curve evaluated at a = M / T on integers only.

    0 below the first point, linear between points, the last segment's slope beyond the
    last point, then limited by ``cap``.
    """

    def __init__(self, points: tuple[tuple[Decimal, Decimal], ...], cap: Decimal) -> None:
        xy = [(Fraction(x), Fraction(y)) for x, y in points]
        self.first = xy[0][0]
        self.cap = Fraction(cap)
        self.segments = []
        for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False):
            slope = (y1 - y0) / (x1 - x0)
            intercept = y0 - slope * x0      # f = slope a + intercept
            c = slope.denominator * intercept.denominator
            self.segments.append(_Segment(x0, slope.numerator * intercept.denominator,
                                          intercept.numerator * slope.denominator, c))

    def factor(self, m: int, t: int) -> tuple[int, int]:
        """f(m / t) as (numerator, denominator); t > 0."""
        if _below(m, t, self.first):
            return 0, 1
        seg = next(s for s in reversed(self.segments) if not _below(m, t, s.start))
        num, den = seg.a * m + seg.b * t, seg.c * t
        if num * self.cap.denominator >= self.cap.numerator * den:
            return self.cap.numerator, self.cap.denominator
        return num, den


def _below(m: int, t: int, x: Fraction) -> bool:
    """m / t < x, without dividing."""
    return m * x.denominator < x.numerator * t


PERSONAL = Curve(PERSONAL_CURVE, PERSONAL_CAP)
TEAM = Curve(TEAM_CURVE, TEAM_CAP)
_PW, _TW, _GATE = Fraction(PERSONAL_WEIGHT), Fraction(TEAM_WEIGHT), Fraction(TEAM_GATE)


def cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))  # amounts have at most two decimals


def round_half_up(num: int, den: int) -> Decimal:
    """num / den cents (both >= 0, den > 0), rounded half-up, as a Decimal amount."""
    return D((2 * num + den) // (2 * den)).scaleb(-2)


def personal_amount(annual_ti: Decimal, measure: Decimal, target: Decimal) -> Decimal:
    """TI x 3/12 x 0.4 x curve(measure / target), rounded once."""
    fnum, fden = PERSONAL.factor(cents(measure), cents(target))
    return round_half_up(cents(annual_ti) * PERIOD_MONTHS * _PW.numerator * fnum,
                         12 * _PW.denominator * fden)


def team_amount(annual_ti: Decimal, measure: Decimal, target: Decimal, days: int,
                period_days: int) -> Decimal:
    """TI x 3/12 x 0.6 x curve(team measure / team target) x days / period days; 0 below
    the gate."""
    m, t = cents(measure), cents(target)
    if _below(m, t, _GATE):
        return D("0.00")
    fnum, fden = TEAM.factor(m, t)
    return round_half_up(cents(annual_ti) * PERIOD_MONTHS * _TW.numerator * fnum * days,
                         12 * _TW.denominator * fden * period_days)


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)

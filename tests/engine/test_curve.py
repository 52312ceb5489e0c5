"""Curve and tier arithmetic, exactly (no backend involved)."""

import random
from decimal import Decimal as Dec
from fractions import Fraction

import pytest

from teamquota.engine.curve import (
    Segments,
    as_ratio,
    curve_factor,
    curve_ratio,
    tiered_commission,
)

PERSONAL = [(Dec("0.5"), Dec("0")), (Dec("1.0"), Dec("1.0")), (Dec("1.5"), Dec("2.0"))]


@pytest.mark.parametrize(("attainment", "expected"), [
    ("0.49", "0"),      # below the first point pays nothing
    ("0.5", "0"),       # at the first point: its payout, 0
    ("0.75", "0.5"),    # halfway 0.5..1.0: 0 + 0.25 x (1-0)/(0.5) = 0.5
    ("1.0", "1.0"),
    ("1.2", "1.4"),     # 1 + 0.2 x (2-1)/0.5 = 1.4
    ("1.5", "2.0"),
    ("1.7", "2.4"),     # beyond the last point the slope 2 continues: 2 + 0.2 x 2 = 2.4
])
def test_curve_factor__piecewise_linear(attainment, expected):
    assert curve_factor(PERSONAL, Dec(attainment)) == Dec(expected)


def test_curve_factor__cap_limits_the_continued_slope():
    # 2.0 + (2.0 - 1.5) x 2 = 3.0 uncapped; the cap 2.5 binds
    assert curve_factor(PERSONAL, Dec("2.0"), Dec("2.5")) == Dec("2.5")


def test_curve_factor__step_at_first_point():
    team = [(Dec("0.8"), Dec("0.5")), (Dec("1.0"), Dec("1.0")), (Dec("1.3"), Dec("1.6"))]
    assert curve_factor(team, Dec("0.7999")) == 0
    assert curve_factor(team, Dec("0.8")) == Dec("0.5")
    # 1.0 + 0.03 x (1.6 - 1.0)/0.3 = 1.06, the example
    assert curve_factor(team, Dec("1.03")) == Dec("1.06")


def test_curve_factor__same_result_with_fractions():
    points = [(Fraction(x), Fraction(y)) for x, y in PERSONAL]
    assert curve_factor(points, Fraction(6, 5)) == Fraction(7, 5)


TIERS = [(Dec("0"), Dec("0.02")), (Dec("100"), Dec("0.05"))]


def test_tiered_commission__marginal_pays_each_slice_at_its_rate():
    # 100 x 2% + 50 x 5% = 2 + 2.5
    assert tiered_commission(Dec("150"), TIERS, "marginal") == Dec("4.50")


def test_tiered_commission__whole_pays_all_at_highest_tier_reached():
    assert tiered_commission(Dec("150"), TIERS, "whole") == Dec("7.50")  # 150 x 5%
    assert tiered_commission(Dec("99"), TIERS, "whole") == Dec("1.98")   # 99 x 2%


def test_tiered_commission__zero_until_quota_pays_only_above_the_floor():
    # quota 120: 0 below; (150-120) x 5% = 1.5 (the 2% tier ends at 100, below quota)
    assert tiered_commission(Dec("150"), TIERS, "marginal", Dec("120")) == Dec("1.50")


def test_curve_ratio__integer_fractions_equal_the_fraction_curve():
    # curve_ratio (the per-line fast path) against curve_factor on Fractions, at and
    # around every point, below the first, beyond the last and past the cap
    team = [(Dec("0.8"), Dec("0.5")), (Dec("1.0"), Dec("1.0")), (Dec("1.3"), Dec("1.6"))]
    rng = random.Random(5)
    for points, cap in ((PERSONAL, Dec("2.5")), (team, Dec("2.0")), (team, None)):
        exact = [(as_ratio(x), as_ratio(y)) for x, y in points]
        fractions = [(Fraction(x), Fraction(y)) for x, y in points]
        tries = [Fraction(x) + d for x, _ in points
                 for d in (Fraction(-1, 10**9), 0, Fraction(1, 10**9))]
        tries += [Fraction(rng.randint(0, 3 * 10**6), rng.randint(1, 10**6))
                  for _ in range(2000)]
        for a in tries:
            n, d = curve_ratio(exact, (a.numerator, a.denominator),
                               None if cap is None else as_ratio(cap))
            assert Fraction(n, d) == curve_factor(fractions, a,
                                                  None if cap is None else Fraction(cap))


def test_segments__the_curve_ratio_values_in_fewer_products():
    segments = Segments(PERSONAL)
    # 1.2: 1 + 0.2 x 2 = 1.4; 1.7: 2 + 0.2 x 2 = 2.4 (the last slope goes on); 0.4: below
    assert Fraction(*segments.factor((6, 5))) == Fraction(7, 5)
    assert Fraction(*segments.factor((17, 10))) == Fraction(12, 5)
    assert segments.factor((2, 5)) == (0, 1)
    rng = random.Random(7)
    exact = [(as_ratio(x), as_ratio(y)) for x, y in PERSONAL]
    for _ in range(500):
        attainment = (rng.randint(0, 10**9), rng.randint(1, 10**8))
        assert Fraction(*segments.factor(attainment)) == Fraction(
            *curve_ratio(exact, attainment))

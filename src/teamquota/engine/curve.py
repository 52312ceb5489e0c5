"""Payout curves and commission tiers as exact arithmetic.

Functions use plain operators so they run on ``Decimal`` (inside the 60-digit ``EXACT``
context) and on ``Fraction`` alike; the pay stage recomputes the rare line that lands on a
rounding tie with fractions.

Curve semantics (pinned by tests): 0 below the first point; linear between points; beyond
the last point the last segment's slope continues; the result is then limited by the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from teamquota.core.money import fmt_pct

N = TypeVar("N", Decimal, Fraction)


def curve_factor(points: Sequence[tuple[N, N]], attainment: N, cap: N | None = None) -> N:
    """The payout factor for ``attainment`` on a piecewise-linear curve."""
    zero = attainment * 0
    if attainment < points[0][0]:
        return zero
    segment = len(points) - 2
    for i in range(len(points) - 1):
        if attainment <= points[i + 1][0]:
            segment = i
            break
    (x0, y0), (x1, y1) = points[segment], points[segment + 1]
    factor = y0 + (attainment - x0) * (y1 - y0) / (x1 - x0)
    factor = max(factor, zero)
    return min(factor, cap) if cap is not None else factor


Ratio = tuple[int, int]  # numerator, denominator > 0


def as_ratio(value: Decimal) -> Ratio:
    return value.as_integer_ratio()


def curve_ratio(points: Sequence[tuple[Ratio, Ratio]], attainment: Ratio,
                cap: Ratio | None = None) -> Ratio:
    """:func:`curve_factor` in integer fractions: exact, and cheap enough to run per line
    (a Fraction normalises and type-checks at every step; this only multiplies)."""
    num, den = attainment
    (x0n, x0d), _ = points[0]
    if num * x0d < x0n * den:
        return 0, 1
    # the segment ending at the first point at or past the attainment; past the
    # second-to-last point it is the last one
    segment = len(points) - 2
    for i in range(len(points) - 2):
        xn, xd = points[i + 1][0]
        if num * xd <= xn * den:
            segment = i
            break
    ((x0n, x0d), (y0n, y0d)), ((x1n, x1d), (y1n, y1d)) = points[segment], points[segment + 1]
    # y0 + (a - x0) (y1 - y0) / (x1 - x0); x1 > x0 (the plan checks), so every
    # denominator below is positive
    rise = (num * x0d - x0n * den) * (y1n * y0d - y0n * y1d) * x1d
    run = den * y0d * y1d * (x1n * x0d - x0n * x1d)
    fn, fd = y0n * run + rise * y0d, y0d * run
    if fn < 0:
        return 0, 1
    if cap is not None and fn * cap[1] > cap[0] * fd:
        return cap
    return fn, fd


class Segments:
    """A curve before its cap, each segment as f(p / q) = (a p + b q) / (c q) in reduced
    integers worked out once: evaluating it for an attainment takes three products where
    :func:`curve_ratio` takes a dozen, on smaller numbers."""

    def __init__(self, points: Sequence[tuple[Decimal, Decimal]]):
        self.points = [(Fraction(x), Fraction(y)) for x, y in points]
        self.first = self.points[0][0].as_integer_ratio()
        # a segment ends at the next point; the last one runs on past the last point
        self.ends = [x.as_integer_ratio() for x, _ in self.points[1:-1]]
        self.lines = []
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False):
            slope = (y1 - y0) / (x1 - x0)
            start = y0 - x0 * slope
            self.lines.append((slope.numerator * start.denominator,
                               start.numerator * slope.denominator,
                               start.denominator * slope.denominator))

    def factor(self, attainment: Ratio) -> Ratio:
        """:func:`curve_ratio` without a cap (the same value, in other integers)."""
        num, den = attainment
        if num * self.first[1] < self.first[0] * den:
            return 0, 1
        segment = len(self.ends)
        for i, (xn, xd) in enumerate(self.ends):
            if num * xd <= xn * den:
                segment = i
                break
        a, b, c = self.lines[segment]
        fn = a * num + b * den
        return (0, 1) if fn < 0 else (fn, c * den)


def describe_curve(points: Sequence[tuple[Decimal, Decimal]], attainment: Decimal,
                   factor: Decimal, cap: Decimal | None) -> str:
    """Words for how the factor was read off the curve (statement text)."""
    if attainment < points[0][0]:
        return f"below the curve's first point {fmt_pct(points[0][0])} -> 0.0%"
    if cap is not None and factor == cap and curve_factor(points, attainment) > cap:
        return f"curve capped at {fmt_pct(cap)}"
    return f"curve {fmt_pct(factor)}"


def tiered_commission(value: N, tiers: Sequence[tuple[N, N]], mode: str,
                      floor: N | None = None) -> N:
    """Commission on ``value`` for tiers whose thresholds are already in currency.

    ``marginal``: each slice at its own tier's rate. ``whole``: all value at the rate of
    the highest tier reached ("retroactive"). ``floor`` (zero-until-quota): nothing below
    it pays, slices above it pay marginally.
    """
    zero = value * 0
    if value <= zero:
        return zero
    if mode == "whole":
        reached = [rate for start, rate in tiers if value >= start]
        return value * reached[-1] if reached else zero
    total = zero
    for i, (start, rate) in enumerate(tiers):
        bottom = start if floor is None else max(start, floor)
        top = value if i + 1 == len(tiers) else min(value, tiers[i + 1][0])
        if top > bottom:
            total = total + (top - bottom) * rate
    return total

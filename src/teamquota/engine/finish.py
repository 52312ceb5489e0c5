"""Exact finishing: compute a line at 60 digits, round once; recompute ties as fractions."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from teamquota.core.money import EXACT, near_boundary, quantum, round_fraction, round_money

Compute = Callable[[Callable[[Any], Any]], Any]


def _as_decimal(value: Any) -> Any:
    return value if isinstance(value, Decimal) else Decimal(value)


def _as_fraction(value: Any) -> Fraction:
    return Fraction(value)


def finish(compute: Compute, currency: str, mode: str, places: int) -> tuple[Decimal, Decimal]:
    """(rounded amount, unrounded value). ``compute(N)`` builds the value from numbers
    converted with ``N`` — Decimal first; Fraction if the Decimal lands near a rounding
    boundary of the mode (a half cent, or a whole cent for ``up``/``down``)."""
    with localcontext(EXACT):
        value = compute(_as_decimal)
    if near_boundary(value, places, mode):  # type: ignore[arg-type]
        exact = compute(_as_fraction)
        return round_fraction(exact, places, mode), value  # type: ignore[arg-type]
    return round_money(value, currency, mode, places), value  # type: ignore[arg-type]


def shown(value: Decimal, places: int = 12) -> Decimal:
    """A ratio for the output tables, with a fixed number of places."""
    return value.quantize(quantum(places), context=EXACT)


# How far from a rounding tie, in parts of the last place, an exact ratio must lie for
# shown_and_percent to round it: 10^-12 of a unit is far more than a 60-digit (EXACT) or
# 28-digit (default context) Decimal of a ratio below 10^6 can be off.
_CLEARANCE = 10**12
_SHOWN_SCALE = 10**12
_BEYOND_TENTHS = 10**9  # 12 places = tenths of a percent (3 places) and 9 more


def shown_and_percent(numerator: int, denominator: int) -> tuple[Decimal, str] | None:
    """:func:`shown` and ``fmt_pct`` of numerator / denominator (>= 0, denominator > 0)
    from one integer division, or None when the ratio is a tie, or less than 10^-12 of a
    unit from one, for either rounding: there a Decimal of the ratio, which ``shown`` and
    ``fmt_pct`` round, could round the other way. Clear of ties rounding half-even (shown)
    and half-up (fmt_pct) agree."""
    units, rest = divmod(numerator * _SHOWN_SCALE, denominator)
    gap = 2 * rest - denominator
    if abs(gap) * _CLEARANCE < denominator:
        return None
    tenths, beyond = divmod(units, _BEYOND_TENTHS)
    # twice what lies beyond the tenths, less a tenth, in units of 10^-12 / denominator
    tenths_gap = 2 * (beyond * denominator + rest) - denominator * _BEYOND_TENTHS
    if abs(tenths_gap) * _CLEARANCE < denominator * _BEYOND_TENTHS:
        return None
    tenths += tenths_gap > 0
    return (Decimal(units + (gap > 0)).scaleb(-12, context=EXACT),
            f"{tenths // 10}.{tenths % 10}%")

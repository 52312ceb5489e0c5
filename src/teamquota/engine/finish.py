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

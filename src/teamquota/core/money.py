"""Exact money: every amount and rate is a ``Decimal`` made through :func:`D`.

Floats never enter: ``D(0.1)`` is a bug (binary floats cannot hold 0.1), so it raises.
Rounding happens once, at a payout line, through :func:`round_money` with the plan's mode.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Literal

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")

# Precision for the exact finishing arithmetic (attainment ratios, curve slopes). Inputs are
# at most 18 digits with 2-10 decimals; 60 significant digits keeps every ratio of such
# values far from any rounding boundary, so results equal exact rational arithmetic.
EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)

RoundingMode = Literal["half_up", "half_even", "down", "up"]
_MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
}

# ISO 4217 minor units for the currencies sales organisations commonly pay in; any other
# three-letter code defaults to 2 and can be set in a plan's ``rounding.places``.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2,
    "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "INR": 2, "CNY": 2, "HKD": 2,
    "SGD": 2, "BRL": 2, "MXN": 2, "ZAR": 2, "ILS": 2, "AED": 2, "SAR": 2, "TRY": 2,
    "PHP": 2, "THB": 2, "MYR": 2, "IDR": 2, "RON": 2, "JPY": 0, "KRW": 0, "CLP": 0,
    "ISK": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}


def D(value: Decimal | int | str) -> Decimal:
    """Make an exact Decimal from an int, a numeric string or a Decimal (never a float)."""
    if isinstance(value, bool | float):
        raise TypeError(f"money must not be a {type(value).__name__}: {value!r}; pass a string")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except decimal.InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite decimal number: {value!r}")
        return result
    raise TypeError(f"cannot make money from {type(value).__name__}: {value!r}")


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(0, 13)}


def quantum(places: int) -> Decimal:
    """10^-places as a Decimal (cached: statements format hundreds of thousands of lines)."""
    found = _QUANTA.get(places)
    return found if found is not None else Decimal(1).scaleb(-places)


def round_money(
    amount: Decimal, currency: str = "USD", mode: RoundingMode = "half_up",
    places: int | None = None,
) -> Decimal:
    """Round once, to the currency's minor unit (or ``places``), by the plan's rule."""
    digits = minor_unit(currency) if places is None else places
    return amount.quantize(quantum(digits), rounding=_MODES[mode], context=EXACT)


def exact_div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Divide with 60 significant digits (see ``EXACT``); never rounds to cents."""
    return EXACT.divide(numerator, denominator)


def fmt_money(amount: Decimal, places: int = 2) -> str:
    """1234567.5 -> '1,234,567.50' (statement text)."""
    return f"{amount.quantize(quantum(places), rounding=decimal.ROUND_HALF_UP):,.{places}f}"


def fmt_amount(amount: Decimal, least: int = 2) -> str:
    """A paid (already rounded) amount as statements show it: at least ``least`` places and
    every non-zero place it has ('1,234.50'; '10.006' in a three-place currency). It never
    rounds again, so a line paid to more than cents is not shown as a different number."""
    return f"{amount:,.{max(least, paid_places(amount))}f}"


def paid_places(amount: Decimal) -> int:
    """The places ``amount`` has beyond its trailing zeros (-10.006 -> 3, -10.010 -> 2)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def fmt_pct(ratio: Decimal, places: int = 1) -> str:
    """1.03 -> '103.0%' (display only; arithmetic keeps the exact ratio)."""
    return f"{(ratio * 100).quantize(quantum(places), rounding=decimal.ROUND_HALF_UP):.{places}f}%"


def allocate(total: Decimal, weights: list[Decimal], places: int = 2) -> list[Decimal]:
    """Split ``total`` by ``weights`` so the parts sum exactly to ``total``.

    Largest-remainder: each part is floored to the minor unit, then the leftover units go
    one each to the largest remainders (ties to the earlier position, so the result is
    deterministic for an ordered input). Zero total weight splits equally.
    """
    if not weights:
        return []
    unit = quantum(places)
    if total != total.quantize(unit, rounding=decimal.ROUND_DOWN):
        # the parts are whole units, so they cannot sum to a total with finer digits
        raise ValueError(f"cannot allocate {total} in units of {unit}: round it first")
    if sum(weights, ZERO) == ZERO:
        weights = [ONE] * len(weights)
    weight_sum = sum(weights, ZERO)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    raw = [EXACT.divide(EXACT.multiply(magnitude, w), weight_sum) for w in weights]
    floors = [r.quantize(unit, rounding=decimal.ROUND_DOWN) for r in raw]
    leftover = int(((magnitude - sum(floors, ZERO)) / unit).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += unit
    return [sign * part for part in floors]


def near_boundary(value: Decimal, places: int, mode: RoundingMode) -> bool:
    """True when rounding ``value`` by ``mode`` could depend on digits beyond 60: near a
    half unit for the half modes, near a whole unit for ``up`` and ``down``."""
    if mode in ("half_up", "half_even"):
        return near_tie(value, places)
    scaled = abs(value).scaleb(places, context=EXACT)
    fraction = scaled - scaled.to_integral_value(rounding=decimal.ROUND_FLOOR)
    return fraction < _TIE_BAND or fraction > 1 - _TIE_BAND


def near_tie(value: Decimal, places: int) -> bool:
    """True when ``value`` lies within 10^-40 of a rounding tie (…5 at places+1).

    The finishing arithmetic runs at 60 digits; a result that is exactly a tie in rational
    terms may then sit a hair off it. Such lines are recomputed with fractions.
    """
    scaled = abs(value).scaleb(places, context=EXACT)
    fraction = scaled - scaled.to_integral_value(rounding=decimal.ROUND_FLOOR)
    return abs(fraction - _HALF) < _TIE_BAND


_HALF = Decimal("0.5")
_TIE_BAND = Decimal("1e-40")


def round_ratio(numerator: int, denominator: int, places: int, mode: RoundingMode) -> Decimal:
    """Round numerator / denominator (denominator > 0) to ``places`` decimals by ``mode``
    in integers: what :func:`round_fraction` gives, without building a Fraction per line.
    A negative value that rounds to zero gives -0.00, as ``Decimal.quantize`` does."""
    scaled = numerator * 10**places
    negative = scaled < 0
    units, rest = divmod(-scaled if negative else scaled, denominator)
    if mode == "half_up":
        units += 2 * rest >= denominator
    elif mode == "half_even":
        twice = 2 * rest
        units += twice > denominator or (twice == denominator and units % 2 == 1)
    elif mode == "up":
        units += rest > 0
    result = Decimal(units).scaleb(-places)
    return result.copy_negate() if negative else result


def round_fraction(value: Fraction, places: int, mode: RoundingMode) -> Decimal:
    """Round an exact fraction to ``places`` decimals by ``mode``."""
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    floor, rest = divmod(magnitude.numerator, magnitude.denominator)
    remainder = Fraction(rest, magnitude.denominator)
    if mode == "down":
        units = floor
    elif mode == "up":
        units = floor + (1 if remainder else 0)
    elif remainder > Fraction(1, 2) or (remainder == Fraction(1, 2) and (
            mode == "half_up" or floor % 2 == 1)):
        units = floor + 1
    else:
        units = floor
    return Decimal(sign * units).scaleb(-places)

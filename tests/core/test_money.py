"""Exact money: D, rounding by every mode at and around the half cent, allocation, and the
statement formats (pure Python, no backend)."""

from decimal import Decimal as Dec
from fractions import Fraction

import pytest

from teamquota.core.money import (
    CENT,
    EXACT,
    ONE,
    ZERO,
    D,
    allocate,
    exact_div,
    fmt_amount,
    fmt_money,
    fmt_pct,
    minor_unit,
    near_boundary,
    near_tie,
    quantum,
    round_fraction,
    round_money,
    round_ratio,
)


def test_constants__exact_values():
    assert [str(ZERO), str(ONE), str(CENT)] == ["0", "1", "0.01"]
    assert EXACT.prec == 60
    # 1/3 at 60 significant digits: '0.' then sixty 3s
    assert str(EXACT.divide(Dec(1), Dec(3))) == "0." + "3" * 60


@pytest.mark.parametrize(("given", "expected"), [
    ("12.50", Dec("12.50")), (" 1_000.5 ", Dec("1000.5")), (7, Dec(7)),
    (Dec("0.1"), Dec("0.1")), ("-3", Dec("-3")),
])
def test_D__makes_exact_decimals(given, expected):
    value = D(given)
    assert value == expected and isinstance(value, Dec)
    assert str(value) == str(expected)


def test_D__keeps_a_decimal_as_is():
    value = Dec("2.50")
    assert D(value) is value


@pytest.mark.parametrize(("given", "message"), [
    (0.1, "money must not be a float: 0.1; pass a string"),
    (True, "money must not be a bool: True; pass a string"),
    ([1], "cannot make money from list: [1]"),
])
def test_D__refuses_floats_bools_and_other_types(given, message):
    with pytest.raises(TypeError) as raised:
        D(given)
    assert str(raised.value) == message


@pytest.mark.parametrize(("given", "message"), [
    ("12,5O0.00", "not a decimal number: '12,5O0.00'"),
    ("NaN", "not a finite decimal number: 'NaN'"),
    ("Infinity", "not a finite decimal number: 'Infinity'"),
])
def test_D__refuses_text_that_is_not_a_finite_number(given, message):
    with pytest.raises(ValueError) as raised:
        D(given)
    assert str(raised.value) == message
    assert raised.value.__cause__ is None


def test_D__bad_text_hides_the_decimal_error():
    with pytest.raises(ValueError) as raised:
        D("abc")
    assert raised.value.__suppress_context__


def test_minor_unit__iso_places_default_two():
    assert [minor_unit(c) for c in ("USD", "jpy", "KWD", "XYZ")] == [2, 0, 3, 2]


def test_quantum__cached_and_beyond():
    assert quantum(0) == Dec("1") and str(quantum(0)) == "1"
    assert str(quantum(2)) == "0.01"
    assert str(quantum(12)) == "1E-12"
    assert str(quantum(13)) == "1E-13"  # beyond the cache


# Half-cent ties: x.xx5 exactly, and a hair either side, in every mode.
@pytest.mark.parametrize(("amount", "mode", "expected"), [
    ("2.345", "half_up", "2.35"),     # tie: half up goes away from zero
    ("2.345", "half_even", "2.34"),   # tie: half even keeps the even 4
    ("2.355", "half_even", "2.36"),   # tie: half even goes to the even 6
    ("2.345", "down", "2.34"),
    ("2.341", "up", "2.35"),
    ("-2.345", "half_up", "-2.35"),   # symmetric for negatives
    ("2.3449", "half_up", "2.34"),    # a hair below the tie
    ("2.34", "up", "2.34"),           # already a cent: unchanged
])
def test_round_money__modes_at_the_half_cent(amount, mode, expected):
    result = round_money(Dec(amount), "USD", mode)
    assert str(result) == expected


def test_round_money__places_from_currency_or_given():
    assert str(round_money(Dec("1.5"), "JPY")) == "2"          # 0 places, half up
    assert str(round_money(Dec("1.0005"), "KWD")) == "1.001"   # 3 places
    assert str(round_money(Dec("1.005"), "JPY", places=2)) == "1.01"
    assert str(round_money(Dec("1.005"))) == "1.01"            # defaults: USD, half up
    # 60 digits, not the default 28: 10^30 + 0.005 rounds up to ...0.01
    big = Dec(10) ** 30 + Dec("0.005")
    assert round_money(big) == Dec(10) ** 30 + Dec("0.01")


def test_exact_div__sixty_digits():
    assert exact_div(Dec(2), Dec(3)) == EXACT.divide(Dec(2), Dec(3))
    assert str(exact_div(Dec(1), Dec(8))) == "0.125"


def test_fmt_money__grouped_two_places_half_up():
    assert fmt_money(Dec("1234567.5")) == "1,234,567.50"
    assert fmt_money(Dec("0.125")) == "0.13"       # half up, not half even
    assert fmt_money(Dec("2.5"), 0) == "3"
    assert fmt_money(Dec("-1234.5")) == "-1,234.50"


def test_fmt_amount__never_rounds_again():
    assert fmt_amount(Dec("1234.5")) == "1,234.50"
    assert fmt_amount(Dec("10.006")) == "10.006"
    assert fmt_amount(Dec("7"), 0) == "7"
    assert fmt_amount(Dec("7.10"), 1) == "7.1"
    assert fmt_amount(Dec("100")) == "100.00"      # normalize gives 1E+2: still 2 places
    assert fmt_amount(Dec("NaN")) == "NaN"          # no integer exponent: least places


def test_fmt_pct__one_place_half_up():
    assert fmt_pct(Dec("1.03")) == "103.0%"
    assert fmt_pct(Dec("0.80005")) == "80.0%"
    assert fmt_pct(Dec("0.80050")) == "80.1%"      # 80.05% is a tie: half up
    assert fmt_pct(Dec("0.123456"), 2) == "12.35%"
    assert fmt_pct(Dec("0.5"), 0) == "50%"


def test_allocate__parts_sum_to_the_total():
    # 100.00 by 1:1:1 = 33.333.. each: floors 33.33 x 3 = 99.99, the cent left goes to the
    # first of the tied remainders
    assert allocate(Dec("100.00"), [Dec(1)] * 3) == [Dec("33.34"), Dec("33.33"), Dec("33.33")]
    # 10.00 by 1:2:3: 1.666.., 3.333.., 5.00 -> floors 1.66 + 3.33 + 5.00 = 9.99; largest
    # remainder 0.00666.. (the first) gets the cent
    assert allocate(Dec("10.00"), [Dec(1), Dec(2), Dec(3)]) == [
        Dec("1.67"), Dec("3.33"), Dec("5.00")]


def test_allocate__largest_remainder_wins_not_position():
    # 1.00 by 1:2 = 0.333.. and 0.666..: floors 0.33 + 0.66 = 0.99, remainders 0.00333 and
    # 0.00666: the second (larger) gets the cent
    assert allocate(Dec("1.00"), [Dec(1), Dec(2)]) == [Dec("0.33"), Dec("0.67")]


def test_allocate__negative_total_zero_weights_and_places():
    # -1.00 by 1:1:1 -> the magnitudes 0.34, 0.33, 0.33, negated
    assert allocate(Dec("-1.00"), [Dec(1)] * 3) == [Dec("-0.34"), Dec("-0.33"), Dec("-0.33")]
    # zero total weight splits equally: 5 by 0:0 = 2.50 + 2.50
    assert allocate(Dec("5"), [ZERO, ZERO]) == [Dec("2.50"), Dec("2.50")]
    assert allocate(Dec("5"), []) == []
    # 0 places: 10 by 1:1:1 = 4 + 3 + 3
    assert allocate(Dec("10"), [Dec(1)] * 3, 0) == [Dec(4), Dec(3), Dec(3)]
    # 0.004 at two places: no whole-cent parts sum to it (see the test below)
    with pytest.raises(ValueError):
        allocate(Dec("0.004"), [Dec(1), Dec(1)])


def test_near_tie__within_ten_to_the_minus_40_of_a_half_cent():
    # the band is meant as 10^-40 of a cent, but the subtraction in near_tie runs in the
    # default 28-digit context, so in effect a value within ~10^-26 is "near" (harmless: a
    # near value is only recomputed exactly). 10^-43 is near, 10^-20 is not (sums at 60 digits:
    # the default 28 would round the hair away)
    assert near_tie(Dec("2.345"), 2)
    assert near_tie(Dec("-2.345"), 2)
    assert near_tie(EXACT.add(Dec("2.345"), Dec("1e-43")), 2)
    assert not near_tie(EXACT.add(Dec("2.345"), Dec("1e-20")), 2)
    assert not near_tie(EXACT.subtract(Dec("2.345"), Dec("1e-20")), 2)
    assert not near_tie(Dec("2.34"), 2)
    assert near_tie(Dec("2.5"), 0)


def test_near_boundary__half_modes_at_ties_up_down_at_whole_units():
    assert near_boundary(Dec("2.345"), 2, "half_up")
    assert near_boundary(Dec("2.345"), 2, "half_even")
    assert not near_boundary(Dec("2.34"), 2, "half_up")
    # up/down: a whole cent, or a hair either side of it, could round either way
    assert near_boundary(Dec("2.34"), 2, "down")
    assert near_boundary(EXACT.subtract(Dec("2.34"), Dec("1e-43")), 2, "up")
    assert near_boundary(EXACT.add(Dec("2.34"), Dec("1e-43")), 2, "up")
    assert not near_boundary(EXACT.add(Dec("2.34"), Dec("1e-20")), 2, "up")
    assert not near_boundary(EXACT.subtract(Dec("2.34"), Dec("1e-20")), 2, "down")
    assert not near_boundary(Dec("2.345"), 2, "down")
    assert near_boundary(Dec("-2.34"), 2, "down")


@pytest.mark.parametrize(("n", "d", "mode", "expected"), [
    (469, 200, "half_up", "2.35"),     # 2.345 exactly: half up
    (469, 200, "half_even", "2.34"),   # 2.345: even 4 stays
    (471, 200, "half_even", "2.36"),   # 2.355: odd 5 goes up to 6
    (4691, 2000, "half_even", "2.35"),  # 2.3455 > the tie: up
    (4689, 2000, "half_up", "2.34"),   # 2.3445 < the tie... at 3 places it is 2.3445: down
    (469, 200, "down", "2.34"),
    (4681, 2000, "up", "2.35"),        # 2.3405: any rest goes up
    (234, 100, "up", "2.34"),          # no rest: stays
    (-469, 200, "half_up", "-2.35"),   # negative: symmetric
    (-1, 1000, "half_up", "-0.00"),    # rounds to zero: -0.00 as quantize gives
])
def test_round_ratio__integer_rounding_every_mode(n, d, mode, expected):
    result = round_ratio(n, d, 2, mode)
    assert str(result) == expected
    assert result == round_fraction(Fraction(n, d), 2, mode)


def test_round_ratio__places():
    assert str(round_ratio(5, 2, 0, "half_up")) == "3"        # 2.5 -> 3
    assert str(round_ratio(10005, 10000, 3, "half_up")) == "1.001"  # 1.0005 -> 1.001


@pytest.mark.parametrize(("value", "mode", "expected"), [
    (Fraction(469, 200), "half_up", "2.35"),
    (Fraction(469, 200), "half_even", "2.34"),
    (Fraction(471, 200), "half_even", "2.36"),
    (Fraction(4691, 2000), "half_even", "2.35"),
    (Fraction(4689, 2000), "half_up", "2.34"),
    (Fraction(469, 200), "down", "2.34"),
    (Fraction(4681, 2000), "up", "2.35"),
    (Fraction(234, 100), "up", "2.34"),
    (Fraction(-469, 200), "half_up", "-2.35"),
    (Fraction(-469, 200), "down", "-2.34"),
])
def test_round_fraction__every_mode(value, mode, expected):
    assert str(round_fraction(value, 2, mode)) == expected


def test_round_fraction__places():
    assert str(round_fraction(Fraction(5, 2), 0, "half_up")) == "3"
    assert str(round_fraction(Fraction(1, 8), 3, "half_up")) == "0.125"


def test_allocate__sign_and_floors_exactly():
    # a zero total gives 0.00 parts, not -0.00; a positive total under 1 stays positive
    assert [str(p) for p in allocate(Dec("0.00"), [Dec(1), Dec(1)])] == ["0.00", "0.00"]
    assert allocate(Dec("0.50"), [Dec(1), Dec(1)]) == [Dec("0.25"), Dec("0.25")]
    # 2.00 / 3 = 0.666..: floored (not rounded) to 0.66 each, 0.02 left to the first two
    assert allocate(Dec("2.00"), [Dec(1)] * 3) == [Dec("0.67"), Dec("0.67"), Dec("0.66")]


def test_round_ratio__zero_odd_ties_and_the_smallest_rest():
    assert str(round_ratio(0, 1, 2, "half_up")) == "0.00"       # zero is not negative
    assert str(round_ratio(7, 200, 2, "half_even")) == "0.04"   # 0.035: odd 3 -> even 4
    assert str(round_ratio(9, 200, 2, "half_even")) == "0.04"   # 0.045: even 4 stays
    assert str(round_ratio(1, 3, 2, "up")) == "0.34"            # 0.333..: rest 1 of 3 -> up
    assert str(round_ratio(1, 3, 2, "down")) == "0.33"


def test_round_fraction__down_never_rounds_up_and_odd_ties():
    assert str(round_fraction(Fraction(2347, 1000), 2, "down")) == "2.34"   # 2.347 -> 2.34
    assert str(round_fraction(Fraction(7, 200), 2, "half_even")) == "0.04"  # 0.035 -> 0.04
    assert str(round_fraction(Fraction(0), 2, "half_up")) == "0.00"


def test_near_tie__odd_and_even_ties_alike():
    # 2.355 and 2.345: the floor, not a rounding, finds the fraction .5 in both
    assert near_tie(Dec("2.355"), 2) and near_tie(Dec("0.015"), 2)


def test_near_boundary__exactly_the_band_is_not_near():
    # 10^-42 at two places is 10^-40 of a cent, exactly the band: not within it
    assert not near_boundary(Dec("1e-42"), 2, "up")
    assert near_boundary(Dec("1e-43"), 2, "up")


def test_allocate__refuses_a_total_finer_than_its_unit():
    # 1.015 in cents: two whole-cent parts sum to 1.01 or 1.02, never 1.015 (it handed out
    # 0.51 + 0.51 = 1.02 before)
    with pytest.raises(ValueError, match="cannot allocate 1.015 in units of 0.01"):
        allocate(Dec("1.015"), [Dec(1), Dec(1)])
    # -1.01 by 1:1: magnitudes 0.505 -> floors 0.50 + 0.50, the leftover cent to the first
    assert allocate(Dec("-1.01"), [Dec(1), Dec(1)]) == [Dec("-0.51"), Dec("-0.50")]

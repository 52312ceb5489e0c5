"""The columnar exact finish (engine/columns.py): its integer helpers on small columns, and
boundary plans paid by it and by the per-line path alike."""

from decimal import Decimal as Dec

import numpy as np
import pytest

import teamquota.engine.run as engine_run
from teamquota.engine import columns, finish
from tests.engine.conftest import lines
from tests.engine.test_hybrid import HYBRID, PAYEES, TEAMS, deal, target


def ints(*values):
    return np.array(values, dtype=object)


@pytest.mark.parametrize(("mode", "expected"), [
    # 5/2 = 2.5 and 7/2 = 3.5 are exact ties; 11/4 = 2.75 and 9/4 = 2.25 are not
    ("half_up", [3, 4, 3, 2]), ("half_even", [2, 4, 3, 2]),
    ("down", [2, 3, 2, 2]), ("up", [3, 4, 3, 3])])
def test_round_units__half_tie_by_mode(mode, expected):
    rounded = columns.round_units(ints(5, 7, 11, 9), ints(2, 2, 4, 4), mode)
    assert rounded.tolist() == expected


def test_round_units__half_cent_tie():
    # 0.125 dollars in cents: 12.5 -> 13 half up, 12 half even (12 is even), 12 down
    assert columns.round_units(ints(125), ints(10), "half_up").tolist() == [13]
    assert columns.round_units(ints(125), ints(10), "half_even").tolist() == [12]
    assert columns.round_units(ints(125), ints(10), "down").tolist() == [12]


def test_decimal_units__int64_bound_goes_to_exact_ints():
    # 2^63 - 1 = 9,223,372,036,854,775,807 units of 10^-10 still fit int64 ...
    fits = columns.decimal_units([Dec("922337203.6854775807"), Dec("-1.5")], 10)
    assert fits is not None and fits.dtype == np.int64
    assert fits.tolist() == [2**63 - 1, -15_000_000_000]
    # ... 2^63 does not: the column holds exact Python ints, never a wrapped int64
    beyond = columns.decimal_units([Dec("922337203.6854775808"), Dec("-922337203.6854775809")],
                                   10)
    assert beyond is not None and beyond.dtype == object
    assert beyond.tolist() == [2**63, -(2**63) - 1]


def test_decimal_units__more_places_than_the_scale():
    assert columns.decimal_units([Dec("0.00000000001")], 10) is None


def test_decimal_array__round_trip_at_and_beyond_int64():
    from teamquota.engine.results import CREDIT
    units = ints(2**63 - 1, 2**63, -(2**63), 0, -1)
    back = columns.decimal_array(units, CREDIT).to_pylist()
    assert back == [Dec(u).scaleb(-10) for u in units.tolist()]


def test_thousands_and_money_text():
    assert columns.thousands(ints(0, 7, 999, 1000, 1234567, 10**18)).to_pylist() == [
        "0", "7", "999", "1,000", "1,234,567", "1,000,000,000,000,000,000"]
    # cents: 123,456 -> 1,234.56; 5 -> 0.05
    assert columns.money_text(ints(123456, 5), 2).to_pylist() == ["1,234.56", "0.05"]
    # 10 places, half up to cents: 0.005 -> 0.01, 0.0049999999 -> 0.00
    assert columns.money_text(ints(50_000_000, 49_999_999), 10).to_pylist() == [
        "0.01", "0.00"]


@pytest.mark.parametrize(("num", "den"), [
    (103, 100), (1, 3), (2, 3), (1, 8), (7, 1), (0, 5), (412000, 400000)])
def test_shown_and_percent__as_finish_does_one_by_one(num, den):
    units, tenths, near = columns.shown_and_percent(ints(num), ints(den))
    one = finish.shown_and_percent(num, den)
    assert one is not None and not near[0]
    assert Dec(units[0]).scaleb(-12) == one[0]
    assert f"{tenths[0] // 10}.{tenths[0] % 10}%" == one[1]


def test_shown_and_percent__tie_in_tenths_of_a_percent_is_left_to_the_exact_path():
    # 1/2000 = 0.05% exactly half a tenth of a percent: fmt_pct's half up could go
    # either way on a Decimal a hair off, so the column marks it
    _, _, near = columns.shown_and_percent(ints(1), ints(2000))
    assert near[0]
    assert finish.shown_and_percent(1, 2000) is None


def _both(calc, *args, **kwargs):
    engine_run.COLUMNAR = False
    try:
        old = calc(*args, **kwargs)
    finally:
        engine_run.COLUMNAR = True
    new = calc(*args, **kwargs)
    assert old.payouts.equals(new.payouts)
    assert old.attainment.equals(new.attainment)
    return new


MEMBER = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]


@pytest.mark.parametrize(("won", "pays"), [("320000", True), ("319999.99", False)])
def test_team_gate_exactly_at_80_percent(calc, won, pays):
    # team target 400,000: 320,000 / 400,000 = 80.0% exactly meets the 80% gate (at least)
    # -> curve's first point 0.5 -> TI 20,000 x 0.6 x 0.5 = 6,000.00; a cent less is shut
    results = _both(calc, HYBRID, payees=PAYEES[:1], teams=TEAMS[:1], memberships=MEMBER,
                    deals=[deal("d1", "ann", won, "2017-02-10")],
                    targets=[target("team", "east", "team", "400000"),
                             target("payee", "ann", "personal", "400000")])
    (team,) = lines(results, component_id="team")
    if pays:
        assert team["amount"] == Dec("6000.00")
        assert team["explanation"] == (
            "team Won 320,000.00 / target 400,000.00 = 80.0% -> curve 50.0% x TI "
            "20,000.00 x 0.6 in team east = 6,000.00")
    else:
        assert team["amount"] == Dec("0.00")
        assert team["explanation"].endswith(
            "gate not met (team east at 80.0%: team pays from 80.0%) -> 0.00")


def test_curve_cap_exactly_hit(calc):
    # personal 700,000 / 400,000 = 175%: curve 1 + 0.75 x 2 = 2.5, exactly the cap 250%
    # (the cap comparison is a tie: left to the exact per-subject path)
    # -> TI 20,000 x 0.4 x 2.5 = 20,000.00
    results = _both(calc, HYBRID, payees=PAYEES[:1], teams=TEAMS[:1], memberships=MEMBER,
                    deals=[deal("d1", "ann", "700000", "2017-02-10")],
                    targets=[target("team", "east", "team", "400000000"),
                             target("payee", "ann", "personal", "400000")])
    (personal,) = lines(results, component_id="personal")
    assert personal["amount"] == Dec("20000.00")
    assert personal["factor"] == Dec("2.5")
    assert "= 175.0% -> curve 250.0% x TI" in personal["explanation"]


@pytest.mark.parametrize(("mode", "paid"), [("half_up", "800.01"), ("half_even", "800.00"),
                                           ("down", "800.00"), ("up", "800.01")])
def test_half_cent_line_rounds_once_by_mode(calc, mode, paid):
    # annual TI 16,000.10 -> quarter 4,000.025; personal 75,000 / 100,000 = 75% ->
    # curve (0.75 - 0.5) x 2 = 0.5 -> 4,000.025 x 0.4 x 0.5 = 800.005, exactly half a cent
    results = _both(calc, HYBRID + f"rounding: {{mode: {mode}}}\n",
                    payees=[dict(PAYEES[1], target_incentive="16000.10")], teams=TEAMS[:1],
                    memberships=[{"payee_id": "bob", "team_id": "east",
                                  "start_date": "2017-01-01"}],
                    deals=[deal("d1", "bob", "75000", "2017-02-10")],
                    targets=[target("team", "east", "team", "400000000"),
                             target("payee", "bob", "personal", "100000")])
    (personal,) = lines(results, component_id="personal")
    assert personal["amount"] == Dec(paid)
    assert personal["explanation"] == (
        "personal Won 75,000.00 / target 100,000.00 = 75.0% -> curve 50.0% x TI 4,000.03 "
        f"x 0.4 = {paid}")


def test_attainment_columns__as_the_one_by_one_division():
    # 412,000 / 400,000 = 1.03; 1 / 3 = 0.333333333333 (12 places, half even);
    # 2 / 3 = 0.666666666667; a zero target shows its target but no attainment; no
    # target: both null; a negative target is divided one by one: -100 / -400 = 0.25;
    # a target split to 30 places: 10 / 30.000...01 just below 1/3
    from teamquota.core.money import exact_div
    from teamquota.engine.finish import shown
    split = Dec("30." + "0" * 29 + "1")
    measures = [Dec("412000"), Dec("1"), Dec("2"), Dec("5"), Dec("5"), Dec("-100"),
                Dec("10")]
    targets = [Dec("400000"), Dec("3"), Dec("3"), Dec("0"), None, Dec("-400"), split]
    shown_targets, attainment = columns.attainment_columns(measures, targets)
    assert attainment.to_pylist() == [
        Dec("1.030000000000"), Dec("0.333333333333"), Dec("0.666666666667"), None, None,
        Dec("0.250000000000"), shown(exact_div(Dec("10"), split))]
    assert shown_targets.to_pylist() == [Dec("400000.00"), Dec("3.00"), Dec("3.00"),
                                         Dec("0.00"), None, Dec("-400.00"), Dec("30.00")]

"""Rounding happens once per line, by the plan's rule; half-cent ties are exact."""

import random
from decimal import Decimal as Dec
from fractions import Fraction

from teamquota.core.money import round_fraction, round_ratio
from tests.engine.conftest import amounts
from tests.engine.test_hybrid import deal, target

PLAN = """
plan: r
period: quarter
currency: {currency}
rounding: {rounding}
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{curve: [[0, 0], [3, 3]]}}
"""


def run(calc, mode, ti, won, goal):
    return run_places(calc, f"{{mode: {mode}}}", "USD", ti, won, goal)


def run_places(calc, rounding, currency, ti, won, goal):
    return calc(PLAN.format(rounding=rounding, currency=currency),
                payees=[{"payee_id": "ann", "name": "Ann", "target_incentive": ti,
                         "currency": currency}],
                teams=[{"team_id": "t", "name": "T"}],
                memberships=[{"payee_id": "ann", "team_id": "t", "start_date": "2017-01-01"}],
                deals=[deal("d1", "ann", won, "2017-02-01", currency=currency)],
                targets=[target("payee", "ann", "personal", goal)])


def test_rounding__half_cent_tie_rounds_up_by_default(calc):
    # annual TI 120.06 -> quarter 30.015 x weight 1 x curve 1.0 = 30.015, a tie -> 30.02
    results = run(calc, "half_up", "120.06", "1", "1")
    assert amounts(results) == {("ann", "personal", None): Dec("30.02")}


def test_rounding__half_even_is_configurable(calc):
    results = run(calc, "half_even", "120.06", "1", "1")
    assert amounts(results) == {("ann", "personal", None): Dec("30.02")}  # 30.015 -> even 2
    results = run(calc, "half_even", "120.18", "1", "1")
    # 120.18 / 4 = 30.045 -> half-even keeps 30.04 (half-up would give 30.05)
    assert amounts(results) == {("ann", "personal", None): Dec("30.04")}


def test_rounding__tie_reached_through_a_ratio_is_still_exact(calc):
    # attainment 1/3 exactly (100 / 300); TI 360.18 -> quarter 90.045 x 1 x 1/3
    # = 30.015 exactly, a tie: half-up 30.02 (a 60-digit 0.333.. would give 30.01499..)
    results = run(calc, "half_up", "360.18", "100", "300")
    assert amounts(results) == {("ann", "personal", None): Dec("30.02")}


def test_round_ratio__equals_rounding_the_fraction():
    # the curve lines' integer rounding against Fraction rounding, every mode, ties
    # (d = 2, 8, 200) and negative values included
    rng = random.Random(7)
    for _ in range(20000):
        n = rng.randint(-10**7, 10**7)
        d = rng.choice([1, 2, 3, 8, 200, 2000, rng.randint(1, 10**6)])
        places = rng.randint(0, 3)
        mode = rng.choice(["half_up", "half_even", "up", "down"])
        assert round_ratio(n, d, places, mode) == round_fraction(Fraction(n, d), places, mode)
    assert str(round_ratio(1, 200, 2, "half_up")) == "0.01"    # 0.005 -> up
    assert str(round_ratio(1, 200, 2, "half_even")) == "0.00"  # 0.005 -> even
    assert str(round_ratio(-1, 300, 2, "half_up")) == "-0.00"  # as Decimal.quantize


def test_rounding__places_beyond_cents_are_kept(calc):
    # attainment 100 / 300 = 1/3; TI 120.07 -> quarter 30.0175 x 1 x 1/3 = 10.00583..
    # -> 4 places: 10.0058 (the amount column is not cut back to cents)
    results = run_places(calc, "{places: 4}", "USD", "120.07", "100", "300")
    assert amounts(results) == {("ann", "personal", None): Dec("10.0058")}
    assert "= 10.0058" in results.payouts["explanation"][0].as_py()


def test_rounding__a_three_place_currency_is_paid_in_fils(calc):
    # Kuwaiti dinar: 3 minor places. TI 120.07 -> 10.00583.. -> 10.006 (half up)
    results = run_places(calc, "{mode: half_up}", "KWD", "120.07", "100", "300")
    assert amounts(results) == {("ann", "personal", None): Dec("10.006")}


def test_rounding__cent_plans_keep_the_cent_column(calc):
    # the usual case is unchanged: two places in the column's type
    results = run(calc, "half_up", "120.06", "1", "1")
    assert results.payouts.schema.field("amount").type.scale == 2

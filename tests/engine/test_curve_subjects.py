"""A curve subject's numbers and words worked out in integers equal the Decimal definition
(60-digit division, ``shown`` to 12 places, ``fmt_pct`` in the text) wherever the integer
path answers; near a rounding tie it steps aside for the Decimal path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as Dec
from fractions import Fraction
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from teamquota.core.periods import Period
from teamquota.engine.finish import shown_and_percent
from teamquota.engine.pay import _attainment_ratio, _Curve
from teamquota.plan.model import Component

Q1 = Period(date(2017, 1, 1), date(2017, 3, 31), "quarter", "2017-Q1")
PERSONAL = [["0.5", "0"], ["1.0", "1.0"], ["1.5", "2.0"]]


def curve(points: list[list[str]], cap: str | None = "2.5", count: bool = False) -> _Curve:
    measure: dict[str, Any] = {"count": True} if count else {"sum": "amount"}
    measure["where"] = {"stage": "Won"}
    payout: dict[str, Any] = {"curve": points} if cap is None else {"curve": points,
                                                                     "cap": cap}
    component = Component.model_validate({"id": "personal", "scope": "payee",
                                          "weight": "0.4", "measure": measure,
                                          "payout": payout})
    return _Curve(None, component, Q1)  # type: ignore[arg-type]  # no context needed here


def both(c: _Curve, measure: Dec, target: Dec) -> tuple[Any, Any]:
    ratio = _attainment_ratio(measure, target)
    return c._in_integers(measure, target, ratio), c._in_decimals(measure, target, ratio)


def assert_same(fast: Any, slow: Any) -> None:
    for name in ("measure", "target", "attainment", "factor", "head", "lead"):
        # as_tuple: the same digits and exponent, not only the same value
        a, b = getattr(fast, name), getattr(slow, name)
        assert (a.as_tuple() if isinstance(a, Dec) else a) == \
            (b.as_tuple() if isinstance(b, Dec) else b), name
    assert Fraction(*fast.scale) == Fraction(*slow.scale)


def test_shown_and_percent__by_hand():
    assert shown_and_percent(1, 3) == (Dec("0.333333333333"), "33.3%")
    assert shown_and_percent(2, 3) == (Dec("0.666666666667"), "66.7%")
    assert shown_and_percent(0, 7) == (Dec("0E-12"), "0.0%")
    assert shown_and_percent(103, 100) == (Dec("1.030000000000"), "103.0%")
    # 0.0005 is 0.05%: a tie for fmt_pct's one place (half-up: 0.1%, a Decimal a hair
    # below it: 0.0%), so the Decimal path decides
    assert shown_and_percent(1, 2000) is None
    # 0.0000000000005: a tie at the 12th place
    assert shown_and_percent(1, 2 * 10**12) is None


def test_subject__the_integer_path_gives_the_decimal_words():
    c = curve(PERSONAL)
    fast, slow = both(c, Dec("110000.0000000000"), Dec("100000.00"))
    # 1.1 on the curve: 1 + 0.1 x (2 - 1) / 0.5 = 1.2
    assert fast.head == "personal Won 110,000.00 / target 100,000.00 = 110.0%"
    assert fast.lead == fast.head + " -> curve 120.0%"
    assert fast.factor == Dec("1.2")
    assert_same(fast, slow)
    # below the first point, and capped: 3 / 1 would be 2 + 1.5 x 2 = 5, capped at 2.5
    below, _ = both(c, Dec("40"), Dec("100"))
    assert below.lead.endswith("-> below the curve's first point 50.0% -> 0.0%")
    capped, slow = both(c, Dec("300"), Dec("100"))
    assert capped.lead.endswith("-> curve capped at 250.0%")
    assert_same(capped, slow)


def test_subject__a_tie_is_left_to_the_decimals():
    c = curve(PERSONAL)
    # 217,602.86 / 204,800 = 1.06251396484375 exactly; the factor 1.1250279296875 is a
    # tie at the 12th place, so only the Decimal path says how it is shown
    fast, slow = both(c, Dec("217602.86"), Dec("204800.00"))
    assert fast is None
    assert slow.factor == Dec("1.125027929688")  # half-even at 60 digits: ...875 -> ...88
    # reaching the cap exactly is left to the Decimals too (1.75 -> 2.5 = the cap)
    assert both(c, Dec("175"), Dec("100"))[0] is None


points = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), min_size=2,
                  max_size=5, unique_by=lambda p: p[0]).map(sorted)


@st.composite
def subjects(draw: Any) -> tuple[_Curve, Dec, Dec]:
    xy = draw(points)
    cap = draw(st.one_of(st.none(), st.integers(1, 500)))
    c = curve([[str(Dec(x) / 100), str(Dec(y) / 100)] for x, y in xy],
              None if cap is None else str(Dec(cap) / 100), draw(st.booleans()))
    target = Dec(draw(st.integers(1, 10**12))).scaleb(-2)
    if draw(st.booleans()):  # any measure
        measure = Dec(draw(st.integers(-10**6, 10**14))).scaleb(-draw(st.sampled_from([2, 10])))
    else:  # an attainment with few places: at the points, the cap and rounding ties
        attainment = Dec(draw(st.integers(0, 10**6))).scaleb(-draw(st.integers(0, 13)))
        measure = attainment * target
    return c, measure, target


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(subjects())
@example((curve(PERSONAL), Dec("217602.86"), Dec("204800.00")))
@example((curve(PERSONAL), Dec("-5"), Dec("100")))
@example((curve([["0", "0"], ["1", "1"]], None), Dec("1"), Dec("3")))
def test_subject__the_integer_path_equals_the_decimal_path(case: tuple[_Curve, Dec, Dec]):
    c, measure, target = case
    fast, slow = both(c, measure, target)
    if fast is not None:
        assert_same(fast, slow)

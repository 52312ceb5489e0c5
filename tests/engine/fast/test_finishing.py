"""The pure-Python finishing code, called directly (no backend): exact finish and ties,
shown ratios, statement words, tiers, memberships, the team tree and run periods."""

from datetime import date
from decimal import Decimal as Dec
from fractions import Fraction

import pyarrow as pa
import pytest

from teamquota.core.diagnostics import Diagnostics
from teamquota.core.money import EXACT
from teamquota.core.periods import parse_period
from teamquota.engine import explain, tiers
from teamquota.engine.calendar import periods_arrow, run_periods, year_of
from teamquota.engine.curve import (
    Segments,
    as_ratio,
    curve_factor,
    curve_ratio,
    describe_curve,
    tiered_commission,
)
from teamquota.engine.finish import finish, shown, shown_and_percent
from teamquota.engine.hierarchy import closure_rows, descendants, team_ancestors
from teamquota.engine.membership import Memberships, one_team_a_day
from teamquota.plan import load_plan_text

# --- finish -----------------------------------------------------------------------------


def test_finish__decimal_when_clear_of_a_tie():
    seen = []

    def compute(n):
        seen.append(n(Dec(1)).__class__)
        return n(Dec("10")) / n(Dec("3"))

    # 10 / 3 = 3.333..: no tie near, so only the Decimal pass runs -> 3.33
    amount, value = finish(compute, "USD", "half_up", 2)
    assert (amount, seen) == (Dec("3.33"), [Dec])
    assert value == EXACT.divide(Dec(10), Dec(3)) and len(value.as_tuple().digits) == 60


def test_finish__fractions_at_a_tie():
    seen = []

    def compute(n):
        seen.append(n(Dec(1)).__class__)
        return n(Dec("1")) / n(Dec("3")) * n(Dec("7.515"))  # 2.505 exactly

    # 7.515 / 3 = 2.505 is a half-cent tie: recomputed with fractions, half up 2.51,
    # half even 2.50
    assert finish(compute, "USD", "half_up", 2)[0] == Dec("2.51")
    assert seen == [Dec, Fraction]
    assert finish(compute, "USD", "half_even", 2)[0] == Dec("2.50")
    assert finish(compute, "JPY", "half_up", 0)[0] == Dec("3")


def test_shown__twelve_places_by_default():
    assert str(shown(Dec(2) / Dec(3))) == "0.666666666667"
    assert str(shown(Dec("1.5"), 2)) == "1.50"


@pytest.mark.parametrize(("n", "d", "expected"), [
    (103, 100, (Dec("1.030000000000"), "103.0%")),
    (2, 3, (Dec("0.666666666667"), "66.7%")),
    (1, 3, (Dec("0.333333333333"), "33.3%")),
    (0, 1, (Dec("0E-12"), "0.0%")),
    (1234567, 1000, (Dec("1234.567000000000"), "123456.7%")),
])
def test_shown_and_percent__twelve_places_and_tenths(n, d, expected):
    assert shown_and_percent(n, d) == expected


@pytest.mark.parametrize(("n", "d"), [
    (1, 2 * 10**12),       # 0.0000000000005: a tie at 12 places
    (8005, 10000),         # 80.05%: a tie in the tenths of a percent
    (2 * 10**12 + 1, 4 * 10**24),  # within 10^-12 of a unit of a 12-place tie
])
def test_shown_and_percent__none_near_a_tie(n, d):
    assert shown_and_percent(n, d) is None


def test_shown_and_percent__the_tenths_read_what_lies_beyond_them():
    # 0.0005000000003: 12 places 0.000500000000 (0.3 of a unit beyond: down), and in
    # percent 0.05000000003% is past the half tenth: 0.1%
    assert shown_and_percent(5 * 10**9 + 3, 10**13) == (Dec("0.000500000000"), "0.1%")
    # 0.0005 + 10^-16 is within 10^-12 of the tenths' tie: None (the Decimal path decides)
    assert shown_and_percent(10**13 + 2, 2 * 10**16) is None


def test_shown_and_percent__rounds_up_past_the_half():
    # 0.80051 -> 80.1% (beyond the tenths' half); 5/6 = 0.8333.. -> 0.833333333333, 83.3%
    assert shown_and_percent(80051, 100000) == (Dec("0.800510000000"), "80.1%")
    assert shown_and_percent(5, 6) == (Dec("0.833333333333"), "83.3%")
    # 2/3 of 10^-12: 0.000000000000666.. -> 12 places round up to 1E-12
    assert shown_and_percent(2, 3 * 10**12) == (Dec("1E-12"), "0.0%")


# --- statement words --------------------------------------------------------------------

PLAN = """
plan: words
period: quarter
components:
  - id: c
    scope: payee
    measure: {sum: amount, where: {stage: Won, product: [GTX, MG], amount: {gte: 10}}}
    payout: {rate: 0.01}
  - id: n
    scope: payee
    measure: {count: true, where: {type: meeting}}
    payout: {per_deal: 5}
  - id: m
    scope: payee
    measure: {count: true}
    payout: {per_deal: 5}
  - id: t
    scope: payee
    measure: {sum: amount}
    payout: {tiers: [{from: 0, rate: 0.02}, {from: 1.5, rate: 0.05}], mode: whole}
  - id: q
    scope: payee
    measure: {sum: amount}
    payout: {tiers: [{from: 0, rate: 0.02}], mode: zero_until_quota}
  - id: a
    scope: payee
    measure: {sum: amount}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 1000, rate: 0.1}], basis: amount}
  - id: f
    scope: payee
    measure: {sum: amount}
    payout: {tiers: [{from: 0.5, rate: 0.01}]}
"""
def component(cid):
    loaded = load_plan_text(PLAN, "plan.yaml")
    plan = loaded.plan if hasattr(loaded, "plan") else loaded
    return next(c for c in plan.components if c.id == cid)


def test_explain__measure_labels():
    # where values in order, lists joined by '/', comparisons left out
    assert explain.measure_label(component("c")) == "c Won GTX/MG"
    assert explain.measure_label(component("n")) == "n count of meeting"
    assert explain.measure_label(component("m")) == "m count"
    assert explain.measure_label(component("t")) == "t"


def test_explain__numbers_ratios_fractions():
    assert explain.number(Dec("3.0000000000")) == "3"
    assert explain.number(Dec("1234")) == "1,234"
    assert explain.number(Dec("2.5")) == "2.5000"
    assert explain.money(Dec("1234.5")) == "1,234.50"
    assert explain.ratio(Dec("80000"), Dec("100000"), Dec("0.8"), False) == (
        "80,000.00 / target 100,000.00 = 80.0%")
    assert explain.ratio(Dec("3"), Dec("4"), Dec("0.75"), True) == "3 / target 4.00 = 75.0%"
    assert explain.fraction_text(45, 90) == "45/90 days"


def test_tiers__lists_targets_and_thresholds():
    assert tiers.tier_list(component("c")) == [(Dec(0), Dec("0.01"))]
    # a flat rate from 0 on attainment needs no target; tiers, a floor or a start above 0 do
    assert [tiers.needs_target(component(c)) for c in "ctqaf"] == [
        False, True, True, False, True]
    # thresholds x target with basis attainment: 1.5 x 1,000 = 1,500
    assert tiers.money_tiers(component("t"), Dec(1000)) == [(Dec(0), Dec("0.02")),
                                                             (Dec("1500.0"), Dec("0.05"))]
    assert tiers.money_tiers(component("t"), None) == [(Dec(0), Dec("0.02")),
                                                       (Dec("1.5"), Dec("0.05"))]
    assert tiers.money_tiers(component("a"), Dec(5)) == [(Dec(0), Dec("0.01")),
                                                         (Dec(1000), Dec("0.1"))]
    assert tiers.money_tiers(component("t"), Dec(1000), Fraction) == [
        (Fraction(0), Fraction(1, 50)), (Fraction(1500), Fraction(1, 20))]


def test_tiers__commission_every_mode():
    # whole: 1,500 of 1,000 target reaches 150%: 1,500 x 5% = 75.00
    assert tiers.commission(component("t"), Dec(1500), Dec(1000), "USD", "half_up", 2) == \
        Dec("75.00")
    # 1,499.99 stays in the 2% tier: 29.9998 -> 30.00
    assert tiers.commission(component("t"), Dec("1499.99"), Dec(1000), "USD", "half_up",
                            2) == Dec("30.00")
    # zero until quota 1,000: (1,250.25 - 1,000) x 2% = 5.005 -> half up 5.01; x FX 2 = 10.01
    assert tiers.commission(component("q"), Dec("1250.25"), Dec(1000), "USD", "half_up",
                            2) == Dec("5.01")
    assert tiers.commission(component("q"), Dec("1250.25"), Dec(1000), "USD", "half_up",
                            2, Dec(2)) == Dec("10.01")
    # marginal in currency: 1,000 x 1% + 500 x 10% = 10 + 50 = 60.00
    assert tiers.commission(component("a"), Dec(1500), None, "USD", "half_up", 2) == \
        Dec("60.00")


def test_tiers__words_and_rules():
    assert tiers.tier_text(component("c"), None) == "x 1.00%"
    assert tiers.tier_text(component("t"), Dec(1000)) == (
        "tiers 2.00% from 0.00, 5.00% from 1,500.00 (all at the highest tier reached)")
    assert tiers.tier_text(component("q"), Dec(1000)) == (
        "tiers 2.00% from 0.00 (only above target, each slice at its rate)")
    assert tiers.tier_text(component("a"), None) == (
        "tiers 1.00% from 0.00, 10.00% from 1,000.00 (each slice at its tier's rate)")
    assert tiers.tier_text(component("f"), Dec(100)) == (
        "tiers 1.00% from 50.00 (each slice at its tier's rate)")
    assert tiers.tier_rule(component("t")) == "commission, whole tiers (of target)"
    assert tiers.tier_rule(component("a")) == "commission, marginal tiers (in currency)"


# --- curve words and tier arithmetic edges ------------------------------------------------

POINTS = [(Dec("0.5"), Dec("0")), (Dec("1"), Dec("1")), (Dec("1.5"), Dec("2"))]


def test_describe_curve__below_on_capped():
    assert describe_curve(POINTS, Dec("0.4"), Dec(0), None) == (
        "below the curve's first point 50.0% -> 0.0%")
    assert describe_curve(POINTS, Dec("0.5"), Dec(0), None) == "curve 0.0%"
    # 2.0 uncapped 2.2 > cap 2: capped; exactly at the cap (1.5 -> 2.0) it is read off
    assert describe_curve(POINTS, Dec("1.6"), Dec("2"), Dec("2")) == "curve capped at 200.0%"
    assert describe_curve(POINTS, Dec("1.5"), Dec("2"), Dec("2")) == "curve 200.0%"
    assert describe_curve(POINTS, Dec("1.2"), Dec("1.4"), Dec("2")) == "curve 140.0%"


def test_tiered_commission__edges():
    t = [(Dec(0), Dec("0.01")), (Dec(100), Dec("0.1"))]
    assert tiered_commission(Dec(0), t, "marginal") == 0
    assert tiered_commission(Dec(-5), t, "whole") == 0
    assert tiered_commission(Dec(100), t, "marginal") == Dec("1.00")      # 100 x 1%
    assert tiered_commission(Dec(100), t, "whole") == Dec("10.0")         # 100 reaches 10%
    assert tiered_commission(Dec("99.99"), t, "whole") == Dec("0.9999")
    # tiers starting above 0: nothing reached below the first start
    assert tiered_commission(Dec(50), [(Dec(60), Dec("0.1"))], "whole") == 0
    assert tiered_commission(Dec(50), [(Dec(60), Dec("0.1"))], "marginal") == 0
    # floor 150 above the first tier's top: 2% tier pays nothing, 10% from 150
    assert tiered_commission(Dec(200), t, "marginal", Dec(150)) == Dec("5.0")
    assert tiered_commission(Dec(150), t, "marginal", Dec(150)) == 0


def exact(points):
    return [(as_ratio(Dec(x)), as_ratio(Dec(y))) for x, y in points]


def test_curve_ratio__segments_found_by_x_not_y():
    # an interior point (1, 2) whose y differs from its x: 1.5 lies on the segment 1..2,
    # 2 + 0.5 x (3 - 2) / 1 = 2.5 (reading the segment off y = 2 would give 1.5 x 2 = 3)
    steep = exact([("0", "0"), ("1", "2"), ("2", "3")])
    assert Fraction(*curve_ratio(steep, (3, 2))) == Fraction(5, 2)
    # 0.8 on the first segment: 0.8 x 2 = 1.6; 4/5 given as 8/10 reads the same
    assert Fraction(*curve_ratio(steep, (8, 10))) == Fraction(8, 5)
    # points with denominators: (0.25, 0.5), (0.75, 1.5): at 0.5, 0.5 + 0.25 x 2 = 1.0
    quarter = exact([("0.25", "0.5"), ("0.75", "1.5"), ("1.25", "1.75")])
    assert Fraction(*curve_ratio(quarter, (1, 2))) == 1
    # 1.0 on the second segment: 1.5 + 0.25 x 0.5 = 1.625
    assert Fraction(*curve_ratio(quarter, (1, 1))) == Fraction(13, 8)


def test_curve_factor_and_segments__read_the_segment_by_x():
    steep = [(Dec(0), Dec(0)), (Dec(1), Dec(2)), (Dec(2), Dec(3))]
    # 1.5 on the segment 1..2: 2 + 0.5 x 1 = 2.5
    assert curve_factor(steep, Dec("1.5")) == Dec("2.5")
    assert Fraction(*Segments(steep).factor((3, 2))) == Fraction(5, 2)
    # denominators in the points: 1.0 on (0.75, 1.5)..(1.25, 1.75): 1.5 + 0.25 x 0.5 = 1.625
    quarter = [(Dec("0.25"), Dec("0.5")), (Dec("0.75"), Dec("1.5")), (Dec("1.25"), Dec("1.75"))]
    assert Fraction(*Segments(quarter).factor((1, 1))) == Fraction(13, 8)
    assert Fraction(*Segments(quarter).factor((1, 2))) == 1


def test_segments__below_at_and_above_the_first_point():
    # first point (0.8, 2): below it 0 even where the first segment's line is positive
    # (0.6 would read 2 - 0.2 x 5 = 1); at it exactly 2; then 2 + 0.1 x 5 = 2.5 at 0.9
    high = Segments([(Dec("0.8"), Dec("2")), (Dec(1), Dec(3))])
    assert high.factor((3, 5)) == (0, 1)
    assert Fraction(*high.factor((4, 5))) == 2
    assert Fraction(*high.factor((9, 10))) == Fraction(5, 2)
    # a first point whose y is above its x: 0.6 lies above x = 0.5 (and below y = 0.8):
    # 0.8 + 0.1 x 0.4 = 0.84
    lifted = Segments([(Dec("0.5"), Dec("0.8")), (Dec(1), Dec(1))])
    assert Fraction(*lifted.factor((3, 5))) == Fraction(21, 25)
    # a stretch below zero reads 0: -1 + 0.25 x 2 = -0.5 at 0.25
    assert Segments([(Dec(0), Dec(-1)), (Dec(1), Dec(1))]).factor((1, 4)) == (0, 1)


def test_tiered_commission__three_tiers_each_slice_its_own_rate():
    t = [(Dec(0), Dec("0.01")), (Dec(100), Dec("0.02")), (Dec(200), Dec("0.05"))]
    # 100 x 1% + 100 x 2% + 50 x 5% = 1 + 2 + 2.5 = 5.5
    assert tiered_commission(Dec(250), t, "marginal") == Dec("5.5")
    # 150: 100 x 1% + 50 x 2% = 2
    assert tiered_commission(Dec(150), t, "marginal") == Dec("2")


def test_curve_ratio__a_negative_stretch_pays_zero_and_the_cap_binds():
    rising = exact([("0", "-1"), ("1", "1")])
    # at 0.25: -1 + 0.25 x 2 = -0.5 -> 0; at 0.75: 0.5
    assert curve_ratio(rising, (1, 4)) == (0, 1)
    assert curve_ratio(exact([("1", "0"), ("2", "1")]), (1, 2)) == (0, 1)  # below the first
    assert Fraction(*curve_ratio(rising, (3, 4))) == Fraction(1, 2)
    # beyond the last point the slope goes on: 2 -> 3, capped at 2.5
    assert Fraction(*curve_ratio(rising, (2, 1))) == 3
    assert curve_ratio(rising, (2, 1), as_ratio(Dec("2.5"))) == (5, 2)


# --- memberships, the team tree, run periods ----------------------------------------------

def membership_table(rows):
    return pa.table({
        "payee_id": pa.array([r[0] for r in rows], pa.string()),
        "team_id": pa.array([r[1] for r in rows], pa.string()),
        "start_date": pa.array([r[2] for r in rows], pa.date32()),
        "end_date": pa.array([r[3] for r in rows], pa.date32())})


Q1 = parse_period("2017-Q1")  # 90 days


def test_memberships__days_by_team_and_main_team():
    m = Memberships(membership_table([
        ("ann", "east", date(2017, 1, 1), date(2017, 2, 14)),
        ("ann", "west", date(2017, 2, 15), None),
        ("bob", "west", date(2016, 1, 1), None),
        ("cat", "east", date(2017, 1, 1), date(2017, 1, 15)),
        ("cat", "west", date(2017, 1, 16), date(2017, 3, 1)),
        ("cat", "east", date(2017, 3, 2), None),
        ("dan", "east", date(2017, 4, 1), None)]), {"west": ["na"], "east": ["na"]})
    # ann: East Jan 1 - Feb 14 = 45 days, West Feb 15 - Mar 31 = 45 days
    assert m.team_days("ann", Q1) == {"east": 45, "west": 45}
    assert m.team_days("bob", Q1) == {"west": 90}
    # cat: East Jan 1-15 (15) + Mar 2-31 (30) = 45; West Jan 16 - Mar 1 = 16 + 28 + 1 = 45
    assert m.team_days("cat", Q1) == {"east": 45, "west": 45}
    assert m.team_days("dan", Q1) == {} and m.team_days("eve", Q1) == {}
    # a tie in days goes to the team of the later stint: ann West (Feb 15), cat East (Mar 2)
    assert m.main_team("ann", Q1) == "west"
    assert m.main_team("cat", Q1) == "east"
    assert m.main_team("bob", Q1) == "west"
    assert m.main_team("dan", Q1) is None
    assert m.members("east", Q1) == {"ann": 45, "cat": 45}
    assert m.members("west", Q1) == {"ann": 45, "bob": 90, "cat": 45}
    assert m.members_with_ancestors(Q1) == [
        ("east", "ann", 45), ("na", "ann", 45), ("west", "ann", 45), ("na", "ann", 45),
        ("west", "bob", 90), ("na", "bob", 90),
        ("east", "cat", 45), ("na", "cat", 45), ("west", "cat", 45), ("na", "cat", 45)]


def test_memberships__teams_without_ancestors():
    m = Memberships(membership_table([("ann", "east", date(2017, 1, 1), None)]), {})
    assert m.members_with_ancestors(Q1) == [("east", "ann", 90)]


def test_memberships__single_stint_outside_the_period():
    m = Memberships(membership_table([("ann", "east", date(2016, 1, 1),
                                       date(2016, 12, 31))]), {})
    assert m.team_days("ann", Q1) == {}


def test_one_team_a_day__overlaps_in_any_team():
    apart = [("ann", "east", date(2017, 1, 1), date(2017, 2, 14)),
             ("ann", "west", date(2017, 2, 15), None),
             ("bob", "east", date(2017, 1, 1), None)]
    assert one_team_a_day(membership_table(apart))
    # the move day in both teams: an end date equal to the next start overlaps
    same_day = [("ann", "east", date(2017, 1, 1), date(2017, 2, 14)),
                ("ann", "west", date(2017, 2, 14), None)]
    assert not one_team_a_day(membership_table(same_day))
    # an open-ended stint reaches every later start
    open_end = [("ann", "east", date(2017, 1, 1), None),
                ("ann", "west", date(2018, 1, 1), None)]
    assert not one_team_a_day(membership_table(open_end))
    # different payees never conflict; one row or none is trivially fine
    assert one_team_a_day(membership_table([("ann", "east", date(2017, 1, 1), None),
                                            ("bob", "east", date(2017, 1, 1), None)]))
    assert one_team_a_day(membership_table(apart[:1]))
    nulls = membership_table([("ann", "east", None, None), ("bob", "east", None, None)])
    assert not one_team_a_day(nulls)


def teams_table(parents):
    return pa.table({"team_id": pa.array(list(parents), pa.string()),
                     "parent_team_id": pa.array(list(parents.values()), pa.string())})


def test_team_ancestors__nearest_first_and_closure_rows():
    found = Diagnostics()
    ancestors = team_ancestors(teams_table({"east": "na", "na": "world", "world": None,
                                            "west": "na"}), found)
    assert ancestors == {"east": ["na", "world"], "na": ["world"], "world": [],
                         "west": ["na", "world"]}
    assert len(found) == 0
    assert closure_rows(ancestors).to_pylist() == [
        {"team_id": "east", "ancestor_id": "na", "depth": 1},
        {"team_id": "east", "ancestor_id": "world", "depth": 2},
        {"team_id": "na", "ancestor_id": "world", "depth": 1},
        {"team_id": "west", "ancestor_id": "na", "depth": 1},
        {"team_id": "west", "ancestor_id": "world", "depth": 2}]
    assert descendants(ancestors) == {"east": {"east"}, "na": {"na", "east", "west"},
                                      "world": {"world", "na", "east", "west"},
                                      "west": {"west"}}


def test_descendants__an_ancestor_missing_from_the_keys():
    assert descendants({"east": ["na"], "west": ["na"]}) == {
        "east": {"east"}, "west": {"west"}, "na": {"na", "east", "west"}}


def test_team_ancestors__a_cycle_is_reported_and_cut():
    found = Diagnostics()
    ancestors = team_ancestors(teams_table({"a": "b", "b": "c", "c": "a", "d": "d"}), found)
    assert ancestors == {"a": ["b", "c"], "b": ["c", "a"], "c": ["a", "b"], "d": []}
    assert [d.render() for d in found][0] == (
        "error[E020]: team hierarchy has a cycle through 'a': a -> b -> c -> a\n"
        "hint: each team's parent_team_id must lead up to a root")
    assert [d.message for d in found][3] == "team hierarchy has a cycle through 'd': d -> d"


def plan_with(extra=""):
    loaded = load_plan_text(f"""
plan: p
period: quarter
{extra}
components:
  - id: c
    scope: payee
    measure: {{sum: amount}}
    payout: {{rate: 0.01}}
""", "plan.yaml")
    return loaded.plan if hasattr(loaded, "plan") else loaded


def dates(*days):
    return pa.table({"close_date": pa.array(list(days), pa.date32())})


def test_run_periods__effective_deals_or_only():
    effective = plan_with("effective: {start: 2017-04-01, end: 2017-12-31}")
    assert [p.label for p in run_periods(effective, None, None)] == [
        "2017-Q2", "2017-Q3", "2017-Q4"]
    plain = plan_with()
    # spanned by the deals' close dates (nulls ignored) and the activities' dates
    deals = pa.table({"close_date": pa.array([date(2017, 5, 1), None, date(2017, 2, 1)],
                                             pa.date32())})
    activities = pa.table({"date": pa.array([date(2017, 8, 1)], pa.date32())})
    assert [p.label for p in run_periods(plain, deals, None)] == ["2017-Q1", "2017-Q2"]
    assert [p.label for p in run_periods(plain, deals, None, activities)] == [
        "2017-Q1", "2017-Q2", "2017-Q3"]
    # only: from the start of the first label's year to the last label's end
    assert [p.label for p in run_periods(plain, deals, ["2018-Q2", "2018-Q1"])] == [
        "2018-Q1", "2018-Q2"]
    assert [p.label for p in run_periods(effective, None, ["2017-Q3"])] == [
        "2017-Q1", "2017-Q2", "2017-Q3"]
    # no dates at all: today's quarter
    today = run_periods(plain, dates(), None)
    assert len(today) == 1 and today[0].contains(date.today())


def test_periods_arrow_and_year_of():
    q = [parse_period("2017-Q1"), parse_period("2017-Q2")]
    assert periods_arrow(q).to_pylist() == [
        {"period": "2017-Q1", "period_start": date(2017, 1, 1), "period_end": date(2017, 3, 31)},
        {"period": "2017-Q2", "period_start": date(2017, 4, 1), "period_end": date(2017, 6, 30)}]
    assert year_of(q[1], 1).label == "2017"
    assert year_of(q[1], 2).label == "2018"

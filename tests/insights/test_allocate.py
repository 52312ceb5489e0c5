"""Work allocation: small programs whose optimum is known by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from teamquota.insights.allocate import AllocationProblem, Duty, allocate

VALUE = pd.DataFrame({"calls": [1.0, 2.0], "meetings": [3.0, 2.5]}, index=["ann", "bob"])


def _problem(**overrides) -> AllocationProblem:
    base = dict(reps=["ann", "bob"],
                duties=[Duty("calls", 8, 1.0), Duty("meetings", 4, 1.0)],
                available={"ann": 10.0, "bob": 10.0}, value=VALUE)
    base.update(overrides)
    return AllocationProblem(**base)


def test_allocate__two_reps_two_duties_by_hand() -> None:
    # Every unit takes 1 hour; 20 hours, 12 units of targets, 8 units free.
    # Ann earns 3 per meeting vs 1 per call (meetings +2); Bob 2.5 vs 2 (meetings +0.5).
    # Ann's edge in meetings is larger, so Ann does only meetings (10 -> 30) and Bob carries
    # the 8 calls (16) plus 2 meetings (5): 51. Moving one of Ann's hours to calls loses 2
    # and gains Bob only 0.5 -> no better plan.
    result = allocate(_problem())
    assert result.status == "optimal"
    units = result.plan.set_index(["rep", "duty"])["units"]
    assert units.to_dict() == pytest.approx({("ann", "calls"): 0, ("ann", "meetings"): 10,
                                             ("bob", "calls"): 8, ("bob", "meetings"): 2})
    assert result.expected_bookings == pytest.approx(51.0)


def test_allocate__even_split_baseline_by_hand() -> None:
    # Even split: each does 4 calls + 2 meetings (6 h), then 4 spare hours in the target
    # mix (calls 8/12, meetings 4/12 of target hours): 6.667 calls + 3.333 meetings each.
    # Ann 6.667*1 + 3.333*3 = 16.667; Bob 6.667*2 + 3.333*2.5 = 21.667; total 38.333
    result = allocate(_problem())
    assert result.even_split_bookings == pytest.approx(38 + 1 / 3)
    assert "+33.0%" in result.message  # 51 / 38.333 - 1 = 0.3304


def test_allocate__binding_constraints_and_shadow_prices_by_hand() -> None:
    # The calls target binds: one more call forces Bob to swap a meeting (2.5) for a call
    # (2) -> -0.5. The meetings target (12 done vs 4 needed) does not bind. Both reps' hours
    # bind: an hour is worth Ann's best use, 3, and Bob's, 2.5 (another meeting).
    result = allocate(_problem())
    binding = result.binding.set_index("constraint")["shadow_price"]
    assert binding.to_dict() == pytest.approx({"target calls": -0.5, "hours ann": 3.0,
                                               "hours bob": 2.5})
    assert "target meetings" not in binding.index
    assert result.binding.set_index("constraint").loc["target calls", "explanation"] == (
        "the calls target (8/week) binds; each extra unit costs 0.50 in bookings")


def test_allocate__per_person_maximum_moves_work_to_the_other_rep() -> None:
    # Ann may do at most 6 meetings: her other 4 hours go to calls (4 x 1 = 4) and Bob then
    # needs only 4 calls, spending 6 hours on meetings: 18 + 4 + 8 + 15 = 45
    result = allocate(_problem(max_units=pd.DataFrame({"meetings": [6.0]}, index=["ann"])))
    units = result.plan.set_index(["rep", "duty"])["units"]
    assert units[("ann", "meetings")] == pytest.approx(6)
    assert result.expected_bookings == pytest.approx(45.0)


def test_allocate__infeasible_targets_say_which_and_by_how_much() -> None:
    # Meetings capped at 3 per rep -> at most 6 meetings, but the target is 10: short by 4.
    # Calls (8) still fit. Nothing raises: the result explains.
    result = allocate(_problem(duties=[Duty("calls", 8, 1.0), Duty("meetings", 10, 1.0)],
                               max_units=pd.DataFrame({"meetings": [3.0, 3.0]},
                                                      index=["ann", "bob"])))
    assert result.status == "infeasible"
    short = result.shortfalls.set_index("subject")
    assert short.index.tolist() == ["meetings"]
    assert short.loc["meetings", ["target", "achievable", "short_by"]].tolist() == pytest.approx(
        [10, 6, 4])
    # the shortfall LP's duals name the binding resource: both reps' meeting maxima (3 + 3)
    assert result.message == ("targets cannot all be met: meetings: needs 10 units/week, at "
                              "most 6 fit (short by 4). Limited by the per-person maximum "
                              "of meetings (every rep: 6 in all)")
    # the best plan at that shortfall still schedules all 6 meetings and the 8 calls
    assert result.plan.groupby("duty")["units"].sum().to_dict() == pytest.approx(
        {"calls": 14, "meetings": 6})


def test_allocate__minimum_hours_above_availability_is_a_shortfall() -> None:
    # Bob must log 12 hours but has 10 available: short by 2 hours
    result = allocate(_problem(min_hours={"bob": 12.0}, available={"ann": 10.0, "bob": 10.0}))
    assert result.status == "infeasible"
    assert result.shortfalls["explanation"].tolist() == [
        "bob: needs 12 hours/week, at most 10 fit (short by 2)"]


def test_allocate__whole_units_with_milp_by_hand() -> None:
    # One rep, 10 hours; a meeting takes 3 h and is worth 10, a call 1 h worth 2.
    # LP would do 3.33 meetings (33.3). In whole units: 3 meetings + 1 call = 32 beats
    # 2 meetings + 4 calls = 28 and 1 + 7 = 24.
    problem = AllocationProblem(
        reps=["ann"], duties=[Duty("meetings", 0, 3.0), Duty("calls", 0, 1.0)],
        available={"ann": 10.0},
        value=pd.DataFrame({"meetings": [10.0], "calls": [2.0]}, index=["ann"]), integer=True)
    result = allocate(problem)
    assert result.plan.set_index("duty")["units"].to_dict() == pytest.approx(
        {"meetings": 3, "calls": 1})
    assert result.expected_bookings == pytest.approx(32.0)


def test_allocate__finite_duty_is_not_over_assigned() -> None:
    # 5 open deals of a product exist: target = max_total = 5, whatever the spare hours
    problem = AllocationProblem(
        reps=["ann", "bob"], duties=[Duty("open Core", 5, 1.0, max_total=5)],
        available={"ann": 40.0, "bob": 40.0},
        value=pd.DataFrame({"open Core": [100.0, 300.0]}, index=["ann", "bob"]))
    result = allocate(problem)
    assert result.plan.set_index("rep")["units"].to_dict() == pytest.approx({"ann": 0,
                                                                             "bob": 5})
    assert result.expected_bookings == pytest.approx(1500.0)


def test_allocate__team_hours_named_as_the_binding_resource() -> None:
    # 30 one-hour calls, 2 reps x 10 h: 20 fit, short by 10; each extra hour of either rep
    # is one more call, so the shortfall's dual on each hours row is 1
    result = allocate(_problem(duties=[Duty("calls", 30, 1.0)], value=VALUE[["calls"]]))
    assert result.status == "infeasible"
    assert result.resources == ["team hours: all 2 reps use all their available hours (20 "
                                "h/week in all; each extra hour would cut the shortfall by "
                                "up to 1.00)"]
    assert result.message.endswith("(short by 10). Limited by team hours: all 2 reps use all "
                                   "their available hours (20 h/week in all; each extra hour "
                                   "would cut the shortfall by up to 1.00)")


def test_allocate__one_reps_hours_and_a_finite_duty_named() -> None:
    # calls: only 12 exist (short by 18 of 30); ann must log 11 h but has 10 (short by 1)
    result = allocate(_problem(duties=[Duty("calls", 30, 1.0, max_total=12)],
                               value=VALUE[["calls"]], min_hours={"ann": 11.0}))
    assert result.resources == [
        "the hours of ann (10 h) (each extra hour would cut the shortfall by up to 1.00)",
        "calls: all 12 there are"]


def test_allocate__bookings_at_the_intervals_ends_by_hand() -> None:
    # the optimum of the first test (ann 10 meetings, bob 8 calls + 2 meetings = 51) priced
    # at low values (half) and high values (x1.5): 25.5 and 76.5; the plan itself is the
    # one chosen on the estimates
    result = allocate(_problem(value_low=VALUE * 0.5, value_high=VALUE * 1.5))
    assert result.expected_bookings == pytest.approx(51.0)
    assert (result.bookings_low, result.bookings_high) == pytest.approx((25.5, 76.5))
    assert result.message.endswith("at the strength intervals' ends the plan books 26 to 76")


def test_open_deal_problem__diversity_keeps_every_rep_on_every_product() -> None:
    # a: 10 GTX won of 10 (1000 each), b: 5 won of 10; both sell Core 1 of 2.
    # Open: 8 GTX, 4 Core. Without diversity a takes all 8 GTX (their value is higher);
    # with 0.5: each rep carries >= 0.5 x 8 / 3 reps = 1.333 GTX and 0.667 Core, and c (no
    # deals at all) is in the program, valued at the team's rate, with the reason
    from datetime import date

    from teamquota.insights.allocation_inputs import NO_DEALS_VALUE, open_deal_problem
    from tests.insights.conftest import closed_deals, team_dataset
    deals = (closed_deals("a", 10, 0, product="GTX") + closed_deals("b", 5, 5, product="GTX")
             + closed_deals("a", 1, 1, product="Core", start=20)
             + closed_deals("b", 1, 1, product="Core", start=20))
    deals += [{"deal_id": f"o{i}", "owner_id": "a" if i < 6 else "b", "account": "x",
               "product": "GTX" if i < 8 else "Core", "amount": None, "stage": "Open",
               "close_date": None, "engage_date": date(2017, 4, 1)} for i in range(12)]
    data = team_dataset(deals, {"a": "t", "b": "t", "c": "t"})
    plain = open_deal_problem(data, "t", diversity=0.0)
    assert plain.reps == ["a", "b", "c"] and plain.reasons == {"c": NO_DEALS_VALUE}
    assert plain.min_units is None
    mixed = open_deal_problem(data, "t")
    assert mixed.min_units["open Core"].tolist() == pytest.approx([2 / 3] * 3)
    assert mixed.min_units["open GTX"].tolist() == pytest.approx([4 / 3] * 3)
    result = allocate(mixed)
    carried = result.plan[result.plan["units"] > 0].groupby("rep")["duty"].nunique()
    assert carried.to_dict() == {"a": 2, "b": 2, "c": 2}
    assert result.reasons == {"c": NO_DEALS_VALUE}
    assert result.bookings_low <= result.expected_bookings <= result.bookings_high


def test_open_deal_problem__a_team_without_closed_deals_is_a_clear_error() -> None:
    from datetime import date

    from teamquota.insights.allocation_inputs import AllocationInputError, open_deal_problem
    from tests.insights.conftest import team_dataset
    deals = [{"deal_id": "o1", "owner_id": "a", "account": "x", "product": "GTX",
              "amount": None, "stage": "Open", "close_date": None,
              "engage_date": date(2017, 4, 1)}]
    with pytest.raises(AllocationInputError, match="team 't' has no closed deal to measure"):
        open_deal_problem(team_dataset(deals, {"a": "t"}), "t")

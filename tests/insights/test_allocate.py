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
    assert result.message == ("targets cannot all be met: meetings: needs 10 units/week, at "
                              "most 6 fit (short by 4)")
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

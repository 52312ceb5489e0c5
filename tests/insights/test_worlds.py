"""The world family: parameters in their ranges, twins, the planted truth, old defaults kept."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from teamquota.insights.frames import activities_frame
from teamquota.insights.synthetic import Plant, SyntheticConfig, generate_history
from teamquota.insights.worlds import EFFECTS, N_TEAMS, draw_world, make_world


@given(st.integers(0, 10**6))
@settings(max_examples=200, deadline=None)
def test_draw_world__every_parameter_in_its_range(seed: int) -> None:
    spec = draw_world(seed)
    assert 4 <= spec.team_size <= 15 and 4 <= spec.n_periods <= 12
    assert len(spec.plants) <= N_TEAMS
    teams = [p.seat // spec.team_size for p in spec.plants]
    assert len(set(teams)) == len(teams)            # at most one planted rep per team
    for plant in spec.plants:
        assert plant.effect in EFFECTS and plant.channel in ("activity", "conversion")
        assert 0 <= plant.last <= 3 and plant.last < spec.n_periods
    assert 0 <= spec.season_amplitude <= 0.3 and 0 <= spec.team_shock_sd <= 0.25
    assert 0 <= spec.missing_activity_share <= 0.3 and 0.2 <= spec.amount_sigma <= 0.8
    assert spec == draw_world(seed)                  # the seed is the world


def test_draw_world__the_noise_twin_differs_only_in_the_plants() -> None:
    planted, noise = draw_world(5), draw_world(5, noise_only=True)
    assert noise.plants == () and planted.plants
    assert replace(planted, plants=(), noise_only=True) == noise


def test_make_world__returns_the_planted_truth() -> None:
    spec = draw_world(3)
    history = make_world(spec)
    truth = history.truth
    assert len(truth) == N_TEAMS * spec.team_size
    planted = truth[truth["pattern"] != "none"]
    assert sorted(planted.index) == sorted(p.seat for p in spec.plants)
    for plant in spec.plants:
        row = truth.loc[plant.seat]
        assert (row["pattern"], row["channel"], row["effect"], row["last"]) == (
            plant.pattern, plant.channel, plant.effect, plant.last)
    assert len(history.periods) == spec.n_periods


def test_generate_history__an_activity_plant_lowers_that_reps_activity() -> None:
    # one rep 60% below on activity from the start; 13 others at talent sd 0.05: the
    # planted rep's activity count is ~0.4x their median (Poisson noise on ~2000 is ~2%)
    config = SyntheticConfig(n_teams=2, reps_per_team=7, noise_teams=0, n_periods=4,
                             plants=(Plant(0, "activity", 0.6),), shared_accounts=0)
    history = generate_history(11, config)
    volume = activities_frame(history.dataset).groupby("payee_id")["quantity"].sum()
    ratio = volume["t1-r1"] / volume.drop("t1-r1").median()
    assert 0.3 < ratio < 0.5


def test_generate_history__missing_activity_share_drops_whole_logs() -> None:
    config = SyntheticConfig(missing_activity_share=0.5, plants=())
    history = generate_history(2, config)
    logged = set(history.dataset["activities"]["payee_id"].to_pylist())
    reps = set(history.truth["payee_id"])
    assert 0 < len(reps - logged) < len(reps)        # some reps have no log, not all


def test_generate_history__the_defaults_give_the_same_data_as_before() -> None:
    # seed 7 measured before the family knobs were added (deals 16531, activities 167286,
    # patterns cycling): the new knobs draw from their own stream, so nothing moved
    history = generate_history(7)
    assert (history.dataset["deals"].num_rows, history.dataset["activities"].num_rows) == (
        16531, 167286)
    assert history.truth["pattern"].value_counts().to_dict() == {
        "none": 32, "busy_not_converting": 2, "recent_drop": 1, "disengaged": 1}
    assert isinstance(history.truth, pd.DataFrame) and "effect" not in history.truth

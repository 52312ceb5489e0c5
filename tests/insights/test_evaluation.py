"""The watchlist's evaluation: power curve, precision, false flags and smallest effects,
by hand on made-up outcome rows, and a small run on the world family."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from teamquota.insights.evaluation import (
    evaluate_family,
    main,
    power_curve,
    smallest_effects,
    summary,
)


def _row(seed: int, noise: bool, pattern: str, flagged: bool, effect: float = 0.0,
         last: int = 0, size: int = 8, periods: int = 8, found: str = "") -> dict:
    return {"payee_id": f"r{seed}-{pattern}-{effect}-{flagged}", "pattern": pattern,
            "channel": "", "effect": effect, "last": last, "status": "assessed",
            "flagged": flagged, "found_pattern": found, "rules": 0, "seed": seed,
            "noise_world": noise, "team_size": size, "n_periods": periods}


@pytest.fixture
def rows() -> pd.DataFrame:
    planted = [  # 4 at 30% from the start (3 found), 2 at 20% (0 found), 2 drops (1 found)
        _row(1, False, "disengaged", True, 0.3, found="disengaged"),
        _row(2, False, "disengaged", True, 0.3, found="low_outcomes"),
        _row(3, False, "busy_not_converting", True, 0.3, found="busy_not_converting"),
        _row(4, False, "busy_not_converting", False, 0.3),
        _row(5, False, "disengaged", False, 0.2),
        _row(6, False, "disengaged", False, 0.2),
        _row(7, False, "recent_drop", True, 0.6, last=2, found="recent_drop"),
        _row(8, False, "recent_drop", False, 0.6, last=2)]
    normal = [_row(s, False, "none", s == 1) for s in range(1, 11)]       # 1 false flag
    noise = [_row(s, True, "none", s <= 2) for s in range(1, 41)]          # 2 of 40
    return pd.DataFrame(planted + normal + noise)


def test_power_curve__recall_by_onset_and_effect(rows: pd.DataFrame) -> None:
    curve = power_curve(rows).set_index(["onset", "effect"])
    assert curve.loc[("from the start", 0.3), ["planted", "found"]].tolist() == [4, 3]
    assert curve.loc[("from the start", 0.3), "recall"] == 0.75     # 3 / 4
    assert curve.loc[("from the start", 0.2), "recall"] == 0.0
    assert curve.loc[("last 2", 0.6), "recall"] == 0.5               # 1 / 2


def test_summary__precision_on_planted_worlds_and_false_flags_on_noise(
        rows: pd.DataFrame) -> None:
    overall, target = summary(rows).to_dict("records")
    # planted worlds: 3 + 1 planted reps flagged and 1 normal rep -> recall 4/8,
    # precision 4/5
    assert (overall["found"], overall["planted"], overall["flags"]) == (3 + 1, 8, 5)
    assert overall["recall"] == 4 / 8 and overall["precision"] == 4 / 5
    assert (overall["noise_flags"], overall["noise_reps"]) == (2, 40)
    assert overall["false_flag_rate"] == 0.05
    assert overall["pattern_right"] == 3            # one disengaged labelled low_outcomes
    # target slice: effects >= 30% from the start only -> 3 of 4; flags as for the worlds
    assert (target["found"], target["planted"], target["recall"]) == (3, 4, 0.75)
    assert target["precision"] == 4 / 5


def test_smallest_effects__the_smallest_effect_with_70_percent_recall(
        rows: pd.DataFrame) -> None:
    table = smallest_effects(rows).set_index(["team_size", "periods"])
    cell = table.loc[("6-9", "7-9")]
    # 30%: 3 of 4 = 0.75 >= 0.7; 20%: 0 of 2; noise 2 of 40 = 5% <= 5% -> 30%
    assert cell["smallest_effect_70"] == 0.3 and cell["false_flag_rate"] == 0.05
    assert cell["recall_by_effect"] == "20%: 0.00 (n=2); 30%: 0.75 (n=4)"
    assert math.isnan(table.loc[("4-5", "4-6"), "smallest_effect_70"])  # no worlds there


def test_evaluate_family__a_planted_world_and_its_noise_twin_per_seed() -> None:
    rows = evaluate_family([1000])
    assert set(rows["noise_world"]) == {False, True}
    noise = rows[rows["noise_world"]]
    assert (noise["pattern"] == "none").all()
    planted = rows[~rows["noise_world"]]
    assert len(planted) == len(noise)              # the twins have the same reps
    assert planted["status"].notna().all()         # every rep of the world was assessed


def test_main__prints_and_writes_the_tables(tmp_path, capsys) -> None:
    assert main(["--worlds", "1", "--seed", "1001", "--out", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "== power_curve (seeds 1001-1001)" in shown
    for name in ("summary", "power_curve", "smallest_effect"):
        assert (tmp_path / f"{name}.csv").exists()


def test_watchlist_command__evaluate_prints_the_power_curve_and_writes_it(tmp_path) -> None:
    import typer
    from typer.testing import CliRunner

    from teamquota.cli.insights import register
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["watchlist", "--synthetic", "3", "--evaluate",
                                      "--worlds", "1", "--seed", "1002",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Watchlist defaults on 2 synthetic worlds (seeds 1002-1002" in result.stdout
    assert "false flags on noise" in result.stdout
    assert (tmp_path / "evaluation_power_curve.csv").exists()
    bad = CliRunner().invoke(app, ["watchlist", "--evaluate", "--worlds", "0"])
    assert bad.exit_code == 2
    assert bad.stderr == "error[C001]: --worlds 0: expected at least 1\n"

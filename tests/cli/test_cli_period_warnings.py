"""``--period`` shows the diagnostics of the periods asked for: the others are counted in
one line (issue 14). The demo's targets start in 2017-Q2 (its deals start on 2017-03-01,
so there is no history for Q1): every one of its 35 reps has no 2017-Q1 target for either
component, 35 x 2 = 70 warnings E010 for 2017-Q1, whatever period is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app
from teamquota.cli.output import hidden_for_periods
from teamquota.core.diagnostics import Diagnostic

PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")


def warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if "warning[" in line]


@pytest.fixture(scope="module")
def q4(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("q4")
    shown = CliRunner().invoke(app, ["calc", PLAN, "--demo", "--period", "2017-Q4", "--out",
                                     str(out / "a")])
    every = CliRunner().invoke(app, ["calc", PLAN, "--demo", "--period", "2017-Q4", "--out",
                                     str(out / "b"), "--all-warnings"])
    assert shown.exit_code == every.exit_code == 0, shown.stderr
    return shown.stderr, every.stderr


def test_calc_period__warnings_of_other_periods_are_one_line(q4: tuple[str, str]) -> None:
    shown, _ = q4
    assert warnings(shown) == []
    assert "70 warnings for other periods not shown (--all-warnings shows them)" in \
        shown.splitlines()


def test_calc_period__all_warnings_shows_every_one(q4: tuple[str, str]) -> None:
    _, every = q4
    assert len(warnings(every)) == 70  # none folded into "... and N more" either
    assert all("period 2017-Q1: no " in line for line in warnings(every))
    assert "not shown" not in every


def test_hidden_for_periods__a_diagnostic_naming_only_other_periods() -> None:
    def warning(message: str) -> Diagnostic:
        return Diagnostic("E010", message, severity="warning")

    items = [warning("no target for payee 'a', component 'c', period 2017-Q1: no c line"),
             warning("no target for payee 'a', component 'c', period 2017-Q4 or an earlier "
                     "period of its year: no c line"),
             warning("a warning about no period"),
             Diagnostic("E011", "targets row 3: period 2017-Q1 is finer than the plan"),
             warning("period 2017-03 of a monthly plan")]
    # errors always show; a warning with no period label shows
    assert hidden_for_periods(items, ["2017-Q4"]) == [items[0], items[4]]
    assert hidden_for_periods(items, ["2017-Q1"]) == [items[1], items[4]]
    assert hidden_for_periods(items, None) == []

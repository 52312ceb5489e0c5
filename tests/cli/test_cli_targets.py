"""``teamquota targets suggest`` on a tiny data folder, numbers checkable by hand.

History (all Won): p1 won 40,000.00 in 2016-Q3 and 60,000.00 in 2016-Q4; p2 won
10,000.00 and 11,000.00. Trailing mean of the last 2 quarters x 1.10, rounded half-up to
1,000: p1 (40,000 + 60,000) / 2 x 1.10 = 55,000 -> 55,000.00; p2 (10,000 + 11,000) / 2 x
1.10 = 11,550 -> 12,000.00. Team t1 = 55,000.00 + 12,000.00 = 67,000.00.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "src" / "teamquota" / "plan" / "examples"

FILES = {
    "payees.csv": "payee_id,name,role,target_incentive\n"
                  "p1,Pat One,AE,20000.00\np2,Sam Two,AE,20000.00\n",
    "teams.csv": "team_id,name\nt1,Team One\n",
    "memberships.csv": "payee_id,team_id,start_date\np1,t1,2016-01-01\np2,t1,2016-01-01\n",
    "deals.csv": "deal_id,owner_id,amount,stage,close_date\n"
                 "d1,p1,40000.00,Won,2016-07-01\nd2,p1,60000.00,Won,2016-12-31\n"
                 "d3,p2,10000.00,Won,2016-08-15\nd4,p2,11000.00,Won,2016-11-15\n",
}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def q1_rows(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(r["subject_type"], r["subject_id"], r["measure"], r["amount"])
            for r in rows if r["period"] == "2017-Q1"]


def test_it_writes_suggested_targets_as_csv(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "targets.csv"
    result = runner.invoke(app, ["targets", "suggest", "--data", str(data), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"wrote 12 targets to {out}; review the notes, edit, then load "
                             "them with your data\n")  # (2 payees + 1 team) x 4 quarters
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert q1_rows(rows) == [("payee", "p1", "personal", "55000.00"),
                             ("payee", "p2", "personal", "12000.00"),
                             ("team", "t1", "team", "67000.00")]
    assert rows[0]["note"] == "mean won of 2016-Q3, 2016-Q4 x 1.10"


def test_it_takes_measures_from_a_plan_whose_team_target_is_a_sum(data: Path,
                                                                  tmp_path: Path) -> None:
    # payee rows for component 'own' (its target.measure 'bookings'); the team component
    # sums them itself, so no team rows
    plan = tmp_path / "plan.yaml"
    plan.write_text("""\
plan: sums
components:
  - id: own
    scope: payee
    weight: 0.5
    measure: {sum: amount}
    target: {measure: bookings}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: together
    scope: team
    weight: 0.5
    measure: {sum: amount}
    target: {source: sum_of_members, of: own}
    payout: {curve: [[0, 0], [1, 1]]}
""", encoding="utf-8")
    result = runner.invoke(app, ["targets", "suggest", "--data", str(data), "--plan",
                                 str(plan), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert q1_rows(json.loads(result.stdout)["targets"]) == [
        ("payee", "p1", "bookings", "55000.00"), ("payee", "p2", "bookings", "12000.00")]


def test_it_takes_the_team_measure_from_a_team_only_plan(data: Path) -> None:
    result = runner.invoke(app, ["targets", "suggest", "--data", str(data), "--plan",
                                 str(EXAMPLES / "team-only-2017.yaml"), "-f", "json"])
    assert [row for row in q1_rows(json.loads(result.stdout)["targets"])
            if row[0] == "team"] == [("team", "t1", "team", "67000.00")]


def test_it_applies_growth_and_rounding_options(data: Path) -> None:
    # p2: 10,500 x 1.00 = 10,500 rounded half-up to 100 -> 10,500; p1: 50,000
    result = runner.invoke(app, ["targets", "suggest", "--data", str(data), "--growth", "1",
                                 "--round-to", "100", "--team-measure", "", "-f", "json"])
    assert q1_rows(json.loads(result.stdout)["targets"]) == [
        ("payee", "p1", "personal", "50000.00"), ("payee", "p2", "personal", "10500.00")]


def test_it_rejects_a_growth_that_is_not_a_number(data: Path) -> None:
    result = runner.invoke(app, ["targets", "suggest", "--data", str(data), "--growth",
                                 "10%"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error[C001]: --growth: '10%' is not a decimal number (e.g. 1.10)\n")


def test_measures_of__prefers_the_component_a_team_target_sums() -> None:
    from teamquota.plan.loader import load_plan_text
    from teamquota.targets.for_plan import measures_of

    plan = load_plan_text("""\
plan: m
components:
  - id: calls
    scope: payee
    measure: {count: true}
    payout: {rate: 1}
  - id: bookings
    scope: payee
    weight: 0.5
    measure: {sum: amount}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: team
    scope: team
    weight: 0.5
    measure: {sum: amount}
    target: {source: sum_of_members, of: bookings}
    payout: {curve: [[0, 0], [1, 1]]}
""").plan
    assert measures_of(plan, "personal") == ("bookings", None)


def test_it_shows_its_stages_on_stderr_in_text_mode_only(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "targets.csv"
    text = runner.invoke(app, ["targets", "suggest", "--data", str(data), "-o", str(out)])
    assert text.exit_code == 0, text.stderr
    assert [line.split()[:3] for line in text.stderr.splitlines() if line[:1] in "✓✗"] == [
        ["✓", "load", "data"], ["✓", "suggest", "targets"], ["✓", "write", "targets"]]
    as_json = runner.invoke(app, ["targets", "suggest", "--data", str(data), "-f", "json"])
    assert (as_json.exit_code, as_json.stderr) == (0, "")

"""The insight commands through Typer's CliRunner: exit codes, key output, files, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from teamquota.cli.insights import register

COMMANDS = ("strengths", "allocate", "watchlist", "conflicts", "simulate")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "insights.md"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def run(app: typer.Typer, *args: str):  # noqa: ANN201 - click Result
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("command", COMMANDS)
def test_register__every_command_has_help_and_docs(app, command: str) -> None:
    result = run(app, command, "--help")
    assert result.exit_code == 0
    assert "--out" in result.stdout
    assert f"teamquota {command}" in DOCS.read_text(encoding="utf-8")


def test_strengths_command__demo_by_default_writes_table_and_charts(app, tmp_path) -> None:
    result = run(app, "strengths", "--team", "dustin-brinkmann", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Strengths (win rate shrunk toward the team; 90% interval)" in result.stdout
    assert "Lajuana Vencill" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "plotly.min.js", "strengths.csv", "strengths_by_product.html",
        "strengths_win_rate.html"]
    # charts load plotly from the folder, never from a CDN
    html = (tmp_path / "strengths_win_rate.html").read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' in html and "cdn" not in html.lower()


def test_strengths_command__bad_ratings_are_diagnostics_with_lines(app, tmp_path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("rep,skill,rating\nanna-snelling,GTX Pro,4\nnobody,overall,3\n"
                       "anna-snelling,overall,9\n", encoding="utf-8")
    result = run(app, "strengths", "--ratings", str(ratings), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    # the diagnostics, then the stages that ran (load data, measure strengths: failed)
    assert result.stderr.splitlines()[:4] == [
        f"{ratings}:3: error[I004]: column 'rep': unknown payee 'nobody'",
        "hint: use the payee id from the payees table",
        f"{ratings}:4: error[I003]: column 'rating': '9' is not a number from 1 to 5",
        "hint: rate on a 1-5 scale, e.g. 4"]


def test_strengths_command__ratings_side_by_side(app, tmp_path) -> None:
    ratings = tmp_path / "ratings.yaml"
    ratings.write_text("- {rep: anna-snelling, skill: MG Special, rating: 5}\n"
                       "- {rep: anna-snelling, skill: overall, rating: 2}\n", encoding="utf-8")
    result = run(app, "strengths", "--team", "dustin-brinkmann", "--ratings", str(ratings),
                 "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert "Recorded ratings vs measured strengths" in result.stdout
    assert (tmp_path / "o" / "ratings_vs_measured.csv").exists()


def test_allocate_command__infeasible_targets_explained(app, tmp_path) -> None:
    result = run(app, "allocate", "--synthetic", "1", "--duty", "meeting=1000",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "(infeasible)" in result.stdout
    assert ("targets cannot all be met: meeting: needs 1,000 units/week, at most 42.2 fit "
            "(short by 957.8)") in result.stdout


def test_allocate_command__bad_duty_is_an_error(app, tmp_path) -> None:
    result = run(app, "allocate", "--synthetic", "1", "--duty", "meeting=lots",
                 "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == ("error[C001]: --duty 'meeting=lots': expected TYPE=NUMBER, e.g. "
                             "meeting=40\n")


def test_allocate_command__open_deals_on_the_demo(app, tmp_path) -> None:
    result = run(app, "allocate", "--team", "cara-losch", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Proposed plan for cara-losch: open deals to carry (optimal)" in result.stdout
    assert "with an even split" in result.stdout


def test_watchlist_command__k_larger_than_n_is_an_error(app, tmp_path) -> None:
    result = run(app, "watchlist", "--k", "5", "--last", "4", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == "error[C001]: --k 5 must be between 1 and --last 4\n"


def test_watchlist_command__synthetic_flags_the_planted(app, tmp_path) -> None:
    result = run(app, "watchlist", "--synthetic", "3", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "busy not converting" in result.stdout
    assert (tmp_path / "watchlist.html").exists()


def test_conflicts_command__synthetic_reports_late_handovers(app, tmp_path) -> None:
    result = run(app, "conflicts", "--synthetic", "2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Pipeline conflicts per team, all quarters" in result.stdout
    assert "deals changed owner within 14 days of close" in result.stdout


def test_simulate_command__small_run_on_the_demo(app, tmp_path) -> None:
    result = run(app, "simulate", "--replicates", "10", "--thresholds", "0.8",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Plan designs replayed on 10 bootstrap quarters" in result.stdout
    assert "does not model how people change what they do" in result.stdout
    assert (tmp_path / "recommendation.txt").read_text(encoding="utf-8").startswith(
        "Lowest expected cost: ")


def test_simulate_command__bad_thresholds_are_an_error(app, tmp_path) -> None:
    result = run(app, "simulate", "--thresholds", "0.8,high", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "expected numbers separated by commas" in result.stderr


def test_watchlist_command__plan_runs_on_the_engine(app, tmp_path) -> None:
    plan = DOCS.parents[1] / "src" / "teamquota" / "plan" / "examples" / "ae-hybrid-2017.yaml"
    result = run(app, "watchlist", "--plan", str(plan), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "attainment vs targets, plan ae_hybrid_2017" in result.stdout
    assert "payout share vs contribution share (engine payouts)" in result.stdout

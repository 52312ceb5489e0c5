"""The insight commands with ``--format json`` (issue 14): one JSON document on stdout with
the figures the text shows - every table as its CSV has it, and the command's own figures -
and nothing on stderr; in text mode their stages show on stderr. Small runs: the demo's
simulation on 10 quarters, one team's strengths, synthetic histories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

CASES = {
    "simulate": ["simulate", "--replicates", "10", "--thresholds", "0.8"],
    "strengths": ["strengths", "--team", "dustin-brinkmann"],
    "allocate": ["allocate", "--synthetic", "1", "--duty", "meeting=1000"],
    "watchlist": ["watchlist", "--synthetic", "3"],
    "conflicts": ["conflicts", "--synthetic", "2"],
}


@pytest.fixture(scope="module", params=list(CASES))
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[str, Any, Any]:
    name = request.param
    out = tmp_path_factory.mktemp(name)
    text = CliRunner().invoke(app, [*CASES[name], "--out", str(out / "text")])
    as_json = CliRunner().invoke(app, [*CASES[name], "--out", str(out / "json"), "-f", "json"])
    assert text.exit_code == as_json.exit_code == 0, text.output + as_json.output
    return name, text, as_json


def test_json__one_document_on_stdout_and_nothing_on_stderr(runs: tuple[str, Any, Any]
                                                            ) -> None:
    name, text, as_json = runs
    document = json.loads(as_json.stdout)
    assert document["ok"] is True
    assert as_json.stderr == ""
    # every file the text mode counts, and its tables as written to CSV
    wrote = next(line for line in text.stdout.splitlines() if line.startswith("wrote "))
    counted = [f for f in document["files"] if not f.endswith(".txt")]
    assert wrote.startswith(f"wrote {len(counted)} files to ")
    assert sorted(document["tables"]) == sorted(
        Path(f).stem for f in document["files"] if f.endswith(".csv"))
    # the stages showed on stderr in text mode
    assert "✓ load data" in text.stderr and "✓ write tables and charts" in text.stderr


def test_json__has_the_figures_of_the_text(runs: tuple[str, Any, Any]) -> None:
    name, text, as_json = runs
    document, shown = json.loads(as_json.stdout), text.stdout
    tables = document["tables"]
    if name == "simulate":
        assert document["recommendation"] in shown
        for row in tables["designs"]:  # e.g. the expected cost per quarter, as printed
            line = next(line for line in shown.splitlines() if f" {row['design']} " in line)
            assert f"{row['expected_total']:,.0f}" in line and f"{row['gini']:.2f}" in line
    elif name == "strengths":
        overall = [r for r in tables["strengths"] if r["dimension"] == "overall"]
        assert overall and {r["team_id"] for r in overall} == {"dustin-brinkmann"}
        for row in overall:
            assert f"{row['win_shrunk']:.0%} [{row['win_low']:.0%}-{row['win_high']:.0%}]" \
                in shown
    elif name == "allocate":
        assert (document["status"], document["duty"]) == ("infeasible", "activities")
        assert document["message"] in shown
        assert f"Proposed plan for {document['team']}: duties per week (infeasible)" in shown
    elif name == "watchlist":
        flagged = [r for r in tables["watchlist"] if r["flagged"]]
        assert document["flagged"] == len(flagged) > 0
        assert f"({document['flagged']} of {document['reps']} reps;" in shown
    else:
        late = len(tables["late_handovers"])
        assert late > 0 and f"{late} deals changed owner within 14 days of close" in shown


def test_json__a_bad_option_value_is_a_json_diagnostic(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--thresholds", "0.8,high", "-f", "json",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"ok": False, "diagnostics": [{
        "code": "C001", "source": None, "hint": None, "severity": "error",
        "message": "--thresholds '0.8,high': expected numbers separated by commas, e.g. "
                   "0.6,0.8,1.0"}]}

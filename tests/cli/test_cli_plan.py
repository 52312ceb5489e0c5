"""``teamquota validate`` and ``teamquota schema``: exact output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from teamquota.cli.app import app
from teamquota.plan.schema import plan_json_schema

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "src" / "teamquota" / "plan" / "examples"

PLAN = """\
plan: ae
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount}
    payout: {curve: [[0.5, 0], [1, 1]], capp: 2}
  - id: team
    scope: team
    weight: 0.5
    measure: {sum: amount}
    payout: {curve: [[0.5, 0], [1, 1]]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_validates_a_good_plan() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / "ae-hybrid-2017.yaml")])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "ok: plan 'ae_hybrid_2017' (2 components)\n", "")


def test_it_says_component_in_the_singular_for_one() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / "individual-2017.yaml")])
    assert result.stdout == "ok: plan 'individual_2017' (1 component)\n"


def test_it_reports_every_plan_error_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    # 0.4 + 0.5 = 0.9 at 'components' (2:1); 'capp' at line 7 column 41
    assert result.stderr == (
        f"{path}:2:1: error[P013]: components: component weights must sum to 1, but "
        "personal 0.4 + team 0.5 = 0.9\n"
        "hint: each weight is a share of target incentive; change them to add up to exactly 1\n"
        f"{path}:7:41: error[P011]: components[0].payout.capp: unknown key\n"
        "hint: did you mean 'cap'? allowed keys: curve, cap, rate, tiers, mode, basis, pool, "
        "per_deal\n")


def test_it_reports_errors_as_json_with_format_json(tmp_path: Path) -> None:
    path = write(tmp_path, PLAN)
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [(d["code"], d["source"]["line"], d["source"]["column"])
            for d in document["diagnostics"]] == [("P013", 2, 1), ("P011", 7, 41)]
    assert document["diagnostics"][1] == {
        "code": "P011", "message": "components[0].payout.capp: unknown key",
        "source": {"path": str(path), "line": 7, "column": 41},
        "hint": "did you mean 'cap'? allowed keys: curve, cap, rate, tiers, mode, basis, "
                "pool, per_deal",
        "severity": "error"}


def test_it_validates_as_json_when_ok() -> None:
    result = runner.invoke(app, ["validate", str(EXAMPLES / "team-pool-2017.yaml"), "-f",
                                 "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ok": True, "plan": "team_pool_2017",
                                         "components": 1, "diagnostics": []}


def test_it_reports_a_missing_plan_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert (result.exit_code, result.stderr) == (
        1, f"{tmp_path / 'nope.yaml'}: error[P000]: cannot read plan file: No such file or "
           "directory\nhint: check the path and that the file is readable\n")


def test_it_prints_the_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == plan_json_schema()


def test_it_writes_the_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.schema.json"
    result = runner.invoke(app, ["schema", "--output", str(target)])
    assert (result.exit_code, result.stdout) == (0, f"wrote {target}\n")
    assert json.loads(target.read_text(encoding="utf-8"))["$id"] == plan_json_schema()["$id"]


def test_it_fails_cleanly_when_the_schema_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "plan.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert (result.exit_code, result.stderr) == (
        1, f"error[C002]: cannot write {target}: No such file or directory\n")

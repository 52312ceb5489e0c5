"""Every shipped example plan calculates on the demo data with no error and no warning
(each AE paid under it; leaders are not on these plans)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

EXAMPLES = sorted((Path(__file__).parents[2] / "src/teamquota/plan/examples").glob("*.yaml"))


@pytest.mark.parametrize("plan", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_it_runs_every_example_plan_on_the_demo_cleanly(plan: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["calc", str(plan), "--demo", "-o", str(tmp_path),
                                      "-f", "json"])
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["diagnostics"] == []
    assert len({row["payee_id"] for row in document["totals"]}) == 35  # the 35 AEs

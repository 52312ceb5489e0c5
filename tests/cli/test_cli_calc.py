"""``teamquota calc`` and ``teamquota explain`` wiring, with a stand-in for the engine.

These check what the CLI owns — options reach ``teamquota.calculate``, results are written,
the totals and statements print exactly, bad input exits 1 — using the hand-built results
of conftest.py (4,000.00 + 4,500.00 = 8,500.00 for p1 in 2017-Q3). End-to-end runs
on the real engine belong with the engine's suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import teamquota
from teamquota.cli.app import app
from teamquota.data.dataset import Dataset
from teamquota.engine.results import Results

runner = CliRunner()
PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")
TABLE = (
    "plan ae\n"
    "┏━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━┓\n"
    "┃ payee ┃ period  ┃        total ┃\n"
    "┡━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━┩\n"
    "│ p1    │ 2017-Q2 │ 1,234.56 USD │\n"
    "│ p1    │ 2017-Q3 │ 8,500.00 USD │\n"
    "│ p2    │ 2017-Q3 │    10.00 USD │\n"
    "└───────┴─────────┴──────────────┘\n")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, make_results: Callable[[], Results]
          ) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    demo = Dataset({})

    def calculate(plan: Any, data: Any, backend: Any = "duckdb",
                  periods: list[str] | None = None) -> Any:
        seen.append({"plan": plan.plan.plan, "data": data, "backend": backend,
                     "periods": periods})
        return make_results()

    monkeypatch.setattr(teamquota, "calculate", calculate)
    monkeypatch.setattr(teamquota, "demo_dataset", lambda: demo)
    return seen


def test_it_calculates_writes_and_prints_totals(calls: list[dict[str, Any]],
                                                 tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--demo", "--out", str(tmp_path),
                                 "--period", "2017-Q3", "--period", "2017-Q2"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE + f"wrote 6 files to {tmp_path}\n"
    assert [(c["plan"], c["backend"], c["periods"]) for c in calls] == [
        ("ae_hybrid_2017", "duckdb", ["2017-Q3", "2017-Q2"])]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "attainment.csv", "attainment.parquet", "credits.csv", "credits.parquet",
        "payouts.csv", "payouts.parquet"]
    assert [line.split(" 0:")[0].rstrip() for line in result.stderr.splitlines()] == [
        "✓ load plan", "✓ load data", "✓ calculate (duckdb)", "✓ write results"]


def test_it_passes_the_engine_and_reports_json(calls: list[dict[str, Any]],
                                               tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--demo", "-o", str(tmp_path), "--engine",
                                 "spark", "--format", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    document = json.loads(result.stdout)
    assert calls[0]["backend"] == "spark" and calls[0]["periods"] is None
    assert document["totals"][1] == {"period": "2017-Q3", "payee_id": "p1",
                                     "currency": "USD", "amount": "8500.00"}


def test_it_needs_exactly_one_data_source(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--demo", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error[C001]: give exactly one of --data DIR or --demo" in result.stderr.splitlines()
    assert calls == []


def test_it_stops_at_a_bad_plan_before_reading_data(calls: list[dict[str, Any]],
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: x\ncomponents: []\n", encoding="utf-8")
    result = runner.invoke(app, ["calc", str(bad), "--demo", "-f", "json"])
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["P010"]
    assert calls == []


def test_it_explains_one_payee(calls: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["explain", "p1", "--plan", PLAN, "--demo", "--period",
                                 "2017-Q3"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Statement for p1, 2017-Q3 (plan ae)\n"
        "  personal [curve]: 4,000.00 USD\n"
        "    rule: personal: 40% of TI x curve(attainment)\n"
        "    10,000.00 x 0.4 x 1.0 = 4,000.00\n"
        "  team [curve] team east: 4,500.00 USD\n"
        "    rule: team: 60% of TI x curve\n"
        "    10,000.00 x 0.6 x 0.75 = 4,500.00\n"
        "  total: 8,500.00 USD\n\n")


def test_it_explains_as_json(calls: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["explain", "p2", "--plan", PLAN, "--demo", "-f", "json"])
    statement = json.loads(result.stdout)["statements"][0]
    assert (statement["period"], statement["totals"]) == ("2017-Q3", {"USD": "10.00"})


def test_it_suggests_a_payee_when_the_id_is_unknown(calls: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["explain", "p11", "--plan", PLAN, "--demo"])
    assert result.exit_code == 1
    assert (
        "error[C003]: no payout lines for payee 'p11' in this run; did you mean 'p1'? payees paid: "
        "p1, p2") in result.stderr.splitlines()

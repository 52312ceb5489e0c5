"""``teamquota calc`` and ``teamquota explain`` on a tiny data folder, run by the engine.

The AE hybrid example plan for 2017-Q1. Both reps have an annual TI of 40,000.00, so
10,000.00 for the quarter; team t1 = {p1, p2} for the whole quarter.

* p1 won 120,000.00 of 100,000.00: attainment 1.2; personal curve between (1, 1) and
  (1.5, 2), slope 2: 1 + 0.2 x 2 = 1.4 -> 10,000.00 x 0.4 x 1.4 = 5,600.00
* p2 won 60,000.00 of 100,000.00: attainment 0.6; between (0.5, 0) and (1, 1), slope 2:
  0.1 x 2 = 0.2 -> 10,000.00 x 0.4 x 0.2 = 800.00
* team t1 won 180,000.00 of 200,000.00: 0.9, gate 0.8 passes; between (0.8, 0.5) and
  (1, 1), slope 2.5: 0.5 + 0.1 x 2.5 = 0.75 -> 10,000.00 x 0.6 x 0.75 = 4,500.00 each
* totals: p1 5,600.00 + 4,500.00 = 10,100.00; p2 800.00 + 4,500.00 = 5,300.00
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import teamquota
from teamquota.cli.app import app

runner = CliRunner()
PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")
FILES = {
    "payees.csv": "payee_id,name,role,target_incentive\n"
                  "p1,Pat One,AE,40000.00\np2,Sam Two,AE,40000.00\n",
    "teams.csv": "team_id,name\nt1,Team One\n",
    "memberships.csv": "payee_id,team_id,start_date\np1,t1,2017-01-01\np2,t1,2017-01-01\n",
    "deals.csv": "deal_id,owner_id,account,product,amount,stage,close_date\n"
                 "d1,p1,Acme,GTX,70000.00,Won,2017-01-20\n"
                 "d2,p1,Acme,GTX,50000.00,Won,2017-03-31\n"
                 "d3,p2,Beta,GTX,60000.00,Won,2017-02-14\n"
                 "d4,p2,Beta,GTX,99000.00,Lost,2017-02-15\n",
    "targets.csv": "subject_type,subject_id,measure,period,amount\n"
                   "payee,p1,personal,2017-Q1,100000.00\npayee,p2,personal,2017-Q1,100000.00\n"
                   "team,t1,team,2017-Q1,200000.00\n",
}
TABLE = (
    "plan ae_hybrid_2017\n"
    "┏━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ payee ┃ period  ┃         total ┃\n"
    "┡━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ p1    │ 2017-Q1 │ 10,100.00 USD │\n"
    "│ p2    │ 2017-Q1 │  5,300.00 USD │\n"
    "└───────┴─────────┴───────────────┘\n")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_it_calculates_writes_and_prints_totals(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(out),
                                 "--period", "2017-Q1"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE + f"wrote 6 files to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "attainment.csv", "attainment.parquet", "credits.csv", "credits.parquet",
        "payouts.csv", "payouts.parquet"]
    stages = [line.split(" 0:")[0].rstrip() for line in result.stderr.splitlines()
              if line[:1] in "✓✗"]
    assert stages == ["✓ load plan", "✓ load data", "✓ calculate (duckdb)",
                      "✓ write results"]


def test_it_reports_totals_as_json(data: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "-d", str(data), "-o", str(tmp_path / "o"),
                                 "-p", "2017-Q1", "--format", "json"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["totals"] == [
        {"period": "2017-Q1", "payee_id": "p1", "currency": "USD", "amount": "10100.00"},
        {"period": "2017-Q1", "payee_id": "p2", "currency": "USD", "amount": "5300.00"}]


def test_it_explains_one_payee_line_by_line(data: Path) -> None:
    result = runner.invoke(app, ["explain", "p2", "--plan", PLAN, "--data", str(data),
                                 "--period", "2017-Q1"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Statement for p2, 2017-Q1 (plan ae_hybrid_2017)"
    assert [line for line in lines if not line.startswith("    ")] == [
        "Statement for p2, 2017-Q1 (plan ae_hybrid_2017)",
        "  personal [curve]: 800.00 USD",
        "  team [curve] team t1: 4,500.00 USD",
        "  total: 5,300.00 USD",
    ]
    rules = [line for line in lines if line.startswith("    rule: ")]
    assert len(rules) == 2
    # the engine's arithmetic is on the line under each rule
    assert "60,000.00 / target 100,000.00" in lines[3]
    assert "180,000.00 / target 200,000.00" in lines[6]


def test_memory_limit_and_temp_dir_give_the_same_payouts(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # calc sets these for the DuckDB connections; monkeypatch restores them afterwards
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_MEMORY_LIMIT", "")
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", "")
    monkeypatch.setenv("TEAMQUOTA_SPILL_ABOVE", "1B")  # every loaded table memory-mapped
    spill = tmp_path / "spill"
    out = tmp_path / "out"
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(out),
                                 "--period", "2017-Q1", "--memory-limit", "256MB",
                                 "--temp-dir", str(spill)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE + f"wrote 6 files to {out}\n"
    assert spill.is_dir() and list(spill.iterdir()) == []  # mapped files are unlinked


def test_deals_read_by_the_engine_pay_the_same(data: Path, tmp_path: Path) -> None:
    # the same four deals as a Parquet file outside the folder, read by DuckDB itself
    from teamquota.data.loader import load_table

    deals, _, _ = load_table("deals", data / "deals.csv")
    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(deals, lake / "part-0.parquet")
    loaded_out = tmp_path / "loaded"
    assert runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(loaded_out),
                               "--period", "2017-Q1"]).exit_code == 0
    (data / "deals.csv").unlink()
    out = tmp_path / "out"
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--deals",
                                 f"parquet:{lake}", "--out", str(out), "--period", "2017-Q1"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE + f"wrote 6 files to {out}\n"
    # payouts, and the per-deal credits for statements (read from the lake), are the same
    for name in ("payouts.parquet", "credits.parquet"):
        expected = pq.read_table(loaded_out / name)
        assert expected.num_rows > 0 and pq.read_table(out / name).equals(expected), name


def test_deals_source_that_is_not_one_is_refused(data: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--deals", "my deals.csv"])
    assert (result.exit_code, result.stdout) == (2, "")  # the command line is wrong
    assert result.stderr.startswith("error[C004]: --deals: not a deals source: 'my deals.csv'")


def test_a_memory_limit_that_is_not_a_size_is_refused(data: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--memory-limit", "lots"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert ("error[C004]: --memory-limit: not a size: 'lots'; expected e.g. 512MB or 4GB"
            in result.stderr.splitlines())


def test_it_suggests_a_payee_when_the_id_is_unknown(data: Path) -> None:
    result = runner.invoke(app, ["explain", "p11", "--plan", PLAN, "--data", str(data),
                                 "-p", "2017-Q1", "-f", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["diagnostics"] == [{
        "code": "C003", "source": None, "hint": None, "severity": "error",
        "message": "no payout lines for payee 'p11' in this run; did you mean 'p1'? "
                   "payees paid: p1, p2"}]


def test_it_needs_exactly_one_data_source(data: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--demo", "--data", str(data)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "error[C001]: give exactly one of --data DIR or --demo" in result.stderr.splitlines()


def test_it_stops_at_a_bad_plan_before_reading_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: x\ncomponents: []\n", encoding="utf-8")
    result = runner.invoke(app, ["calc", str(bad), "--data", str(tmp_path / "none"), "-f",
                                 "json"])
    assert result.exit_code == 1
    assert [(d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]] == [
        ("P010", "components: must have at least 1 item, not 0")]


def test_it_stops_at_bad_data_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    (data / "deals.csv").write_text(FILES["deals.csv"].replace("50000.00", "5O000.00"),
                                    encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["calc", PLAN, "-d", str(data), "-o", str(out), "-f", "json"])
    assert result.exit_code == 1
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]
             if d["severity"] == "error"]
    assert codes == ["D003"]
    assert not out.exists()


def test_it_passes_engine_and_periods_to_calculate(monkeypatch: pytest.MonkeyPatch,
                                                   data: Path, tmp_path: Path) -> None:
    # Spark is not started in the fast suite: check the options reach teamquota.calculate
    seen: list[tuple[Any, Any]] = []
    real = teamquota.calculate

    def spy(plan: Any, dataset: Any, backend: Any = "duckdb",
            periods: list[str] | None = None) -> Any:
        seen.append((backend, periods))
        return real(plan, dataset, "duckdb", periods)

    monkeypatch.setattr(teamquota, "calculate", spy)
    monkeypatch.setattr("teamquota.extras.missing", lambda extra: [])  # PySpark or not
    result = runner.invoke(app, ["calc", PLAN, "-d", str(data), "-o", str(tmp_path / "o"),
                                 "--engine", "spark", "-p", "2017-Q1", "-p", "2017-Q2",
                                 "-f", "json"])
    assert result.exit_code == 0, result.stdout
    assert seen == [("spark", ["2017-Q1", "2017-Q2"])]


@pytest.mark.parametrize("command", [["calc", PLAN], ["explain", "p1", "--plan", PLAN]],
                         ids=["calc", "explain"])
def test_it_names_the_spark_extra_when_pyspark_is_missing(
        monkeypatch: pytest.MonkeyPatch, data: Path, command: list[str]) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    result = runner.invoke(app, [*command, "-d", str(data), "--engine", "spark"])
    assert (result.exit_code, result.stdout) == (1, "")
    # two lines before anything runs (no stage, no traceback)
    assert result.stderr == (
        f"error: teamquota {command[0]} --engine spark needs the spark extra (pyspark is not "
        "installed)\nhint: pip install 'teamquota[spark]'\n")

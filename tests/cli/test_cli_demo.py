"""``teamquota demo``: the whole flow on the shipped Maven data in one command."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from teamquota.cli.app import app

runner = CliRunner()


def test_it_runs_the_demo_and_writes_targets_and_results(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "attainment.csv", "attainment.parquet", "credits.csv", "credits.parquet",
        "payouts.csv", "payouts.parquet", "targets.csv"]
    lines = result.stdout.splitlines()
    assert lines[0] == "Teams: won revenue against target"
    assert "Payouts per rep" in lines
    assert lines[-1].startswith(f"wrote 7 files to {out}; try: teamquota explain ")

    # the rep table's year total is the sum of that rep's payout lines in payouts.csv
    with (out / "payouts.csv").open(encoding="utf-8", newline="") as handle:
        payouts = list(csv.DictReader(handle))
    by_payee: dict[str, Decimal] = {}
    for row in payouts:
        by_payee[row["payee_id"]] = by_payee.get(row["payee_id"], Decimal(0)) + Decimal(
            row["amount"])
    assert len(by_payee) == 35  # the Maven data's 35 agents (role AE); leaders are not AEs
    rows = {cells[0]: cells[-1] for line in lines if line.startswith("│")
            for cells in [[c.strip() for c in line.strip("│").split("│")]]}
    for payee, total in by_payee.items():
        assert rows[payee] == f"{total:,.2f} USD"

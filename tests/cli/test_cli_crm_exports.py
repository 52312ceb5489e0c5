"""The commands on CRM export folders (issue 14): the insight commands read ``--data`` as
calc does (``--map``, ``--encoding``, the preset found from the header), and every JSON
document lists what the load reported - the preset chosen, a footer left out, amounts
rounded - as diagnostics, which text mode prints on stderr.

Fixtures: tests/fixtures/exports/ (paid by hand in tests/data/test_exports_end_to_end.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
PLAN = str(EXPORTS / "commission-2017.yaml")
REPORT = EXPORTS / "salesforce_report"
runner = CliRunner()

CHOSEN = {
    "code": "D042",
    "message": "column map 'salesforce' chosen: opportunities.csv has its columns "
               "'Opportunity ID', 'Opportunity Owner', 'Amount', 'Stage', 'Close Date'",
    "source": {"path": str(REPORT), "line": None, "column": None},
    "hint": "--map NAME chooses another, --map none the canonical files",
    "severity": "info"}
FOOTER = {
    "code": "D043",
    "message": "report footer not read: 5 lines after the blank line 14: 'Opportunities "
               "closed in 2017', 'Copyright (c) 2000-2026 salesforce.com, inc. All rights "
               "reserved.', 'Confidential Information - Do Not Distribute' and 2 more "
               "(column map footer)",
    "source": {"path": str(REPORT / "opportunities.csv"), "line": 14, "column": None},
    "hint": None,
    "severity": "info"}


def invoke(*args: str) -> tuple[Any, dict[str, Any]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result, json.loads(result.stdout)


def rendered(diagnostic: dict[str, Any]) -> str:
    """A JSON diagnostic as text mode prints it (Diagnostic.render)."""
    where = diagnostic["source"]["path"] + (
        f":{diagnostic['source']['line']}" if diagnostic["source"]["line"] else "")
    text = f"{where}: {diagnostic['severity']}[{diagnostic['code']}]: {diagnostic['message']}"
    return text + (f"\nhint: {diagnostic['hint']}" if diagnostic["hint"] else "")


def test_calc_json__lists_the_loads_notes_of_a_salesforce_report(tmp_path: Path) -> None:
    result, summary = invoke("calc", PLAN, "--data", str(REPORT), "--out", str(tmp_path))
    assert result.stderr == ""
    notes = summary["diagnostics"]
    assert notes[:2] == [CHOSEN, FOOTER]
    # "1,200.00", "12,500.00", "3,050.50", "2,345.67", "10,000.00", "9,999.00", "4,000.00",
    # "20,000.00": 8 of the 12 amounts have a thousands separator
    assert {"code": "D045", "message": "column 'amount': thousands separator ',' removed on "
            "8 rows (column map thousands)", "source": {
                "path": str(REPORT / "opportunities.csv"), "line": None, "column": None},
            "hint": None, "severity": "info"} in notes
    # the same notes text mode prints on stderr, in the same order
    text = runner.invoke(app, ["calc", PLAN, "--data", str(REPORT), "--out", str(tmp_path)])
    assert text.exit_code == 0
    printed = "\n".join(rendered(d) for d in notes)
    assert printed in text.stderr


def test_calc_json__says_how_many_amounts_a_map_rounded(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(REPORT, folder)
    report = folder / "opportunities.csv"
    # Bob's 950.00 (line 7) exported as 950.004 and Cara's 800.00 (line 10) as 799.995:
    # half-up to the cent they are 950.00 and 800.00 again, so the payouts do not change
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace('"950.00"', '"950.004"').replace('"800.00"', '"799.995"'),
                      encoding="utf-8")
    (folder / "ours.yaml").write_text("map: ours\nextends: salesforce\nround: half_up\n",
                                      encoding="utf-8")
    _, summary = invoke("calc", PLAN, "--data", str(folder), "--map",
                        str(folder / "ours.yaml"), "--out", str(tmp_path / "out"))
    rounded = [d for d in summary["diagnostics"] if d["code"] == "D044"]
    assert rounded == [{
        "code": "D044",
        "message": "column 'amount': 2 amounts rounded half-up to 2 places (column map round: "
                   "half_up): '950.004' -> '950.00' (line 7), '799.995' -> '800.00' (line 10)",
        "source": {"path": str(report), "line": None, "column": None},
        "hint": None, "severity": "info"}]
    totals = {(t["payee_id"], t["period"]): t["amount"] for t in summary["totals"]}
    assert totals[("bob-stone", "2017-Q2")] == "329.57"  # (950.00 + 2,345.67) x 10%
    assert totals[("cara-diaz", "2017-Q1")] == "80.00"   # 800.00 x 10%


def test_explain_json__lists_the_loads_notes(tmp_path: Path) -> None:
    _, document = invoke("explain", "ann-lee", "--plan", PLAN, "--data", str(REPORT),
                         "--period", "2017-Q1")
    assert document["statements"][0]["totals"] == {"USD": "1370.00"}  # 13,700.00 x 10%
    assert document["diagnostics"][:2] == [CHOSEN, FOOTER]


def test_ledger_post_json__lists_the_loads_notes(tmp_path: Path) -> None:
    _, document = invoke("ledger", "post", PLAN, "--data", str(REPORT), "--ledger",
                         str(tmp_path / "ledger"), "--by", "ops")
    q1 = next(p for p in document["periods"] if p["period"] == "2017-Q1")
    # Ann 1,370.00 + Bob 305.05 + Cara 80.00 (10% of each one's won deals)
    assert q1["totals"] == {"USD": "1755.05"}
    assert document["diagnostics"][:2] == [CHOSEN, FOOTER]


@pytest.mark.parametrize("how", [(), ("--map", "hubspot")], ids=["detected", "--map"])
def test_strengths__reads_a_hubspot_export_as_calc_does(tmp_path: Path,
                                                        how: tuple[str, ...]) -> None:
    _, document = invoke("strengths", "--data", str(EXPORTS / "hubspot"), *how, "--encoding",
                         "utf-8", "--out", str(tmp_path))
    overall = {(r["payee_id"], r["deals"], r["wins"], r["win_raw"])
               for r in document["tables"]["strengths"] if r["dimension"] == "overall"}
    # closed deals: Ann 9001, 9002, 9009, 9011 won and 9003 lost: 4 of 5 = 0.8;
    # 31415926 9005, 9006, 9007 won and 9010 lost: 3 of 4 = 0.75 (stages in any case)
    assert overall == {("ann-lee", 5, 4, 0.8), ("31415926", 4, 3, 0.75)}
    codes = [d["code"] for d in document["diagnostics"]]
    assert ("D042" in codes) == (how == ())  # named with --map: nothing to choose


def test_insights__refuse_map_without_data() -> None:
    result = runner.invoke(app, ["conflicts", "--synthetic", "1", "--map", "hubspot"])
    assert result.exit_code == 2
    assert result.stderr == ("error[C001]: --map and --encoding read your own exports: use "
                             "them with --data DIR\n")


def test_calc_json__says_which_encoding_read_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(REPORT, folder)
    report, payees = folder / "opportunities.csv", folder / "payees.csv"
    # the export saved by Excel in Windows-1252 (an en dash, 0x96), payees.csv by hand in
    # UTF-8 (an i with an acute accent): --encoding cp1252 reads the first only
    report.write_bytes(report.read_text(encoding="utf-8").replace(
        "Acme Corp", "Acme \u2013 Corp").encode("cp1252"))
    payees.write_text(payees.read_text(encoding="utf-8").replace("Cara Diaz", "Cara D\u00edaz"),
                      encoding="utf-8")
    _, summary = invoke("calc", PLAN, "--data", str(folder), "--encoding", "cp1252",
                        "--out", str(tmp_path / "out"))
    assert [(d["source"]["path"], d["message"]) for d in summary["diagnostics"]
            if d["code"] == "D049"] == [
        (str(payees), "read as UTF-8, not cp1252 (--encoding): the file is valid UTF-8"),
        (str(report), "read as cp1252, stated by --encoding (the file is not UTF-8 and has "
                      "no byte order mark)")]
    totals = {(t["payee_id"], t["period"]): t["amount"] for t in summary["totals"]}
    assert totals[("ann-lee", "2017-Q1")] == "1370.00"  # (1,200.00 + 12,500.00) x 10%


def test_allocate__says_an_export_without_products_cannot_be_shared_out(tmp_path: Path
                                                                        ) -> None:
    # the HubSpot export has no product column: the open deals cannot be grouped by it
    result = runner.invoke(app, ["allocate", "--data", str(EXPORTS / "hubspot"), "--out",
                                 str(tmp_path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert "✗ solve the allocation" in result.stderr  # the stage it stopped, no traceback
    assert (
        "error[C001]: allocate shares open deals out by product, and no deal has one (column "
        "'product' is blank on every deal); export the deals with their product "
        "(Salesforce: 'Product Name'), or give an activities table and use --source "
        "activities\n") in result.stderr

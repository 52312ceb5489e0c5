"""``teamquota calc`` writes outputs safe to open in a spreadsheet, all at once.

Issue 13, items 4 and 5. Ids may start with ``-`` or ``@`` (the id character set), so
payee, team and deal ids a spreadsheet would run as formulas reach every output; each such
text cell is written with a leading quote, amounts stay plain numbers (a negative number
is not quoted). Names, accounts and products hold the other formula starts. The plan is
the AE hybrid example on 2017-Q1; each payee has one won deal of 10,000.00 against a
target of 100,000.00.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app
from teamquota.core import spreadsheet

runner = CliRunner()
PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")
NASTY = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
IDS = ["-2", "@SUM.A1", "-p", "@p", "p5", "p6"]
QUOTED = ["'-2", "'@SUM.A1", "'-p", "'@p", "p5", "p6"]


def _field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    payees = "".join(f"{p},{_field(n)},AE,40000.00\n" for p, n in zip(IDS, NASTY, strict=True))
    members = "".join(f"{p},@t1,2017-01-01\n" for p in IDS)
    deals = "".join(f"-d{p},{p},{_field(n)},{_field(n)},10000.00,Won,2017-02-01\n"
                    for p, n in zip(IDS, NASTY, strict=True))
    targets = "".join(f"payee,{p},personal,2017-Q1,100000.00\n" for p in IDS)
    files = {
        "payees.csv": "payee_id,name,role,target_incentive\n" + payees,
        "teams.csv": "team_id,name\n@t1,=Team One\n",
        "memberships.csv": "payee_id,team_id,start_date\n" + members,
        "deals.csv": "deal_id,owner_id,account,product,amount,stage,close_date\n" + deals,
        "targets.csv": "subject_type,subject_id,measure,period,amount\n" + targets
                       + "team,@t1,team,2017-Q1,600000.00\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _calc(data: Path, out: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out",
                                 str(out), "--period", "2017-Q1"])
    assert result.exit_code == 0, result.output


def test_calc__quotes_formula_ids_in_every_csv(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _calc(data, out)
    payouts = _rows(out / "payouts.csv")
    assert sorted({r["payee_id"] for r in payouts}) == sorted(QUOTED)
    assert all(not r["payee_id"].startswith(("=", "+", "-", "@", "\t", "\r"))
               for r in payouts)
    credits = _rows(out / "credits.csv")
    assert sorted({r["deal_id"] for r in credits}) == sorted(f"'-d{p}" for p in IDS)
    owner = [r for r in credits if r["subject_type"] == "payee"]
    assert sorted({r["subject_id"] for r in owner}) == sorted(QUOTED)
    attainment = _rows(out / "attainment.csv")
    personal = [r for r in attainment if r["component_id"] == "personal"]
    assert sorted(r["subject_id"] for r in personal) == sorted(QUOTED)
    assert {r["team_id"] for r in payouts if r["component_id"] == "team"} == {"'@t1"}
    assert {r["subject_id"] for r in attainment if r["component_id"] == "team"} == {"'@t1"}
    # amounts are numbers, never quoted: 10,000.00 credited each, 0.1 of target
    assert {r["amount"] for r in owner} == {"10000.0000000000"}
    assert {r["attainment"] for r in personal} == {"0.100000000000"}


def test_calc__a_failing_write_leaves_the_previous_run(data: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    out = tmp_path / "out"
    _calc(data, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    real = spreadsheet.pacsv.write_csv
    calls: list[int] = []

    def second_write_fails(table: pa.Table, sink: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(table, sink)

    monkeypatch.setattr(spreadsheet.pacsv, "write_csv", second_write_fails)
    (data / "deals.csv").write_text(
        (data / "deals.csv").read_text(encoding="utf-8").replace("10000.00", "20000.00"),
        encoding="utf-8", newline="")
    result = runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out",
                                 str(out), "--period", "2017-Q1"])
    assert result.exit_code == 1
    assert f"{out}: error[C002]: cannot write the results: the disk is full (No space left " \
           "on device); the previous results are as they were" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()
            and p.name != "notes.txt"} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]
    monkeypatch.setattr(spreadsheet.pacsv, "write_csv", real)
    _calc(data, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert _rows(out / "credits.csv")[0]["amount"] == "20000.0000000000"

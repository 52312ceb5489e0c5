"""Issue 13 reproductions through the CLI that no other test makes fail on the code before
the fix (7b79e35): each test here failed there on the behaviour the issue names and
passes now.

- item 7: a plan ``effective`` end of 2017-02-30 was a traceback in ``teamquota validate``;
- item 8: a deals header of a million columns hung ``teamquota calc``;
- item 9: ``calc`` wrote its outputs in place, so a failing write left a half-new run.

The data is the AE hybrid example's: four payees with one won deal of 10,000.00 each
against a quarterly target of 100,000.00 in 2017-Q2 (the plan pays Q2 to Q4).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

runner = CliRunner()
PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")
PLAN_TEXT = Path(PLAN).read_text(encoding="utf-8")
PAYEES = ["p1", "p2", "p3", "p4"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    files = {
        "payees.csv": "payee_id,name,role,target_incentive\n"
                      + "".join(f"{p},Payee {p},AE,40000.00\n" for p in PAYEES),
        "teams.csv": "team_id,name\nt1,Team one\n",
        "memberships.csv": "payee_id,team_id,start_date\n"
                           + "".join(f"{p},t1,2017-01-01\n" for p in PAYEES),
        "deals.csv": "deal_id,owner_id,account,product,amount,stage,close_date\n"
                     + "".join(f"d{p},{p},Acme,GTX,10000.00,Won,2017-05-02\n"
                               for p in PAYEES),
        "targets.csv": "subject_type,subject_id,measure,period,amount\n"
                       + "".join(f"payee,{p},personal,2017-Q2,100000.00\n" for p in PAYEES)
                       + "team,t1,team,2017-Q2,400000.00\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def _calc(data: Path, out: Path) -> object:
    return runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(out),
                               "--period", "2017-Q2"])


def test_validate__an_effective_end_of_february_30_is_a_located_p010(tmp_path: Path) -> None:
    # item 7: the date parser raised "day is out of range for month" out of the CLI
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_TEXT.replace("end: 2017-12-31", "end: 2017-02-30"),
                    encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == 1
    # line 8 is "effective: {start: 2017-04-01, end: 2017-02-30}"; the end's value at col 37
    assert result.stderr.startswith(
        f"{path}:8:37: error[P010]: effective.end: expected a date (YYYY-MM-DD); found "
        "'2017-02-30'")


def test_calc__a_million_column_header_is_refused_at_once(data: Path, tmp_path: Path) -> None:
    # item 8: the header was split and matched column by column; a million columns hung
    # the command (the old code is still working after the 60 s given here)
    header = "deal_id,owner_id,account,product,amount,stage,close_date" + "".join(
        f",c{i}" for i in range(1_000_000))  # distinct names: no repeated-column D018
    (data / "deals.csv").write_text(header + "\n", encoding="utf-8", newline="")
    out = tmp_path / "out"
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from teamquota.cli.app import main; main()", "calc",
             PLAN, "--data", str(data), "--out", str(out), "--period", "2017-Q2"],
            capture_output=True, text=True, timeout=60, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        pytest.fail("teamquota calc was still reading a 1,000,007-column header after 60 s")
    assert time.monotonic() - started < 60
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    # 7 + 1,000,000 = 1,000,007 columns in 56 + 1,000,000 commas + 6,888,890 ('c' and
    # digits) = 7,888,946 bytes, over the 200,000-byte header limit: refused before any
    # column is split
    assert "deals.csv:1: error[D025]: the header line is longer than 200,000 bytes" in \
        done.stderr
    assert not out.exists()


def test_calc__a_failing_write_keeps_every_output_of_the_previous_run(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # item 9: calc replaced payouts.csv, then failed on the next file: a folder holding
    # the new payouts beside the old credits and attainment
    out = tmp_path / "out"
    assert _calc(data, out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {"payouts.csv", "credits.csv", "attainment.csv"} <= set(before)
    # 20,000.00 a deal changes every output: credits 20,000.00, attainment 0.2, payouts
    (data / "deals.csv").write_text(
        (data / "deals.csv").read_text(encoding="utf-8").replace("10000.00", "20000.00"),
        encoding="utf-8", newline="")
    import pyarrow.csv as pacsv
    real = pacsv.write_csv
    calls: list[int] = []

    def second_write_fails(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pacsv, "write_csv", second_write_fails)
    result = _calc(data, out)
    assert len(calls) >= 2
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    changed = sorted(name for name in before if after.get(name) != before[name])
    assert changed == [], f"half-written outputs: {changed}"
    assert result.exit_code == 1
    assert "cannot write the results" in result.output

"""``teamquota ledger``: post runs to a ledger folder, adjust, approve, lock, pay.

Two data sets. A tiny one (fast, every number by hand), the AE hybrid example plan:
both reps have an annual TI of 40,000.00, so 10,000.00 a quarter; team t1 = {p1, p2}.
Deals all close in 2017-Q3; Q2 and Q4 have none and pay 0.00.

* p1 won d1 70,000.00 + d2 50,000.00 = 120,000.00 of 100,000.00: attainment 1.2; curve
  (1, 1)-(1.5, 2), slope 2: 1.4 -> 10,000.00 x 0.4 x 1.4 = 5,600.00
* p2 won d3 60,000.00 of 100,000.00: 0.6; (0.5, 0)-(1, 1), slope 2: 0.2 -> 800.00
* team t1 won 180,000.00 of 200,000.00: 0.9 (gate 0.8 passes); (0.8, 0.5)-(1, 1), slope
  2.5: 0.75 -> 10,000.00 x 0.6 x 0.75 = 4,500.00 each
* Q3 total: 5,600.00 + 800.00 + 4,500.00 + 4,500.00 = 15,400.00

Cancelling d2 (stage Lost) after Q3 is locked: p1 70,000.00 / 100,000.00 = 0.7 -> 0.4 ->
1,600.00, so 1,600.00 - 5,600.00 = -4,000.00; team 130,000.00 / 200,000.00 = 0.65 is
below the gate -> 0.00, so -4,500.00 each: the clawbacks, paid in 2017-Q4.

And the shipped demo (the Maven CRM data with its suggested targets), end to end.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest
from typer.testing import CliRunner, Result

import teamquota
from teamquota.cli.app import app
from teamquota.cli.run import demo_data
from teamquota.ledger import filestore
from teamquota.ledger.filestore import plan_version

runner = CliRunner()
PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")
VERSION = plan_version(teamquota.load_plan(PLAN))  # ae_hybrid_2017@<8 hex of the text>
DEALS = ("deal_id,owner_id,account,product,amount,stage,close_date\n"
         "d1,p1,Acme,GTX,70000.00,Won,2017-08-10\n"
         "d2,p1,Acme,GTX,50000.00,{d2},2017-09-30\n"
         "d3,p2,Beta,GTX,60000.00,Won,2017-08-14\n")
FILES = {
    "payees.csv": "payee_id,name,email,role,target_incentive\n"
                  "p1,Pat One,pat@example.com,AE,40000.00\n"
                  "p2,Sam Two,sam@example.com,AE,40000.00\n",
    "teams.csv": "team_id,name\nt1,Team One\n",
    "memberships.csv": "payee_id,team_id,start_date\np1,t1,2017-01-01\np2,t1,2017-01-01\n",
    "targets.csv": "subject_type,subject_id,measure,period,amount\n" + "".join(
        f"payee,p1,personal,{q},100000.00\npayee,p2,personal,{q},100000.00\n"
        f"team,t1,team,{q},200000.00\n" for q in ("2017-Q2", "2017-Q3", "2017-Q4")),
}


def invoke(*args: str) -> Result:
    return runner.invoke(app, ["ledger", *args])


def tiny(folder: Path, d2: str = "Won") -> Path:
    folder.mkdir()
    for name, text in {**FILES, "deals.csv": DEALS.format(d2=d2)}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def posted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with the tiny data posted once by 'ops' (copied by each test)."""
    base = tmp_path_factory.mktemp("tiny")
    result = invoke("post", PLAN, "--data", str(tiny(base / "data")), "--ledger",
                    str(base / "ledger"), "--by", "ops")
    assert result.exit_code == 0, result.stderr
    return base


@pytest.fixture
def led(posted: Path, tmp_path: Path) -> Path:
    shutil.copytree(posted / "ledger", tmp_path / "ledger")
    return tmp_path / "ledger"


def error(result: Result, status: int = 1) -> str:
    assert result.exit_code == status, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


def errors(result: Result) -> list[str]:
    """The error lines of a command that calculates (its stages print on stderr too)."""
    return [line for line in error(result).splitlines() if line.startswith("error")]


def test_post__prints_each_period_and_books_the_run(tmp_path: Path) -> None:
    led = tmp_path / "ledger"
    result = invoke("post", PLAN, "--data", str(tiny(tmp_path / "data")), "--ledger",
                    str(led), "--by", "ops")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"posted run #1 ({VERSION}, by ops) to {led}\n"
        "2017-Q2: calculated, 0.00 USD (new)\n"
        "2017-Q3: calculated, 15,400.00 USD (new)\n"  # 5,600 + 800 + 4,500 + 4,500
        "2017-Q4: calculated, 0.00 USD (new)\n"
        "no corrections\n")
    assert sorted(p.name for p in led.iterdir()) == [".lock", "ledger.json", "runs"]
    saved = json.loads((led / "ledger.json").read_text())
    assert saved["plan"]["kind"] == "quarter" and saved["people"]["p1"] == [
        "Pat One", "pat@example.com"]


def test_cancelled_deal__clawbacks_in_the_next_open_period_with_their_cause(
        led: Path, tmp_path: Path) -> None:
    assert invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "fiona").exit_code == 0
    assert invoke("lock", "2017-Q3", "--ledger", str(led), "--by", "fiona").exit_code == 0
    lost = tiny(tmp_path / "lost", d2="Lost")
    result = invoke("post", PLAN, "--data", str(lost), "--ledger", str(led), "--by", "ops")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"posted run #2 ({VERSION}, by ops) to {led}\n"
        "2017-Q2: calculated, 0.00 USD (unchanged)\n"
        "2017-Q3: locked, 15,400.00 USD (run #1 is final)\n"
        "2017-Q4: calculated, -13,000.00 USD (was 0.00 USD)\n"  # -4,000 - 4,500 - 4,500
        "clawback -4,000.00 USD for p1 personal 2017-Q3, paid in 2017-Q4: "
        "deal d2 removed (was 50,000.00)\n"  # 1,600.00 - 5,600.00
        "clawback -4,500.00 USD for p1 team 2017-Q3, paid in 2017-Q4: "
        "deal d2 removed (was 50,000.00)\n"  # 0.00 (gate) - 4,500.00
        "clawback -4,500.00 USD for p2 team 2017-Q3, paid in 2017-Q4: "
        "deal d2 removed (was 50,000.00)\n")  # p2's team line: the team lost d2
    result = invoke("statement", "p1", "--ledger", str(led), "--period", "2017-Q4")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-5:] == [
        "  personal [clawback for 2017-Q3]: -4,000.00 USD",
        "    2017-Q3 is locked: it paid 5,600.00, recalculated 1,600.00, already adjusted "
        "0.00 -> -4,000.00",
        "  team [clawback for 2017-Q3] team t1: -4,500.00 USD",
        "    2017-Q3 is locked: it paid 4,500.00, recalculated 0.00, already adjusted 0.00 "
        "-> -4,500.00",
        "  total: -8,500.00 USD"]  # 0.00 + 0.00 - 4,000.00 - 4,500.00


def test_adjust__lands_in_its_period_while_open_and_after_it_once_locked(led: Path) -> None:
    result = invoke("adjust", "p2", "2017-Q3", "personal", "-25.50", "--ledger", str(led),
                    "--reason", "dispute 3: wrong split", "--by", "otto")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("booked manual adjustment -25.50 USD for p2 personal 2017-Q3 in "
                             "2017-Q3: dispute 3: wrong split\n")
    assert invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "fiona").exit_code == 0
    assert invoke("lock", "2017-Q3", "--ledger", str(led), "--by", "fiona").exit_code == 0
    result = invoke("adjust", "p2", "2017-Q3", "personal", "50", "--ledger", str(led),
                    "--reason", "missed SPIF", "--by", "otto")
    assert result.stdout == ("booked manual adjustment 50.00 USD for p2 personal 2017-Q3 in "
                             "2017-Q4 (2017-Q3 is locked): missed SPIF\n")
    result = invoke("show", "--ledger", str(led))
    assert result.stdout.splitlines()[-6:] == [
        "│ 2017-Q2 │ calculated │  #1 │      0.00 USD │",
        "│ 2017-Q3 │ locked     │  #1 │ 15,374.50 USD │",  # 15,400.00 - 25.50
        "│ 2017-Q4 │ calculated │  #1 │     50.00 USD │",
        "└─────────┴────────────┴─────┴───────────────┘",
        "manual adjustment -25.50 USD for p2 personal 2017-Q3, paid in 2017-Q3: dispute 3: "
        "wrong split",
        "manual adjustment 50.00 USD for p2 personal 2017-Q3, paid in 2017-Q4: missed SPIF"]


def test_approve__segregation_of_duties(led: Path) -> None:
    assert error(invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "ops")) == (
        "error[C001]: segregation of duties: ops posted run #1, which 2017-Q3 pays; someone "
        "else must approve it\n")
    assert invoke("adjust", "p1", "2017-Q3", "team", "10.00", "--ledger", str(led),
                  "--reason", "x", "--by", "otto").exit_code == 0
    assert error(invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "otto")) == (
        "error[C001]: segregation of duties: otto booked a manual adjustment in 2017-Q3; "
        "someone else must approve it\n")
    result = invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "fiona")
    assert result.stdout == (f"approved 2017-Q3 (run #1, 15,410.00 USD) by fiona; lock it "
                             f"with: teamquota ledger lock 2017-Q3 --ledger {led} --by NAME\n")


def test_lock__needs_an_approval_that_has_not_lapsed(led: Path) -> None:
    before = (led / "ledger.json").read_bytes()
    assert error(invoke("lock", "2017-Q3", "--ledger", str(led), "--by", "fiona")) == (
        "error[C001]: 2017-Q3 must be approved before it is locked\n")
    assert (led / "ledger.json").read_bytes() == before  # a failed command changes nothing
    assert invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "fiona").exit_code == 0
    assert invoke("adjust", "p1", "2017-Q3", "team", "10.00", "--ledger", str(led),
                  "--reason", "x", "--by", "otto").exit_code == 0  # the approval lapses
    assert error(invoke("lock", "2017-Q3", "--ledger", str(led), "--by", "fiona")) == (
        "error[C001]: 2017-Q3 must be approved before it is locked\n")


@pytest.mark.parametrize(("args", "message"), [
    (["p1", "2017-Q3", "personal", "1.005"],
     "error[C004]: amount '1.005' has more than 2 decimals; a manual adjustment is in cents, "
     "e.g. 1.01"),
    (["p1", "2017-Q3", "personal", "abc"],
     "error[C004]: amount 'abc' is not a number; write it like 50.00 or -25.50 (no "
     "thousands separators)"),
    (["p1", "2017-Q3", "personal", "0.00"],
     "error[C001]: a manual adjustment must not be zero"),
    (["p11", "2017-Q3", "personal", "5"],
     "error[C003]: payee 'p11' is not in the ledger; did you mean 'p1'? payees: p1, p2"),
    (["p1", "2016-Q3", "personal", "5"],
     "error[C003]: period 2016-Q3 is not in the ledger; did you mean '2017-Q3'? its "
     "periods: 2017-Q2, 2017-Q3, 2017-Q4"),
    (["p1", "2017-Q3", "persnal", "5"],
     "error[C003]: component 'persnal' is not in the ledger; did you mean 'personal'? "
     "components: personal, team"),
])
def test_adjust__refuses_in_one_line(led: Path, args: list[str], message: str) -> None:
    # an amount not of its form is the command line's fault (2); the rest the input's (1)
    status = 2 if message.startswith("error[C004]") else 1
    assert error(invoke("adjust", *args, "--ledger", str(led), "--reason", "x", "--by",
                        "otto"), status) == message + "\n"


def test_a_folder_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    assert error(invoke("show", "--ledger", str(tmp_path / "nope"))) == (
        f"error[C001]: {tmp_path / 'nope'} is not a teamquota ledger (no ledger.json); start "
        f"one with: teamquota ledger post PLAN --ledger {tmp_path / 'nope'}\n")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    assert errors(invoke("post", PLAN, "--data", str(tmp_path), "--ledger",
                         str(tmp_path / "busy"))) == [
        f"error[C001]: {tmp_path / 'busy'} is not a teamquota ledger: it holds other files; "
        "give an empty or new folder"]
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "ledger.json").write_text("{not json")
    assert error(invoke("show", "--ledger", str(tmp_path / "broken"))).startswith(
        f"error[C001]: {tmp_path / 'broken'} is not a readable teamquota ledger (")


def test_post__refuses_a_plan_with_other_periods(led: Path, posted: Path,
                                                 tmp_path: Path) -> None:
    monthly = tmp_path / "monthly.yaml"
    monthly.write_text(Path(PLAN).read_text().replace("period: quarter", "period: month"))
    assert errors(invoke("post", str(monthly), "--data", str(posted / "data"), "--ledger",
                         str(led), "--by", "ops")) == [(
        "error[C001]: this ledger books quarter periods (year starting in month 1); plan "
        "ae_hybrid_2017 now pays month periods (year starting in month 1): start a new "
        "ledger folder")]


def test_two_commands_cannot_interleave(led: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filestore, "LOCK_WAIT_SECONDS", 0.2)
    with open(led / ".lock") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert error(invoke("approve", "2017-Q3", "--ledger", str(led), "--by", "fiona")) == (
            f"error[C001]: another teamquota command is using the ledger {led}; try again "
            "when it has finished\n")


def test_payroll__of_an_open_period_and_unknown_periods_refused(led: Path, tmp_path: Path) -> None:
    out = tmp_path / "q3.csv"
    result = invoke("payroll", "2017-Q3", "--ledger", str(led), "-o", str(out))
    assert result.stdout == (f"wrote the payroll of 2017-Q3 (calculated, not final until "
                             f"locked): 4 lines to {out}\n")
    assert out.read_bytes().decode().splitlines()[1] == (
        "2017-Q3,p1,Pat One,pat@example.com,ae_hybrid_2017,personal,USD,5600.00,calculated,1")
    assert error(invoke("payroll", "2018-Q1", "--ledger", str(led), "-o", str(out))) == (
        "error[C003]: period 2018-Q1 is not in the ledger; did you mean '2017-Q4'? its "
        "periods: 2017-Q2, 2017-Q3, 2017-Q4\n")


# -- the shipped demo, end to end ---------------------------------------------------------

CANCELLED = "LSJ2A8ZX"  # markita-hansen's Won deal of 29,166.00, closed 2017-09-26 (Q3)


def demo_folder(folder: Path, lost: str | None = None,
                names: dict[str, str] | None = None) -> Path:
    """The demo data (with the targets --demo suggests) as a data folder, with one deal's
    stage set to Lost and payees renamed."""
    dataset = demo_data(teamquota.load_plan(PLAN).plan)
    folder.mkdir()
    for name in dataset.tables:
        table = dataset[name]
        if name == "deals" and lost:
            table = table.set_column(table.schema.get_field_index("stage"), "stage",
                                     pc.if_else(pc.equal(table["deal_id"], lost), "Lost",
                                                table["stage"]))
        if name == "payees" and names:
            renamed = [names.get(p, n) for p, n in zip(table["payee_id"].to_pylist(),
                                                         table["name"].to_pylist(),
                                                         strict=True)]
            table = table.set_column(table.schema.get_field_index("name"), "name",
                                     [renamed])
        pcsv.write_csv(table, folder / f"{name}.csv")
    return folder


def test_demo__lock_cancel_clawback_adjust_repost_rename(tmp_path: Path) -> None:
    led = str(tmp_path / "ledger")
    result = invoke("post", PLAN, "--demo", "--ledger", led, "--by", "ops")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (f"posted run #1 ({VERSION}, by ops) to {led}\n"
                             "2017-Q2: calculated, 92,809.54 USD (new)\n"
                             "2017-Q3: calculated, 71,002.09 USD (new)\n"
                             "2017-Q4: calculated, 57,815.59 USD (new)\n"
                             "no corrections\n")
    result = invoke("approve", "2017-Q3", "--ledger", led, "--by", "fiona")
    assert result.exit_code == 0, result.stderr
    result = invoke("lock", "2017-Q3", "--ledger", led, "--by", "fiona")
    assert re.fullmatch(r"locked 2017-Q3 by fiona: run #1 is final, 71,002.09 USD; payroll "
                        r"sha256 [0-9a-f]{12}\n", result.stdout), result.stdout
    before = tmp_path / "q3-before.csv"
    assert invoke("payroll", "2017-Q3", "--ledger", led, "-o", str(before)).exit_code == 0

    # LSJ2A8ZX cancelled. markita-hansen's personal Q3, locked: Won 139,515.00 / target
    # 104,000.00 = 1.3415 -> curve 1 + 0.3415 x 2 = 1.6830 x TI 5,000.00 x 0.4 = 3,365.96.
    # Without it: 110,349.00 / 104,000.00 = 1.0610 -> 1.1221 x 2,000.00 = 2,244.19.
    # Clawback 2,244.19 - 3,365.96 = -1,121.77; her team (celia-rouche) is below its gate
    # either way (74.7% -> 70.3%), so its lines stay 0.00 and nothing else changes.
    cancelled = demo_folder(tmp_path / "cancelled", lost=CANCELLED)
    result = invoke("post", PLAN, "--data", str(cancelled), "--ledger", led, "--by", "ops")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"posted run #2 ({VERSION}, by ops) to {led}\n"
        "2017-Q2: calculated, 92,809.54 USD (unchanged)\n"
        "2017-Q3: locked, 71,002.09 USD (run #1 is final)\n"
        "2017-Q4: calculated, 56,693.82 USD (was 57,815.59 USD)\n"  # 57,815.59 - 1,121.77
        "clawback -1,121.77 USD for markita-hansen personal 2017-Q3, paid in 2017-Q4: "
        f"deal {CANCELLED} removed (was 29,166.00)\n")

    result = invoke("adjust", "markita-hansen", "2017-Q3", "personal", "50.00", "--ledger",
                    led, "--reason", "dispute 7: missed SPIF", "--by", "otto")
    assert result.stdout == ("booked manual adjustment 50.00 USD for markita-hansen personal "
                             "2017-Q3 in 2017-Q4 (2017-Q3 is locked): dispute 7: missed "
                             "SPIF\n")

    # unchanged data again: nothing new is booked (run #3 computes the same clawback),
    # Q4 keeps 56,693.82 + 50.00 = 56,743.82
    result = invoke("post", PLAN, "--data", str(cancelled), "--ledger", led, "--by", "ops")
    assert result.stdout == (f"posted run #3 ({VERSION}, by ops) to {led}\n"
                             "2017-Q2: calculated, 92,809.54 USD (unchanged)\n"
                             "2017-Q3: locked, 71,002.09 USD (run #1 is final)\n"
                             "2017-Q4: calculated, 56,743.82 USD (unchanged)\n"
                             "no new corrections; 1 correction as before (teamquota ledger "
                             "show lists them)\n")
    result = invoke("show", "--ledger", led, "--period", "2017-Q4")
    assert result.stdout.splitlines()[-2:] == [
        "clawback -1,121.77 USD for markita-hansen personal 2017-Q3, paid in 2017-Q4: "
        f"deal {CANCELLED} removed (was 29,166.00)",
        "manual adjustment 50.00 USD for markita-hansen personal 2017-Q3, paid in 2017-Q4: "
        "dispute 7: missed SPIF"]

    # a payee renamed in the data: locked Q3's payroll is the file frozen at lock
    renamed = demo_folder(tmp_path / "renamed", lost=CANCELLED,
                          names={"markita-hansen": "=Markita Smith"})
    result = invoke("post", PLAN, "--data", str(renamed), "--ledger", led, "--by", "ops")
    assert result.stdout.endswith("no new corrections; 1 correction as before (teamquota "
                                  "ledger show lists them)\n"), result.stdout
    after, q4 = tmp_path / "q3-after.csv", tmp_path / "q4.csv"
    assert invoke("payroll", "2017-Q3", "--ledger", led, "-o", str(after)).exit_code == 0
    assert after.read_bytes() == before.read_bytes()
    assert b",Markita Hansen," in before.read_bytes()
    assert invoke("payroll", "2017-Q4", "--ledger", led, "-o", str(q4)).exit_code == 0
    markita = [line for line in q4.read_text().splitlines() if ",markita-hansen," in line]
    assert markita == [
        "2017-Q4,markita-hansen,'=Markita Smith,markita.hansen@maventech.example,"
        "ae_hybrid_2017,personal,USD,126.27,calculated,4",
        "2017-Q4,markita-hansen,'=Markita Smith,markita.hansen@maventech.example,"
        "ae_hybrid_2017,personal (clawback for 2017-Q3),USD,-1121.77,calculated,4",
        "2017-Q4,markita-hansen,'=Markita Smith,markita.hansen@maventech.example,"
        "ae_hybrid_2017,personal (manual for 2017-Q3),USD,50.00,calculated,4",
        "2017-Q4,markita-hansen,'=Markita Smith,markita.hansen@maventech.example,"
        "ae_hybrid_2017,team,USD,0.00,calculated,4"]


def test_json__results_and_refusals_for_machines(led: Path) -> None:
    result = invoke("show", "--ledger", str(led), "--period", "2017-Q3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "ok": True, "plan": "ae_hybrid_2017", "entries": [],
        "periods": [{"period": "2017-Q3", "status": "calculated", "run": 1,
                     "totals": {"USD": "15400.00"}}]}
    result = invoke("adjust", "p1", "2017-Q3", "personal", "abc", "--ledger", str(led),
                    "--reason", "x", "--by", "otto", "--format", "json")
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["diagnostics"]
    assert problem["code"] == "C004"

"""The ledger folder's files keep every decimal in positional notation (a zero credit is
``0.0000000000``, not ``0E-10``), read back as the same Decimal; files written before,
with ``str(Decimal)``, read the same, and a period locked then still pays its snapshot."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from teamquota.ledger import book
from teamquota.ledger.causes import Inputs
from teamquota.ledger.filestore import FileStore, RunInfo, load, save
from teamquota.ledger.memory import Computed
from teamquota.ledger.model import APPROVED

D = Decimal
RITA = ("rita", "ae", "personal")
BOB = ("bob", "ae", "personal")
EXPONENT = re.compile(r'"-?[0-9.]+E[-+]?[0-9]+"')  # a JSON string like "0E-10" or "1E+3"


def locked_ledger(folder: Path) -> FileStore:
    """One run for 2017-Q1, approved and locked, saved in ``folder``. Credits as the engine
    gives them (decimal(38, 10): a zero is 0E-10, 0.0000001 is 1.000E-7); Bob's line is a
    negative zero, which the lock's fingerprint tells from 0.00."""
    store = FileStore()
    inputs = {("2017-Q1", RITA): Inputs(
        {"d1": D("0E-10"), "d2": D("1.000E-7"), "d3": D("1500.0000000000")},
        {"payee rita 2017-Q1": D("1E+3")}, "ae@1")}
    store.add_run(1, [Computed("2017-Q1", RITA, D("150.00"), "USD"),
                      Computed("2017-Q1", BOB, D("-0.00"), "USD")], inputs)
    store.run_info[1] = RunInfo("ops", "ae@1")
    book.publish(store, 1, ["2017-Q1"], {}, "quarter")
    store.set_status("2017-Q1", APPROVED, "fiona")
    book.lock(store, "2017-Q1", "fiona")
    save(folder, store)
    return store


def test_filestore__writes_decimals_in_positional_notation(tmp_path: Path) -> None:
    locked_ledger(tmp_path)
    run_text = (tmp_path / "runs" / "run-000001.json").read_text(encoding="utf-8")
    ledger_text = (tmp_path / "ledger.json").read_text(encoding="utf-8")
    assert EXPONENT.findall(run_text + ledger_text) == []
    run = json.loads(run_text)
    assert run["credits"]["own|2017-Q1|rita|ae|personal"] == {
        "d1": "0.0000000000", "d2": "0.0000001000", "d3": "1500.0000000000"}
    assert run["inputs"][0]["targets"] == {"payee rita 2017-Q1": "1000"}
    assert [line["amount"] for line in run["lines"]] == ["150.00", "-0.00"]
    # 150.00 + -0.00: the locked snapshot's total
    assert json.loads(ledger_text)["snapshots"]["2017-Q1"]["total"] == {"USD": "150.00"}


def test_filestore__reads_back_the_same_decimals_and_the_lock_still_holds(
        tmp_path: Path) -> None:
    written = locked_ledger(tmp_path)
    loaded = load(tmp_path)
    credits = loaded.runs[1].inputs[("2017-Q1", RITA)].credits
    assert [credits[d].as_tuple() for d in ("d1", "d2", "d3")] == [
        D("0E-10").as_tuple(), D("1.000E-7").as_tuple(), D("1500.0000000000").as_tuple()]
    # the fingerprint taken at lock (of 150.00 and -0.00) matches the rows read back, so
    # the payroll is the snapshot, not a "changed outside teamquota" refusal
    assert book.fingerprint(loaded.rows("2017-Q1")) == written.fingerprints["2017-Q1"]
    assert book.payroll(loaded, "2017-Q1") == written.snapshots["2017-Q1"].payroll_csv


def test_filestore__reads_files_written_with_exponents_and_keeps_their_fingerprints(
        tmp_path: Path) -> None:
    written = locked_ledger(tmp_path)
    run_file = tmp_path / "runs" / "run-000001.json"
    # as teamquota wrote it before (str(Decimal)): exponents for zero and tiny credits
    old = run_file.read_text(encoding="utf-8").replace(
        '"0.0000000000"', '"0E-10"').replace('"0.0000001000"', '"1.000E-7"').replace(
        '"1000"', '"1E+3"')
    run_file.write_text(old, encoding="utf-8")
    loaded = load(tmp_path)
    credits = loaded.runs[1].inputs[("2017-Q1", RITA)].credits
    assert (credits["d1"], credits["d2"]) == (D("0E-10"), D("1.000E-7"))
    assert loaded.runs[1].inputs[("2017-Q1", RITA)].targets == {"payee rita 2017-Q1": D(1000)}
    assert book.payroll(loaded, "2017-Q1") == written.snapshots["2017-Q1"].payroll_csv
    # saving rewrites ledger.json only: a run file is written once and kept as it was
    save(tmp_path, loaded)
    assert run_file.read_text(encoding="utf-8") == old
    assert book.fingerprint(load(tmp_path).rows("2017-Q1")) == written.fingerprints["2017-Q1"]

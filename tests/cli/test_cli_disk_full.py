"""``teamquota calc`` on a full disk: a located C002 error with the D050 words (the disk is
full, the previous results are as they were, free space and run again), exit 1, no
traceback, and the previous outputs byte for byte.

The full disk is simulated by patching the write that fails to raise what the OS and
pyarrow raise there: ``OSError(ENOSPC)`` (pyarrow: "Error writing bytes to file. Detail:
[errno 28] No space left on device") or EDQUOT.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app
from tests.cli.test_cli_calc import FILES, PLAN

runner = CliRunner()
ERRORS = {"enospc": (errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space "
                                   "left on device"),
          "edquot": (errno.EDQUOT, "Disk quota exceeded")}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _calc(data: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(out),
                               "--period", "2017-Q1", *extra])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind", ERRORS)
def test_calc_on_a_full_disk_says_so_and_keeps_the_previous_results(
        data: Path, tmp_path: Path, monkeypatch: Any, kind: str) -> None:
    out = tmp_path / "out"
    assert _calc(data, out).exit_code == 0
    before = _files(out)
    # a new run pays differently (d1 70,000.00 -> 10.00), and its CSVs hit the full disk
    # after its Parquet files are written
    deals = data / "deals.csv"
    deals.write_text(deals.read_text().replace("70000.00", "10.00"), encoding="utf-8")
    number, text = ERRORS[kind]

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(number, text)
    monkeypatch.setattr("teamquota.engine.results.write_csv", full)
    result = _calc(data, out)
    assert result.exit_code == 1
    assert f"{out}: error[C002]: cannot write the results: the disk is full ({text}); the " \
           "previous results are as they were\nhint: free space, then run calc again" in \
           result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # no .partial


def test_calc_whose_reject_file_hits_a_full_disk_writes_nothing(
        data: Path, tmp_path: Path, monkeypatch: Any) -> None:
    out = tmp_path / "out"
    assert _calc(data, out).exit_code == 0
    before = _files(out)
    deals = data / "deals.csv"
    deals.write_text(deals.read_text() + "d5,p1,Acme,GTX,lots,Won,2017-02-01\n",
                     encoding="utf-8")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("teamquota.data.rejects.write_rejects", full)
    result = _calc(data, out, "--on-error", "reject")
    assert result.exit_code == 1
    assert f"{out / 'rejects'}: error[C002]: cannot write the rejected rows: the disk is " \
           "full (No space left on device); the previous results are as they were\nhint: " \
           "free space, then run calc again" in result.stderr
    assert "Traceback" not in result.output
    assert _files(out) == before


def test_calc_that_cannot_write_for_another_reason_names_it(
        data: Path, tmp_path: Path, monkeypatch: Any) -> None:
    out = tmp_path / "out"

    def denied(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EACCES, "Permission denied")
    monkeypatch.setattr("teamquota.engine.results.write_csv", denied)
    result = _calc(data, out)
    assert result.exit_code == 1
    assert f"error[C002]: cannot write results to {out}: Permission denied" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_calc_whose_spilled_work_hits_a_full_disk_names_the_temp_folder(
        data: Path, tmp_path: Path, monkeypatch: Any) -> None:
    import duckdb
    out, spill = tmp_path / "out", tmp_path / "spill"
    assert _calc(data, out).exit_code == 0
    before = _files(out)

    def full(*args: Any, **kwargs: Any) -> None:
        raise duckdb.IOException('IO Error: Could not write file "spill/duckdb_temp_block-1'
                                 '.block": No space left on device')
    monkeypatch.setattr("teamquota.calculate", full)
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", str(spill))  # restored after: calc sets it
    result = _calc(data, out, "--temp-dir", str(spill))
    assert result.exit_code == 1
    assert (f"{spill}: error[C002]: cannot write the calculation's temporary files: the disk "
            "is full (IO Error: Could not write file \"spill/duckdb_temp_block-1.block\": No "
            "space left on device); nothing was written\nhint: free space or give --temp-dir "
            "a larger disk, then run again") in result.stderr
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert _files(out) == before

"""The bad-input corpus as a data table (tests/fixtures/bad_inputs/data_cases.yaml): each case
replaces one table of the good dataset beside it; the load must fail with exactly the
expected errors, and the files on disk are as they were (hashes before and after).

``<<REPEAT text N>>`` in a case's content stands for ``text`` written N times (wide headers).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from teamquota.data.loader import LoadOptions, load

CORPUS = Path(__file__).parents[1] / "fixtures" / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "data_cases.yaml").read_text())
REPEAT = re.compile(r"<<REPEAT (.+?) (\d+)>>")


def expand(content: str) -> str:
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), content)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def load_case(case: dict[str, Any], folder: Path) -> tuple[Any, str]:
    for good in (CORPUS / "good").iterdir():
        shutil.copy(good, folder / good.name)
    (folder / f"{case['table']}.csv").write_bytes(expand(case["content"]).encode("utf-8"))
    result = load(folder, options=LoadOptions(currency="USD"))
    errors = "\n".join(d.render() for d in result.diagnostics if d.severity == "error")
    return result, errors.replace(str(folder) + "/", "")


def test_cases__ids_are_unique_and_there_are_enough() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 80


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case__gives_exact_diagnostics_no_data_and_changes_no_file(
        case: dict[str, Any], tmp_path: Path) -> None:
    for good in (CORPUS / "good").iterdir():
        shutil.copy(good, tmp_path / good.name)
    (tmp_path / f"{case['table']}.csv").write_bytes(expand(case["content"]).encode("utf-8"))
    before = _hashes(tmp_path)
    result = load(tmp_path, options=LoadOptions(currency="USD"))
    errors = "\n".join(d.render() for d in result.diagnostics if d.severity == "error")
    assert result.dataset is None
    assert errors.replace(str(tmp_path) + "/", "") == case["expected"].rstrip("\n")
    assert _hashes(tmp_path) == before


PLAN = str(Path(__file__).parents[2] / "src/teamquota/plan/examples/ae-hybrid-2017.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cli_case__calc_exits_1_with_the_diagnostics_and_writes_nothing(
        case: dict[str, Any], tmp_path: Path) -> None:
    """The same corpus through ``teamquota calc``: exit status 1, the exact errors, no
    traceback, no output folder, and the data files as they were."""
    from typer.testing import CliRunner

    from teamquota.cli.app import app

    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    for good in (CORPUS / "good").iterdir():
        shutil.copy(good, data / good.name)
    (data / f"{case['table']}.csv").write_bytes(expand(case["content"]).encode("utf-8"))
    before = _hashes(data)
    result = CliRunner().invoke(app, ["calc", PLAN, "--data", str(data), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    shown = (result.stdout + result.stderr).replace(str(data) + "/", "")
    for line in case["expected"].splitlines():
        assert line in shown, (line, shown[-3000:])
    assert not out.exists() and _hashes(data) == before

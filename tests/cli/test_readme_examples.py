"""The README's examples work as written from any folder, as they would from an installed
wheel: the Python API flow pays real lines, and the explain example prints what it shows."""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


def python_api_block() -> str:
    section = README.split("\n## Python API\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_it_pays_the_readme_python_api_flow_outside_the_checkout(tmp_path: Path) -> None:
    # the block as written, then two lines that print what it computed
    script = python_api_block() + (
        "\nframe = results.payouts.to_pandas()\n"
        "print(len(frame))\n"
        "row = frame[(frame.payee_id == 'marty-freudenburg') & (frame.period == '2017-Q3')"
        " & (frame.component_id == 'personal')]\n"
        "print(row.amount.iloc[0])\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # 35 AEs x 3 quarters (the plan pays 2017-Q2 to Q4) x 2 components = 210 lines; Marty's
    # Q3 personal line: Won 99,464 / target 65,000 = 153.0% -> curve 206.0% x TI 5,000 x 0.4
    assert done.stdout.split() == ["210", "4120.86"]
    assert "warning" not in done.stderr


def test_it_explains_the_readme_statement_by_example_name_outside_the_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = README.split("Then explain any rep's statement:", 1)[1].split("```console\n", 1)[
        1].split("```", 1)[0]
    command, expected = block.split("\n", 1)
    assert command.startswith("$ .venv/bin/teamquota explain ")
    args = command.removeprefix("$ .venv/bin/teamquota ").split()
    assert args[args.index("--plan") + 1] == "ae-hybrid-2017"  # by name: works from a wheel
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def test_it_keeps_the_readme_two_set_up_commands() -> None:
    assert re.findall(r"^\./dev (\w+) ", README, re.M)[:2] == ["demo", "test"]
    dev = (Path(__file__).parents[2] / "dev").read_text(encoding="utf-8")
    assert "  demo)\n" in dev and "  test)\n" in dev


def test_it_ends_the_demo_with_an_explain_command_that_names_the_example(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["demo", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    # not the installed file's path: the same command works in a checkout and from a wheel
    assert result.stdout.splitlines()[-1].endswith(
        "; try: teamquota explain marty-freudenburg --plan ae-hybrid-2017 --demo")


def _statements(code: str) -> list[str]:
    """The code's lines without comments, blank lines or alignment."""
    lines = (" ".join(line.split("#", 1)[0].split()) for line in code.splitlines())
    return [line for line in lines if line]


def test_it_shows_the_readme_python_api_flow_in_the_package_docstring() -> None:
    import teamquota

    # the README's block is the one run above; the docstring shows the same statements, so
    # a notebook user gets results.to_pandas() (Arrow's decimals), not object columns
    assert teamquota.__doc__ is not None
    after = teamquota.__doc__.split("::\n", 1)[1].splitlines()
    shown = "\n".join(itertools.takewhile(lambda line: not line or line[0] == " ", after))
    assert _statements(shown) == _statements(python_api_block())
    assert _statements(shown)[-1] == "results.to_pandas()"


def test_it_pays_the_readme_salesforce_report_flow_on_a_copy_of_the_fixture(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = README.split("\n## From a CRM export to payouts\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    commands = re.findall(r"^\$ teamquota (.+)$", block, re.M)
    assert [c.split()[0] for c in commands] == ["targets", "calc", "explain"]
    expected = block.split(commands[-1] + "\n", 1)[1]
    shutil.copytree(EXPORTS / "salesforce_report", tmp_path / "exports")
    monkeypatch.chdir(tmp_path)
    results = []
    for command in commands:
        results.append(CliRunner().invoke(app, shlex.split(command)))
        assert results[-1].exit_code == 0, results[-1].stdout + results[-1].stderr
    # Bob's won deals: 2017-Q1 3,050.50; 2017-Q2 950.00 + 2,345.67 = 3,295.67. His target:
    # the deals start 2017-01-15, so Q1 is scaled by 90/76 days: 3,612.43; mean with Q2
    # 3,454.05 x 1.10 = 3,799.45, rounded to 1,000: 4,000.00. Attainment 3,295.67 / 4,000
    # = 0.8239175, curve (0.5, 0)-(1, 1): (0.8239175 - 0.5) x 2 = 0.647835 x TI 20,000 / 4
    # x 0.4 = 1,295.67. Team east: 13,295.67 won of 6,000 + 4,000 + 9,000 = 19,000: 70%,
    # below the 80% gate, so 0.00
    targets = (tmp_path / "exports" / "targets.csv").read_text(encoding="utf-8")
    assert "payee,bob-stone,personal,2017-Q2,4000.00," in targets
    assert "team,east,team,2017-Q2,19000.00," in targets
    assert re.search(r"bob-stone +│ 2017-Q2 │ 1,295\.67 USD", results[1].stdout)
    assert (tmp_path / "out" / "exports" / "payouts.csv").exists()
    assert results[2].stdout == expected
    assert "info[D042]: column map 'salesforce' chosen" in results[1].stderr

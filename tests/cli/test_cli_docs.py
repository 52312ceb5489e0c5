"""Every command has help text, every option is explained, and docs/cli.md covers them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from teamquota.cli.app import app
from teamquota.cli.output import CLI_CODES

DOCS = Path(__file__).parents[2] / "docs"


def commands(group: Any, prefix: str = "teamquota") -> dict[str, Any]:
    """Command path -> command (Typer vendors Click, so these are its Click objects)."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found[path] = command
        if hasattr(command, "commands"):
            found.update(commands(command, path))
    return found


ALL = commands(typer.main.get_command(app))


def test_it_has_the_commands_of_this_release() -> None:
    assert {"teamquota validate", "teamquota schema", "teamquota calc",
            "teamquota explain"} <= set(ALL)


def test_it_gives_every_command_help_text() -> None:
    assert [path for path, command in ALL.items() if not (command.help or "").strip()] == []


def test_it_explains_every_argument_and_option() -> None:
    missing = [f"{path} {param.name}" for path, command in ALL.items()
               for param in command.params
               if param.name != "help" and not (getattr(param, "help", None) or "").strip()]
    assert missing == []


def test_it_documents_every_command_in_docs_cli_md() -> None:
    headings = set(re.findall(r"^## `(teamquota [a-z -]+)`$",
                              (DOCS / "cli.md").read_text(encoding="utf-8"), re.M))
    assert sorted(set(ALL) - headings) == []


def test_it_documents_every_cli_code() -> None:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert [code for code in CLI_CODES if f"| {code} |" not in text] == []


def test_it_prints_its_version() -> None:
    from typer.testing import CliRunner

    import teamquota

    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"teamquota {teamquota.__version__}\n")


def test_it_prints_what_docs_cli_md_shows_for_validate(monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    # the doc's console examples, run from the repository root as written
    monkeypatch.chdir(DOCS.parent)
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    block = text.split("Checks a plan file and reports every problem")[1].split("```console\n")[
        1].split("```")[0]
    examples = re.findall(r"^\$ teamquota (validate \S+)\n(.*?)(?=^\$ )", block, re.M | re.S)
    assert len(examples) == 2
    for command, expected in examples:
        result = CliRunner().invoke(app, command.split())
        assert result.stdout + result.stderr == expected.rstrip("\n") + "\n"

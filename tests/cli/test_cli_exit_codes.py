"""Exit status of every command: 2 when the command line is wrong (an unknown option, a
missing argument, a bad choice, options that cannot go together, a value not of its form),
1 when the inputs are (diagnostics), 0 when it worked.

Only the command line is checked here: every case below stops before reading any file.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from teamquota.cli.app import app

PLAN = str(Path(__file__).parents[2] / "src" / "teamquota" / "plan" / "examples" /
           "ae-hybrid-2017.yaml")


def leaves(group: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.update(leaves(command, (*path, name)))
        else:
            found[(*path, name)] = command
    return found


COMMANDS = leaves(typer.main.get_command(app))


def choices(param: Any) -> list[str]:
    """The choices of an option typed by an Enum (Typer's choice options), else none."""
    kind = param.type_descriptor.annotation
    return [e.value for e in kind] if isinstance(kind, type) and issubclass(kind, Enum) else []


def dummy(param: Any) -> str:
    """A value that parses as the parameter's type (the command never gets to use it)."""
    if choices(param):
        return choices(param)[0]
    return "1" if param.type_descriptor.annotation in (int, float) else "x"


def required(command: Any) -> list[str]:
    """The command's required arguments and options, each with a dummy value."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        if param.param_type_name == "argument":
            args.append(dummy(param))
        else:
            args += [param.opts[0], dummy(param)]
    return args


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def plain(text: str) -> str:
    """Click's error as one line: the box Rich draws around it and its wrapping removed."""
    return " ".join(re.sub("[─│╭╮╰╯]", " ", text).split())


def test_it_checks_every_command() -> None:
    assert len(COMMANDS) == 20  # 12 top-level commands, targets suggest, 7 of ledger


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_an_unknown_option_is_a_usage_error(path: tuple[str, ...]) -> None:
    result = invoke(*path, *required(COMMANDS[path]), "--no-such-option")
    assert result.exit_code == 2, result.output
    # ledger adjust reads unknown options as arguments, so that an amount can be -25.50
    expected = ("Got unexpected extra argument(s) (--no-such-option)"
                if path == ("ledger", "adjust") else "No such option: --no-such-option")
    assert expected in plain(result.stderr)


NEEDS = {path: command for path, command in COMMANDS.items() if required(command)}


@pytest.mark.parametrize("path", NEEDS, ids=" ".join)
def test_a_missing_argument_is_a_usage_error(path: tuple[str, ...]) -> None:
    result = invoke(*path)
    assert result.exit_code == 2, result.output
    assert "Error Missing " in plain(result.stderr)


CHOICES = [(path, param.opts[0]) for path, command in COMMANDS.items()
           for param in command.params if choices(param)]


@pytest.mark.parametrize(("path", "option"), CHOICES,
                         ids=[f"{' '.join(p)} {o}" for p, o in CHOICES])
def test_a_bad_choice_is_a_usage_error(path: tuple[str, ...], option: str) -> None:
    result = invoke(*path, *required(COMMANDS[path]), option, "no-such-choice")
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in plain(result.stderr)
    assert "'no-such-choice' is not one of" in plain(result.stderr)


def test_every_command_that_formats_has_text_and_json() -> None:
    # the bad-choice test above covers --format on these
    assert {" ".join(p) for p, o in CHOICES if o == "--format"} >= {
        "validate", "calc", "explain", "demo", "targets suggest", "ledger post",
        "strengths", "allocate", "watchlist", "conflicts", "simulate"}


# The command's own checks of its options: the same status as Click's, with the message
# as a diagnostic (C001 options that do not go together or a choice not made, C004 a value
# not of its form).
OWN = {
    "calc without --data or --demo": (
        ["calc", PLAN], "error[C001]: give exactly one of --data DIR or --demo\n"),
    "targets suggest without --data or --demo": (
        ["targets", "suggest"], "error[C001]: give exactly one of --data DIR or --demo\n"),
    "calc with --deals and --demo": (
        ["calc", PLAN, "--demo", "--deals", "parquet:x"],
        "error[C001]: --deals reads your own deals: use it with --data DIR, not --demo\n"),
    "calc --memory-limit lots": (
        ["calc", PLAN, "--demo", "--memory-limit", "lots"], None),
    "targets suggest --growth lots": (
        ["targets", "suggest", "--demo", "--growth", "lots"],
        "error[C001]: --growth: 'lots' is not a decimal number (e.g. 1.10)\n"),
    "strengths with --data and --synthetic": (
        ["strengths", "--data", "x", "--synthetic", "1"],
        "error[C001]: give at most one of --data DIR or --synthetic SEED\n"),
    "watchlist --k above --last": (
        ["watchlist", "--k", "5", "--last", "4"],
        "error[C001]: --k 5 must be between 1 and --last 4\n"),
    "allocate --duty without a number": (
        ["allocate", "--duty", "meeting=lots"],
        "error[C001]: --duty 'meeting=lots': expected TYPE=NUMBER, e.g. meeting=40\n"),
    "simulate --thresholds with a word": (
        ["simulate", "--thresholds", "0.8,high"],
        "error[C001]: --thresholds '0.8,high': expected numbers separated by commas, e.g. "
        "0.6,0.8,1.0\n"),
    "ledger adjust with an amount that is not a number": (
        ["ledger", "adjust", "p1", "2017-Q3", "personal", "lots", "--ledger", "x",
         "--reason", "r", "--by", "me"],
        "error[C004]: amount 'lots' is not a number; write it like 50.00 or -25.50 (no "
        "thousands separators)\n"),
    "serve --dev --production": (["serve", "--dev", "--production"], None),
}


@pytest.mark.parametrize("case", OWN)
def test_the_commands_own_option_checks_are_usage_errors(case: str) -> None:
    args, message = OWN[case]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    if message is not None:  # then the stages that ran, if any
        assert result.stderr.startswith(message)


def test_bad_input_is_status_1(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: x\n", encoding="utf-8")
    result = invoke("validate", str(plan))
    assert result.exit_code == 1
    assert "error[P" in result.stderr

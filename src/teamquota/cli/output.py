"""How commands print: Rich for people, JSON for machines, and the one way to fail.

Diagnostics render exactly as :meth:`Diagnostic.render` (``file:line:col: error[P011]: ...``)
so editors and CI logs can jump to them; with ``--format json`` they are a JSON document on
stdout instead. :func:`fail` prints and exits with status 1 — commands never raise to report
bad input (Typer vendors Click, so a raised ``ClickException`` would not print nicely).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from teamquota.core.diagnostics import Diagnostic, Diagnostics

_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}


class Format(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f",
                                             help="text for people, json for machines")]


def console(stderr: bool = False) -> Console:
    """A console made at call time (so tests capture it) that never wraps or guesses colours
    of numbers: output is the same text whatever the terminal width."""
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def diagnostic_text(diagnostic: Diagnostic) -> Text:
    """The rendered diagnostic with its severity and code coloured; the plain text is
    exactly ``diagnostic.render()``."""
    where = f"{diagnostic.source}: " if diagnostic.source else ""
    text = Text(where)
    text.append(f"{diagnostic.severity}[{diagnostic.code}]", _STYLES[diagnostic.severity])
    text.append(f": {diagnostic.message}")
    if diagnostic.hint:
        text.append("\nhint", "cyan")
        text.append(f": {diagnostic.hint}")
    return text


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Warnings and notes from a successful step, on stderr."""
    err = console(stderr=True)
    for diagnostic in diagnostics:
        err.print(diagnostic_text(diagnostic))


def print_json(data: Any) -> None:
    console().print(json.dumps(data, indent=2, default=str), markup=False)


def _as_diagnostics(problem: Diagnostics | Iterable[Diagnostic] | Diagnostic | str
                    ) -> Diagnostics:
    if isinstance(problem, Diagnostics):
        return problem
    if isinstance(problem, Diagnostic):
        return Diagnostics([problem])
    if isinstance(problem, str):
        return Diagnostics([Diagnostic("E000", problem)])
    return Diagnostics(list(problem))


def fail(problem: Diagnostics | Iterable[Diagnostic] | Diagnostic | str,
         fmt: Format = Format.text) -> NoReturn:
    """Print every problem (text on stderr, or JSON on stdout) and exit with status 1.

    A plain message is printed as ``error: <message>``.
    """
    if fmt == Format.json:
        diagnostics = _as_diagnostics(problem)
        print_json({"ok": False, "diagnostics": [d.to_dict() for d in diagnostics]})
    elif isinstance(problem, str):
        err = console(stderr=True)
        line = Text("error", _STYLES["error"])
        line.append(f": {problem}")
        err.print(line)
    else:
        print_diagnostics(_as_diagnostics(problem))
    raise typer.Exit(1)

"""How commands print: Rich for people, JSON for machines, and the one way to fail.

Diagnostics render exactly as :meth:`Diagnostic.render` (``file:line:col: error[P011]: ...``)
so editors and CI logs can jump to them; with ``--format json`` they are a JSON document on
stdout instead. :func:`fail` prints and exits with status 1 — commands never raise to report
bad input (Typer vendors Click, so a raised ``ClickException`` would not print nicely).

Exit status: 0 done; 1 the inputs are wrong (a plan, a data file, an id not in the results,
an output that cannot be written); 2 the command line is wrong — Click's usage errors (an
unknown option, a missing argument, a bad choice) and the commands' own checks of their
options (:func:`usage_error`: options that do not go together, a value not of its form).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from teamquota.core.diagnostics import Diagnostic, Diagnostics

# Codes of problems the command line itself finds (docs/diagnostics.md).
CLI_CODES: dict[str, str] = {
    "C001": "options that cannot be used together, or a required choice not made",
    "C002": "an output file or folder cannot be written",
    "C003": "an id given on the command line (e.g. a payee) is not in the results",
    "C004": "an option's value is not of the form it expects (e.g. a size like 4GB)",
}

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


WARNINGS_PER_CODE = 5

AllWarningsOption = Annotated[bool, typer.Option(
    "--all-warnings", help="print every warning: those of periods not asked for with "
    "--period too, and more than 5 of a code")]

# a period label as the engine's messages name it: "period 2017-Q1", "period 2017-03"
_PERIOD = re.compile(r"\bperiod (\d{4}(?:-Q[1-4]|-\d{2})?)\b")


def hidden_for_periods(diagnostics: Iterable[Diagnostic], periods: Sequence[str] | None
                       ) -> list[Diagnostic]:
    """The warnings and notes that are about other periods than ``periods`` (the run's
    ``--period``): their message names periods, none of them asked for. Errors are never
    hidden; without ``periods`` nothing is."""
    if not periods:
        return []
    wanted = set(periods)
    return [d for d in diagnostics if d.severity != "error"
            and (named := set(_PERIOD.findall(d.message))) and not named & wanted]


def print_diagnostics(diagnostics: Iterable[Diagnostic], limit: int | None = None,
                      periods: Sequence[str] | None = None) -> None:
    """Diagnostics on stderr. Errors always print in full; with ``limit``, warnings and
    notes print at most ``limit`` per code, then one line saying how many more there are
    (a run over real data can warn about every payee: the JSON output keeps them all).
    With ``periods``, warnings and notes about other periods are counted in one line
    instead (:func:`hidden_for_periods`)."""
    err = console(stderr=True)
    items = list(diagnostics)
    hidden = {id(d) for d in hidden_for_periods(items, periods)}
    shown: dict[tuple[str, str], int] = {}
    for diagnostic in items:
        if id(diagnostic) in hidden:
            continue
        key = (diagnostic.severity, diagnostic.code)
        shown[key] = shown.get(key, 0) + 1
        if limit is None or diagnostic.severity == "error" or shown[key] <= limit:
            err.print(diagnostic_text(diagnostic))
    for (severity, code), count in shown.items():
        if limit is not None and severity != "error" and count > limit:
            more = Text(f"... and {count - limit} more ")
            more.append(f"{severity}[{code}]", _STYLES[severity])
            more.append(" (--format json lists every one)")
            err.print(more)
    if hidden:
        notes = sum(1 for d in items if id(d) in hidden and d.severity == "info")
        kinds = [f"{n} {word}{'s' if n > 1 else ''}" for n, word in
                 ((len(hidden) - notes, "warning"), (notes, "note")) if n]
        err.print(f"{' and '.join(kinds)} for other periods not shown (--all-warnings shows "
                  "them)", markup=False)


def cells(*values: object) -> list[Text]:
    """Table cells as plain text: ids and notes from data files are never read as Rich
    markup (a payee id like '[b]ob' prints as written)."""
    return [Text(str(value)) for value in values]


def _json_value(value: object) -> str:
    """Decimals as canonical text (``0.00``, never ``0E-10``: core.spreadsheet's rule for
    files too); paths, dates and the rest as their ``str``."""
    if isinstance(value, Decimal):
        from teamquota.core.spreadsheet import decimal_text
        return decimal_text(value)
    return str(value)


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, default=_json_value)


def print_json(data: Any) -> None:
    """One JSON document on stdout; every decimal in it a string in positional notation."""
    console().print(json_text(data), markup=False)


def _as_diagnostics(problem: Diagnostics | Iterable[Diagnostic] | Diagnostic | str,
                    code: str) -> Diagnostics:
    if isinstance(problem, Diagnostics):
        return problem
    if isinstance(problem, Diagnostic):
        return Diagnostics([problem])
    if isinstance(problem, str):
        return Diagnostics([Diagnostic(code, problem)])
    return Diagnostics(list(problem))


INPUT_ERROR, USAGE_ERROR = 1, 2  # exit statuses (0: done)


def fail(problem: Diagnostics | Iterable[Diagnostic] | Diagnostic | str,
         fmt: Format = Format.text, code: str = "C001", status: int = INPUT_ERROR
         ) -> NoReturn:
    """Print every problem (text on stderr, or JSON on stdout) and exit with ``status``
    (1: bad input).

    A plain message becomes a diagnostic with ``code`` (one of :data:`CLI_CODES`), printed
    ``error[C001]: <message>``.
    """
    assert code in CLI_CODES, code
    diagnostics = _as_diagnostics(problem, code)
    if fmt == Format.json:
        print_json({"ok": False, "diagnostics": [d.to_dict() for d in diagnostics]})
    else:
        print_diagnostics(diagnostics)
    raise typer.Exit(status)


def usage_error(message: str, fmt: Format = Format.text, code: str = "C001") -> NoReturn:
    """A command line that is wrong in a way Click cannot see (options that do not go
    together: C001; a value not of its form: C004): printed as :func:`fail` does, status 2
    like Click's own usage errors."""
    fail(message, fmt, code, USAGE_ERROR)

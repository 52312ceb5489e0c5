"""Errors as data: every problem with a plan, a file or a row is a :class:`Diagnostic`.

Diagnostics are collected, never stopped at the first one, and render so editors can jump
to them: ``plans/ae.yaml:14:12: error[P012]: ...`` then ``hint: ...``. Codes are stable:
P... plan, D... data, E... engine (docs/diagnostics.md lists them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Source:
    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    source: Source | None = None
    hint: str | None = None
    severity: Severity = "error"

    def render(self) -> str:
        where = f"{self.source}: " if self.source else ""
        text = f"{where}{self.severity}[{self.code}]: {self.message}"
        return f"{text}\nhint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        return data


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics with convenience queries."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, code: str, message: str, source: Source | None = None,
              hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, source, hint))  # severity "error"

    def warning(self, code: str, message: str, source: Source | None = None,
                hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, source, hint, "warning"))

    def info(self, code: str, message: str, source: Source | None = None,
             hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, source, hint, "info"))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def render(self) -> str:
        return "\n".join(d.render() for d in self.items)

    def to_json(self) -> str:
        return json.dumps([d.to_dict() for d in self.items], indent=2)  # str and int fields

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise InputError(self)


class InputError(Exception):
    """Bad user input, carrying every diagnostic; the library API raises it, the CLI and
    web render ``.diagnostics`` instead of a traceback."""

    def __init__(self, diagnostics: Diagnostics | list[Diagnostic]):
        if isinstance(diagnostics, list):
            diagnostics = Diagnostics(list(diagnostics))
        self.diagnostics = diagnostics
        errors = diagnostics.errors
        first = errors[0].render() if errors else "no errors"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

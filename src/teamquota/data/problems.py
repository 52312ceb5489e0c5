"""Row problems found while loading: which rows of which table, why, and how they render.

Checks report a :class:`RowProblem` (one check, many rows) instead of diagnostics so that the
same finding can become diagnostics (all-or-nothing mode) or reject reasons (reject mode).
Very many bad rows of one kind are summarised after ``max_per_problem`` diagnostics; the reject
table still lists every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pyarrow as pa

from teamquota.core.diagnostics import Diagnostic, Diagnostics, Severity, Source


@dataclass
class RowProblem:
    table: str
    code: str
    rows: np.ndarray  # row indices into the table as loaded (int64)
    messages: list[str]  # one per row, same order as ``rows``
    hint: str | None = None
    severity: Severity = "error"


@dataclass
class ProblemLog:
    """Everything wrong with one load: file-level diagnostics plus row problems."""

    file_level: Diagnostics = field(default_factory=Diagnostics)
    rows: list[RowProblem] = field(default_factory=list)
    # CSV lines that are not rows of any table (wrong field count): (table, line, message)
    lines: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, table: str, code: str, rows: Sequence[int] | np.ndarray,
            messages: Sequence[str], hint: str | None = None,
            severity: Severity = "error") -> None:
        if len(rows):
            self.rows.append(RowProblem(table, code, np.asarray(rows, dtype=np.int64),
                                        list(messages), hint, severity))

    @property
    def has_errors(self) -> bool:
        return (self.file_level.has_errors or bool(self.lines)
                or any(p.severity == "error" for p in self.rows))

    def bad_rows(self, table: str) -> dict[int, list[str]]:
        """Row index -> reasons, for the rows of ``table`` with an error."""
        reasons: dict[int, list[str]] = {}
        for problem in self.rows:
            if problem.table == table and problem.severity == "error":
                for row, message in zip(problem.rows.tolist(), problem.messages, strict=True):
                    reasons.setdefault(row, []).append(f"{problem.code}: {message}")
        return reasons

    def diagnostics(self, sources: dict[str, str], row_lines: dict[str, np.ndarray],
                    order: Sequence[str], max_per_problem: int | None = 200) -> Diagnostics:
        """File-level diagnostics first, then row diagnostics by table order and line."""
        out = Diagnostics(list(self.file_level))
        rank = {name: i for i, name in enumerate(order)}
        found: list[tuple[int, int, int, Diagnostic]] = []
        for number, problem in enumerate(self.rows):
            path = sources.get(problem.table, f"<{problem.table}>")
            lines = row_lines.get(problem.table)
            by_line = sorted(zip(problem.rows.tolist(), problem.messages, strict=True),
                             key=lambda rm: int(lines[rm[0]]) if lines is not None else rm[0])
            shown = by_line if max_per_problem is None else by_line[:max_per_problem]
            for row, message in shown:
                line = int(lines[row]) if lines is not None else None
                found.append((rank.get(problem.table, 99), line or 0, number,
                              Diagnostic(problem.code, message, Source(path, line),
                                         problem.hint, problem.severity)))
            hidden = len(by_line) - len(shown)
            if hidden:
                last = int(lines[shown[-1][0]]) if lines is not None else 0
                found.append((rank.get(problem.table, 99), last, number, Diagnostic(
                    problem.code, f"... and {hidden:,} more rows with the same kind of problem",
                    Source(path), "load with on_error='reject' to get every row in a reject "
                    "table", problem.severity)))
        for table, line, message in self.lines:
            found.append((rank.get(table, 99), line, -1, Diagnostic(
                "D013", message, Source(sources.get(table, f"<{table}>"), line),
                "put values that contain commas or line breaks in double quotes")))
        found.sort(key=lambda item: item[:3])
        out.extend(d for *_, d in found)
        return out


@dataclass
class LoadedTable:
    """A canonical table as converted, with its file and each row's line, before checks."""

    name: str
    path: str
    table: pa.Table
    lines: np.ndarray
    # index of each row in the table as first loaded, once rejected rows have been removed
    origin: np.ndarray | None = None
    # the source text of converted (decimal, date) columns, to quote bad values as written
    texts: dict[str, pa.Array] = field(default_factory=dict)
    # a 64-bit hash of the key per row, when the loader computed one (rules out repeats fast)
    key_hash: pa.ChunkedArray | None = None

    def original_rows(self, rows: np.ndarray) -> np.ndarray:
        return rows if self.origin is None else self.origin[rows]

    @property
    def file_name(self) -> str:
        return PurePath(self.path).name

    def line(self, row: int) -> int:
        return int(self.lines[row])

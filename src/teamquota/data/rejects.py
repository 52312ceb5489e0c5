"""Reject tables: the rows a load refused, as they were in the source, with line and reason.

A reject CSV can be fixed by hand and loaded again: its columns after ``line`` and
``reason`` are the source file's own columns, as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from teamquota.core.spreadsheet import write_csv


def reject_table(source: pa.Table, lines: np.ndarray, bad: Mapping[int, Sequence[str]],
                 bad_lines: Sequence[tuple[int, str]]) -> pa.Table:
    """``line``, ``reason`` and the source columns of the rejected rows, ordered by line.

    ``source`` holds the rejected rows as read, in row order (``sorted(bad)``), and
    ``lines`` their lines.
    """
    rows = sorted(bad)
    columns = {name: source[name].cast(pa.string()) for name in source.column_names}
    padding = len(bad_lines)
    table = pa.table({
        "line": pa.array(np.asarray(lines).tolist() + [line for line, _ in bad_lines],
                         pa.int64()),
        "reason": pa.array(["; ".join(bad[r]) for r in rows]
                           + [f"D013: {m}" for _, m in bad_lines], pa.string()),
        **{name: pa.concat_arrays([*values.chunks, pa.nulls(padding, pa.string())])
           for name, values in columns.items()},
    })
    return table.sort_by("line")


def write_rejects(rejects: Mapping[str, pa.Table], directory: str | Path) -> list[Path]:
    """Write ``<table>.rejects.csv`` per table into ``directory``; returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in rejects.items():
        path = out / f"{name}.rejects.csv"
        write_csv(table, path)
        written.append(path)
    return written

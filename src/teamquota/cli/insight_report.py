"""How the insight commands show their results: the text they print once their stages are
done, the tables (CSV), charts (HTML) and text files they write under ``--out``, and the
one JSON document of ``--format json`` (every table as its CSV has it, and the command's
figures)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teamquota.cli.output import Format, console, fail, print_json

if TYPE_CHECKING:
    import pandas as pd

    from teamquota.core.diagnostics import Diagnostic


class Report:
    """What a command prints on stdout in text mode, kept until its stages are done (their
    progress is on stderr meanwhile); same calls as a Rich console's ``print``."""

    def __init__(self) -> None:
        self.items: list[tuple[object, bool]] = []

    def print(self, item: object, markup: bool = True) -> None:
        self.items.append((item, markup))


@dataclass
class Shown:
    """A command's results: the text it prints, the tables (CSV), charts (HTML) and text
    files it writes, and the figures its JSON document adds to the tables."""

    report: Report
    frames: dict[str, pd.DataFrame]
    charts: dict[str, object]
    figures: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def wide_console():  # noqa: ANN202 - a rich Console
    """The shared console; when output is not a terminal (files, pipes, tests), wide enough
    that a leader's table is not folded into unreadable columns."""
    out = console()
    if not out.is_terminal:
        out.width = 200
    return out


def pct(x: float) -> str:
    import pandas as pd
    return "" if pd.isna(x) else f"{x:.0%}"


def money(x: float) -> str:
    import pandas as pd
    return "" if pd.isna(x) else f"{x:,.0f}"


def write_outputs(out: Path, shown: Shown, fmt: Format) -> list[Path]:
    """Write the tables and charts (the files the text's last line counts), then the text
    files."""
    from teamquota.core.spreadsheet import write_csv
    from teamquota.insights.charts import write_chart
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame in shown.frames.items():
            path = out / f"{name}.csv"
            write_csv(frame.itertuples(index=False), path, [str(c) for c in frame.columns])
            written.append(path)
        for name, figure in shown.charts.items():
            written.append(write_chart(figure, out, name))  # type: ignore[arg-type]
        for name, text in shown.texts.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write to {out}: {exc.strerror}", fmt, code="C002")
    return written


def json_cell(value: object) -> object:
    """A table cell for JSON: numpy scalars as Python numbers, NaN, NA and NaT as null."""
    import pandas as pd
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        value = item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The table's rows as its CSV file has them (columns in order, no index)."""
    return [{str(k): json_cell(v) for k, v in row.items()} for row in frame.to_dict("records")]


def finish(shown: Shown, written: list[Path], out: Path, fmt: Format,
           notes: Sequence[Diagnostic] = ()) -> None:
    """Print the command's text, or its JSON document; ``notes`` (what the load reported,
    on stderr in text mode) are its ``diagnostics`` there."""
    if fmt == Format.json:
        files = [*written, *(out / name for name in shown.texts)]
        print_json({"ok": True, "out": str(out), "files": [str(p) for p in files],
                    **shown.figures,
                    "tables": {name: records(f) for name, f in shown.frames.items()},
                    "diagnostics": [d.to_dict() for d in notes]})
        return
    out_console = wide_console()
    for item, markup in shown.report.items:
        out_console.print(item, markup=markup)
    charts = [p.name for p in written if p.suffix == ".html"]
    console().print(f"wrote {len(written)} files to {out} (charts: {', '.join(charts)})",
                    markup=False)

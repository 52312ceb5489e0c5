"""The speed goals of issue 17 as ratios within one benchmark run, and a profile per stage.

Every goal compares two implementations measured in the same run on the same machine, so a
busier machine moves both sides; absolute seconds are never a goal. ``goals`` turns a run's
measurements into rows (what, measured ratio, target, met); ``stage_profile`` lays the engine
implementations' stage timings side by side. Both are plain functions of the measurements
so that tests/bench can check them on made-up figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

FLOOR = "hand_sql"
# teamquota end to end from Parquet with every check on: the loader's path and the deals
# read where they live (docs/backends.md); the goal is met by the faster of the two
END_TO_END = ("engine_duckdb", "engine_external")
MEMORY_LIMIT_MB = 2048.0


class Measured(Protocol):
    implementation: str
    input: str
    deals: int
    seconds: float | None
    peak_rss_mb: float | None
    timings: dict[str, float]


@dataclass(frozen=True)
class Goal:
    what: str
    measured: float | None  # the ratio (or MB); None when a side was not run
    target: str  # e.g. "<= 2.00x"
    met: bool | None  # None: not measured
    detail: str = ""


def _by(measurements: Iterable[Measured], fmt: str) -> dict[str, Measured]:
    return {m.implementation: m for m in measurements if m.input == fmt and m.seconds}


def _seconds(m: Measured | None) -> float | None:
    return None if m is None else m.seconds


def goals(measurements: Sequence[Measured]) -> list[Goal]:
    """The Done-when ratios of issue 17 for one size: end to end from Parquet within 2.0x
    the hand SQL, at least 3x faster than pandas, peak memory under 2 GB; deals.csv read
    within 1.5x DuckDB's read_csv."""
    parquet, csv = _by(measurements, "parquet"), _by(measurements, "csv")
    floor = _seconds(parquet.get(FLOOR))
    ours = [parquet[name] for name in END_TO_END if name in parquet]
    best = min(ours, key=lambda m: m.seconds or 0.0) if ours else None
    rows = []
    for m in ours:
        ratio = m.seconds / floor if floor and m.seconds else None
        rows.append(Goal(f"{m.implementation} (parquet) / hand SQL", ratio, "<= 2.00x",
                         None if ratio is None else ratio <= 2.0,
                         f"{m.seconds:.2f} s vs {floor:.2f} s" if ratio else ""))
    pandas = _seconds(parquet.get("pandas"))
    if best is not None and pandas and best.seconds:
        speedup = pandas / best.seconds
        rows.append(Goal(f"pandas / {best.implementation}", speedup, ">= 3.00x",
                         speedup >= 3.0, f"{pandas:.2f} s vs {best.seconds:.2f} s"))
    if best is not None and best.peak_rss_mb is not None:
        rows.append(Goal(f"peak memory of {best.implementation}", best.peak_rss_mb,
                         f"< {MEMORY_LIMIT_MB:,.0f} MB", best.peak_rss_mb < MEMORY_LIMIT_MB))
    read, duck = _seconds(csv.get("teamquota_read_csv")), _seconds(csv.get("duckdb_read_csv"))
    if read and duck:
        rows.append(Goal("teamquota CSV read / DuckDB read_csv", read / duck, "<= 1.50x",
                         read / duck <= 1.5, f"{read:.2f} s vs {duck:.2f} s"))
    return rows


# the stages in the order a run goes through them; "load" is everything before calculate()
STAGES = ("load", "load.connect", "engine.check", "engine.load", "engine.credit",
          "engine.measure", "engine.activities", "engine.target", "engine.per_deal",
          "engine.pay", "engine.adjust", "engine.assemble")


def stage_profile(measurements: Sequence[Measured]) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per stage that any engine implementation timed, one column
    per implementation, seconds and share of its run; the last row is what the stages do
    not account for (reading results, Python between stages)."""
    timed = [m for m in measurements if m.timings and m.seconds]
    if not timed:
        return [], []
    header = ["stage"] + [f"{m.implementation} ({m.input})" for m in timed]
    names = [s for s in STAGES if any(s in m.timings for m in timed)]
    names += sorted({s for m in timed for s in m.timings} - set(names))
    rows = []
    for stage in names:
        cells = [stage]
        for m in timed:
            value = m.timings.get(stage)
            cells.append("-" if value is None else
                         f"{value:.2f} ({100 * value / (m.seconds or 1):.0f}%)")
        rows.append(cells)
    rest = ["other"]
    for m in timed:
        # load.connect is part of load: count it once
        accounted = sum(v for k, v in m.timings.items() if k != "load.connect")
        rest.append(f"{(m.seconds or 0) - accounted:.2f}")
    rows.append(rest)
    return header, rows


def goals_markdown(rows: Sequence[Goal]) -> str:
    lines = ["| goal | measured | target | met |", "|---|---:|---|---|"]
    for g in rows:
        lines.append(f"| {g.what} | {_shown(g)} | {g.target} | "
                     f"{ {True: 'yes', False: '**no**', None: '-'}[g.met] } |")
    return "\n".join(lines) + "\n"


def profile_markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not header:
        return ""
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _shown(goal: Goal) -> str:
    if goal.measured is None:
        return "-"
    if goal.target.endswith("MB"):
        return f"{goal.measured:,.0f} MB"
    return f"{goal.measured:.2f}x" + (f" ({goal.detail})" if goal.detail else "")


def as_json(rows: Sequence[Goal]) -> list[dict[str, Any]]:
    return [{"what": g.what, "measured": g.measured, "target": g.target, "met": g.met,
             "detail": g.detail} for g in rows]

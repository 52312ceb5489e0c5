"""The benchmark command: ``python -m bench.run --sizes 1M,10M``.

For each size it generates (once, cached under bench/results/data) a synthetic data set,
then runs every implementation in a fresh subprocess: the hand-written DuckDB SQL (the
floor), teamquota's engine on DuckDB (and on Spark from 10M), pandas, a per-row Python loop
(up to 1M), and the CSV paths. It prints a table of wall time, peak memory, the ratio to the
floor and whether every payout line equals the floor's to the cent, and writes the figures
as JSON and Markdown under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench import goals as goal_rules
from bench.lines import compare
from teamquota.synthetic import SyntheticSpec, write_dataset

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
FLOOR = "hand_sql"
_UNITS = {"k": 1_000, "M": 1_000_000}


def parse_size(text: str) -> int:
    text = text.strip()
    unit = _UNITS.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in _UNITS else text
    return int(float(number) * unit)


def size_label(deals: int) -> str:
    for suffix, unit in (("M", 1_000_000), ("k", 1_000)):
        if deals >= unit and deals % unit == 0:
            return f"{deals // unit}{suffix}"
    return str(deals)


def spec_for(deals: int) -> SyntheticSpec:
    return SyntheticSpec(deals=deals) if deals >= 100_000 else SyntheticSpec.tiny(deals=deals)


def ensure_data(deals: int, root: Path) -> tuple[Path, float | None]:
    """The data directory for ``deals`` (generated unless already there); generation time."""
    spec = spec_for(deals)
    directory = root / f"deals-{size_label(deals)}"
    marker = directory / "spec.txt"
    if marker.exists() and marker.read_text() == repr(spec):
        return directory, None
    started = time.perf_counter()
    write_dataset(spec, directory)
    marker.write_text(repr(spec))
    return directory, time.perf_counter() - started


@dataclass
class Measurement:
    implementation: str
    input: str
    deals: int
    seconds: float | None = None       # inside the worker: read + compute, imports excluded
    process_seconds: float | None = None
    peak_rss_mb: float | None = None
    lines: int | None = None
    agrees: bool | None = None          # None: no payout lines to compare (CSV read)
    note: str = ""
    ratio: float | None = None
    runs: list[float] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # stages, best run


def measure(name: str, directory: Path, fmt: str, out: Path, timeout: float
            ) -> tuple[dict[str, Any], float, float]:
    """Run the worker once; return its JSON report, wall seconds and peak RSS in MB."""
    started = time.perf_counter()
    # output goes to files, not pipes: a chatty child (Spark logs) would fill a pipe and
    # block while we sit in wait4
    with tempfile.TemporaryFile("w+") as stdout_file, \
            tempfile.TemporaryFile("w+") as stderr_file:
        # handing 10M deals from the loader's Arrow tables to the JVM needs more than
        # Spark's 2 GB default driver memory
        env = {"TEAMQUOTA_SPARK_DRIVER_MEMORY": "6g", **os.environ}
        proc = subprocess.Popen([sys.executable, "-m", "bench.worker", name, str(directory),
                                 fmt, str(out)], cwd=ROOT, stdout=stdout_file,
                                stderr=stderr_file, env=env)
        killer = threading.Timer(timeout, proc.kill)  # a hung run is stopped, not awaited
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        stdout_file.seek(0)
        stderr_file.seek(0)
        stdout, stderr = stdout_file.read(), stderr_file.read()
    if proc.returncode != 0:
        last = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or ["?"]
        raise RuntimeError(f"exit {proc.returncode}: {last[0][:160]}")
    report = json.loads(stdout.strip().splitlines()[-1])
    # the worker's own high-water mark; wait4's figure includes this runner's size at fork
    # time (see bench.worker), so it is only the fallback where /proc is missing
    peak_kb = report.get("peak_rss_kb") or usage.ru_maxrss
    return report, wall, peak_kb / 1024


def plan_runs(deals: int, args: argparse.Namespace) -> list[tuple[str, str]]:
    runs = [(FLOOR, "parquet"), ("engine_duckdb", "parquet"), ("engine_external", "parquet"),
            ("engine_calc_only", "parquet"), ("pandas", "parquet")]
    if deals <= args.per_row_max:
        runs.append(("per_row", "parquet"))
    if args.spark and deals >= args.spark_min:
        runs += [("engine_spark", "parquet"), ("engine_spark_external", "parquet")]
    if args.csv:
        runs += [("duckdb_read_csv", "csv"), ("teamquota_read_csv", "csv"),
                 (FLOOR, "csv"), ("engine_duckdb", "csv")]
    chosen = set(args.only.split(",")) if args.only else None
    return [r for r in runs if chosen is None or r[0] in chosen or r[0] == FLOOR]


def bench_size(deals: int, args: argparse.Namespace, log: Callable[[str], None]
               ) -> list[Measurement]:
    directory, generated = ensure_data(deals, Path(args.data_dir))
    if generated is not None:
        log(f"generated {size_label(deals)} deals in {generated:.1f} s -> {directory}")
    work = Path(args.results_dir) / "lines"
    work.mkdir(parents=True, exist_ok=True)
    runs = plan_runs(deals, args)
    measurements = {run: Measurement(run[0], run[1], deals) for run in runs}
    # Rounds, not repeats back to back: each round runs every implementation once, so a
    # burst of other work on the machine falls on all of them rather than on one.
    for round_ in range(args.repeat):
        for name, fmt in runs:
            m = measurements[name, fmt]
            once = name in ("per_row", "engine_spark", "engine_spark_external")
            if m.note or (round_ and once):
                continue
            out = work / f"{name}-{fmt}-{size_label(deals)}.parquet"
            try:
                report, wall, rss = measure(name, directory, fmt, out, args.timeout)
            except Exception as exc:  # a broken implementation is reported, not fatal
                m.note = str(exc)
                log(f"{name} ({fmt}) failed: {m.note}")
                continue
            if not m.runs or report["seconds"] < min(m.runs):
                m.timings = report.get("timings", {})
            m.runs.append(report["seconds"])
            m.process_seconds = min(wall, m.process_seconds or wall)
            m.peak_rss_mb = max(rss, m.peak_rss_mb or 0)
            m.lines = report["rows"]
            log(f"{name} ({fmt}, {size_label(deals)}) round {round_ + 1}: "
                f"{report['seconds']:.2f} s, {rss:.0f} MB")
    floor_lines = floor_seconds = None
    for (name, fmt), m in measurements.items():
        if not m.runs:
            continue
        m.seconds = min(m.runs)
        lines = pq.read_table(work / f"{name}-{fmt}-{size_label(deals)}.parquet")
        if name == FLOOR and fmt == "parquet":
            floor_lines, floor_seconds = lines, m.seconds
        if m.lines and floor_lines is not None:
            result = compare(floor_lines, lines)
            m.agrees = result.agrees
            if not result.agrees:
                m.note = result.summary()[:300]
                log(f"{name} ({fmt}, {size_label(deals)}) DISAGREES")
        if floor_seconds:
            m.ratio = m.seconds / floor_seconds
    return list(measurements.values())


def csv_ratios(measurements: list[Measurement]) -> dict[str, float]:
    """teamquota vs DuckDB on the same CSV files: reading deals.csv, and end to end."""
    by = {m.implementation: m for m in measurements if m.input == "csv"}
    pairs = {"teamquota CSV read / DuckDB read_csv": ("teamquota_read_csv", "duckdb_read_csv"),
             "engine from CSV / hand SQL from CSV": ("engine_duckdb", FLOOR)}
    ratios = {}
    for label, (ours, theirs) in pairs.items():
        a, b = by.get(ours), by.get(theirs)
        if a and b and a.seconds and b.seconds:
            ratios[label] = a.seconds / b.seconds
    return ratios


def markdown(measurements: list[Measurement]) -> str:
    rows = ["| implementation | input | deals | time (s) | process (s) | peak RSS (MB) | "
            "x floor | agrees to the cent |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for m in measurements:
        agrees = {True: "yes", False: "**no**", None: "n/a"}[m.agrees]
        rows.append(f"| {m.implementation} | {m.input} | {size_label(m.deals)} | "
                    f"{_num(m.seconds)} | {_num(m.process_seconds)} | {_num(m.peak_rss_mb, 0)}"
                    f" | {_num(m.ratio)} | {agrees}{' - ' + m.note if m.note else ''} |")
    return "\n".join(rows) + "\n"


def _num(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:,.{places}f}"


def print_table(measurements: list[Measurement]) -> None:
    from rich.console import Console
    from rich.table import Table
    table = Table(title="teamquota benchmark: ae-hybrid-2017 on synthetic deals")
    notes: list[str] = []
    for column in ("implementation", "input", "deals", "time s", "process s", "peak MB",
                   "x floor", "agrees"):
        table.add_column(column, justify="left" if column in ("implementation", "input",
                                                              "agrees") else "right")
    for m in measurements:
        agrees = {True: "[green]yes[/]", False: "[red]NO[/]", None: "n/a"}[m.agrees]
        if m.note:
            notes.append(f"{m.implementation} ({m.input}, {size_label(m.deals)}): {m.note}")
            agrees += f" [{len(notes)}]"
        table.add_row(m.implementation, m.input, size_label(m.deals), _num(m.seconds),
                      _num(m.process_seconds), _num(m.peak_rss_mb, 0), _num(m.ratio), agrees)
    console = Console(width=max(Console().width, 110))
    console.print(table)
    for number, note in enumerate(notes, 1):
        console.print(f"[{number}] {note}", markup=False)


def print_goals(reached: dict[str, list[goal_rules.Goal]],
                profiles: dict[str, tuple[list[str], list[list[str]]]]) -> None:
    """The issue's goals as ratios within this run, then each size's stage profile."""
    from rich.console import Console
    from rich.table import Table
    console = Console(width=max(Console().width, 110))
    for size, rows in reached.items():
        if rows:
            table = Table(title=f"goals at {size} (ratios within this run)")
            for column in ("goal", "measured", "target", "met"):
                table.add_column(column)
            for g in rows:
                met = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[g.met]
                table.add_row(g.what, goal_rules._shown(g), g.target, met)
            console.print(table)
        header, cells = profiles[size]
        if header:
            table = Table(title=f"stages at {size}: seconds (share of the run)")
            for column in header:
                table.add_column(column, justify="left" if column == "stage" else "right")
            for row in cells:
                table.add_row(*row)
            console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default="1M", help="deal counts, e.g. 2k,1M,10M")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per implementation (best time reported)")
    parser.add_argument("--only", default="", help="comma-separated implementations")
    parser.add_argument("--no-csv", dest="csv", action="store_false")
    parser.add_argument("--no-spark", dest="spark", action="store_false")
    parser.add_argument("--spark-min", type=parse_size, default=10_000_000)
    parser.add_argument("--per-row-max", type=parse_size, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--data-dir", default=str(RESULTS / "data"))
    parser.add_argument("--results-dir", default=str(RESULTS))
    args = parser.parse_args(argv)

    from rich.console import Console
    console = Console(stderr=True)
    measurements: list[Measurement] = []
    ratios: dict[str, dict[str, float]] = {}
    # other work on the machine skews every figure: the report records the load average
    load_before = os.getloadavg()
    for deals in (parse_size(s) for s in args.sizes.split(",")):
        size = bench_size(deals, args, lambda text: console.log(text))
        measurements += size
        ratios[size_label(deals)] = csv_ratios(size)
    print_table(measurements)
    for size_name, pairs in ratios.items():
        for label, ratio in pairs.items():
            print(f"{size_name}: {label} = {ratio:.2f}x")
    sizes = sorted({m.deals for m in measurements})
    reached = {size_label(d): goal_rules.goals([m for m in measurements if m.deals == d])
               for d in sizes}
    profiles = {size_label(d): goal_rules.stage_profile(
        [m for m in measurements if m.deals == d]) for d in sizes}
    print_goals(reached, profiles)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = Path(args.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(), "load_before": load_before,
               "load_after": os.getloadavg()}
    report = {"when": stamp, "machine": machine, "csv_ratios": ratios,
              "goals": {size: goal_rules.as_json(rows) for size, rows in reached.items()},
              "measurements": [asdict(m) for m in measurements]}
    (results / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2))
    md = markdown(measurements) + "\n" + "".join(
        f"{size_name}: {label} = {ratio:.2f}x\n"
        for size_name, pairs in ratios.items() for label, ratio in pairs.items()) + "".join(
        f"\n### Goals at {size}\n\n{goal_rules.goals_markdown(rows)}"
        f"\n### Stages at {size} (seconds, share of the run)\n\n"
        f"{goal_rules.profile_markdown(*profiles[size])}"
        for size, rows in reached.items()) + "\n" + (
        f"Load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} CPUs).\n")
    (results / f"bench-{stamp}.md").write_text(md)
    (results / "latest.md").write_text(md)
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} CPUs)")
    print(f"results: {results / f'bench-{stamp}.json'} and latest.md")
    return 0 if all(m.agrees is not False and not m.note for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())

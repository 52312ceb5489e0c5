"""Run one implementation once, in this (fresh) process, and report its time as JSON.

``python -m bench.worker IMPL DATA_DIR FORMAT OUT.parquet`` imports the implementation
first (so module import time is not counted), times ``run(data_dir, format)``, writes the
payout lines to OUT.parquet for the comparison and prints ``{"seconds": ..., "rows": ...,
"peak_rss_kb": ...}``. The peak is this process's own high-water mark (``VmHWM``): the
rusage a parent reads for a child (``os.wait4``, ``RUSAGE_CHILDREN``) starts from the
parent's own size at fork time, because Linux carries the forked copy's high-water mark
across ``exec``, so it would report the runner's memory, not the worker's. Spark runs its
JVM as a child of this process, so a sampler also adds up the resident memory of the whole
process tree every 0.25 s (only for implementations that start child processes, so the
others are not disturbed); the report keeps the larger of the two peaks.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# name -> (module, function); the registry the runner and the docs use
IMPLEMENTATIONS: dict[str, tuple[str, str]] = {
    "hand_sql": ("bench.baselines.hand_sql", "run"),
    "engine_duckdb": ("bench.baselines.engine", "run"),
    "engine_calc_only": ("bench.baselines.engine", "run_calc_only"),
    "engine_external": ("bench.baselines.engine", "run_external"),
    "engine_spark_external": ("bench.baselines.engine", "run_spark_external"),
    "engine_spark": ("bench.baselines.engine", "run_spark"),
    "pandas": ("bench.baselines.pandas_notebook", "run"),
    "per_row": ("bench.baselines.per_row", "run"),
    "duckdb_read_csv": ("bench.baselines.csv_read", "run"),
    "teamquota_read_csv": ("bench.baselines.engine", "read_deals_csv"),
}


# implementations whose memory lives partly in child processes (Spark's JVM)
STARTS_CHILDREN = {"engine_spark", "engine_spark_external"}


def resolve(name: str) -> Callable[[Path, str], pa.Table]:
    module, function = IMPLEMENTATIONS[name]
    run: Callable[[Path, str], pa.Table] = getattr(importlib.import_module(module), function)
    return run


def peak_rss_kb() -> int | None:
    """This process's peak resident memory in KiB (Linux), else None."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the resident memory of this process and all its descendants."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            tree, pids, total = _children(), [os.getpid()], 0
            while pids:
                pid = pids.pop()
                total += _rss_kb(pid)
                pids.extend(tree.get(pid, []))
            self.peak_kb = max(self.peak_kb, total)


def main(argv: list[str]) -> int:
    name, data_dir, fmt, out = argv
    run = resolve(name)
    sampler = TreeSampler()
    if name in STARTS_CHILDREN and Path("/proc").is_dir():
        sampler.start()
    started = time.perf_counter()
    lines = run(Path(data_dir), fmt)
    seconds = time.perf_counter() - started
    sampler.done.set()
    pq.write_table(lines, out)
    timings = getattr(sys.modules[run.__module__], "TIMINGS", {})
    print(json.dumps({"seconds": seconds, "rows": lines.num_rows,
                      "peak_rss_kb": max(peak_rss_kb() or 0, sampler.peak_kb) or None,
                      "timings": timings}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

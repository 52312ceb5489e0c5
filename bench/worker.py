"""Run one implementation once, in this (fresh) process, and report its time as JSON.

``python -m bench.worker IMPL DATA_DIR FORMAT OUT.parquet`` imports the implementation
first (so module import time is not counted), times ``run(data_dir, format)``, writes the
payout lines to OUT.parquet for the comparison and prints ``{"seconds": ..., "rows": ...,
"peak_rss_kb": ...}``. The peak is this process's own high-water mark (``VmHWM``): the
rusage a parent reads for a child (``os.wait4``, ``RUSAGE_CHILDREN``) starts from the
parent's own size at fork time, because Linux carries the forked copy's high-water mark
across ``exec``, so it would report the runner's memory, not the worker's.
"""

from __future__ import annotations

import importlib
import json
import sys
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
    "engine_spark": ("bench.baselines.engine", "run_spark"),
    "pandas": ("bench.baselines.pandas_notebook", "run"),
    "per_row": ("bench.baselines.per_row", "run"),
    "duckdb_read_csv": ("bench.baselines.csv_read", "run"),
    "teamquota_read_csv": ("bench.baselines.engine", "read_deals_csv"),
}


def resolve(name: str) -> Callable[[Path, str], pa.Table]:
    module, function = IMPLEMENTATIONS[name]
    return getattr(importlib.import_module(module), function)


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


def main(argv: list[str]) -> int:
    name, data_dir, fmt, out = argv
    run = resolve(name)
    started = time.perf_counter()
    lines = run(Path(data_dir), fmt)
    seconds = time.perf_counter() - started
    pq.write_table(lines, out)
    timings = getattr(sys.modules[run.__module__], "TIMINGS", {})
    print(json.dumps({"seconds": seconds, "rows": lines.num_rows,
                      "peak_rss_kb": peak_rss_kb(), "timings": timings}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

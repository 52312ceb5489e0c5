"""A run larger than memory: ``python -m bench.capped --size 100M --memory 6GiB``.

Runs one benchmark worker (``bench.worker``, teamquota's loader + engine by default) inside a
Linux memory cgroup capped at ``--memory``, as on a machine with that much RAM, and checks its
payout lines against the hand-written SQL's (run uncapped first). The cgroup is the only way
to make the cap real: ``ulimit -v`` counts address space, which DuckDB and memory-mapped
files reserve far beyond what they touch. Needs root and a cgroup v1 or v2 memory
controller; the data comes from ``bench.run``'s cache (``--sizes 100M`` generates it).

Prints the exit status (137 = killed by the kernel's OOM killer), time, the worker's peak
resident memory (file pages of a memory map included) and the cgroup's peak usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from bench.lines import compare
from bench.run import RESULTS, parse_size, size_label
from teamquota.data.spill import parse_size as parse_bytes

V1 = Path("/sys/fs/cgroup/memory")
V2 = Path("/sys/fs/cgroup")


class Cgroup:
    """A fresh memory cgroup with a hard limit (v1 or v2, whichever the machine has)."""

    def __init__(self, name: str, limit: int):
        self.v2 = (V2 / "cgroup.controllers").exists()
        self.path = (V2 if self.v2 else V1) / name
        self.path.mkdir(exist_ok=True)
        self._write("memory.max" if self.v2 else "memory.limit_in_bytes", str(limit))
        self._write("memory.swap.max" if self.v2 else "memory.max_usage_in_bytes", "0")

    def _write(self, name: str, value: str) -> None:
        (self.path / name).write_text(value)

    def enter_command(self) -> list[str]:
        return ["sh", "-c", f'echo $$ > {self.path / "cgroup.procs"} && exec "$@"', "capped"]

    def peak(self) -> int | None:
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        path = self.path / name
        return int(path.read_text()) if path.exists() else None

    def remove(self) -> None:
        with contextlib.suppress(OSError):  # still busy: the kernel frees it later
            self.path.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.capped", description=__doc__)
    parser.add_argument("--size", type=parse_size, default=100_000_000)
    parser.add_argument("--memory", default="6GiB", help="the cap, e.g. 6GiB")
    parser.add_argument("--implementation", default="engine_duckdb")
    parser.add_argument("--duckdb-memory-limit", default="3GB",
                        help="TEAMQUOTA_DUCKDB_MEMORY_LIMIT inside the cap")
    parser.add_argument("--no-spill", action="store_true",
                        help="keep every scan result in memory (what happens without spilling)")
    parser.add_argument("--data-dir", default=str(RESULTS / "data"))
    args = parser.parse_args()
    directory = Path(args.data_dir) / f"deals-{size_label(args.size)}"
    if not (directory / "deals.parquet").exists():
        print(f"no data in {directory}: run python -m bench.run --sizes "
              f"{size_label(args.size)} --only hand_sql first", file=sys.stderr)
        return 2
    floor = RESULTS / "lines" / f"hand_sql-parquet-{size_label(args.size)}.parquet"
    out = RESULTS / "lines" / f"{args.implementation}-capped-{size_label(args.size)}.parquet"
    group = Cgroup(f"teamquota-bench-{os.getpid()}", parse_bytes(args.memory))
    env = {**os.environ, "TEAMQUOTA_DUCKDB_MEMORY_LIMIT": args.duckdb_memory_limit}
    if args.no_spill:
        env["TEAMQUOTA_SPILL_ABOVE"] = "1000TB"
    started = time.perf_counter()
    try:
        done = subprocess.run([*group.enter_command(), sys.executable, "-m", "bench.worker",
                               args.implementation, str(directory), "parquet", str(out)],
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak = group.peak()
    finally:
        group.remove()
    report = {"implementation": args.implementation, "deals": args.size,
              "memory_cap": args.memory, "spill": not args.no_spill, "exit_status": done.returncode,
              "wall_seconds": round(wall, 2),
              "cgroup_peak_mb": None if peak is None else round(peak / 2**20)}
    if done.returncode == 0:
        worker = json.loads(done.stdout.strip().splitlines()[-1])
        report.update(seconds=round(worker["seconds"], 2),
                      peak_rss_mb=round(worker["peak_rss_kb"] / 1024),
                      timings=worker.get("timings"))
        if floor.exists():
            report["agrees_with_hand_sql"] = compare(pq.read_table(floor),
                                                     pq.read_table(out)).agrees
    else:
        report["stderr_tail"] = done.stderr.strip().splitlines()[-3:]
    print(json.dumps(report, indent=2))
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

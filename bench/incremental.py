"""One late deal on the benchmark data: incremental recalculation vs a full run.

    python -m bench.incremental --size 1M     (the data must exist: python -m bench.run)
    python -m bench.incremental --size 10M    (python -m bench.run --sizes 10M first)

Prints the full run's time, the incremental time, and whether the two agree to the cent
on every payout line (they must).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pyarrow as pa

import teamquota
from bench.baselines.engine import read_arrow
from bench.hybrid import PLAN_FILE
from teamquota.data.dataset import Dataset
from teamquota.engine.incremental import recalculate

DATA = Path(__file__).resolve().parent / "results" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", help="deals-<size> folder under bench/results/data")
    args = parser.parse_args()
    data = read_arrow(DATA / f"deals-{args.size}")
    plan = teamquota.load_plan(str(PLAN_FILE))
    start = time.perf_counter()
    before = teamquota.calculate(plan, data)
    full_before = time.perf_counter() - start

    owner = data["payees"]["payee_id"][0].as_py()
    late = Dataset.from_records(deals=[{
        "deal_id": "LATE-1", "owner_id": owner, "amount": "12345.67", "stage": "Won",
        "close_date": "2017-05-20"}])["deals"].select(data["deals"].column_names)
    after = data.replace(deals=pa.concat_tables([data["deals"],
                                                 late.cast(data["deals"].schema)]))
    start = time.perf_counter()
    quick = recalculate(before, plan, after, {"LATE-1"})
    incremental = time.perf_counter() - start
    start = time.perf_counter()
    full = teamquota.calculate(plan, after)
    full_after = time.perf_counter() - start
    same = quick.payouts.equals(full.payouts) and quick.attainment.equals(full.attainment)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.size} deals: full run {full_before:.2f} s; one late deal: incremental "
          f"{incremental:.3f} s vs full {full_after:.2f} s "
          f"({full_after / incremental:.0f}x); payouts and attainment identical: {same} "
          f"(load average {load:.1f})")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

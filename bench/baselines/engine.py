"""teamquota's engine on the benchmark data: load the files, ``teamquota.calculate``.

``run`` is what a user's ``teamquota calc`` does: the data loader (typed, validated,
cross-table checks) then the engine. ``run_calc_only`` skips the loader's checks and
hands the Parquet files' Arrow tables (already in the canonical schemas) straight to the
engine, which separates the loader's cost from the engine's. Stage timings of the last
run are left in ``TIMINGS`` for the benchmark's report.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

# pyarrow imports pandas the first time it converts Python Decimals (0.2-0.4 s); imports
# are not part of any implementation's time (the pandas baseline imports it up front too)
import pandas  # noqa: F401
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import teamquota
import teamquota.engine.run  # noqa: F401  calculate() imports it lazily: import it up front
from bench.hybrid import PLAN_FILE
from bench.lines import normalise
from teamquota.data.dataset import Dataset
from teamquota.data.external import ExternalTable
from teamquota.data.loader import LoadOptions, load_table, load_tables

NAMES = ("payees", "teams", "memberships", "deals", "targets")
TIMINGS: dict[str, float] = {}


def load(directory: str | Path, fmt: str = "parquet") -> Dataset:
    """The user's path: teamquota's loader over the five files."""
    directory = Path(directory)
    result = load_tables({name: directory / f"{name}.{fmt}" for name in NAMES})
    if result.dataset is None:
        problems = "; ".join(str(d) for d in list(result.diagnostics)[:5])
        raise RuntimeError(f"the loader rejected the benchmark data: {problems}")
    return result.dataset


def read_arrow(directory: str | Path) -> Dataset:
    directory = Path(directory)
    return Dataset({name: pq.read_table(directory / f"{name}.parquet") for name in NAMES},
                   {name: str(directory / f"{name}.parquet") for name in NAMES})


def lines(payouts: pa.Table) -> pa.Table:
    """The engine's payout lines of the two curve components, in the comparison shape."""
    keep = pc.is_in(payouts["component_id"], value_set=pa.array(["personal", "team"]))
    return normalise(payouts.filter(keep))


def _calculate(data: Dataset, backend: Any, load_seconds: float) -> pa.Table:
    plan = teamquota.load_plan(str(PLAN_FILE))
    results = teamquota.calculate(plan, data, backend=backend)
    TIMINGS.clear()
    TIMINGS["load"] = load_seconds
    TIMINGS.update({f"engine.{k}": v for k, v in results.timings.items()})
    return lines(results.payouts)


def run(directory: str | Path, fmt: str = "parquet", backend: str = "duckdb") -> pa.Table:
    started = time.perf_counter()
    data = load(directory, fmt)
    return _calculate(data, backend, time.perf_counter() - started)


def run_external(directory: str | Path, fmt: str = "parquet", backend: str = "duckdb"
                 ) -> pa.Table:
    """The deals read where they live (``calc --deals parquet:...``): the loader reads the
    four small tables; the backend reads and checks deals.parquet itself."""
    from teamquota.backends import connect

    directory = Path(directory)
    started = time.perf_counter()
    engine = connect(backend)  # one connection (Spark: one session) for checks and run
    connected = time.perf_counter() - started
    source = ExternalTable("parquet", str(directory / f"deals.{fmt}"))
    result = load_tables({name: directory / f"{name}.{fmt}" for name in NAMES
                          if name != "deals"},
                         options=LoadOptions(external={"deals": source}, backend=engine))
    if result.dataset is None:
        problems = "; ".join(str(d) for d in list(result.diagnostics)[:5])
        raise RuntimeError(f"the loader rejected the benchmark data: {problems}")
    lines = _calculate(result.dataset, engine, time.perf_counter() - started)
    TIMINGS["load.connect"] = connected  # of "load": starting the engine (Spark: the JVM)
    return lines


def run_spark_external(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    return run_external(directory, fmt, backend="spark")


def run_calc_only(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    started = time.perf_counter()
    data = read_arrow(directory)
    return _calculate(data, "duckdb", time.perf_counter() - started)


def run_spark(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    return run(directory, fmt, backend="spark")


def read_deals_csv(directory: str | Path, fmt: str = "csv") -> pa.Table:
    """teamquota's loader on deals.csv alone (typed and checked), for the CSV comparison."""
    table, _, diagnostics = load_table("deals", Path(directory) / "deals.csv")
    if diagnostics.has_errors:
        raise RuntimeError(f"the loader rejected deals.csv: {list(diagnostics)[:3]}")
    assert table.num_rows > 0
    from bench.lines import LINES
    return LINES.empty_table()

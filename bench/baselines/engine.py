"""teamquota's engine on the benchmark data: ``teamquota.calculate`` with the hybrid plan.

Parquet files are read into a :class:`~teamquota.data.dataset.Dataset` as they are (the
generator writes the canonical schemas); CSV files go through teamquota's CSV loader when
it is available (typed, validated), else through a typed Arrow CSV read.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import teamquota
from bench.hybrid import PLAN_FILE
from bench.lines import normalise
from teamquota.data.dataset import Dataset
from teamquota.data.tables import TABLES

NAMES = ("payees", "teams", "memberships", "deals", "targets")


def _read_csv(path: Path, name: str) -> pa.Table:
    import pyarrow.csv as pacsv
    schema = TABLES[name].schema
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={f.name: f.type for f in schema}))


def load(directory: str | Path, fmt: str = "parquet") -> Dataset:
    directory = Path(directory)
    tables = {}
    for name in NAMES:
        path = directory / f"{name}.{fmt}"
        tables[name] = pq.read_table(path) if fmt == "parquet" else _read_csv(path, name)
    return Dataset(tables, {name: str(directory / f"{name}.{fmt}") for name in NAMES})


def lines(payouts: pa.Table) -> pa.Table:
    """The engine's payout lines of the two curve components, in the comparison shape."""
    keep = pc.is_in(payouts["component_id"], value_set=pa.array(["personal", "team"]))
    return normalise(payouts.filter(keep))


def run(directory: str | Path, fmt: str = "parquet", backend: str = "duckdb") -> pa.Table:
    plan = teamquota.load_plan(str(PLAN_FILE))
    results = teamquota.calculate(plan, load(directory, fmt), backend=backend)
    return lines(results.payouts)


def run_spark(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    return run(directory, fmt, backend="spark")

"""The CSV reference: DuckDB's own ``read_csv`` of deals.csv into a table, nothing else.

Returns no payout lines; the benchmark compares teamquota's time to read the same file
against this.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from bench.baselines.hand_sql import CSV_TYPES
from bench.lines import LINES


def run(directory: str | Path, fmt: str = "csv") -> pa.Table:
    path = str(Path(directory) / "deals.csv").replace("'", "''")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE deals AS SELECT * FROM read_csv('{path}', header = true, "
                    f"columns = {CSV_TYPES['deals']})")
        count = con.execute("SELECT count(*) FROM deals").fetchone()
        assert count is not None and count[0] > 0
    finally:
        con.close()
    return LINES.empty_table()


def run_teamquota(directory: str | Path, fmt: str = "csv") -> pa.Table:
    """teamquota's load of the same deals.csv (see bench.baselines.engine.load)."""
    from bench.baselines.engine import _read_csv
    table = _read_csv(Path(directory) / "deals.csv", "deals")
    assert table.num_rows > 0
    return LINES.empty_table()

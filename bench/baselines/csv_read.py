"""The CSV reference: DuckDB's own ``read_csv`` of deals.csv into an Arrow table.

Typed columns (as a user would declare them), every column, collected as Arrow: the same
output teamquota's loader produces. Returns no payout lines; the benchmark compares
teamquota's time to read the same file against this.
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
        con.execute("SET enable_progress_bar = false")
        table = con.sql(f"SELECT * FROM read_csv('{path}', header = true, "
                        f"columns = {CSV_TYPES['deals']})").to_arrow_table()
        assert table.num_rows > 0
    finally:
        con.close()
    return LINES.empty_table()


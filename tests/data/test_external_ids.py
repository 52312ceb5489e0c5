"""The blank and repeated deal ids of deals read where they live (data/external.py
repeated_ids): the sorted fast path and the exact count agree."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from teamquota.backends import connect
from teamquota.core.diagnostics import Diagnostics
from teamquota.data.external import ExternalTable, _increasing, canonical, repeated_ids


def _ids(tmp_path: Path, ids: list[str | None]) -> tuple[int, int]:
    path = tmp_path / "d.parquet"
    n = len(ids)
    pq.write_table(pa.table({
        "deal_id": pa.array(ids, pa.string()), "owner_id": ["ann"] * n,
        "amount": pa.array([1] * n, pa.decimal128(18, 2)), "stage": ["Won"] * n,
        "close_date": pa.array([0] * n, pa.date32())}), path)
    backend = connect("duckdb")
    deals = canonical(backend.read(ExternalTable("parquet", str(path))), "d", Diagnostics())
    assert deals is not None
    found = repeated_ids(deals, backend)
    # whichever path decided, the next query on the connection runs (the stream is closed)
    assert backend.collect(deals.aggregate(n=deals.count()))["n"][0].as_py() == n
    return found


@pytest.mark.parametrize(("ids", "expected"), [
    (["D1", "D2", "D3"], (0, 0)),              # increasing: the fast path proves it
    (["D1", None, "D2", None], (2, 0)),        # blanks are counted, not compared
    (["D3", "D1", "D2"], (0, 0)),              # unsorted, no repeat: the exact count
    (["D1", None, "D1"], (1, 1)),              # a blank between the two must not hide them
    (["D1", "D1"], (0, 1)),                    # equal neighbours are not increasing
    # 6 ids, 3 distinct (D1 x3, D3 x2, D2): 6 - 3 = 3 repeated; 2 blank
    (["D3", "D1", None, "D3", "D2", None, "D1", "D1"], (2, 3)),
])
def test_repeated_ids__every_path_counts_exactly(tmp_path: Path, ids: list[str | None],
                                                expected: tuple[int, int]) -> None:
    assert _ids(tmp_path, ids) == expected


def test_increasing__compares_across_batches() -> None:
    def batches(*parts: list[str | None]) -> list[pa.RecordBatch]:
        return [pa.record_batch([pa.array(p, pa.string())], ["deal_id"]) for p in parts]
    assert _increasing(iter(batches(["A", "B"], [None], ["C"]))) == 1
    assert _increasing(iter(batches(["A", "B"], [None], ["B", "C"]))) is None  # B twice
    assert _increasing(iter(batches(["A", "C"], ["B"]))) is None
    assert _increasing(iter(batches([None, None], []))) == 2

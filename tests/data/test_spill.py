"""Big scan results go to a memory-mapped Arrow file; the loader gives the same tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from teamquota.data.loader import load_dataset, load_table
from teamquota.data.spill import collect, parse_size, spill_above

GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"


def test_parse_size__duckdb_spellings() -> None:
    assert parse_size("4GB") == 4 * 1000**3
    assert parse_size("512MiB") == 512 * 1024**2
    assert parse_size(" 1.5 gb ") == 1_500_000_000
    assert parse_size("100") == 100
    with pytest.raises(ValueError, match="expected e.g. 512MB"):
        parse_size("lots")


def test_spill_above__half_the_memory_limit_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMQUOTA_SPILL_ABOVE", raising=False)
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_MEMORY_LIMIT", "4GB")
    assert spill_above() == 2 * 1000**3  # 4 GB / 2
    monkeypatch.setenv("TEAMQUOTA_SPILL_ABOVE", "300MB")
    assert spill_above() == 300 * 1000**2


def _batches(count: int) -> list[pa.RecordBatch]:
    return [pa.record_batch({"id": pa.array(range(i * 1000, i * 1000 + 1000), pa.int64()),
                             "name": pa.array([f"r{j}" for j in range(1000)])})
            for i in range(count)]


def test_collect__small_results_stay_in_memory(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", str(tmp_path))
    batches = _batches(3)
    before = pa.total_allocated_bytes()
    table = collect(batches, batches[0].schema, limit=10**9)
    assert table.num_rows == 3000
    assert table.equals(pa.Table.from_batches(batches))
    assert pa.total_allocated_bytes() == before  # the batches' own buffers, no copy
    assert list(tmp_path.iterdir()) == []


def _lazy_batches(count: int):
    yield from _batches(count)


def test_collect__past_the_limit_the_rows_are_mapped_from_a_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    schema = _batches(1)[0].schema
    one = _batches(1)[0].nbytes
    baseline = pa.total_allocated_bytes()
    in_memory = collect(_lazy_batches(5), schema, limit=10**9)
    # held in memory: the five batches' buffers stay in Arrow's pool
    assert pa.total_allocated_bytes() - baseline >= 5 * one * 0.9
    del in_memory
    baseline = pa.total_allocated_bytes()
    # the limit is passed with the second batch: batches 1-2 were held, 3-5 are streamed
    table = collect(_lazy_batches(5), schema, limit=one + 1)
    assert table.equals(pa.Table.from_batches(_batches(5)))
    assert table["id"].to_pylist() == list(range(5 * 1000))
    # the rows live in the mapped file, not in the pool (less than one batch left over)
    assert pa.total_allocated_bytes() - baseline < one
    # the file is unlinked at once: the map keeps the data, the directory stays clean
    assert list((tmp_path / "spill").iterdir()) == []


def test_load_table__a_spilled_scan_gives_the_same_table(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deals.csv"
    shutil.copy(GOOD / "deals.csv", path)
    expected, lines, _ = load_table("deals", path)
    pq.write_table(expected, tmp_path / "deals.parquet")
    expected_parquet, _, _ = load_table("deals", tmp_path / "deals.parquet")
    monkeypatch.setenv("TEAMQUOTA_SPILL_ABOVE", "1B")  # every scan result goes to disk
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    spilled, spilled_lines, diagnostics = load_table("deals", path)
    assert not diagnostics.has_errors
    assert spilled.num_rows == expected.num_rows > 0
    assert spilled.equals(expected) and list(spilled_lines) == list(lines)
    assert load_table("deals", tmp_path / "deals.parquet")[0].equals(expected_parquet)


def test_load_dataset__spilled_everywhere_loads_the_same_dataset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for good in GOOD.iterdir():
        shutil.copy(good, tmp_path / good.name)
    expected, _ = load_dataset(tmp_path)
    monkeypatch.setenv("TEAMQUOTA_SPILL_ABOVE", "1B")
    monkeypatch.setenv("TEAMQUOTA_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    spilled, diagnostics = load_dataset(tmp_path)
    assert expected is not None and spilled is not None, list(diagnostics)
    assert set(spilled.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        assert spilled[name].equals(table), name


def test_spill_above__a_quarter_of_memory_or_4gb_without_sysconf(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("TEAMQUOTA_SPILL_ABOVE", raising=False)
    monkeypatch.delenv("TEAMQUOTA_DUCKDB_MEMORY_LIMIT", raising=False)
    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 6_000_000}  # 4096 x 6M = 24.6 GB
    monkeypatch.setattr(os, "sysconf", lambda name: sizes[name])
    assert spill_above() == 4096 * 6_000_000 // 4
    monkeypatch.delattr(os, "sysconf")
    assert spill_above() == 4 * 10**9

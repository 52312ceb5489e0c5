"""Scan results too big for memory go to a memory-mapped Arrow file instead.

A 100M-deal table is ~11 GB as Arrow. Held in the process's own memory it must fit in RAM
next to everything else; streamed from DuckDB into an Arrow IPC file and memory-mapped, its
pages belong to the kernel's page cache: read in when a column is scanned, dropped again
under memory pressure, never the reason the process is killed. Everything downstream sees an
ordinary ``pyarrow.Table`` (zero-copy over the map), so the loader's checks and the engine
need no second code path.

Where and when (environment, as the DuckDB backend's settings):
``TEAMQUOTA_DUCKDB_TEMP_DIR``  directory for the files (default: the system temp directory);
``TEAMQUOTA_SPILL_ABOVE``      size above which a result goes to disk, e.g. ``2GB``; default
    half of ``TEAMQUOTA_DUCKDB_MEMORY_LIMIT`` when that is set, else a quarter of the
    machine's memory (24 GB: 6 GB, ~50M deals; 10M deals stay in memory).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

BATCH_ROWS = 1 << 20
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(text: str) -> int:
    """'4GB' -> 4_000_000_000, '512MiB' -> 536_870_912 (DuckDB's spelling of sizes)."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*", text, re.IGNORECASE)
    if not found:
        raise ValueError(f"not a size: {text!r}; expected e.g. 512MB or 4GB")
    return int(float(found[1]) * _UNITS[(found[2] or "").upper()])


def spill_above() -> int:
    if os.environ.get("TEAMQUOTA_SPILL_ABOVE"):
        return parse_size(os.environ["TEAMQUOTA_SPILL_ABOVE"])
    if os.environ.get("TEAMQUOTA_DUCKDB_MEMORY_LIMIT"):
        return parse_size(os.environ["TEAMQUOTA_DUCKDB_MEMORY_LIMIT"]) // 2
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): assume 16 GB
        return 4 * 10**9


def spill_directory() -> Path:
    return Path(os.environ.get("TEAMQUOTA_DUCKDB_TEMP_DIR") or tempfile.gettempdir())


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The result of ``sql`` as Arrow: in memory while small, memory-mapped once large."""
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    return collect(reader, reader.schema, spill_above())


def collect(batches: Iterable[pa.RecordBatch], schema: pa.Schema, limit: int) -> pa.Table:
    held: list[pa.RecordBatch] = []
    size = 0
    stream = iter(batches)
    for batch in stream:
        held.append(batch)
        size += batch.nbytes
        if size > limit:
            return _mapped(schema, held, stream)
    return pa.Table.from_batches(held, schema)


def _mapped(schema: pa.Schema, held: list[pa.RecordBatch],
            rest: Iterable[pa.RecordBatch]) -> pa.Table:
    directory = spill_directory()
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="teamquota-", suffix=".arrow", dir=directory)
    os.close(fd)
    path = Path(name)
    try:
        with pa.OSFile(name, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for batch in held:
                writer.write_batch(batch)
            held.clear()  # each batch is released once written
            for batch in rest:
                writer.write_batch(batch)
        table = pa.ipc.open_file(pa.memory_map(name)).read_all()
    finally:
        # the map keeps the data readable; the file's space is freed when the table goes
        path.unlink(missing_ok=True)
    return table

"""Delta Lake tables for engines without Delta support: the current version's files, read
from the table's transaction log with the ``deltalake`` package (``teamquota[delta]``).

A Delta folder keeps the Parquet files of every version; read as plain Parquet it would
count overwritten and deleted rows again. The log says which files make up the current
version. DuckDB scans that version as an Arrow dataset (partition values included); Spark
without Delta Lake in its session reads the file list, which is enough only for tables that
need nothing else to be read (no partition columns, no deletion vectors or column mapping):
others are refused with a hint rather than read wrongly.
"""

from __future__ import annotations

from typing import Any

from teamquota.backends.base import SourceError


def _table(location: str, backend: str) -> Any:
    try:
        from deltalake import DeltaTable
    except ImportError:
        raise SourceError("reading delta: sources needs the deltalake package "
                          "(pip install 'teamquota[delta]')", backend) from None
    try:
        return DeltaTable(location)
    except Exception as exc:  # deltalake raises its own error types per cause
        raise SourceError(f"cannot read delta:{location}: {exc}", backend) from None


def dataset(location: str, backend: str) -> Any:
    """The current version as a ``pyarrow.dataset`` (scanned lazily by DuckDB)."""
    table = _table(location, backend)
    try:
        return table.to_pyarrow_dataset()
    except Exception as exc:  # e.g. a reader feature deltalake cannot apply
        raise SourceError(f"cannot read delta:{location}: {exc}", backend) from None


def live_files(location: str, backend: str) -> list[str]:
    """The Parquet files of the current version, when they are all a reader needs."""
    table = _table(location, backend)
    features = table.protocol().reader_features or []
    partitions = table.metadata().partition_columns
    if features or partitions:
        needs = ", ".join([*(f"reader feature {f}" for f in features),
                           *(f"partition column {p}" for p in partitions)])
        raise SourceError(f"delta:{location} needs a Delta reader ({needs}): enable Delta "
                          "Lake in the Spark session (Databricks has it; elsewhere the "
                          "delta-spark package)", backend)
    return list(table.file_uris())

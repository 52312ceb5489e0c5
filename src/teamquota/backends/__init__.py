"""Where the engine's Ibis expressions run: DuckDB in-process (default) or PySpark.

Backends only connect, load Arrow tables, materialise and collect. They hold no business
rules: the engine builds the same expressions for every backend.
"""

from __future__ import annotations

from typing import Any

from teamquota.backends.base import Backend


def connect(backend: str | Backend = "duckdb", **options: Any) -> Backend:
    """``"duckdb"`` (default), ``"spark"``, a ``postgresql://`` URL, or an already
    connected backend."""
    if isinstance(backend, Backend):
        return backend
    if backend == "duckdb":
        from teamquota.backends.duckdb import DuckDBBackend
        return DuckDBBackend(**options)
    if backend == "spark":
        from teamquota.backends.spark import SparkBackend
        return SparkBackend(**options)
    if backend == "postgres" or backend.startswith(("postgres://", "postgresql://")):
        from teamquota.backends.postgres import PostgresBackend
        url = options.pop("url", None) or (backend if "://" in backend else "")
        return PostgresBackend(url or "postgresql://postgres@127.0.0.1:5432/postgres",
                               **options)
    raise ValueError(f"unknown engine backend {backend!r}; expected 'duckdb', 'spark' or "
                     "a postgresql:// URL")


__all__ = ["Backend", "connect"]

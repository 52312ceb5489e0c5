"""The small interface every engine backend offers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from teamquota.data.external import ExternalTable

_counter = itertools.count()


class SourceError(ValueError):
    """An external source this backend cannot read (wrong kind, missing, unreadable)."""

    def __init__(self, message: str, backend: str):
        super().__init__(message)
        self.backend = backend


class Backend:
    name = "base"
    con: Any

    def table_name(self, name: str) -> str:
        # Unique per load so concurrent runs on one connection never see each other's data.
        return f"tq_{next(_counter)}_{name}"

    def load(self, name: str, table: pa.Table) -> ir.Table:
        raise NotImplementedError

    def read(self, source: ExternalTable) -> ir.Table:
        """A table this backend reads where it lives (data/external.py), not through Python."""
        raise SourceError(f"the {self.name} engine cannot read {source.format} sources "
                          f"({source})", self.name)

    def materialize(self, expr: ir.Table, name: str) -> ir.Table:
        """Compute ``expr`` once so later stages read it instead of recomputing it."""
        raise NotImplementedError

    def collect(self, expr: ir.Table) -> pa.Table:
        return expr.to_pyarrow()

    def batches(self, expr: ir.Table) -> Iterator[pa.RecordBatch] | None:
        """``expr``'s rows streamed to Python a batch at a time, in the order the backend
        has them, or None where that would move a distributed table to one machine (the
        default): data/external.py then asks the backend for aggregates instead."""
        return None

    def close(self) -> None:
        """Release the connection (a no-op for shared sessions)."""

"""The small interface every engine backend offers."""

from __future__ import annotations

import itertools
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

_counter = itertools.count()


class Backend:
    name = "base"
    con: Any

    def table_name(self, name: str) -> str:
        # Unique per load so concurrent runs on one connection never see each other's data.
        return f"tq_{next(_counter)}_{name}"

    def load(self, name: str, table: pa.Table) -> ir.Table:
        raise NotImplementedError

    def materialize(self, expr: ir.Table, name: str) -> ir.Table:
        """Compute ``expr`` once so later stages read it instead of recomputing it."""
        raise NotImplementedError

    def collect(self, expr: ir.Table) -> pa.Table:
        return expr.to_pyarrow()

    def close(self) -> None:
        """Release the connection (a no-op for shared sessions)."""

"""PostgreSQL: the engine's expressions run in the database the web app may already use.

Tables are loaded as temporary tables of the session, so concurrent runs never see each
other's data and nothing is left behind.
"""

from __future__ import annotations

from urllib.parse import urlparse

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from teamquota.backends.base import Backend, SourceError
from teamquota.data.external import ExternalTable


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, url: str):
        parts = urlparse(url)
        self.con = ibis.postgres.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
            user=parts.username or "postgres", password=parts.password,
            database=(parts.path or "/postgres").lstrip("/") or "postgres")

    def load(self, name: str, table: pa.Table) -> ir.Table:
        return self.con.create_table(self.table_name(name), table, temp=True)

    def read(self, source: ExternalTable) -> ir.Table:
        """A table (``schema.table`` or ``table``) in the connected database."""
        if source.format != "table":
            return super().read(source)
        schema, _, name = source.location.rpartition(".")
        try:
            return self.con.table(name, database=schema or None)
        except Exception as exc:  # the driver's errors differ by version: name the table
            raise SourceError(f"cannot read {source}: {exc}", self.name) from None

    def materialize(self, expr: ir.Table, name: str) -> ir.Table:
        return self.con.create_table(self.table_name(name), expr, temp=True)

    def close(self) -> None:
        self.con.disconnect()

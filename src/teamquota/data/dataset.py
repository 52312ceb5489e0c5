"""A :class:`Dataset` is the set of canonical tables one calculation reads, as Arrow.

It keeps, for every table, where it came from (file path, and for each row its line in
that file) so the engine's diagnostics can point at the row that caused them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from teamquota.core.money import D
from teamquota.data.external import ExternalTable
from teamquota.data.tables import TABLES, TableSpec


@dataclass
class Dataset:
    tables: dict[str, pa.Table]
    sources: dict[str, str] = field(default_factory=dict)
    # table -> the file line of each row (same order as the table); absent when built in code.
    # A range or an int64 array from the loader: a list would cost ~36 bytes a row.
    row_lines: dict[str, Sequence[int]] = field(default_factory=dict)
    # tables the engine's backend reads where they live instead (data/external.py)
    external: dict[str, ExternalTable] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def get(self, name: str) -> pa.Table | None:
        return self.tables.get(name)

    def has(self, name: str) -> bool:
        table = self.tables.get(name)
        return table is not None and table.num_rows > 0

    def replace(self, **tables: pa.Table) -> Dataset:
        return Dataset({**self.tables, **tables}, dict(self.sources), dict(self.row_lines),
                       dict(self.external))

    @classmethod
    def from_records(cls, **records: Sequence[Mapping[str, Any]]) -> Dataset:
        """Build from lists of dicts (tests, notebooks); types follow the table specs.

        Missing optional columns are filled with nulls; extra keys become string columns.
        Money may be given as str, int or Decimal.
        """
        return cls({name: to_table(TABLES[name], rows) for name, rows in records.items()},
                   {name: f"<{name}>" for name in records})


def _coerce(value: Any, type_: pa.DataType) -> Any:
    if value is None or value == "":
        return None
    if pa.types.is_decimal(type_):
        return D(value) if not isinstance(value, Decimal) else value
    if pa.types.is_date(type_) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def to_table(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    extra = sorted({k for row in rows for k in row} - set(spec.column_names))
    arrays = {c.name: pa.array([_coerce(r.get(c.name), c.type) for r in rows], c.type)
              for c in spec.columns}
    for name in extra:
        arrays[name] = pa.array([None if r.get(name) is None else str(r.get(name))
                                 for r in rows], pa.string())
    return pa.table(arrays)

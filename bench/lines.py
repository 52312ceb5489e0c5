"""The one output shape every implementation is compared in: one row per payout line.

A line is (period, payee_id, component_id, team_id or null) -> amount, rounded once to
cents. Two implementations agree when their sorted line tables are equal, Decimal by
Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from teamquota.data.tables import MONEY

LINES = pa.schema([
    pa.field("period", pa.string(), nullable=False),
    pa.field("payee_id", pa.string(), nullable=False),
    pa.field("component_id", pa.string(), nullable=False),
    pa.field("team_id", pa.string()),
    pa.field("amount", MONEY, nullable=False),
])
KEY = ["period", "payee_id", "component_id", "team_id"]


def normalise(table: pa.Table) -> pa.Table:
    """Select the line columns in canonical types and order."""
    table = table.select(LINES.names).cast(LINES)
    return table.sort_by([(k, "ascending") for k in KEY])


@dataclass
class Comparison:
    rows_left: int
    rows_right: int
    missing: int        # lines only in left
    extra: int          # lines only in right
    different: int      # same key, different amount
    examples: list[str]

    @property
    def agrees(self) -> bool:
        return self.missing == self.extra == self.different == 0 and \
            self.rows_left == self.rows_right

    def summary(self) -> str:
        if self.agrees:
            return f"{self.rows_left} lines, all equal to the cent"
        return (f"{self.rows_left} vs {self.rows_right} lines: {self.missing} missing, "
                f"{self.extra} extra, {self.different} different; e.g. "
                + "; ".join(self.examples))


def compare(left: pa.Table, right: pa.Table, examples: int = 5) -> Comparison:
    """Exact line-by-line comparison (keys matched, amounts compared as Decimal)."""
    def as_dict(table: pa.Table) -> dict[tuple[object, ...], object]:
        rows = normalise(table).to_pylist()
        return {tuple(r[k] for k in KEY): r["amount"] for r in rows}

    a, b = as_dict(left), as_dict(right)
    missing = [k for k in a if k not in b]
    extra = [k for k in b if k not in a]
    different = [k for k in a if k in b and a[k] != b[k]]
    shown = ([f"missing {k}={a[k]}" for k in missing[:examples]]
             + [f"extra {k}={b[k]}" for k in extra[:examples]]
             + [f"{k}: {a[k]} != {b[k]}" for k in different[:examples]])
    return Comparison(left.num_rows, right.num_rows, len(missing), len(extra),
                      len(different), shown[:examples])

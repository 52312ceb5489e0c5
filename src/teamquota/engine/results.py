"""What a calculation returns: credits, attainment and payouts as Arrow tables.

Schemas are fixed (the web app, exports and the API read them); rows are sorted by their
key so the same inputs give byte-identical files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from teamquota.core.diagnostics import Diagnostics
from teamquota.core.spreadsheet import staged_folder, write_csv
from teamquota.data.tables import MONEY

# Attainment keeps 12 decimals in the table for display and export; payouts are computed
# from the exact ratio, never from this column. 26 digits before the point: the largest
# measure the deals' column allows over the smallest target (a cent) still fits.
ATTAINMENT = pa.decimal128(38, 12)
S = pa.string()
# deal amount (2 places) x share (8 places): exact at 10 places
CREDIT = pa.decimal128(38, 10)

CREDITS = pa.schema([
    ("period", S),
    ("deal_id", S),
    ("subject_type", S),        # payee | team
    ("subject_id", S),
    ("rule", S),                # owner | split | membership | rollup | leader | overlay
    ("share", pa.decimal128(18, 8)),
    ("payee_id", S),            # the credited payee a team credit comes through
    ("amount", CREDIT),         # credited amount in plan currency (deal amount x share)
    ("counts_for_team", pa.bool_()),
    ("close_date", pa.date32()),
])

ATTAINMENT_SCHEMA = pa.schema([
    ("period", S),
    ("component_id", S),
    ("subject_type", S),
    ("subject_id", S),
    ("measure_value", CREDIT),
    ("target_amount", MONEY),
    ("attainment", ATTAINMENT),  # null when there is no target
])

PAYOUTS = pa.schema([
    ("period", S),
    ("payee_id", S),
    ("component_id", S),        # component id, or _plan for plan-level lines (cap, draw)
    ("line_type", S),           # curve | commission | deal | pool | spif | cap | draw |
                                # draw_recovery | ytd_prior
    ("team_id", S),             # the team a team-scope line is for
    ("deal_id", S),             # per-deal lines
    ("measure_value", CREDIT),
    ("target_amount", MONEY),
    ("attainment", ATTAINMENT),
    ("factor", ATTAINMENT),  # curve factor, rate, share or proration applied
    ("amount", MONEY),          # rounded once, in the payee's currency
    ("currency", S),
    ("rule", S),                # the plan rule in words
    ("explanation", S),         # the arithmetic, e.g. "team Won 412,000.00 / target ..."
])


def payouts_schema(places: int) -> pa.Schema:
    """:data:`PAYOUTS` with the amount column carrying ``places`` decimals when lines are
    paid in more than cents (a three-place currency such as KWD, or ``rounding.places``
    above 2); cent plans keep the cent column."""
    if places <= MONEY.scale:
        return PAYOUTS
    wider = pa.decimal128(MONEY.precision - MONEY.scale + places, places)
    return PAYOUTS.set(PAYOUTS.get_field_index("amount"), pa.field("amount", wider))


@dataclass
class Results:
    # Credits can be millions of rows: a run may pass a function that collects them on
    # first use, so a calculation that only needs payouts never pays for them.
    credits: pa.Table | Callable[[], pa.Table]
    attainment: pa.Table
    payouts: pa.Table
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    timings: dict[str, float] = field(default_factory=dict)
    plan_id: str = ""
    backend: str = ""
    # engine.run.RunState: what an incremental recalculation starts from (not serialised)
    state: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if callable(self.credits):
            self._load_credits = self.credits
            del self.credits

    def __getattr__(self, name: str) -> Any:
        # Reached only while ``credits`` is not loaded yet (see __post_init__).
        if name == "credits" and "_load_credits" in self.__dict__:
            self.credits = self.__dict__.pop("_load_credits")()
            return self.credits
        raise AttributeError(name)

    def tables(self) -> dict[str, pa.Table]:
        return {"credits": self.credits, "attainment": self.attainment,
                "payouts": self.payouts}

    def to_pandas(self, name: str = "payouts") -> Any:
        """The table ``name`` (credits, attainment, payouts) as a pandas DataFrame whose
        columns keep their Arrow types (``pd.ArrowDtype``): money is
        ``decimal128(18, 2)[pyarrow]``, so ``frame["amount"].sum()`` and ``.mean()`` are
        exact Decimals, text ``string[pyarrow]``. (``results.payouts.to_pandas()``, Arrow's
        own conversion, gives ``object`` columns of Decimal whose mean is a float.)"""
        pd = importlib.import_module("pandas")  # no stubs: Any, as pyarrow is
        return self.tables()[name].to_pandas(types_mapper=pd.ArrowDtype)

    def to_polars(self, name: str = "payouts") -> Any:
        """The table ``name`` as a polars DataFrame: money is ``pl.Decimal(18, 2)``, its
        sums Decimals."""
        import polars as pl
        return pl.from_arrow(self.tables()[name])

    def totals(self) -> pa.Table:
        """Total payout per payee and period (the sum of the rounded lines)."""
        return (self.payouts.group_by(["period", "payee_id", "currency"])
                .aggregate([("amount", "sum")])
                .rename_columns(["period", "payee_id", "currency", "amount"])
                .sort_by([("period", "ascending"), ("payee_id", "ascending")]))

    def write(self, directory: str | Path, formats: tuple[str, ...] = ("csv", "parquet")
              ) -> list[Path]:
        """Write each table as Parquet and/or CSV (text cells safe to open in a
        spreadsheet: ``core.spreadsheet``) into ``directory``, all at once: the files are
        written into a new folder swapped in at the end, so a run killed or failing half
        way leaves the previous run's files as they were, never a mix."""
        out = Path(directory)
        names = [f"{name}.{kind}" for name in self.tables() for kind in ("parquet", "csv")]
        written = []
        with staged_folder(out, replaces=names) as stage:
            for name, table in self.tables().items():
                if "parquet" in formats:
                    pq.write_table(table, stage / f"{name}.parquet")
                    written.append(out / f"{name}.parquet")
                if "csv" in formats:
                    write_csv(table, stage / f"{name}.csv")
                    written.append(out / f"{name}.csv")
        return written

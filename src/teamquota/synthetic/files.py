"""Write a synthetic data set as Parquet and/or CSV files, one per table.

Deals are streamed chunk by chunk (one Parquet row group per chunk), so memory stays at
one chunk whatever the size.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from teamquota.data.tables import DEALS
from teamquota.synthetic.deals import deal_batches
from teamquota.synthetic.organisation import build_organisation
from teamquota.synthetic.spec import SyntheticSpec

FORMATS = ("parquet", "csv")
_CSV = pacsv.WriteOptions(quoting_style="needed")


def _write(table: pa.Table, stem: Path, formats: tuple[str, ...]) -> None:
    if "parquet" in formats:
        pq.write_table(table, stem.with_suffix(".parquet"))
    if "csv" in formats:
        pacsv.write_csv(table, stem.with_suffix(".csv"), _CSV)


def write_dataset(spec: SyntheticSpec, directory: str | Path,
                  formats: tuple[str, ...] = FORMATS) -> Path:
    """Write payees, teams, memberships, targets and deals to ``directory``; return it."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; expected parquet and/or csv")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    org = build_organisation(spec)
    for name, table in (("payees", org.payees()), ("teams", org.teams()),
                        ("memberships", org.memberships()), ("targets", org.targets())):
        _write(table, out / name, formats)
    parquet = (pq.ParquetWriter(out / "deals.parquet", DEALS.schema)
               if "parquet" in formats else None)
    csv = pacsv.CSVWriter(out / "deals.csv", DEALS.schema, write_options=_CSV) \
        if "csv" in formats else None
    try:
        for batch in deal_batches(org):
            if parquet:
                parquet.write_batch(batch)
            if csv:
                csv.write_batch(batch)
    finally:
        if parquet:
            parquet.close()
        if csv:
            csv.close()
    return out

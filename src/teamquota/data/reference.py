"""Reference text generated from the table specs and codes (docs/data.md embeds it; a test
keeps the two equal). Run ``python -m teamquota.data.reference`` to print it."""

from __future__ import annotations

import pyarrow as pa

from teamquota.data.codes import DATA_CODES
from teamquota.data.tables import TABLES


def _type(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        return f"decimal({type_.precision},{type_.scale})"
    if pa.types.is_date(type_):
        return "date (YYYY-MM-DD)"
    return "text"


def tables_markdown() -> str:
    parts = []
    for spec in TABLES.values():
        kind = "optional table" if spec.optional else "required table"
        key = f"; key: {', '.join(spec.key)}" if spec.key else ""
        about = f" — {spec.description}" if spec.description else ""
        parts.append(f"### {spec.name} ({kind}{key}){about}\n\n"
                     "| column | type | blank allowed | meaning |\n|---|---|---|---|")
        for column in spec.columns:
            parts.append(f"| `{column.name}` | {_type(column.type)} | "
                         f"{'no' if column.required else 'yes'} | {column.description} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def codes_markdown() -> str:
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| {code} | {meaning} |" for code, meaning in DATA_CODES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(tables_markdown())
    print(codes_markdown())

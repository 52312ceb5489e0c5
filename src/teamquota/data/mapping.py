"""Apply one table's column map to a source table read as text.

Order: rename -> constants -> transforms -> value maps -> lookups. The row count and order
never change (lookups are left joins on a unique key), so each mapped row keeps its source
line. Every change a map makes to values is reported as an info diagnostic with counts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.columnmap import LoadedMap, Lookup, TableMap
from teamquota.data.parse import clean_strings
from teamquota.data.readers import ReadError, read_raw
from teamquota.data.tables import TABLES


def _slug(values: pa.Array) -> pa.Array:
    lowered = pc.utf8_lower(values)
    dashed = pc.replace_substring_regex(lowered, r"[^a-z0-9]+", "-")
    return pc.utf8_trim(dashed, "-")


TRANSFORMS = {"slug": _slug, "lower": pc.utf8_lower, "upper": pc.utf8_upper}


def _value_map(values: pa.Array, mapping: dict[str, str], column: str, where: Source,
               diagnostics: Diagnostics) -> pa.Array:
    if not mapping:
        return values
    keys = pa.array(list(mapping), pa.string())
    index = pc.index_in(values, value_set=keys)
    replaced = pa.array(list(mapping.values()), pa.string()).take(index)
    for source_value, count in zip(keys.to_pylist(), np.bincount(
            index.drop_null().to_numpy(zero_copy_only=False), minlength=len(keys)).tolist(),
            strict=True):
        if count:
            diagnostics.info("D030", f"column '{column}': value map changed '{source_value}' "
                             f"to '{mapping[source_value]}' on {count:,} "
                             f"row{'s' if count != 1 else ''}", where)
    return pc.coalesce(replaced, values)


def _text_columns(table: pa.Table) -> dict[str, pa.Array]:
    return {name: clean_strings(table[name]) for name in table.column_names}


def apply_table_map(table_name: str, raw: pa.Table, table_map: TableMap, loaded: LoadedMap,
                    data_path: str, base_dir: Path) -> tuple[dict[str, pa.Array], Diagnostics]:
    """Source columns (text) -> mapped columns; errors (D022, D023) and info in diagnostics."""
    diagnostics = Diagnostics()
    at = ("tables", table_name)
    where = Source(data_path)
    for source_name, target in table_map.rename.items():
        spec_column = next((c for c in TABLES[table_name].columns if c.name == target), None)
        if (source_name in raw.column_names and spec_column is not None
                and pa.types.is_decimal(spec_column.type)
                and pa.types.is_floating(raw.schema.field(source_name).type)):
            diagnostics.error("D014", f"column '{source_name}' is stored as "
                              f"{raw.schema.field(source_name).type}, which cannot hold "
                              f"'{target}' exactly; store it as decimal or text", where)
    if diagnostics.has_errors:
        return {}, diagnostics
    source_columns = _text_columns(raw)
    canonical = set(TABLES[table_name].column_names)
    columns: dict[str, pa.Array] = {}
    for source_name, values in source_columns.items():
        if source_name in table_map.rename:
            columns[table_map.rename[source_name]] = values
        elif source_name in canonical and source_name not in table_map.rename.values():
            columns[source_name] = values
    unused = [n for n in source_columns if n not in table_map.rename and n not in columns]
    if unused:
        diagnostics.info("D035", "source columns not used by the column map: "
                         + ", ".join(f"'{n}'" for n in unused), where)
    for source_name in table_map.rename:
        if source_name not in source_columns and source_name in table_map.optional:
            diagnostics.info("D035", f"optional source column '{source_name}' is not in "
                             f"{Path(data_path).name}; "
                             f"column '{table_map.rename[source_name]}' is left blank", where)
        elif source_name not in source_columns:
            diagnostics.error("D022", f"column map renames '{source_name}', but "
                              f"{Path(data_path).name} has no such column",
                              loaded.source(*at, "rename", source_name),
                              "columns in the file: " + ", ".join(source_columns))
    for name, value in table_map.constants.items():
        if name in columns:
            diagnostics.error("D022", f"column map sets constant '{name}', but the source "
                              f"already has column '{name}'",
                              loaded.source(*at, "constants", name),
                              "remove the constant or the rename")
            continue
        columns[name] = pa.array(np.full(raw.num_rows, value, dtype=object), pa.string())
        diagnostics.info("D031", f"column '{name}' is not in the source; set to '{value}' on "
                         f"all {raw.num_rows:,} rows (column map constant)", where)
    for name, transform in table_map.transforms.items():
        if _known(name, columns, loaded, (*at, "transforms", name), diagnostics):
            columns[name] = TRANSFORMS[transform](columns[name])
    for name, mapping in table_map.values.items():
        if _known(name, columns, loaded, (*at, "values", name), diagnostics):
            columns[name] = _value_map(columns[name], mapping, name, where, diagnostics)
    for number, lookup in enumerate(table_map.lookups):
        _join(columns, lookup, loaded, (*at, "lookups", number), base_dir, where, diagnostics)
    return columns, diagnostics


def _known(name: str, columns: dict[str, pa.Array], loaded: LoadedMap,
           keys: tuple[str | int, ...], diagnostics: Diagnostics) -> bool:
    if name in columns:
        return True
    diagnostics.error("D022", f"column map refers to column '{name}', which the mapped "
                      "table does not have", loaded.source(*keys),
                      "mapped columns: " + ", ".join(columns))
    return False


def _join(columns: dict[str, pa.Array], lookup: Lookup, loaded: LoadedMap,
          keys: tuple[str | int, ...], base_dir: Path, where: Source,
          diagnostics: Diagnostics) -> None:
    path = base_dir / lookup.file
    try:
        raw = read_raw(path)
    except ReadError as exc:
        diagnostics.error(exc.code, str(exc), Source(str(path)))
        return
    table = _text_columns(raw.table)
    needed = [lookup.key, *lookup.add]
    missing = [n for n in needed if n not in table]
    if missing or not _known(lookup.on, columns, loaded, (*keys, "on"), diagnostics):
        for name in missing:
            diagnostics.error("D022", f"lookup file {lookup.file} has no column '{name}'",
                              loaded.source(*keys), "columns in the file: " + ", ".join(table))
        return
    key_values = table[lookup.key]
    counts = pc.value_counts(key_values.drop_null())
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    for value in repeated:
        lines = raw.lines[np.flatnonzero(pc.equal(key_values, value).fill_null(False)
                                         .to_numpy(zero_copy_only=False))].tolist()
        diagnostics.error("D023", f"lookup key {lookup.key} '{value}' is on more than one "
                          f"row (lines {', '.join(map(str, lines))})", Source(str(path),
                                                                             lines[1]),
                          "a lookup needs one row per key")
    if repeated:
        return
    for name, mapping in lookup.values.items():
        source_name = next((s for s, n in lookup.add.items() if n == name), None)
        if source_name is None:
            diagnostics.error("D022", f"lookup value map names '{name}', which the lookup "
                              "does not add", loaded.source(*keys, "values", name),
                              "added columns: " + ", ".join(lookup.add.values()))
            continue
        table[source_name] = _value_map(table[source_name], mapping, name,
                                        Source(str(path)), diagnostics)
    index = pc.index_in(columns[lookup.on], value_set=key_values)
    for source_name, name in lookup.add.items():
        columns[name] = table[source_name].take(index)
    unmatched_mask = pc.and_(pc.is_valid(columns[lookup.on]), pc.is_null(index))
    unmatched = pc.unique(columns[lookup.on].filter(unmatched_mask)).to_pylist()
    if unmatched:
        rows = int(pc.sum(unmatched_mask.cast(pa.int64())).as_py())
        shown = ", ".join(f"'{v}'" for v in unmatched[:5]) + (" ..." if len(unmatched) > 5
                                                              else "")
        if lookup.required:
            diagnostics.error("D007", f"column '{lookup.on}': {len(unmatched):,} value(s) on "
                              f"{rows:,} rows have no row in {lookup.file}: {shown}", where,
                              f"add them to {lookup.file} (the lookup is required)")
        else:
            diagnostics.warning("D034", f"column '{lookup.on}': {len(unmatched):,} value(s) "
                                f"on {rows:,} rows have no row in {lookup.file}: {shown}",
                                where, "the columns this lookup adds are blank on those rows")

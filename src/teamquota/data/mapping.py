"""Apply one table's column map to a source table read as text.

Order: rename -> constants -> transforms -> value maps -> lookups. The row count and order
never change (lookups are left joins on a unique key), so each mapped row keeps its source
line. Every change a map makes to values is reported as an info diagnostic with counts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.columnmap import LoadedMap, Lookup, TableMap
from teamquota.data.parse import BadValues, clean_strings
from teamquota.data.readers import ReadError, read_raw
from teamquota.data.tables import TABLES


def _slug(values: pa.Array) -> pa.Array:
    lowered = pc.utf8_lower(values)
    dashed = pc.replace_substring_regex(lowered, r"[^a-z0-9]+", "-")
    return pc.utf8_trim(dashed, "-")


def _percent(values: pa.Array) -> pa.Array:
    """'60' -> '0.60', '12.5' -> '0.125': the decimal point moved two places, exactly; text
    that is no number stays as it is (and is reported where it is parsed)."""
    out: list[str | None] = []
    for text in values.to_pylist():
        try:
            out.append(None if text is None else format(Decimal(text).scaleb(-2), "f"))
        except InvalidOperation:
            out.append(text)
    return pa.array(out, pa.string())


TRANSFORMS = {"slug": _slug, "lower": pc.utf8_lower, "upper": pc.utf8_upper,
              "percent": _percent}


def _value_map(values: pa.Array, mapping: dict[str, str], column: str, where: Source,
               diagnostics: Diagnostics) -> pa.Array:
    """Replace values by the map, matching case-insensitively (the values are trimmed);
    each distinct spelling changed is reported with its count (D030)."""
    if not mapping:
        return values
    folded = {k.strip().lower(): v for k, v in mapping.items()}  # as utf8_lower folds
    keys = pa.array(list(folded), pa.string())
    index = pc.index_in(pc.utf8_lower(values), value_set=keys)
    replaced = pa.array(list(folded.values()), pa.string()).take(index)
    changed = pc.is_valid(index)
    if pc.any(changed).as_py():
        encoded = pc.dictionary_encode(values.filter(changed))
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        _, first, counts = np.unique(codes, return_index=True, return_counts=True)
        targets = replaced.filter(changed)
        for position, count in sorted(zip(first.tolist(), counts.tolist(), strict=True)):
            source_value = encoded.dictionary[int(codes[position])].as_py()
            target = targets[position].as_py()
            diagnostics.info("D030", f"column '{column}': value map changed '{source_value}' "
                             f"to '{target}' on {count:,} "
                             f"row{'s' if count != 1 else ''}", where)
    return pc.coalesce(replaced, values)


TRUE = ("true", "1", "yes")


def _flag_columns(table_map: TableMap, by_key: dict[str, str]) -> dict[str, str]:
    """'won'/'closed' -> the source column holding that flag, when the file has both."""
    if table_map.stage_flags is None:
        return {}
    found = {kind: by_key.get(getattr(table_map.stage_flags, kind).strip().casefold())
             for kind in ("won", "closed")}
    return {k: v for k, v in found.items() if v is not None}


def _stage_from_flags(stage: pa.Array, won: pa.Array, closed: pa.Array,
                      flags: dict[str, str], where: Source,
                      diagnostics: Diagnostics) -> pa.Array:
    """Won where the won flag is true, Lost where closed and not won, else the stage."""
    truth = pa.array(list(TRUE), pa.string())
    is_won = pc.is_in(pc.utf8_lower(won), value_set=truth).fill_null(False)
    is_closed = pc.is_in(pc.utf8_lower(closed), value_set=truth).fill_null(False)
    is_lost = pc.and_(is_closed, pc.invert(is_won))
    out = pc.if_else(is_won, pa.scalar("Won"), pc.if_else(is_lost, pa.scalar("Lost"), stage))
    for name, mask in (("Won", is_won), ("Lost", is_lost)):
        differs = pc.and_(mask, pc.invert(pc.equal(stage, name).fill_null(False)))
        count = int(pc.sum(differs.cast(pa.int64())).as_py() or 0)
        if count:
            rule = (f"{flags['won']} is true" if name == "Won" else
                    f"{flags['closed']} is true and {flags['won']} is not")
            diagnostics.info("D030", f"column 'stage': set to '{name}' on {count:,} "
                             f"row{'s' if count != 1 else ''} where {rule} (column map "
                             "stage_flags)", where)
    return out


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
    by_key = {name.strip().casefold(): name for name in source_columns}
    rename: dict[str, str] = {}  # source column as the file spells it -> target
    spelled: dict[str, str] = {}  # ... -> as the map spells it (for locations)
    for source_name, target in table_map.rename.items():
        found = by_key.get(source_name.strip().casefold())
        if found is None:
            continue
        other = next((s for s, t in rename.items() if t == target), None)
        if other is not None:
            diagnostics.error("D022", f"column map renames both '{spelled[other]}' and "
                              f"'{source_name}' to '{target}', and {Path(data_path).name} "
                              "has both", loaded.source(*at, "rename", source_name),
                              "keep one of the two columns in the export")
            continue
        rename[found], spelled[found] = target, source_name
    flags = _flag_columns(table_map, by_key)
    columns: dict[str, pa.Array] = {}
    for source_name, values in source_columns.items():
        if source_name in rename:
            columns[rename[source_name]] = values
        elif source_name in canonical and source_name not in rename.values():
            columns[source_name] = values
    unused = [n for n in source_columns if n not in rename and n not in columns
              and n not in flags.values()]
    if unused:
        diagnostics.info("D035", "source columns not used by the column map: "
                         + ", ".join(f"'{n}'" for n in unused), where)
    targets_found = set(rename.values())
    for source_name, target in table_map.rename.items():
        if source_name.strip().casefold() in by_key:
            continue
        if source_name in table_map.optional:
            if target not in targets_found:
                diagnostics.info("D035", f"optional source column '{source_name}' is not "
                                 f"in {Path(data_path).name}; "
                                 f"column '{target}' is left blank", where)
        else:
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
    if len(flags) == 1 and table_map.stage_flags is not None:
        kinds = table_map.stage_flags
        diagnostics.info("D035", f"column map stage_flags needs both '{kinds.won}' and "
                         f"'{kinds.closed}'; {Path(data_path).name} has only "
                         f"'{next(iter(flags.values()))}', which is not used", where)
    if len(flags) == 2 and "stage" in columns:
        columns["stage"] = _stage_from_flags(columns["stage"], source_columns[flags["won"]],
                                             source_columns[flags["closed"]], flags, where,
                                             diagnostics)
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


def refused_rows(table_name: str, raw: pa.Table, table_map: TableMap
                 ) -> list[tuple[str, BadValues]]:
    """D048 for the rows whose source column holds a ``refuse_if`` value (any case)."""
    found: list[tuple[str, BadValues]] = []
    key = TABLES[table_name].column_names[0]
    by_key = {name.strip().casefold(): name for name in raw.column_names}
    ids = next((s for s, t in table_map.rename.items() if t == key), None)
    id_column = by_key.get(ids.strip().casefold()) if ids else None
    for source_name, value in table_map.refuse_if.items():
        column = by_key.get(source_name.strip().casefold())
        if column is None:
            continue
        values = clean_strings(raw[column])
        mask = pc.equal(pc.utf8_lower(values), value.strip().lower()).fill_null(False)
        rows = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        if not len(rows):
            continue
        take = pa.array(rows, pa.int64())
        shown = (clean_strings(raw[id_column]).take(take).to_pylist()
                 if id_column else [None] * len(rows))
        written = values.take(take).to_pylist()
        found.append((key, BadValues(
            "D048", rows.astype(np.int64),
            [f"{f'{key} {i!r}: ' if i else ''}{column} is '{w}', which the column map "
             f"refuses (refuse_if: {source_name}: '{value}')"
             for i, w in zip(shown, written, strict=True)],
            "a record deleted in the CRM must not be paid: export without deleted records "
            "(Data Loader's Export, not Export All), or remove the row")))
    return found

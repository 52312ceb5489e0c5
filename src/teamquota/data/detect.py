"""Which shipped column map reads a folder: the preset whose deals export is there with the
columns the preset requires (its ``rename`` sources that are not ``optional``), matched
case-insensitively and trimmed, as the maps match headers.

One preset matches: it is used, and the load says so (D042). None matches and there is no
canonical deals file: the folder is loaded as canonical files (the loader reports what is
missing), unless a preset's export file is there without its columns (D041, listing each
preset and what it lacks; a deals file that no preset reads is taken as canonical, and the
loader says what it lacks). Several match, or one and a canonical deals file: D041 lists the
candidates; ``--map NAME`` (or ``column_map=``) chooses, ``--map none`` the canonical files.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.data.columnmap import PRESETS, LoadedMap, load_preset
from teamquota.data.limits import HEADER_BYTES
from teamquota.data.readers import ReadError, parquet_schema
from teamquota.data.tables import DEALS

NONE = "none"  # --map none: the folder holds canonical files, never a preset


def header(path: Path) -> list[str] | None:
    """A CSV file's column names (any BOM, undecodable bytes replaced: only ASCII names are
    compared), trimmed; None when the file cannot be read."""
    try:
        with path.open("rb") as file:
            head = file.read(HEADER_BYTES)
    except OSError:
        return None
    codec, skip = "utf-8", 0
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            codec, skip = name, len(bom)
            break
    text = head[skip:].decode(codec, errors="replace")
    first = text.splitlines()[0] if text else ""
    try:
        return [name.strip() for name in next(csv.reader([first]), [])]
    except csv.Error:  # e.g. a field over the csv module's limit: the loader reports it
        return None


def required(preset: LoadedMap) -> tuple[str, list[str]]:
    """The deals source file of a preset and the columns it must have."""
    deals = preset.table("deals")
    assert deals is not None
    return deals.source, [s for s in deals.rename if s not in deals.optional]


def _canonical(directory: Path) -> bool:
    """Whether the folder has a deals file with the canonical columns."""
    names: list[str] | None = None
    if (directory / "deals.parquet").exists():
        try:
            names = parquet_schema(directory / "deals.parquet").names
        except ReadError:
            return True  # the loader reports it
    elif (directory / "deals.csv").exists():
        names = header(directory / "deals.csv")
    if names is None:
        return (directory / "deals.parquet").exists() or (directory / "deals.csv").exists()
    needed = [c.name for c in DEALS.columns if c.required]
    return all(n in names for n in needed)


def _has(path: Path, columns: list[str],
         seen: dict[Path, list[str] | None] | None = None) -> list[str] | None:
    """The required columns ``path`` lacks ([] : none), or None when it has no header;
    ``seen`` keeps the headers already read."""
    if seen is None:
        seen = {}
    if path not in seen:
        seen[path] = header(path)
    names = seen[path]
    if names is None:
        return None
    have = {n.casefold() for n in names}
    return [c for c in columns if c.strip().casefold() not in have]


def with_deals_source(column_map: LoadedMap, source: str) -> LoadedMap:
    """``column_map`` reading its deals from ``source`` instead of the file it names."""
    deals = column_map.table("deals")
    assert deals is not None
    tables = {**column_map.map.tables, "deals": deals.model_copy(update={"source": source})}
    return LoadedMap(column_map.map.model_copy(update={"tables": tables}), column_map.path,
                     column_map.locations)


def find_deals_export(directory: Path, column_map: LoadedMap
                      ) -> tuple[LoadedMap, Diagnostics]:
    """A map whose deals file is not in the folder reads the one CSV file there that has
    the map's required columns (exports come named ``report1514764800000.csv`` or
    ``hubspot-crm-exports-all-deals-2017-12-31.csv``); D042 says which file it read."""
    diagnostics = Diagnostics()
    deals = column_map.table("deals")
    if deals is None or (directory / deals.source).exists():
        return column_map, diagnostics
    columns = required(column_map)[1]
    found = sorted(p.name for p in directory.glob("*.csv") if _has(p, columns) == [])
    if len(found) == 1:
        diagnostics.info("D042", f"column map '{column_map.map.map}' reads its deals from "
                         f"{found[0]} (no {deals.source}): it has the columns "
                         + ", ".join(f"'{c}'" for c in columns), Source(str(directory)))
        return with_deals_source(column_map, found[0]), diagnostics
    if len(found) > 1:
        diagnostics.error("D041", f"no {deals.source}, and more than one file has the columns "
                          f"of column map '{column_map.map.map}': " + ", ".join(found),
                          Source(str(directory)), f"name the deals export {deals.source}, or "
                          "keep one of the files in the folder")
    return column_map, diagnostics


def detect_map(directory: Path) -> tuple[LoadedMap | None, Diagnostics]:
    """The preset that reads ``directory`` (None: canonical files), with D041 or D042."""
    diagnostics = Diagnostics()
    matches: list[tuple[str, LoadedMap, str]] = []
    lacking: list[str] = []
    exports = sorted(directory.glob("*.csv"))
    seen: dict[Path, list[str] | None] = {}
    for name in PRESETS:
        preset = load_preset(name)
        source, columns = required(preset)
        if (directory / source).exists():
            missing = _has(directory / source, columns, seen)
            if missing:
                lacking.append(f"{name}: {source} lacks "
                               + ", ".join(f"'{c}'" for c in missing))
            elif missing == []:
                matches.append((name, preset, source))
            continue
        named = [p.name for p in exports if _has(p, columns, seen) == []]
        if len(named) == 1:  # an export under the name the CRM gave it
            matches.append((name, with_deals_source(preset, named[0]), named[0]))
    canonical = _canonical(directory)
    where = Source(str(directory))
    if len(matches) == 1 and not canonical:
        name, preset, source = matches[0]
        diagnostics.info("D042", f"column map '{name}' chosen: {source} has its columns "
                         + ", ".join(f"'{c}'" for c in required(preset)[1]), where,
                         "--map NAME chooses another, --map none the canonical files")
        return preset, diagnostics
    if matches:
        found = [f"{name} ({source})" for name, _, source in matches]
        if canonical:
            found.append("canonical files (deals.csv or deals.parquet)")
        diagnostics.error("D041", "more than one way to read this folder: " + ", ".join(found),
                          where, "choose one with --map " + " or --map ".join(
                              [m[0] for m in matches] + ([NONE] if canonical else [])))
    elif lacking and not any((directory / f"deals.{e}").exists() for e in ("csv", "parquet")):
        diagnostics.error("D041", "no column map preset reads this folder's export: "
                          + "; ".join(lacking), where,
                          "export those columns, or give --map FILE with a column map of "
                          "your own (docs/data.md)")
    return None, diagnostics

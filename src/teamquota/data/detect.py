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
    return [name.strip() for name in next(csv.reader([first]), [])]


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


def detect_map(directory: Path) -> tuple[LoadedMap | None, Diagnostics]:
    """The preset that reads ``directory`` (None: canonical files), with D041 or D042."""
    diagnostics = Diagnostics()
    matches: list[tuple[str, LoadedMap, str]] = []
    lacking: list[str] = []
    for name in PRESETS:
        preset = load_preset(name)
        source, columns = required(preset)
        names = header(directory / source) if (directory / source).exists() else None
        if names is None:
            continue
        have = {n.casefold() for n in names}
        missing = [c for c in columns if c.strip().casefold() not in have]
        if missing:
            lacking.append(f"{name}: {source} lacks " + ", ".join(f"'{c}'" for c in missing))
        else:
            matches.append((name, preset, source))
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

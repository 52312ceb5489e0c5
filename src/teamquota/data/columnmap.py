"""Column maps: declarative YAML that turns a CRM export into canonical tables.

A map names, per canonical table, the source file and how to get from its columns to the
canonical ones: ``rename`` (source -> canonical), ``constants`` (columns the source lacks),
``transforms`` (slug/lower/upper), ``values`` (fix spellings), ``lookups`` (join another file
to add attributes, e.g. account -> sector) and ``dates`` (strptime formats). Presets for
Salesforce, HubSpot and the Maven demo ship under ``teamquota/data/maps``. Maps are
validated by pydantic; errors name the map file and line the way plan errors do: the YAML
is read by :mod:`teamquota.plan.yamlsource` (same safety limits and positions as plans) in
a dialect that keeps every scalar as written, since a map holds only text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from teamquota.core.diagnostics import Diagnostic, InputError, Source
from teamquota.data.tables import TABLES
from teamquota.plan.yamlsource import (
    Converter,
    KeyPath,
    Location,
    YamlDialect,
    compose,
    key_path,
    nearest_source,
    read_file,
    split_loc,
)

Text = str
Transform = Literal["slug", "lower", "upper", "percent"]
Rounding = Literal["half_up", "half_even"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Lookup(_Strict):
    """Join ``file`` on ``key`` = the table's ``on`` column to add the columns in ``add``."""

    file: Text = Field(description="the lookup file, beside the source")
    on: Text = Field(description="column of the table (after rename) to match")
    key: Text = Field(description="column of the lookup file to match it with")
    add: dict[Text, Text] = Field(min_length=1,
                                  description="lookup file column -> new column name")
    values: dict[Text, dict[Text, Text]] = Field(
        default_factory=dict, description="value maps for the added columns (new names)")
    required: bool = Field(default=False, description="an unmatched value is an error")


class SalesforceRates(_Strict):
    """Salesforce currency tables -> fx_rates (docs/data.md, "Salesforce rates")."""

    dated: Text | None = Field(
        default=None, description="DatedConversionRate export beside the CurrencyType "
        "export; when the file exists its dated ranges are used (advanced currency "
        "management), else CurrencyType's one rate per currency")


class StageFlags(_Strict):
    """Set the stage from true/false columns (Salesforce IsWon, IsClosed)."""

    won: Text = Field(description="source column that is true on won deals, e.g. IsWon")
    closed: Text = Field(description="source column that is true on closed deals, e.g. "
                         "IsClosed; closed and not won is Lost")


class TableMap(_Strict):
    source: Text = Field(description="file name, relative to the data folder (or the map)")
    required: bool = Field(default=True, description="false: the source file may be absent; "
                           "the table is then read from <table>.csv/.parquet if there is one")
    rename: dict[Text, Text] = Field(default_factory=dict,
                                     description="source column -> canonical column; source "
                                     "columns match the file's header case-insensitively and "
                                     "trimmed")
    optional: list[Text] = Field(default_factory=list,
                                 description="source columns of 'rename' that an export may "
                                 "lack (their columns are then blank)")
    constants: dict[Text, Text] = Field(default_factory=dict,
                                        description="column -> value, for columns not in the "
                                        "source")
    transforms: dict[Text, Transform] = Field(
        default_factory=dict, description="column -> slug, lower, upper or percent "
        "(60 -> 0.6, exactly)")
    values: dict[Text, dict[Text, Text]] = Field(
        default_factory=dict, description="column -> {source value: value}; source values "
        "match case-insensitively and trimmed")
    dates: dict[Text, Text | list[Text]] = Field(
        default_factory=dict, description="column -> strptime format, e.g. %m/%d/%Y, or a "
        "list of formats tried in order; the date part is kept as written")
    lookups: list[Lookup] = Field(default_factory=list,
                                  description="joins that add columns from another file")
    thousands: Text | None = Field(
        default=None, description="thousands separator in number columns, e.g. ',' for "
        "1,200.00 (groups of three digits only)")
    footer: bool = Field(default=False, description="the file may end with a report footer: "
                         "a blank line, then lines of one field (title, filters, copyright); "
                         "it is not read and the load says so (D043)")
    refuse_if: dict[Text, Text] = Field(
        default_factory=dict, description="source column -> value (any case): a row holding "
        "it is refused (D048), e.g. IsDeleted: 'true' for a record deleted in the CRM")
    stage_flags: StageFlags | None = Field(default=None,
                                           description="stage from won/closed flag columns")
    salesforce_rates: SalesforceRates | None = Field(
        default=None, description="the source is a Salesforce CurrencyType export: rates are "
        "inverted into the corporate currency (D046)")


TableName = Literal["payees", "teams", "memberships", "leaderships", "deals", "splits",
                    "activities", "targets", "fx_rates", "coverage"]


class ColumnMap(_Strict):
    map: Text = Field(description="name of the map, e.g. salesforce")
    extends: Literal["salesforce", "salesforce-api", "hubspot", "maven"] | None = Field(
        default=None, description="a shipped preset this map starts from: its keys replace "
        "the preset's, a table's keys those of the preset's table")
    description: Text | None = Field(default=None, description="free text")
    encoding: Text | None = Field(
        default=None, description="text encoding of the map's CSV files when they have no "
        "BOM, e.g. cp1252 or latin-1 (default UTF-8); --encoding overrides it")
    round: Rounding | None = Field(
        default=None, description="amounts with more decimals than the currency's places: "
        "refused (D012) unless this says how to round them (counted, D044)")
    tables: dict[TableName, TableMap] = Field(min_length=1,
                                              description="canonical table -> its source")


@dataclass
class LoadedMap:
    """A validated map with where each key was written (for D022 and friends)."""

    map: ColumnMap
    path: str
    locations: dict[KeyPath, Location] = field(default_factory=dict)

    def source(self, *keys: str | int) -> Source:
        """The nearest known position of a key path, e.g. ('tables', 'deals', 'rename')."""
        return nearest_source(self.path, self.locations, tuple(keys))

    def table(self, name: str) -> TableMap | None:
        return next((m for t, m in self.map.tables.items() if t == name), None)


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag.endswith(":null"):
        return None
    if node.tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on")
    return str(node.value)


# a map holds only text, so every other scalar stays as written: ``0`` stays '0'
MAP_YAML = YamlDialect(noun="column map", file_noun="column map", read_code="D000",
                       syntax_code="D020", duplicate_code="D021",
                       structure_code="D021", scalar=_scalar)


assert set(TableName.__args__) == set(TABLES)  # type: ignore[attr-defined]


def load_map_text(text: str, path: str = "<map>") -> LoadedMap:
    """Parse and validate a column map; raises :class:`InputError` with every problem."""
    node = compose(text, path, MAP_YAML)
    if not isinstance(node, yaml.MappingNode):
        raise InputError([Diagnostic("D020", "a column map must be a YAML mapping with keys "
                                     "'map' and 'tables'", Source(path, 1, 1))])
    reader = Converter(path, MAP_YAML)
    data = reader.read(node)
    diagnostics = reader.diagnostics
    if isinstance(data, dict) and isinstance(data.get("extends"), str):
        data = _extend(data, path, diagnostics)
    loaded = LoadedMap(ColumnMap.model_construct(), path, reader.locations)
    try:
        loaded.map = ColumnMap.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            keys, _ = split_loc(data, error["loc"])
            kind, hint = error["type"], None
            if kind == "extra_forbidden":
                message = "unknown key"
                hint = "docs/data.md lists the keys of a column map"
            elif kind == "missing":
                message = "required key is missing"
            else:
                message = error["msg"]
                if not isinstance(error.get("input"), dict | list):
                    message += f" (found {error.get('input')!r})"
            diagnostics.error("D021", f"{key_path(keys)}: {message}", loaded.source(*keys),
                              hint)
    diagnostics.raise_if_errors()
    return loaded


def _preset_text(name: str) -> str:
    return resources.files("teamquota.data").joinpath("maps", f"{name}.yaml").read_text(
        encoding="utf-8")


def _extend(data: dict[str, Any], path: str, diagnostics: Any) -> dict[str, Any]:
    """The preset ``extends`` names with this map's keys over it: top-level keys replace
    the preset's; a table's keys replace those of the preset's table of the same name."""
    name = data["extends"]
    if name not in PRESETS:
        return data  # model validation names the key and the presets
    reader = Converter(f"<preset {name}>", MAP_YAML)
    node = compose(_preset_text(name), f"<preset {name}>", MAP_YAML)
    assert node is not None  # a shipped preset is a mapping
    base = reader.read(node)
    merged = {**base, **data}
    tables = dict(base.get("tables") or {})
    for table, section in (data.get("tables") or {}).items():
        tables[table] = {**tables.get(table, {}), **section} if isinstance(section, dict) \
            else section
    merged["tables"] = tables
    return merged


def load_map(path: str | Path) -> LoadedMap:
    return load_map_text(read_file(path, MAP_YAML), str(path))


PRESETS = ("salesforce", "salesforce-api", "hubspot", "maven")
MAP_SCHEMA_ID = "urn:teamquota:schema:column-map:v1"


def column_map_json_schema() -> dict[str, Any]:
    """Column map files as a JSON Schema (draft 2020-12), a description on every key."""
    schema = ColumnMap.model_json_schema(by_alias=True, mode="validation")
    for model in [schema, *schema.get("$defs", {}).values()]:
        for key, prop in model.get("properties", {}).items():
            prop.setdefault("title", key.replace("_", " ").capitalize())
    schema["description"] = ("A teamquota column map (docs/data.md): how CRM export files "
                             "become the canonical tables. Unknown keys are errors.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": MAP_SCHEMA_ID,
            **schema}


def load_preset(name: str) -> LoadedMap:
    """A shipped map by name: 'salesforce', 'salesforce-api', 'hubspot' or 'maven'."""
    if name not in PRESETS:
        raise InputError([Diagnostic("D021", f"unknown column map preset '{name}'",
                                     None, "presets: " + ", ".join(PRESETS))])
    return _preset(name)


@cache
def _preset(name: str) -> LoadedMap:
    """Parsed once a process: every load asks for all of them (data/detect.py); callers
    never change a LoadedMap (with_deals_source and the web copy it)."""
    return load_map_text(_preset_text(name), f"<preset {name}>")


def resolve_map(column_map: LoadedMap | str | Path | None) -> LoadedMap | None:
    """A preset name, a map file path, a loaded map, or None."""
    if column_map is None or isinstance(column_map, LoadedMap):
        return column_map
    if isinstance(column_map, str) and column_map not in PRESETS and not Path(
            column_map).suffix:
        raise InputError([Diagnostic("D021", f"unknown column map preset '{column_map}'",
                                     None, "presets: " + ", ".join(PRESETS) + "; or give a "
                                     "column map file (.yaml)")])
    if isinstance(column_map, str) and column_map in PRESETS:
        return load_preset(column_map)
    return load_map(column_map)

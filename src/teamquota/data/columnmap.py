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
Transform = Literal["slug", "lower", "upper"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Lookup(_Strict):
    """Join ``file`` on ``key`` = the table's ``on`` column to add the columns in ``add``."""

    file: Text
    on: Text = Field(description="column of the table (after rename) to match")
    key: Text = Field(description="column of the lookup file to match it with")
    add: dict[Text, Text] = Field(min_length=1,
                                  description="lookup file column -> new column name")
    values: dict[Text, dict[Text, Text]] = Field(
        default_factory=dict, description="value maps for the added columns (new names)")
    required: bool = Field(default=False, description="an unmatched value is an error")


class TableMap(_Strict):
    source: Text
    rename: dict[Text, Text] = Field(default_factory=dict,
                                     description="source column -> canonical column")
    optional: list[Text] = Field(default_factory=list,
                                 description="source columns of 'rename' that an export may "
                                 "lack (their columns are then blank)")
    constants: dict[Text, Text] = Field(default_factory=dict,
                                        description="column -> value, for columns not in the "
                                        "source")
    transforms: dict[Text, Transform] = Field(default_factory=dict)
    values: dict[Text, dict[Text, Text]] = Field(default_factory=dict,
                                                 description="column -> {source value: value}")
    dates: dict[Text, Text] = Field(default_factory=dict,
                                    description="column -> strptime format, e.g. %m/%d/%Y")
    lookups: list[Lookup] = Field(default_factory=list)


TableName = Literal["payees", "teams", "memberships", "leaderships", "deals", "splits",
                    "activities", "targets", "fx_rates", "coverage"]


class ColumnMap(_Strict):
    map: Text = Field(description="name of the map, e.g. salesforce")
    description: Text | None = None
    tables: dict[TableName, TableMap] = Field(min_length=1)


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


def load_map(path: str | Path) -> LoadedMap:
    return load_map_text(read_file(path, MAP_YAML), str(path))


PRESETS = ("salesforce", "hubspot", "maven")


def load_preset(name: str) -> LoadedMap:
    """A shipped map by name: 'salesforce', 'hubspot' or 'maven'."""
    if name not in PRESETS:
        raise InputError([Diagnostic("D021", f"unknown column map preset '{name}'",
                                     None, "presets: " + ", ".join(PRESETS))])
    text = resources.files("teamquota.data").joinpath("maps", f"{name}.yaml").read_text(
        encoding="utf-8")
    return load_map_text(text, f"<preset {name}>")


def resolve_map(column_map: LoadedMap | str | Path | None) -> LoadedMap | None:
    """A preset name, a map file path, a loaded map, or None."""
    if column_map is None or isinstance(column_map, LoadedMap):
        return column_map
    if isinstance(column_map, str) and column_map in PRESETS:
        return load_preset(column_map)
    return load_map(column_map)

"""Column maps: declarative YAML that turns a CRM export into canonical tables.

A map names, per canonical table, the source file and how to get from its columns to the
canonical ones: ``rename`` (source -> canonical), ``constants`` (columns the source lacks),
``transforms`` (slug/lower/upper), ``values`` (fix spellings), ``lookups`` (join another file
to add attributes, e.g. account -> sector) and ``dates`` (strptime formats). Presets for
Salesforce, HubSpot and the Maven demo ship under ``teamquota/data/maps``. Maps are
validated by pydantic; errors name the map file and line the way plan errors do (a map
holds only text, so its YAML reader keeps every scalar as written: ``0`` stays '0').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.data.tables import TABLES

Text = str
Keys = tuple[str | int, ...]
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


TableName = Literal["payees", "teams", "memberships", "deals", "splits", "activities",
                    "targets", "fx_rates", "coverage"]


class ColumnMap(_Strict):
    map: Text = Field(description="name of the map, e.g. salesforce")
    description: Text | None = None
    tables: dict[TableName, TableMap] = Field(min_length=1)


@dataclass
class LoadedMap:
    """A validated map with where each key was written (for D022 and friends)."""

    map: ColumnMap
    path: str
    locations: dict[Keys, tuple[int, int]] = field(default_factory=dict)

    def source(self, *keys: str | int) -> Source:
        """The nearest known position of a key path, e.g. ('tables', 'deals', 'rename')."""
        path: Keys = tuple(keys)
        while path and path not in self.locations:
            path = path[:-1]
        line, column = self.locations.get(path, (1, 1))
        return Source(self.path, line, column)

    def table(self, name: str) -> TableMap | None:
        return next((m for t, m in self.map.tables.items() if t == name), None)


class _Reader:
    """YAML nodes -> dicts, lists and text, remembering where each key was written."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.locations: dict[Keys, tuple[int, int]] = {}
        self.diagnostics = Diagnostics()

    def read(self, node: yaml.Node, at: Keys) -> Any:
        self.locations.setdefault(at, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in result:
                    self.diagnostics.error("D021", f"key '{key}' appears twice in the same "
                                           "mapping", Source(self.path, *where),
                                           "remove one: YAML would keep only the last")
                self.locations[at + (key,)] = where
                result[key] = self.read(value_node, at + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, at + (i,)) for i, item in enumerate(node.value)]
        if node.tag.endswith(":null"):
            return None
        if node.tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on")
        return str(node.value)


def _where(loc: tuple[int | str, ...]) -> Keys:
    # pydantic adds validator names for Literal/dict checks ("[key]"); they are not map keys
    return tuple(k for k in loc if isinstance(k, int) or not k.startswith(("literal[", "[")))


assert set(TableName.__args__) == set(TABLES)  # type: ignore[attr-defined]


def load_map_text(text: str, path: str = "<map>") -> LoadedMap:
    """Parse and validate a column map; raises :class:`InputError` with every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Source(path, mark.line + 1, mark.column + 1) if mark else Source(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Diagnostic("D020", f"not valid YAML: {problem}", where,
                                     "check indentation and quoting near this line")]) from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError([Diagnostic("D020", "a column map must be a YAML mapping with keys "
                                     "'map' and 'tables'", Source(path, 1, 1))])
    reader = _Reader(path)
    data = reader.read(node, ())
    diagnostics = reader.diagnostics
    loaded = LoadedMap(ColumnMap.model_construct(), path, reader.locations)
    try:
        loaded.map = ColumnMap.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            keys = _where(error["loc"])
            at = ".".join(str(k) for k in keys) or "(top level)"
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
            diagnostics.error("D021", f"{at}: {message}", loaded.source(*keys), hint)
    diagnostics.raise_if_errors()
    return loaded


def load_map(path: str | Path) -> LoadedMap:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Diagnostic("D000", f"cannot read column map: {exc.strerror}",
                                     Source(str(path)))]) from None
    return load_map_text(text, str(path))


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

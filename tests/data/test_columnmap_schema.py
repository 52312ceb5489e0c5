"""The column map JSON Schema: draft 2020-12, every key described, every preset valid."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
import yaml

from teamquota.data.columnmap import MAP_SCHEMA_ID, PRESETS, column_map_json_schema


def _models(schema: dict[str, Any]) -> dict[str, Any]:
    return {"ColumnMap": schema, **schema["$defs"]}


def test_column_map_json_schema__is_draft_2020_12_with_an_id() -> None:
    schema = column_map_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == MAP_SCHEMA_ID == "urn:teamquota:schema:column-map:v1"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["map", "tables"]
    json.dumps(schema)


def test_column_map_json_schema__every_key_has_a_title_and_description() -> None:
    undescribed = [f"{name}.{key}" for name, model in _models(column_map_json_schema()).items()
                   for key, prop in model.get("properties", {}).items()
                   if not prop.get("description") or not prop.get("title")]
    assert undescribed == []


@pytest.mark.parametrize("name", PRESETS)
def test_column_map_json_schema__every_preset_uses_only_its_keys(name: str) -> None:
    schema = column_map_json_schema()
    models = _models(schema)
    text = resources.files("teamquota.data").joinpath("maps", f"{name}.yaml").read_text()
    preset = yaml.safe_load(text)

    def unknown(value: Any, model: dict[str, Any], at: str) -> list[str]:
        found = []
        for key, item in value.items():
            prop = model["properties"].get(key)
            if prop is None:
                found.append(f"{at}.{key}")
                continue
            refs = [prop.get("$ref")] + [o.get("$ref") for o in prop.get("anyOf", [])]
            ref = next((r for r in refs if r), None)
            if ref and isinstance(item, dict):
                found += unknown(item, models[ref.removeprefix("#/$defs/")], f"{at}.{key}")
        return found

    table = models["TableMap"]
    problems = unknown(preset, schema, "")
    for name_, table_map in preset["tables"].items():
        problems += unknown(table_map, table, f".tables.{name_}")
    assert problems == []

"""The plan JSON Schema: well-formed, described, and accepting every example plan.

``jsonschema`` is not installed in this environment, so the examples are checked with a
small validator below covering the keywords pydantic emits ($ref, anyOf, type, properties,
additionalProperties, required, enum, const, prefixItems, items, min/maxItems, pattern,
minimum/maximum). It is tested against a plan it must reject, so it cannot pass vacuously.
"""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from teamquota.plan.loader import load_plan
from teamquota.plan.model import Plan
from teamquota.plan.schema import DRAFT, SCHEMA_ID, plan_json_schema

EXAMPLES = sorted(Path(str(resources.files("teamquota.plan") / "examples")).glob("*.yaml"))

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(schema: dict[str, Any], value: Any, root: dict[str, Any],
                  at: str = "") -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return schema_errors(root["$defs"][name], value, root, at)
    if "anyOf" in schema:
        options = [schema_errors(s, value, root, at) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{at}: no anyOf branch matches"]
    errors: list[str] = []
    if "type" in schema and not _TYPES[schema["type"]](value):
        return [f"{at}: expected {schema['type']}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at}: {value!r} != {schema['const']!r}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"],
                                                                          value):
        errors.append(f"{at}: {value!r} does not match {schema['pattern']}")
    for key, test in (("minimum", lambda v, m: v >= m), ("maximum", lambda v, m: v <= m),
                      ("exclusiveMinimum", lambda v, m: v > m)):
        if key in schema and _TYPES["number"](value) and not test(value, schema[key]):
            errors.append(f"{at}: {value} fails {key} {schema[key]}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{at}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                errors += schema_errors(props[key], item, root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}: unknown key {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(schema["additionalProperties"], item, root,
                                        f"{at}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems",
                                                                             len(value)):
            errors.append(f"{at}: {len(value)} items")
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub:
                errors += schema_errors(sub, item, root, f"{at}[{i}]")
    return errors


def as_editor_sees_it(path: Path) -> Any:
    """YAML as yaml-language-server validates it: plain JSON values, dates as strings."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, date) else value
    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_plan_json_schema__is_draft_2020_12_with_an_id() -> None:
    schema = plan_json_schema()
    assert schema["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["plan", "components"]
    json.dumps(schema)  # serialisable as is


def test_plan_json_schema__every_key_has_a_title_and_description() -> None:
    schema = plan_json_schema()
    undescribed = [f"{name}.{key}" for name, model in
                   {"Plan": schema, **schema["$defs"]}.items()
                   for key, prop in model.get("properties", {}).items()  # decimal_text: none
                   if not prop.get("description") or not prop.get("title")]
    assert undescribed == []


def test_plan_json_schema__uses_the_yaml_spelling_of_aliased_keys() -> None:
    defs = plan_json_schema()["$defs"]
    assert "from" in defs["Tier"]["properties"] and "from_" not in defs["Tier"]["properties"]
    assert "in" in defs["Compare"]["properties"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_plan_json_schema__accepts_every_example_plan(path: Path) -> None:
    schema = plan_json_schema()
    assert schema_errors(schema, as_editor_sees_it(path), schema) == []
    assert isinstance(load_plan(path).plan, Plan)  # and the loader agrees


def test_plan_json_schema__rejects_an_unknown_key_and_a_bad_choice() -> None:
    schema = plan_json_schema()
    plan = as_editor_sees_it(EXAMPLES[0])
    plan["components"][0]["payout"]["capp"] = 2
    plan["period"] = "weekly"
    assert schema_errors(schema, plan, schema) == [
        ".period: 'weekly' not in ['month', 'quarter', 'year']",
        ".components[0].payout: unknown key capp",
    ]


def test_examples__the_six_documented_plans_ship() -> None:
    assert [p.name for p in EXAMPLES] == [
        "ae-hybrid-2017.yaml", "individual-2017.yaml", "spif-and-draw-2017.yaml",
        "team-only-2017.yaml", "team-pool-2017.yaml", "tiered-commission-2017.yaml"]

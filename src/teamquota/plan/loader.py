"""Read a plan file safely: YAML nodes -> Python values with source lines -> :class:`Plan`.

The YAML is composed (never constructed with arbitrary tags) and converted by hand so that
numbers become exact Decimals from their source text and every key keeps its line and
column; pydantic's error locations are mapped back to those lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.plan.model import Plan

Location = tuple[int, int]  # 1-based line, column
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with where each of its keys was written."""

    plan: Plan
    path: str
    locations: dict[KeyPath, Location] = field(default_factory=dict, compare=False)
    text: str = field(default="", compare=False)

    def source(self, *keys: str | int) -> Source:
        """The nearest known source position for a key path, e.g. ('components', 1)."""
        path: KeyPath = tuple(keys)
        while path and path not in self.locations:
            path = path[:-1]
        line, column = self.locations.get(path, (None, None))  # type: ignore[arg-type]
        return Source(self.path, line, column)

    def component_source(self, component_id: str, *keys: str | int) -> Source:
        index = [c.id for c in self.plan.components].index(component_id)
        return self.source("components", index, *keys)


class _Converter:
    def __init__(self) -> None:
        self.locations: dict[KeyPath, Location] = {}
        self.diagnostics = Diagnostics()
        self.path = "<plan>"

    def convert(self, node: yaml.Node, at: KeyPath) -> Any:
        self.locations.setdefault(at, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in result:
                    self.diagnostics.error(
                        "P002", f"key '{key}' appears twice in the same mapping",
                        Source(self.path, key_node.start_mark.line + 1,
                               key_node.start_mark.column + 1),
                        "remove one of them: YAML would silently keep only the last")
                self.locations[at + (key,)] = (key_node.start_mark.line + 1,
                                               key_node.start_mark.column + 1)
                result[key] = self.convert(value_node, at + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, at + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        tag, text = node.tag, node.value
        if tag.endswith(":int") or tag.endswith(":float"):
            try:
                return Decimal(text.replace("_", ""))
            except InvalidOperation:
                return text
        if tag.endswith(":bool"):
            return text.lower() in ("true", "yes", "on")
        if tag.endswith(":null"):
            return None
        if tag.endswith(":timestamp"):
            value = yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
            return value.date() if isinstance(value, datetime) else value
        return text


def _loc_to_keys(loc: tuple[int | str, ...]) -> KeyPath:
    # pydantic reports aliases as given ('from', 'in'); union branches add type names
    # ('list[...]', 'Compare') that are not keys in the file, so drop those.
    return tuple(k for k in loc if isinstance(k, int) or not any(c in k for c in "[]()")
                 and k[:1].islower() or k in ("from", "in"))


def _message(error: dict[str, Any]) -> tuple[str, str | None]:
    kind, msg = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key", "check the spelling; docs/plan-language.md lists every key"
    if kind == "missing":
        return "required key is missing", None
    if kind == "value_error":
        return msg.removeprefix("Value error, "), None
    return msg, None


def load_plan_text(text: str, path: str = "<plan>") -> LoadedPlan:
    """Parse and validate plan YAML; raises :class:`InputError` listing every problem."""
    converter = _Converter()
    converter.path = path
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        source = Source(path, mark.line + 1, mark.column + 1) if mark else Source(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Diagnostic("P001", f"not valid YAML: {problem}", source,
                                     "check indentation and quoting near this line")]) from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise InputError([Diagnostic("P001", "a plan must be a YAML mapping with keys such as "
                                     "'plan', 'period' and 'components'", Source(path, 1, 1))])
    data = converter.convert(node, ())
    diagnostics = converter.diagnostics
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            keys = _loc_to_keys(error["loc"])
            where = ".".join(str(k) for k in keys) or "(top level)"
            message, hint = _message(error)
            value = error.get("input")
            shown = f" (found {value!r})" if kind_shows_value(error) else ""
            loaded = LoadedPlan(Plan.model_construct(), path, converter.locations)
            diagnostics.error("P010", f"{where}: {message}{shown}", loaded.source(*keys), hint)
        raise InputError(_dedupe(diagnostics)) from None
    diagnostics.raise_if_errors()
    return LoadedPlan(plan, path, converter.locations, text)


def kind_shows_value(error: dict[str, Any]) -> bool:
    value = error.get("input")
    return error["type"] not in ("missing", "value_error") and not isinstance(value, dict | list)


def _dedupe(diagnostics: Diagnostics) -> Diagnostics:
    seen: set[str] = set()
    unique = Diagnostics()
    for d in diagnostics:
        if d.render() not in seen:
            seen.add(d.render())
            unique.add(d)
    return unique


def load_plan(path: str | Path) -> LoadedPlan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Diagnostic("P000", f"cannot read plan file: {exc.strerror}",
                                     Source(str(path)))]) from None
    return load_plan_text(text, str(path))


def date_or_none(value: object) -> date | None:
    return value if isinstance(value, date) else None

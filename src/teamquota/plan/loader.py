"""Read a plan file safely: YAML -> values with source positions -> validated :class:`Plan`.

The pipeline of :func:`load_plan_text`: compose the YAML (P001 on bad syntax) -> convert
it to plain values with every key's line and column (:mod:`.yamlsource` in the plan
dialect of :mod:`.positions`; P002 duplicate keys) -> the plan-wide checks
(:mod:`.checks`) -> pydantic (:mod:`.field_errors` maps its errors to lines). Every
problem is collected and rendered ``file:line:col: error[P0xx]: <key path>: <message>``
with a hint; codes are in :data:`PLAN_CODES` and docs/diagnostics.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.plan import examples
from teamquota.plan.checks import PlanChecks, covered_by_checks
from teamquota.plan.codes import PLAN_CODES
from teamquota.plan.field_errors import field_diagnostics
from teamquota.plan.model import Plan
from teamquota.plan.positions import PLAN_YAML
from teamquota.plan.yamlsource import (
    Converter,
    KeyPath,
    Location,
    compose,
    key_path,
    nearest_source,
    read_file,
)

__all__ = ["PLAN_CODES", "KeyPath", "LoadedPlan", "Location", "key_path", "load_plan",
           "load_plan_text"]


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with where each of its keys was written."""

    plan: Plan
    path: str
    locations: dict[KeyPath, Location] = field(default_factory=dict, compare=False)
    text: str = field(default="", compare=False)
    # where each key's *value* starts (a scalar's text, a list's '[' or first '-')
    value_locations: dict[KeyPath, Location] = field(default_factory=dict, compare=False)

    def source(self, *keys: str | int) -> Source:
        """The nearest known source position for a key path, e.g. ('components', 1)."""
        return nearest_source(self.path, self.locations, tuple(keys))

    def value_source(self, *keys: str | int) -> Source:
        """Where the value of a key path starts (falls back to the key's position)."""
        path: KeyPath = tuple(keys)
        if path in self.value_locations:
            line, column = self.value_locations[path]
            return Source(self.path, line, column)
        return self.source(*keys)

    def component_source(self, component_id: str, *keys: str | int) -> Source:
        index = [c.id for c in self.plan.components].index(component_id)
        return self.source("components", index, *keys)


def _validate(data: dict[str, Any], converter: Converter) -> tuple[Plan | None, Diagnostics]:
    checks = PlanChecks(data, converter).run()
    reported = {d.code for d in checks}
    diagnostics = Diagnostics()
    diagnostics.extend(converter.diagnostics)
    diagnostics.extend(checks)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        plan = None
        diagnostics.extend(field_diagnostics(
            [e for e in exc.errors() if not covered_by_checks(e, reported)], data, converter))
    else:
        if diagnostics.has_errors:
            plan = None
    return plan, _sorted_unique(diagnostics)


def _sorted_unique(diagnostics: Diagnostics) -> Diagnostics:
    def order(d: Diagnostic) -> tuple[int, int, str]:
        source = d.source or Source("")
        return (source.line or 0, source.column or 0, d.code)

    seen: set[str] = set()
    unique = Diagnostics()
    for d in sorted(diagnostics, key=order):
        if d.render() not in seen:
            seen.add(d.render())
            unique.add(d)
    return unique


def load_plan_text(text: str, path: str = "<plan>") -> LoadedPlan:
    """Parse and validate plan YAML; raises :class:`InputError` listing every problem."""
    node = compose(text, path, PLAN_YAML)
    if node is None or not isinstance(node, yaml.MappingNode):
        found = "an empty file" if node is None else (
            "a list" if isinstance(node, yaml.SequenceNode) else f"'{node.value}'")
        raise InputError([Diagnostic(
            "P010", f"(top level): a plan must be a mapping of keys; found {found}",
            Source(path, 1, 1), "start with 'plan: <id>' then 'components:'")])
    converter = Converter(path, PLAN_YAML)
    data = converter.read(node)
    plan, diagnostics = _validate(data, converter)
    diagnostics.raise_if_errors()
    assert plan is not None
    return LoadedPlan(plan, path, converter.locations, text, converter.value_locations)


def load_plan(path: str | Path) -> LoadedPlan:
    """Load a plan file; a bare name that is no file (``ae-hybrid-2017``) is the shipped
    example of that name (:mod:`.examples`)."""
    source = examples.plan_file(path)
    return load_plan_text(read_file(source, PLAN_YAML), str(source))

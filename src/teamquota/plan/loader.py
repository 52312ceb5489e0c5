"""Read a plan file safely: YAML nodes -> Python values with source lines -> :class:`Plan`.

The YAML is composed (never constructed with arbitrary tags) and converted by hand so that
numbers become exact Decimals from their source text and every key keeps its line and
column. Validation collects every problem as a :class:`Diagnostic` rendered
``file:line:col: error[P0xx]: <key path>: <message>`` with a hint:

* pydantic's field errors are mapped back to lines and given stable codes (P010, P011,
  P015, P017), with "did you mean" hints for unknown keys and misspelled choices;
* the plan-wide checks (P012 references, P013 weights, P014 ordering, P016 duplicate ids)
  run here on the converted values, because pydantic skips a model's validators once any
  of its fields failed — a plan with a typo *and* weights summing to 0.9 reports both.

docs/diagnostics.md lists the codes.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.core.money import ONE, ZERO
from teamquota.plan.model import Plan

# The stable P-codes (docs/diagnostics.md): a code never changes meaning once released.
PLAN_CODES: dict[str, str] = {
    "P000": "the plan file cannot be read (missing, unreadable, not UTF-8)",
    "P001": "not valid YAML (syntax: indentation, quoting, tabs)",
    "P002": "a key appears twice in the same mapping",
    "P010": "a value has the wrong type or is out of range or not an allowed choice",
    "P011": "an unknown key (the hint suggests the closest allowed key and lists them all)",
    "P012": "a reference to a component id that the plan does not define",
    "P013": "the components' weights do not sum to exactly 1",
    "P014": "curve points or tier thresholds are not in increasing order",
    "P015": "a required key is missing",
    "P016": "two components have the same id",
    "P017": "keys that cannot be combined, or a combination that is incomplete",
    "P018": "a target rule that cannot work: sum_of_members/from_team with the wrong scope, "
            "or an 'of' component of the wrong scope",
}

Location = tuple[int, int]  # 1-based line, column
KeyPath = tuple[str | int, ...]


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
        return _nearest(self.path, self.locations, tuple(keys))

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


def _nearest(path: str, locations: dict[KeyPath, Location], keys: KeyPath) -> Source:
    while keys and keys not in locations:
        keys = keys[:-1]
    if keys not in locations:
        return Source(path, 1, 1)
    line, column = locations[keys]
    return Source(path, line, column)


def key_path(keys: KeyPath) -> str:
    """``('components', 1, 'payout', 'cap')`` -> ``components[1].payout.cap``."""
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def _mark(node: yaml.Node) -> Location:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    """YAML node tree -> plain values, recording key and value positions."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.locations: dict[KeyPath, Location] = {}
        self.value_locations: dict[KeyPath, Location] = {}
        self.diagnostics = Diagnostics()

    def convert(self, node: yaml.Node, at: KeyPath) -> Any:
        self.locations.setdefault(at, _mark(node))
        self.value_locations[at] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
                line, column = _mark(key_node)
                if key is None:
                    self.diagnostics.error(
                        "P010", f"{key_path(at)}: a key must be plain text",
                        Source(self.path, line, column), "write keys as simple words: 'cap: 2'")
                    continue
                if key in result:
                    self.diagnostics.error(
                        "P002", f"{key_path(at + (key,))}: key '{key}' appears twice in the "
                        "same mapping", Source(self.path, line, column),
                        f"remove one of them (the first is on line {first_seen[key]}): "
                        "YAML would silently keep only the last")
                first_seen.setdefault(key, line)
                self.locations[at + (key,)] = (line, column)
                result[key] = self.convert(value_node, at + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, at + (i,)) for i, item in enumerate(node.value)]
        return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    tag, text = node.tag, node.value
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            number = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # YAML 1.1 sexagesimal/hex forms: left as text, reported as not a number
        return number if number.is_finite() else text
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":timestamp"):
        value = yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
        return value.date() if isinstance(value, datetime) else value
    return text


# --- the model's shape, for hints -------------------------------------------------------

def _model_class(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as ``Gate | None`` or ``Compare | list[...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_class(arg) if typing.get_origin(arg) not in (list, dict) else None
        if found is not None:
            return found
    return None


def _container_item(annotation: Any, key: str | int) -> Any:
    """The annotation of ``annotation[key]`` for lists and dicts (through Optional)."""
    options = [annotation, *typing.get_args(annotation)]
    for option in options:
        origin = typing.get_origin(option)
        if isinstance(key, int) and origin is list:
            return typing.get_args(option)[0]
        if isinstance(key, str) and origin is dict:
            return typing.get_args(option)[1]
        if origin in (typing.Union, types.UnionType) and option is not annotation:
            found = _container_item(option, key)
            if found is not None:
                return found
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _field_annotation(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _annotation_at(keys: KeyPath) -> Any:
    """The type annotation a key path has in the plan model (``None`` if it has none)."""
    annotation: Any = Plan
    for key in keys:
        model = _model_class(annotation)
        if isinstance(key, str) and model is not None and key in _field_names(model):
            annotation = _field_annotation(model, key)
        else:
            annotation = _container_item(annotation, key)
        if annotation is None:
            return None
    return annotation


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


# --- pydantic errors -> diagnostics -----------------------------------------------------

def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "scalar"


def _branch_kind(tag: str) -> str:
    if tag.startswith("list["):
        return "list"
    return "mapping" if re.search(r"[A-Z]\w*\]?$", tag) else "scalar"


@dataclass(frozen=True)
class _Branch:
    """One union branch an error went through: where, which branch, and whether the branch
    fits the kind of value written there (only ``Compare`` fits a mapping, only the list
    branch a list)."""

    at: KeyPath
    tag: str
    fits: bool


def _split_loc(data: Any, loc: tuple[int | str, ...]) -> tuple[KeyPath, list[_Branch]]:
    """Separate the keys of ``loc`` that exist in ``data`` from pydantic's union-branch tags
    (``'str'``, ``'list[...]'``, ``'function-after[..., Compare]'``)."""
    keys: list[str | int] = []
    branches: list[_Branch] = []
    current = data
    for item in loc:
        in_list = isinstance(item, int) and isinstance(current, list) and item < len(current)
        in_mapping = isinstance(item, str) and isinstance(current, dict) and item in current
        if in_list or in_mapping:
            current = current[item]
            keys.append(item)
        elif isinstance(item, str) and ("[" in item or item in _SCALAR_TAGS):
            branches.append(_Branch(tuple(keys), item, _branch_kind(item) == _kind(current)))
        else:
            keys.append(item)  # a missing or unknown key
    return tuple(keys), branches


def _resolve_unions(data: Any, errors: list[ErrorDetails]
                    ) -> tuple[list[tuple[ErrorDetails, KeyPath]], dict[KeyPath, set[str]]]:
    """Keep the errors of the one branch that fits each union's value, shallowest first.

    Returns the errors to report (with their keys) and the union positions where no single
    branch fits — there the value fits none of the forms (with the tags that were tried).
    """
    split = [(error, *_split_loc(data, error["loc"])) for error in errors]
    kept = list(split)
    mismatched: dict[KeyPath, set[str]] = {}
    points = sorted({b.at for _, _, branches in split for b in branches}, key=len)
    for at in points:
        through = [item for item in kept if any(b.at == at for b in item[2])]
        fitting = {b.tag for _, _, branches in through for b in branches if b.at == at and b.fits}
        if len(fitting) == 1:
            kept = [item for item in kept if item not in through or any(
                b.at == at and b.tag in fitting for b in item[2])]
        elif through:
            mismatched[at] = {b.tag for _, _, branches in through for b in branches
                              if b.at == at}
            kept = [item for item in kept if item not in through]
    return [(error, keys) for error, keys, _ in kept], mismatched


_SCALAR_TAGS = {"str", "int", "decimal", "bool", "date", "float", "none"}

_DESCRIBE_TYPE = {
    "decimal_parsing": "a number", "decimal_type": "a number", "int_parsing": "a whole number",
    "int_type": "a whole number", "int_from_float": "a whole number",
    "bool_parsing": "true or false", "bool_type": "true or false", "string_type": "text",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "list_type": "a list", "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)", "model_attributes_type": "a mapping (key: value)",
    "tuple_type": "a list of two numbers",
}

_PATTERNS = {
    r"^[A-Z]{3}$": ("must be a three-letter ISO 4217 currency code in capitals",
                    "e.g. USD, EUR or JPY"),
    r"^[A-Za-z][A-Za-z0-9_\-]*$": ("must start with a letter and use only letters, digits, "
                                  "'_' and '-'", "e.g. team_revenue"),
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return str(value)


class _ErrorMapper:
    """Turns one pydantic error into a diagnostic with a code, a key path and a hint."""

    def __init__(self, path: str, data: Any, converter: _Converter) -> None:
        self.path = path
        self.data = data
        self.locations = converter.locations
        self.value_locations = converter.value_locations

    def key_source(self, keys: KeyPath) -> Source:
        return _nearest(self.path, self.locations, keys)

    def value_source(self, keys: KeyPath) -> Source:
        if keys in self.value_locations:
            return Source(self.path, *self.value_locations[keys])
        return self.key_source(keys)

    def map(self, error: ErrorDetails, keys: KeyPath) -> Diagnostic:
        kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
        where = key_path(keys)
        hint: str | None
        if kind == "extra_forbidden":
            parent = _model_class(_annotation_at(keys[:-1]))
            allowed = _field_names(parent) if parent else []
            hint = _suggest(str(keys[-1]), allowed) + "allowed keys: " + ", ".join(allowed)
            return Diagnostic("P011", f"{where}: unknown key", self.key_source(keys), hint)
        if kind == "missing":
            parent_keys, missing = keys[:-1], str(keys[-1])
            model = _model_class(_annotation_at(parent_keys))
            required = [info.alias or name for name, info in
                        (model.model_fields.items() if model else []) if info.is_required()]
            hint = f"required keys here: {', '.join(required)}" if required else None
            return Diagnostic("P015", f"{key_path(parent_keys)}: missing required key "
                              f"'{missing}'", self.key_source(parent_keys), hint)
        if kind == "value_error":
            message = error["msg"].removeprefix("Value error, ")
            resolves_to_model = _model_class(_annotation_at(keys)) is not None and (
                isinstance(value, dict))
            code = "P017" if resolves_to_model else "P010"
            source = self.key_source(keys) if code == "P017" else self.value_source(keys)
            hint = next((h for start, h in _VALUE_HINTS.items() if message.startswith(start)),
                        None)
            return Diagnostic(code, f"{where}: {message}", source, hint)
        return self._type_or_value(kind, value, ctx, keys, error["msg"])

    def _type_or_value(self, kind: str, value: Any, ctx: dict[str, Any], keys: KeyPath,
                       msg: str) -> Diagnostic:
        where, found = key_path(keys), _shown(value)
        source = self.value_source(keys)
        hint: str | None = None
        if kind == "literal_error":
            choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            message = f"must be one of {', '.join(choices)}; found {found}"
            hint = (_suggest(str(value), choices) or None) if isinstance(value, str) else None
            hint = hint.strip() if hint else None
        elif kind in _DESCRIBE_TYPE:
            message = f"expected {_DESCRIBE_TYPE[kind]}; found {found}"
            if kind.startswith("decimal") and isinstance(value, str):
                hint = "write plain digits with '.' as decimal separator, e.g. 0.6 or 2500"
        elif kind == "string_pattern_mismatch":
            text, example = _PATTERNS.get(str(ctx.get("pattern")), (
                f"must match the pattern {ctx.get('pattern')}", None))
            message, hint = f"{text}; found {found}", example
        elif kind in ("too_short", "too_long"):
            message = (msg.replace("List should", "must").replace("Tuple should", "must")
                       .replace(" after validation", ""))
            if len(keys) >= 2 and keys[-2] == "curve":
                hint = "each curve point is [attainment, payout factor], e.g. [1.0, 1.0]"
        else:
            message = f"{msg.replace('Input should be', 'must be')}; found {found}"
        return Diagnostic("P010", f"{where}: {message}", source, hint)


# hints for the model's own validation messages, matched by their opening words
_VALUE_HINTS = {
    "a curve needs at least two": "e.g. curve: [[0.5, 0], [1, 1], [1.5, 2]]",
    "a payout needs exactly one of": "one way of paying per component; put another way of "
                                     "paying in a component of its own",
    "a measure needs exactly one of": "e.g. measure: {sum: amount} or measure: {count: true}",
    "a comparison needs at least one": "e.g. amount: {gte: 1000} or stage: {in: [Won, Lost]}",
    "'cap' limits a curve's factor": "e.g. cap_amount: 5000 next to payout:",
}


# --- plan-wide checks, run on the converted values --------------------------------------

class _PlanChecks:
    """P012/P013/P014/P016: the cross-field rules, resilient to errors elsewhere."""

    def __init__(self, path: str, data: dict[str, Any], converter: _Converter) -> None:
        self.path = path
        self.data = data
        self.loc = converter.locations
        self.vloc = converter.value_locations
        self.diagnostics = Diagnostics()

    def src(self, keys: KeyPath, value: bool = False) -> Source:
        if value and keys in self.vloc:
            return Source(self.path, *self.vloc[keys])
        return _nearest(self.path, self.loc, keys)

    def components(self) -> Iterator[tuple[int, dict[str, Any]]]:
        items = self.data.get("components")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield i, item

    def run(self) -> Diagnostics:
        self.duplicate_ids()
        self.weights()
        self.references()
        self.target_rules()
        for i, component in self.components():
            payout = component.get("payout")
            if isinstance(payout, dict):
                self.curve_order(i, payout.get("curve"))
                self.tier_order(i, payout.get("tiers"))
        return self.diagnostics

    def ids(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for i, component in self.components():
            cid = component.get("id")
            if isinstance(cid, str):
                found.setdefault(cid, i)
        return found

    def duplicate_ids(self) -> None:
        first = self.ids()
        for i, component in self.components():
            cid = component.get("id")
            if isinstance(cid, str) and first[cid] != i:
                line = self.src(("components", first[cid], "id"), value=True).line
                self.diagnostics.error(
                    "P016", f"components[{i}].id: component id '{cid}' is already used",
                    self.src(("components", i, "id"), value=True),
                    f"the first '{cid}' is on line {line}; give each component its own id")

    def weights(self) -> None:
        given = [(c.get("id"), c["weight"]) for _, c in self.components()
                 if c.get("weight") is not None]
        if not given or not all(isinstance(w, Decimal) and not isinstance(w, bool)
                                for _, w in given):
            return  # a weight that is not a number is reported on its own line
        total = sum((w for _, w in given), ZERO)
        if total != ONE:
            listed = " + ".join(f"{cid if isinstance(cid, str) else '?'} {w}"
                                for cid, w in given)
            self.diagnostics.error(
                "P013", f"components: component weights must sum to 1, but {listed} = "
                f"{total}", self.src(("components",)),
                "each weight is a share of target incentive; change them to add up to "
                "exactly 1")

    def references(self) -> None:
        ids = self.ids()
        listed = ", ".join(
            f"'{cid}' (line {_nearest(self.path, self.loc, ('components', i)).line})"
            for cid, i in ids.items())
        for i, component in self.components():
            for section, key in (("target", "of"), ("gate", "personal_component")):
                block = component.get(section)
                ref = block.get(key) if isinstance(block, dict) else None
                if isinstance(ref, str) and ref not in ids:
                    keys: KeyPath = ("components", i, section, key)
                    self.diagnostics.error(
                        "P012", f"{key_path(keys)}: unknown component '{ref}'",
                        self.src(keys, value=True),
                        _suggest(ref, list(ids)) + f"components in this plan: {listed}")

    def target_rules(self) -> None:
        # sum_of_members: a team's target = its members' targets of a payee component;
        # from_team: a member's target = a part of their team's target of a team component
        scopes = {c.get("id"): c.get("scope") for _, c in self.components()}
        needs = {"sum_of_members": ("team", "payee"), "from_team": ("payee", "team")}
        for i, component in self.components():
            rule = component.get("target")
            if not isinstance(rule, dict) or rule.get("source") not in needs:
                continue
            source = rule["source"]
            own_scope, of_scope = needs[source]
            scope = component.get("scope")
            if scope in ("payee", "team") and scope != own_scope:
                keys: KeyPath = ("components", i, "target", "source")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} sets targets of {own_scope} "
                    f"components, but this component's scope is {scope}",
                    self.src(keys, value=True),
                    f"use scope: {own_scope}, or target source: file")
            of = rule.get("of")
            candidates = [str(cid) for cid, s in scopes.items() if s == of_scope]
            if of is None:
                keys = ("components", i, "target")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} needs 'of: <component id>', the "
                    f"{of_scope} component whose targets it uses",
                    self.src(keys), f"{of_scope} components in this plan: "
                    f"{', '.join(candidates) or 'none'}")
            elif isinstance(of, str) and of in scopes and scopes[of] != of_scope:
                keys = ("components", i, "target", "of")
                self.diagnostics.error(
                    "P018", f"{key_path(keys)}: {source} uses the targets of a {of_scope} "
                    f"component, but '{of}' has scope {scopes[of]}",
                    self.src(keys, value=True), f"{of_scope} components in this plan: "
                    f"{', '.join(candidates) or 'none'}")

    def curve_order(self, i: int, curve: Any) -> None:
        if not isinstance(curve, list):
            return
        previous: Decimal | None = None
        for j, point in enumerate(curve):
            x = point[0] if isinstance(point, list) and point else None
            if not isinstance(x, Decimal) or isinstance(x, bool):
                previous = None
                continue
            if previous is not None and x <= previous:
                keys: KeyPath = ("components", i, "payout", "curve", j)
                self.diagnostics.error(
                    "P014", f"{key_path(keys)}: curve points must have strictly increasing "
                    f"attainment; {x} follows {previous}", self.src(keys, value=True),
                    "list the points from lowest to highest attainment, e.g. "
                    "[[0.5, 0], [1, 1], [1.5, 2]]")
            previous = x

    def tier_order(self, i: int, tiers: Any) -> None:
        if not isinstance(tiers, list):
            return
        previous: Decimal | None = None
        for j, tier in enumerate(tiers):
            start = tier.get("from") if isinstance(tier, dict) else None
            if not isinstance(start, Decimal) or isinstance(start, bool):
                previous = None
                continue
            if previous is not None and start <= previous:
                keys: KeyPath = ("components", i, "payout", "tiers", j, "from")
                self.diagnostics.error(
                    "P014", f"{key_path(keys)}: tiers must start at increasing thresholds; "
                    f"{start} follows {previous}", self.src(keys, value=True),
                    "list the tiers from the lowest threshold up")
            previous = start


# pydantic's versions of the checks above; dropped when ours reported the same problem.
_OURS = {
    "P012": "refers to unknown component",
    "P013": "component weights must sum to 1",
    "P014": "must have strictly increasing",
    "P016": "component ids must be unique",
}
_OURS_TIERS = "tiers must start at increasing thresholds"


def _is_ours(error: ErrorDetails, reported: set[str]) -> bool:
    if error["type"] != "value_error":
        return False
    msg = error["msg"]
    if _OURS_TIERS in msg:
        return "P014" in reported
    return any(code in reported and needle in msg for code, needle in _OURS.items())


def _validate(data: dict[str, Any], converter: _Converter) -> tuple[Plan | None, Diagnostics]:
    path = converter.path
    checks = _PlanChecks(path, data, converter).run()
    reported = {d.code for d in checks}
    diagnostics = Diagnostics()
    diagnostics.extend(converter.diagnostics)
    diagnostics.extend(checks)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        plan = None
        mapper = _ErrorMapper(path, data, converter)
        reported_errors, mismatched = _resolve_unions(
            data, [e for e in exc.errors() if not _is_ours(e, reported)])
        for error, keys in reported_errors:
            diagnostics.add(mapper.map(error, keys))
        for at, tags in mismatched.items():
            diagnostics.add(_union_mismatch(mapper, at, tags, data))
    else:
        if diagnostics.has_errors:
            plan = None
    return plan, _sorted_unique(diagnostics)


def _union_mismatch(mapper: _ErrorMapper, keys: KeyPath, tags: set[str],
                    data: Any) -> Diagnostic:
    """A value (of ``where``) that fits none of the forms its union allows."""
    value: Any = data
    for key in keys:
        value = value[key]
    kinds = {_branch_kind(tag) for tag in tags}
    forms = [text for kind, text in (("scalar", "a single value (text, number, true/false or "
                                                "date)"),
                                     ("list", "a list of values"),
                                     ("mapping", "a comparison such as {gte: 1000}"))
             if kind in kinds]
    expected = ", ".join(forms[:-1]) + (" or " if len(forms) > 1 else "") + forms[-1]
    return Diagnostic("P010", f"{key_path(keys)}: expected {expected}; found {_shown(value)}",
                      mapper.value_source(keys))


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
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        source = Source(path, mark.line + 1, mark.column + 1) if mark else Source(path)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise InputError([Diagnostic(
            "P001", f"not valid YAML: {problem}" + (f" ({context})" if context else ""),
            source, "check indentation and quoting near this line")]) from None
    if node is None or not isinstance(node, yaml.MappingNode):
        found = "an empty file" if node is None else (
            "a list" if isinstance(node, yaml.SequenceNode) else f"'{node.value}'")
        raise InputError([Diagnostic(
            "P010", f"(top level): a plan must be a mapping of keys; found {found}",
            Source(path, 1, 1), "start with 'plan: <id>' then 'components:'")])
    converter = _Converter(path)
    data = converter.convert(node, ())
    plan, diagnostics = _validate(data, converter)
    diagnostics.raise_if_errors()
    assert plan is not None
    return LoadedPlan(plan, path, converter.locations, text, converter.value_locations)


def load_plan(path: str | Path) -> LoadedPlan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Diagnostic("P000", f"cannot read plan file: {exc.strerror}",
                                     Source(str(path)))]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Diagnostic("P000", f"plan file is not UTF-8 text: {exc.reason}",
                                     Source(str(path)), "save the file as UTF-8")]) from None
    return load_plan_text(text, str(path))

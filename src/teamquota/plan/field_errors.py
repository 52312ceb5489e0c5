"""pydantic's validation errors -> plan diagnostics with a code, key path, line and hint.

P010 wrong type or value (the bad value quoted, "did you mean" for a misspelled choice),
P011 unknown key (the closest allowed key and the full list), P015 missing key (the
required keys), P017 keys that do not go together (a model validator's message). The
``where`` values are unions (a value, a list, or a comparison): pydantic reports every
branch that failed, so only the branch that fits the written value is kept.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from teamquota.core.diagnostics import Diagnostic
from teamquota.plan.model import Plan
from teamquota.plan.yamlsource import Converter, KeyPath, key_path, split_loc


def model_class(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as ``Gate | None`` or ``Compare | list[...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_class(arg) if typing.get_origin(arg) not in (list, dict) else None
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
        model = model_class(annotation)
        if isinstance(key, str) and model is not None and key in _field_names(model):
            annotation = _field_annotation(model, key)
        else:
            annotation = _container_item(annotation, key)
        if annotation is None:
            return None
    return annotation


def suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


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
    keys, branches = split_loc(data, loc)
    return keys, [_Branch(b.at, b.tag, _branch_kind(b.tag) == _kind(b.value))
                  for b in branches]


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


def shown(value: Any) -> str:
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

    def __init__(self, converter: Converter) -> None:
        self.key_source = converter.key_source
        self.value_source = converter.value_source

    def map(self, error: ErrorDetails, keys: KeyPath) -> Diagnostic:
        kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
        where = key_path(keys)
        hint: str | None
        if kind == "extra_forbidden":
            parent = model_class(_annotation_at(keys[:-1]))
            allowed = _field_names(parent) if parent else []
            hint = suggest(str(keys[-1]), allowed) + "allowed keys: " + ", ".join(allowed)
            return Diagnostic("P011", f"{where}: unknown key", self.key_source(keys), hint)
        if kind == "missing":
            parent_keys, missing = keys[:-1], str(keys[-1])
            model = model_class(_annotation_at(parent_keys))
            required = [info.alias or name for name, info in
                        (model.model_fields.items() if model else []) if info.is_required()]
            hint = f"required keys here: {', '.join(required)}" if required else None
            return Diagnostic("P015", f"{key_path(parent_keys)}: missing required key "
                              f"'{missing}'", self.key_source(parent_keys), hint)
        if kind == "value_error":
            message = error["msg"].removeprefix("Value error, ")
            resolves_to_model = model_class(_annotation_at(keys)) is not None and (
                isinstance(value, dict))
            code = "P017" if resolves_to_model else "P010"
            source = self.key_source(keys) if code == "P017" else self.value_source(keys)
            hint = next((h for words, h in _VALUE_HINTS.items() if words in message), None)
            return Diagnostic(code, f"{where}: {message}", source, hint)
        return self._type_or_value(kind, value, ctx, keys, error["msg"])

    def _type_or_value(self, kind: str, value: Any, ctx: dict[str, Any], keys: KeyPath,
                       msg: str) -> Diagnostic:
        where, found = key_path(keys), shown(value)
        source = self.value_source(keys)
        hint: str | None = None
        if kind == "literal_error":
            choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            message = f"must be one of {', '.join(choices)}; found {found}"
            close = suggest(str(value), choices) if isinstance(value, str) else ""
            hint = close.strip() or f"e.g. {keys[-1]}: {choices[0]}"
        elif kind in _DESCRIBE_TYPE:
            message = f"expected {_DESCRIBE_TYPE[kind]}; found {found}"
            hint = next(h for prefix, h in _TYPE_HINTS.items() if kind.startswith(prefix))
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            message = f"{msg.replace('Input should be', 'must be')}; found {found}"
            hint = _allowed_range(keys)
        elif kind == "string_pattern_mismatch":
            text, example = _PATTERNS.get(str(ctx.get("pattern")), (
                f"must match the pattern {ctx.get('pattern')}", None))
            message, hint = f"{text}; found {found}", example
        elif kind in ("too_short", "too_long"):
            message = (msg.replace("List should", "must").replace("Tuple should", "must")
                       .replace(" after validation", ""))
            if len(keys) >= 2 and keys[-2] == "curve":
                hint = "each curve point is [attainment, payout factor], e.g. [1.0, 1.0]"
            elif kind == "too_short":
                hint = f"add at least {ctx.get('min_length', 1)} item(s)"
        else:
            message = f"{msg.replace('Input should be', 'must be')}; found {found}"
        return Diagnostic("P010", f"{where}: {message}", source, hint)


_TYPE_HINTS = {
    "decimal": "write plain digits with '.' as decimal separator, e.g. 0.6 or 2500",
    "int": "write a whole number without decimals, e.g. 2",
    "bool": "write true or false",
    "string": "put text that looks like a number or a date in quotes, e.g. '2017'",
    "date": "write a date as YYYY-MM-DD, e.g. 2017-01-01",
    "list": "a list in brackets, e.g. [AE, SE], or one '- item' per line",
    "dict": "a mapping, e.g. {rate: 0.02}, or one 'key: value' per line",
    "model": "a mapping, e.g. {rate: 0.02}, or one 'key: value' per line",
    "tuple": "e.g. [1.0, 1.0]",
}


def _allowed_range(keys: KeyPath) -> str:
    """'allowed: 1 to 12' from the field's declared bounds."""
    model = model_class(_annotation_at(keys[:-1]))
    info = next((i for n, i in (model.model_fields.items() if model else [])
                 if keys[-1] in (n, i.alias)), None)
    bounds: dict[str, Any] = {}
    for item in info.metadata if info else []:
        for name in ("gt", "ge", "lt", "le"):
            if getattr(item, name, None) is not None:
                bounds[name] = getattr(item, name)
    low = (f"{bounds['ge']}" if "ge" in bounds else
           f"more than {bounds['gt']}" if "gt" in bounds else None)
    high = (f"{bounds['le']}" if "le" in bounds else
            f"less than {bounds['lt']}" if "lt" in bounds else None)
    if low and high:
        return f"allowed: {low} to {high}"
    if low:
        return f"allowed: {low}" + (" or more" if "ge" in bounds else "")
    return f"allowed: up to {high}" if high else "see docs/plan-language.md for the range"


# hints for the model's own validation messages, matched by words they contain
_VALUE_HINTS = {
    "a curve needs at least two": "e.g. curve: [[0.5, 0], [1, 1], [1.5, 2]]",
    "a payout needs exactly one of": "one way of paying per component; put another way of "
                                     "paying in a component of its own",
    "a measure needs exactly one of": "e.g. measure: {sum: amount} or measure: {count: true}",
    "a comparison needs at least one": "e.g. amount: {gte: 1000} or stage: {in: [Won, Lost]}",
    "'cap' limits a curve's factor": "e.g. cap_amount: 5000 next to payout:",
    "is before start": "end is the last day the plan applies and cannot come before start",
    "custom shares must sum to 1": "one share per period, e.g. custom: [0.2, 0.25, 0.25, 0.3]",
    "pays a pool, so its scope must be team": "set scope: team (a pool is split among a "
                                             "team's members)",
    "pays by curve, so it needs a weight": "add its share of target incentive, e.g. "
                                          "weight: 0.6",
    "split: weights needs": "e.g. pool: {rate: 0.02, split: weights, weights: {p1: 2, p2: 1}}",
    "is only used with split: weights": "remove 'weights', or set split: weights",
    "curve points must not be negative": "attainment and payout factors are 0 or more",
    "tiers must list at least one tier": "e.g. tiers: [{from: 0, rate: 0.05}]",
    "method: custom needs": "e.g. custom: [0.2, 0.25, 0.25, 0.3]",
}


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
    return Diagnostic("P010", f"{key_path(keys)}: expected {expected}; found {shown(value)}",
                      mapper.value_source(keys),
                      "e.g. stage: Won, product: [GTX Pro, GTK 500] or amount: {gte: 1000}")


def field_diagnostics(errors: list[ErrorDetails], data: Any, converter: Converter
                      ) -> list[Diagnostic]:
    """Every pydantic error as a diagnostic at its line, one per ``where`` value that fits
    none of its forms."""
    mapper = _ErrorMapper(converter)
    reported, mismatched = _resolve_unions(data, errors)
    found = [mapper.map(error, keys) for error, keys in reported]
    found += [_union_mismatch(mapper, at, tags, data) for at, tags in mismatched.items()]
    return found

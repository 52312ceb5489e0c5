"""YAML nodes -> plain Python values, remembering where every key and value was written.

The YAML is composed (never constructed, so no tags run code) and converted by hand:
numbers become exact Decimals from their source text, and each key path such as
``('components', 1, 'payout', 'cap')`` keeps its 1-based line and column for diagnostics.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from teamquota.core.diagnostics import Diagnostics, Source

Location = tuple[int, int]  # 1-based line, column
KeyPath = tuple[str | int, ...]

# Aliases are shared nodes, so converting them expands them: a few lines of nested aliases
# ("billion laughs") could expand to billions of values. No real plan comes near this.
MAX_VALUES = 100_000


class TooLarge(Exception):
    """The YAML expands (through aliases) to more than :data:`MAX_VALUES` values."""


def nearest_source(path: str, locations: dict[KeyPath, Location], keys: KeyPath) -> Source:
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


def mark(node: yaml.Node) -> Location:
    return node.start_mark.line + 1, node.start_mark.column + 1


class Converter:
    """YAML node tree -> plain values, recording key and value positions."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.locations: dict[KeyPath, Location] = {}
        self.value_locations: dict[KeyPath, Location] = {}
        self.diagnostics = Diagnostics()
        self.count = 0

    def key_source(self, keys: KeyPath) -> Source:
        """Where a key was written, or its nearest written ancestor."""
        return nearest_source(self.path, self.locations, keys)

    def value_source(self, keys: KeyPath) -> Source:
        """Where a key's value starts (a scalar's text, a list's '[' or first '-')."""
        if keys in self.value_locations:
            return Source(self.path, *self.value_locations[keys])
        return self.key_source(keys)

    def convert(self, node: yaml.Node, at: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise TooLarge
        self.locations.setdefault(at, mark(node))
        self.value_locations[at] = mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, at + (i,)) for i, item in enumerate(node.value)]
        return scalar_value(node)

    def _mapping(self, node: yaml.MappingNode, at: KeyPath) -> dict[str, Any]:
        result = self._merged(node, at)
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag.endswith(":merge"):
                continue
            line, column = mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.error(
                    "P010", f"{key_path(at)}: a key must be plain text",
                    Source(self.path, line, column), "write keys as simple words: 'cap: 2'")
                continue
            key = str(key_node.value)
            if key in first_seen:
                self.diagnostics.error(
                    "P002", f"{key_path(at + (key,))}: key '{key}' appears twice in the "
                    "same mapping", Source(self.path, line, column),
                    f"remove one of them (the first is on line {first_seen[key]}): "
                    "YAML would silently keep only the last")
            first_seen.setdefault(key, line)
            self.locations[at + (key,)] = (line, column)
            result[key] = self.convert(value_node, at + (key,))
        return result

    def _merged(self, node: yaml.MappingNode, at: KeyPath) -> dict[str, Any]:
        """The keys of ``<<: *base`` (or ``<<: [*a, *b]``), which the keys written in
        the mapping itself then override; of several sources the first wins (YAML 1.1)."""
        sources: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag.endswith(":merge"):
                sources += (value_node.value if isinstance(value_node, yaml.SequenceNode)
                            else [value_node])
        result: dict[str, Any] = {}
        for source in reversed(sources):
            if isinstance(source, yaml.MappingNode):
                result.update(self._mapping(source, at))
                continue
            line, column = mark(source)
            self.diagnostics.error(
                "P010", f"{key_path(at)}: '<<' merges mappings; found "
                f"{'a list' if isinstance(source, yaml.SequenceNode) else 'a single value'}",
                Source(self.path, line, column),
                "e.g. <<: *base, where '- &base' marks an earlier component")
        return result


def scalar_value(node: yaml.Node) -> Any:
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

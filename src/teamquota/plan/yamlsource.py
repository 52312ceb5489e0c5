"""Safe YAML with source positions: text -> plain values plus the line and column of every key.

Owns what every teamquota YAML reader shares: composing the text (never constructing it,
so no tag runs code), the safety limits (alias expansion capped at :data:`MAX_VALUES`,
runaway nesting caught), syntax errors, duplicate keys, non-text keys and ``<<`` merges as
diagnostics, the 1-based position of each key path such as
``('components', 1, 'payout', 'cap')``, and mapping pydantic's error locations back to
those key paths. What differs per kind of file is a :class:`YamlDialect`: the diagnostic
codes and how a scalar becomes a value (plans read exact Decimals, column maps keep text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source

Location = tuple[int, int]  # 1-based line, column
KeyPath = tuple[str | int, ...]

# Aliases are shared nodes, so converting them expands them: a few lines of nested aliases
# ("billion laughs") could expand to billions of values. No real file comes near this.
MAX_VALUES = 100_000


@dataclass(frozen=True)
class YamlDialect:
    """What one kind of YAML file (a plan, a column map) decides for itself."""

    noun: str  # "plan": named in the hints
    file_noun: str  # "plan file": named when the file cannot be read
    read_code: str  # the file is missing, unreadable or not UTF-8
    syntax_code: str  # not YAML, nested too deeply, expands too far
    duplicate_code: str  # a key twice in one mapping
    structure_code: str  # a key that is not text, a '<<' that merges no mapping
    scalar: Callable[[yaml.ScalarNode], Any]
    merge_hint: str = "e.g. <<: *base, where '&base' marks an earlier mapping"


class _TooLarge(Exception):
    """The YAML expands (through aliases) to more than :data:`MAX_VALUES` values."""


def nearest_source(path: str, locations: dict[KeyPath, Location], keys: KeyPath) -> Source:
    """Where a key path was written, or its nearest written ancestor (else line 1)."""
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


def _refuse(dialect: YamlDialect, path: str, message: str, hint: str) -> NoReturn:
    raise InputError([Diagnostic(dialect.syntax_code, message, Source(path, 1, 1), hint)])


def _too_deep(dialect: YamlDialect, path: str) -> NoReturn:
    _refuse(dialect, path, "the YAML is nested too deeply to read",
            f"a {dialect.noun} needs a few levels of nesting; look for runaway brackets")


def read_file(path: str | Path, dialect: YamlDialect) -> str:
    """The file's UTF-8 text; a file that cannot be read raises :class:`InputError`."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Diagnostic(
            dialect.read_code, f"cannot read {dialect.file_noun}: {exc.strerror}",
            Source(str(path)), "check the path and that the file is readable")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Diagnostic(
            dialect.read_code, f"{dialect.file_noun} is not UTF-8 text: {exc.reason}",
            Source(str(path)), "save the file as UTF-8")]) from None


def compose(text: str, path: str, dialect: YamlDialect) -> yaml.Node | None:
    """The document's node tree (``None`` for an empty file); bad YAML raises
    :class:`InputError` naming the line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        source = Source(path, where.line + 1, where.column + 1) if where else Source(path)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        raise InputError([Diagnostic(
            dialect.syntax_code, f"not valid YAML: {problem}" + (f" ({context})" if context
                                                                  else ""),
            source, "check indentation and quoting near this line")]) from None
    except RecursionError:
        _too_deep(dialect, path)


class Converter:
    """YAML node tree -> plain values, recording key and value positions; problems that
    still leave a value (duplicate keys, non-text keys, bad merges) go to ``diagnostics``."""

    def __init__(self, path: str, dialect: YamlDialect) -> None:
        self.path = path
        self.dialect = dialect
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

    def read(self, node: yaml.Node) -> Any:
        """The whole document; a file past the safety limits raises :class:`InputError`."""
        try:
            return self.convert(node, ())
        except RecursionError:
            _too_deep(self.dialect, self.path)
        except _TooLarge:
            _refuse(self.dialect, self.path,
                    f"the YAML expands to more than {MAX_VALUES:,} values (through aliases)",
                    f"write the {self.dialect.noun} out without deeply nested aliases")

    def convert(self, node: yaml.Node, at: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooLarge
        self.locations.setdefault(at, mark(node))
        self.value_locations[at] = mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, at)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, at + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the only other kind of node
        return self.dialect.scalar(node)

    def _mapping(self, node: yaml.MappingNode, at: KeyPath) -> dict[str, Any]:
        result = self._merged(node, at)
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag.endswith(":merge"):
                continue
            line, column = mark(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.error(
                    self.dialect.structure_code, f"{key_path(at)}: a key must be plain text",
                    Source(self.path, line, column), "write keys as simple words: 'cap: 2'")
                continue
            key = str(key_node.value)
            if key in first_seen:
                self.diagnostics.error(
                    self.dialect.duplicate_code, f"{key_path(at + (key,))}: key '{key}' "
                    "appears twice in the same mapping", Source(self.path, line, column),
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
                self.dialect.structure_code, f"{key_path(at)}: '<<' merges mappings; found "
                f"{'a list' if isinstance(source, yaml.SequenceNode) else 'a single value'}",
                Source(self.path, line, column), self.dialect.merge_hint)
        return result


@dataclass(frozen=True)
class Branch:
    """A pydantic union-branch tag in an error location (``'str'``, ``'list[...]'``,
    ``'literal[...]'``, ``'[key]'``): where it stands and the value written there."""

    at: KeyPath
    tag: str
    value: Any


# pydantic's tags for the scalar branches of a union
SCALAR_TAGS = frozenset({"str", "int", "decimal", "bool", "date", "float", "none"})


def split_loc(data: Any, loc: tuple[int | str, ...]) -> tuple[KeyPath, list[Branch]]:
    """Separate the keys of a pydantic error location from the validator tags pydantic adds
    between them; a key that is not in ``data`` (missing or unknown) is kept as a key."""
    keys: list[str | int] = []
    branches: list[Branch] = []
    current = data
    for item in loc:
        in_list = isinstance(item, int) and isinstance(current, list) and item < len(current)
        in_mapping = isinstance(item, str) and isinstance(current, dict) and item in current
        if in_list or in_mapping:
            current = current[item]
            keys.append(item)
        elif isinstance(item, str) and ("[" in item or item in SCALAR_TAGS):
            branches.append(Branch(tuple(keys), item, current))
        else:
            keys.append(item)
    return tuple(keys), branches

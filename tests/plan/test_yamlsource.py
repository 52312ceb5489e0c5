"""The shared YAML reader: positions, duplicate keys, merges and safety limits in any dialect.

A toy dialect (codes X000-X003, scalars kept as text) shows that the codes, the hints'
noun and the scalar conversion come from the dialect; line and column numbers can be
checked by counting in the YAML above each assertion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from teamquota.core.diagnostics import InputError, Source
from teamquota.plan.yamlsource import (
    Converter,
    YamlDialect,
    compose,
    key_path,
    read_file,
    split_loc,
)

TOY = YamlDialect(noun="toy", file_noun="toy file", read_code="X000", syntax_code="X001",
                  duplicate_code="X002", structure_code="X003",
                  scalar=lambda node: f"<{node.value}>")


def read(text: str) -> tuple[Any, Converter]:
    node = compose(text, "t.yaml", TOY)
    assert node is not None
    converter = Converter("t.yaml", TOY)
    return converter.read(node), converter


def refusal(text: str) -> str:
    with pytest.raises(InputError) as caught:
        read(text)
    return caught.value.diagnostics.render()


def test_converter__scalars_come_from_the_dialect_and_keys_keep_positions() -> None:
    data, converter = read("a:\n  - 1\n  - b: yes\n")
    assert data == {"a": ["<1>", {"b": "<yes>"}]}
    # 'b' is the third line, after '  - ' (4 characters): column 5
    assert converter.key_source(("a", 1, "b")) == Source("t.yaml", 3, 5)
    # the value 'yes' starts after '  - b: ' (7 characters): column 8
    assert converter.value_source(("a", 1, "b")) == Source("t.yaml", 3, 8)
    # an unwritten key falls back to its nearest written ancestor
    assert converter.key_source(("a", 1, "c")) == Source("t.yaml", 3, 5)


def test_converter__duplicate_key_is_the_dialects_code_with_the_first_line() -> None:
    _, converter = read("a:\n  b: 1\n  b: 2\n")
    assert converter.diagnostics.render() == (
        "t.yaml:3:3: error[X002]: a.b: key 'b' appears twice in the same mapping\n"
        "hint: remove one of them (the first is on line 2): YAML would silently keep only "
        "the last")


def test_converter__merge_keys_copy_and_written_keys_win() -> None:
    data, converter = read("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert data["use"] == {"x": "<1>", "y": "<3>"}
    assert not converter.diagnostics.has_errors


def test_converter__merging_a_scalar_is_the_dialects_structure_code() -> None:
    _, converter = read("a: &s 1\nb:\n  <<: *s\n")
    assert converter.diagnostics.render() == (
        "t.yaml:1:4: error[X003]: b: '<<' merges mappings; found a single value\n"
        "hint: e.g. <<: *base, where '&base' marks an earlier mapping")


def test_compose__bad_yaml_is_the_dialects_syntax_code_at_its_line() -> None:
    with pytest.raises(InputError) as caught:
        compose("a: [1,\n", "t.yaml", TOY)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.source) == ("X001", Source("t.yaml", 2, 1))


def test_read_file__missing_and_non_utf8_files_are_the_dialects_read_code(
        tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_file(tmp_path / "nope.yaml", TOY)
    assert caught.value.diagnostics.render() == (
        f"{tmp_path / 'nope.yaml'}: error[X000]: cannot read toy file: No such file or "
        "directory\nhint: check the path and that the file is readable")
    (tmp_path / "latin1.yaml").write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_file(tmp_path / "latin1.yaml", TOY)
    assert caught.value.diagnostics.render() == (
        f"{tmp_path / 'latin1.yaml'}: error[X000]: toy file is not UTF-8 text: invalid "
        "continuation byte\nhint: save the file as UTF-8")


def test_compose__an_empty_file_is_none() -> None:
    assert compose("", "t.yaml", TOY) is None


def test_converter__alias_bomb_is_refused_before_it_expands() -> None:
    # a6 expands to 10**6 values; the limit is 100,000
    lines = ["a0: &a0 [x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert refusal("\n".join(lines) + "\n") == (
        "t.yaml:1:1: error[X001]: the YAML expands to more than 100,000 values (through "
        "aliases)\nhint: write the toy out without deeply nested aliases")


def test_compose__runaway_nesting_is_refused_not_a_crash() -> None:
    assert refusal("a: " + "[" * 3000 + "]" * 3000 + "\n") == (
        "t.yaml:1:1: error[X001]: the YAML is nested too deeply to read\n"
        "hint: a toy needs a few levels of nesting; look for runaway brackets")


def test_key_path__indexes_in_brackets() -> None:
    assert key_path(("components", 1, "payout", "cap")) == "components[1].payout.cap"
    assert key_path(()) == "(top level)"


def test_split_loc__drops_pydantic_tags_and_keeps_missing_keys() -> None:
    data = {"tables": {"deals": {"transforms": {"owner_id": "slugify"}}}}
    keys, branches = split_loc(data, ("tables", "deals", "transforms", "owner_id",
                                      "literal['slug','lower']"))
    assert keys == ("tables", "deals", "transforms", "owner_id")
    assert [(b.at, b.tag, b.value) for b in branches] == [
        (keys, "literal['slug','lower']", "slugify")]
    assert split_loc(data, ("tables", "deals", "source"))[0] == ("tables", "deals", "source")


def test_compose__never_runs_tags() -> None:
    node = compose("a: !!python/object/apply:os.system [echo hi]\n", "t.yaml", TOY)
    assert isinstance(node, yaml.MappingNode)
    data, _ = read("a: !!python/object/apply:os.system [echo hi]\n")
    assert data == {"a": ["<echo hi>"]}

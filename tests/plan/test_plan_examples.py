"""The shipped example plans, found by name: ``teamquota validate ae-hybrid-2017`` works from
any folder, in a checkout or from an installed wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

from teamquota.core.diagnostics import InputError
from teamquota.plan import examples
from teamquota.plan.loader import load_plan

NAMES = ["ae-hybrid-2017", "individual-2017", "spif-and-draw-2017", "team-only-2017",
         "team-pool-2017", "tiered-commission-2017"]


def test_names__are_the_shipped_yaml_files_without_suffix() -> None:
    assert examples.names() == NAMES


@pytest.mark.parametrize("name", ["ae-hybrid-2017", "ae-hybrid-2017.yaml"])
def test_path__finds_an_example_by_name_with_or_without_yaml(name: str) -> None:
    found = examples.path(name)
    assert (found.name, found.is_file()) == ("ae-hybrid-2017.yaml", True)
    assert found.read_text(encoding="utf-8").startswith("# Account executives, 2017")


def test_path__of_an_unknown_name_lists_the_examples() -> None:
    with pytest.raises(LookupError) as caught:
        examples.path("ae-hybrid-2071")
    assert str(caught.value) == (
        "no shipped example plan is named 'ae-hybrid-2071'; the examples are: "
        "ae-hybrid-2017, individual-2017, spif-and-draw-2017, team-only-2017, "
        "team-pool-2017, tiered-commission-2017")


def test_load_plan__takes_an_example_name_from_any_folder(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(tmp_path)
    loaded = load_plan("ae-hybrid-2017")
    assert (loaded.plan.plan, len(loaded.plan.components)) == ("ae_hybrid_2017", 2)
    assert Path(loaded.path) == examples.path("ae-hybrid-2017")  # diagnostics point at it


def test_load_plan__a_file_of_that_name_wins_over_the_example(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ae-hybrid-2017").write_text(
        "plan: mine\ncomponents:\n  - id: personal\n    scope: payee\n    weight: 1\n"
        "    measure: {sum: amount}\n    payout: {curve: [[0, 0], [1, 1]]}\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_plan("ae-hybrid-2017").plan.plan == "mine"


def test_load_plan__a_name_that_is_neither_file_nor_example_is_p000_listing_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        load_plan("ae-hybrid-2071")
    assert caught.value.diagnostics.render() == (
        "ae-hybrid-2071: error[P000]: cannot read plan file: no such file, and no shipped "
        "example plan has this name\n"
        "hint: give the path of a plan YAML file, or the name of a shipped example: "
        "ae-hybrid-2017, individual-2017, spif-and-draw-2017, team-only-2017, "
        "team-pool-2017, tiered-commission-2017")


def test_load_plan__a_missing_path_in_a_folder_is_still_a_plain_p000(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_plan(tmp_path / "ae-hybrid-2017.yaml")  # a folder given: not an example name
    assert caught.value.diagnostics.render() == (
        f"{tmp_path / 'ae-hybrid-2017.yaml'}: error[P000]: cannot read plan file: No such "
        "file or directory\nhint: check the path and that the file is readable")

"""Leader ratings files: every problem is a diagnostic at the value's line (and, in YAML,
column), read through the project's one YAML reader (plan/yamlsource.py)."""

from __future__ import annotations

from pathlib import Path

from teamquota.insights.ratings import load_ratings, parse_rating


def _render(problems) -> list[str]:  # noqa: ANN001 - Diagnostics
    return [f"{d.source.line}:{d.source.column} {d.code} {d.message}" for d in problems.items]


def test_load_ratings__yaml_problems_name_the_value_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ratings.yaml"
    path.write_text("- {rep: ann, skill: overall, rating: 4}\n"
                    "- {rep: ann, skill: meeting, rating: nine}\n"
                    "- rep: nobody\n"
                    "  skill: call\n"
                    "  rating: 3\n"
                    "- {rep: ann, rep: bob, skill: call, rating: 2}\n"
                    "- just text\n", encoding="utf-8")
    table, problems = load_ratings(path, known_reps={"ann", "bob"})
    # line 2: 'nine' starts at column 38; line 3: 'nobody' at column 8; line 6: the
    # second 'rep' key at column 14
    assert _render(problems) == [
        "6:14 I001 [3].rep: key 'rep' appears twice in the same mapping",
        "7:3 I002 each rating must be a mapping with rep, skill and rating",
        "2:38 I003 column 'rating': 'nine' is not a number from 1 to 5",
        "3:8 I004 column 'rep': unknown payee 'nobody'"]
    # the good rows are still read (the command stops on any error; the web shows them all)
    assert table[["rep", "skill", "rating", "line"]].values.tolist() == [
        ["ann", "overall", 4.0, 1], ["bob", "call", 2.0, 6]]


def test_load_ratings__bad_yaml_and_missing_file_are_I001(tmp_path: Path) -> None:
    path = tmp_path / "ratings.yaml"
    path.write_text("- {rep: ann\n", encoding="utf-8")
    _, problems = load_ratings(path)
    assert [(d.code, d.source.line) for d in problems.items] == [("I001", 2)]
    assert problems.items[0].message.startswith("not valid YAML: expected ',' or '}'")
    _, problems = load_ratings(tmp_path / "nope.csv")
    assert [(d.code, d.message) for d in problems.items] == [
        ("I001", "cannot read ratings file: No such file or directory")]


def test_load_ratings__a_yaml_mapping_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "ratings.yml"
    path.write_text("rep: ann\nskill: call\nrating: 4\n", encoding="utf-8")
    _, problems = load_ratings(path)
    assert [(d.code, d.message) for d in problems.items] == [
        ("I001", "a ratings YAML file must be a list of {rep, skill, rating}")]


def test_parse_rating__one_to_five_inclusive() -> None:
    assert [parse_rating(v) for v in ("1", " 4.5 ", "5", "0.9", "5.1", "four", "")] == [
        1.0, 4.5, 5.0, None, None, None, None]

"""Leader-recorded ratings (rep, skill, rating) and how they compare with measured strengths.

A ratings file is CSV (header ``rep,skill,rating``) or YAML (a list of
``{rep, skill, rating}`` mappings). ``rep`` is a payee id, ``skill`` names what was rated:
``overall``, a product, series, sector, size band (small/mid/large) or an activity type
(call, meeting, ...); ``rating`` is a number from 1 to 5. Problems are diagnostics with the
file and line (codes I001-I004, docs/insights.md); nothing is silently skipped. YAML is
read by :mod:`teamquota.plan.yamlsource`, as plans and column maps are (same safety limits,
duplicate keys caught, the line and column of each value). The web's rating form checks a
value with :func:`rating_problem`, so both say the same thing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from teamquota.core.diagnostics import Diagnostics, InputError, Source
from teamquota.plan.yamlsource import Converter, YamlDialect, compose, read_file

COLUMNS = ("rep", "skill", "rating")
RATING_HINT = "rate on a 1-5 scale, e.g. 4"


def _scalar(node: yaml.ScalarNode) -> Any:
    # every value is checked as text (a rating '4' and a rep id '007' stay as written)
    return None if node.tag.endswith(":null") else str(node.value)


RATINGS_YAML = YamlDialect(noun="ratings file", file_noun="ratings file", read_code="I001",
                           syntax_code="I001", duplicate_code="I001", structure_code="I001",
                           scalar=_scalar)


def parse_rating(text: object) -> float | None:
    """The rating as a number from 1 to 5, or ``None`` when it is not one."""
    try:
        rating = float(str(text).strip())
    except ValueError:
        return None
    return rating if 1 <= rating <= 5 else None


def rating_problem(text: object) -> str:
    """The message for a rating that :func:`parse_rating` refuses."""
    return f"{str(text)!r} is not a number from 1 to 5"


def load_ratings(path: str | Path, known_reps: set[str] | None = None
                 ) -> tuple[pd.DataFrame, Diagnostics]:
    path = Path(path)
    problems = Diagnostics()
    try:
        text = read_file(path, RATINGS_YAML)
        if path.suffix.lower() in (".yaml", ".yml"):
            rows = _yaml_rows(text, str(path), problems)
        else:
            rows = _csv_rows(text, str(path), problems)
    except InputError as exc:
        problems.extend(exc.diagnostics)
        return pd.DataFrame(columns=[*COLUMNS, "line"]), problems
    good = []
    for where, row in rows:
        missing = [c for c in COLUMNS if not str(row.get(c) or "").strip()]
        if missing:
            problems.error("I002", f"missing {', '.join(missing)}", where("rep"),
                           "each rating needs rep, skill and rating, e.g. ann,meeting,4")
            continue
        rating = parse_rating(row["rating"])
        if rating is None:
            problems.error("I003", f"column 'rating': {rating_problem(row['rating'])}",
                           where("rating"), RATING_HINT)
            continue
        rep = str(row["rep"]).strip()
        if known_reps is not None and rep not in known_reps:
            problems.error("I004", f"column 'rep': unknown payee {rep!r}", where("rep"),
                           "use the payee id from the payees table")
            continue
        good.append({"rep": rep, "skill": str(row["skill"]).strip(), "rating": rating,
                     "line": where("rep").line})
    return pd.DataFrame(good, columns=[*COLUMNS, "line"]), problems


Where = Callable[[str], Source]  # column name -> where that value is in the file


def _csv_rows(text: str, path: str, problems: Diagnostics) -> list[tuple[Where, dict]]:
    reader = csv.DictReader(text.splitlines())
    absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if absent:
        problems.error("I002", f"missing column(s) {', '.join(absent)}", Source(path, 1),
                       "the header must be: rep,skill,rating")
        return []
    # a CSV row is reported by its line (the header is line 1)
    return [(lambda _col, line=i + 2: Source(path, line), row)
            for i, row in enumerate(reader)]


def _yaml_rows(text: str, path: str, problems: Diagnostics) -> list[tuple[Where, dict]]:
    node = compose(text, path, RATINGS_YAML)
    if not isinstance(node, yaml.SequenceNode):
        problems.error("I001", "a ratings YAML file must be a list of {rep, skill, rating}",
                       Source(path, 1), "e.g. - {rep: ann, skill: meeting, rating: 4}")
        return []
    reader = Converter(path, RATINGS_YAML)
    items = reader.read(node)
    problems.extend(reader.diagnostics)
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.error("I002", "each rating must be a mapping with rep, skill and rating",
                           reader.value_source((i,)))
            continue
        # a value's own position, else the item's: the editor jumps to what is wrong
        rows.append((lambda col, i=i: reader.value_source((i, col)), item))
    return rows


def side_by_side(ratings: pd.DataFrame, strengths: pd.DataFrame,
                 conversion: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each recorded rating next to the measured (shrunk) estimate for the same skill, with
    the interval, the team's rate and the rep's rank in the team on the shrunk estimate."""
    s = strengths.copy()
    s["skill"] = s["level"].astype(str).where(s["dimension"] != "overall", "overall")
    measured = s[["payee_id", "team_id", "skill", "win_shrunk", "win_low", "win_high",
                  "win_group", "deals"]].rename(columns={
                      "win_shrunk": "measured", "win_low": "low", "win_high": "high",
                      "win_group": "team_rate", "deals": "sample"})
    measured["measure"] = "win rate"
    if conversion is not None and len(conversion):
        c = conversion.rename(columns={"type": "skill", "conv_shrunk": "measured",
                                       "conv_low": "low", "conv_high": "high",
                                       "conv_group": "team_rate", "activities": "sample"})
        c["measure"] = "conversion to pipeline"
        measured = pd.concat([measured, c[measured.columns]], ignore_index=True)
    measured["rank"] = measured.groupby(["team_id", "skill"])["measured"].rank(
        ascending=False, method="min")
    measured["of"] = measured.groupby(["team_id", "skill"])["measured"].transform("size")
    measured["key"] = measured["skill"].str.lower()
    r = ratings.assign(key=ratings["skill"].str.lower())
    out = r.merge(measured.drop(columns="skill"), left_on=["rep", "key"],
                  right_on=["payee_id", "key"], how="left")
    out = out.drop(columns=["key", "payee_id"])
    return out.sort_values(["rep", "skill"]).reset_index(drop=True)

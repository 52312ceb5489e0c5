"""Leader-recorded ratings (rep, skill, rating) and how they compare with measured strengths.

A ratings file is CSV (header ``rep,skill,rating``) or YAML (a list of
``{rep, skill, rating}`` mappings). ``rep`` is a payee id, ``skill`` names what was rated:
``overall``, a product, series, sector, size band (small/mid/large) or an activity type
(call, meeting, ...); ``rating`` is a number from 1 to 5. Problems are diagnostics with the
file and line (codes I001-I004, docs/insights.md); nothing is silently skipped.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import yaml

from teamquota.core.diagnostics import Diagnostics, Source

COLUMNS = ("rep", "skill", "rating")


def load_ratings(path: str | Path, known_reps: set[str] | None = None
                 ) -> tuple[pd.DataFrame, Diagnostics]:
    path = Path(path)
    problems = Diagnostics()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.error("I001", f"cannot read ratings file: {exc.strerror}", Source(str(path)))
        return pd.DataFrame(columns=COLUMNS), problems
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(text, str(path), problems)
    else:
        rows = _csv_rows(text, str(path), problems)
    good = []
    for line, row in rows:
        where = Source(str(path), line)
        missing = [c for c in COLUMNS if not str(row.get(c) or "").strip()]
        if missing:
            problems.error("I002", f"missing {', '.join(missing)}", where,
                           "each rating needs rep, skill and rating, e.g. ann,meeting,4")
            continue
        try:
            rating = float(str(row["rating"]).strip())
        except ValueError:
            rating = float("nan")
        if not 1 <= rating <= 5:
            problems.error("I003", f"column 'rating': {str(row['rating'])!r} is not a number "
                                   "from 1 to 5", where, "rate on a 1-5 scale, e.g. 4")
            continue
        rep = str(row["rep"]).strip()
        if known_reps is not None and rep not in known_reps:
            problems.error("I004", f"column 'rep': unknown payee {rep!r}", where,
                           "use the payee id from the payees table")
            continue
        good.append({"rep": rep, "skill": str(row["skill"]).strip(), "rating": rating,
                     "line": line})
    return pd.DataFrame(good, columns=[*COLUMNS, "line"]), problems


def _csv_rows(text: str, path: str, problems: Diagnostics) -> list[tuple[int, dict]]:
    reader = csv.DictReader(text.splitlines())
    absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if absent:
        problems.error("I002", f"missing column(s) {', '.join(absent)}", Source(path, 1),
                       "the header must be: rep,skill,rating")
        return []
    return [(i + 2, row) for i, row in enumerate(reader)]


def _yaml_rows(text: str, path: str, problems: Diagnostics) -> list[tuple[int, dict]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.error("I001", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                       Source(path, mark.line + 1 if mark else None))
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.error("I001", "a ratings YAML file must be a list of {rep, skill, rating}",
                       Source(path, 1))
        return []
    rows = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.error("I002", "each rating must be a mapping with rep, skill and rating",
                           Source(path, line))
            continue
        rows.append((line, {k.value: v.value for k, v in item.value}))
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

"""Hand ratings on the team insights page: record, remove, and set beside measured strengths.

A rating names a rep of the team (or a sub-team), a skill the strengths measure for them
('overall', a product, series, sector, size band or activity type) and a number from 1 to
5, checked by :func:`teamquota.insights.ratings.parse_rating` as a ratings file is. The
comparison is :func:`teamquota.insights.ratings.side_by_side` on the cached strengths.
Every change is audited. Access is decided by the view before this module is called.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from teamquota.insights.ratings import RATING_HINT, parse_rating, rating_problem, side_by_side
from teamquota.web.comp.models import LeaderRating, Payee, Team, record
from teamquota.web.comp.services.insights import (
    CONVERSION,
    MEASURED,
    current_members,
    organisation_insights,
    scope_team_ids,
)

CENT = Decimal("0.01")


def rateable_reps(team: Team) -> list[Payee]:
    """The people a leader of ``team`` may rate: its members and its sub-teams' now."""
    return list(Payee.objects.filter(payee_id__in=current_members(scope_team_ids(team)))
                .order_by("name"))


def known_skills(team: Team) -> list[str]:
    """Skills measured for the team's people, 'overall' first, then alphabetical."""
    scope = set(scope_team_ids(team))
    org = organisation_insights()
    levels = {str(r["level"]) for r in org["measured"]
              if r["team_id"] in scope and r["dimension"] != "overall"}
    levels |= {str(r["type"]) for r in org["conversion"] if r["team_id"] in scope}
    return ["overall", *sorted(levels, key=str.lower)]


def check_rating(team: Team, rep: str, skill: str, rating: str
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned values, and a message per field that is wrong (the field's name)."""
    errors: dict[str, str] = {}
    reps = {p.payee_id: p for p in rateable_reps(team)}
    payee = reps.get(rep.strip())
    if payee is None:
        errors["rep"] = f"{rep!r} is not a member of {team.name}: choose one from the list"
    skills = {s.lower(): s for s in known_skills(team)}
    canonical = skills.get(skill.strip().lower())
    if canonical is None:
        examples = ", ".join(list(skills.values())[:4])
        errors["skill"] = (f"{skill.strip()!r} is not a skill measured for this team; "
                           f"e.g. {examples}")
    value = None
    if parse_rating(rating) is None:
        errors["rating"] = f"{rating_problem(rating)}: {RATING_HINT}"
    else:
        try:
            value = Decimal(rating.strip())
        except InvalidOperation:  # a float's spelling Decimal does not read
            value = None
        if value is None or value != value.quantize(CENT):
            errors["rating"] = f"{rating.strip()!r}: use at most two decimals, e.g. 4.5"
    return {"payee": payee, "skill": canonical, "rating": value}, errors


def record_rating(actor: Any, payee: Payee, skill: str, rating: Decimal) -> LeaderRating:
    previous = LeaderRating.objects.filter(payee=payee, skill=skill).first()
    found, _ = LeaderRating.objects.update_or_create(
        payee=payee, skill=skill, defaults={"rating": rating.quantize(CENT),
                                            "recorded_by": actor})
    was = f" (was {previous.rating.normalize()})" if previous else ""
    record(actor, "rating.record", "payee", payee.payee_id,
           f"Rated {payee.name} on {skill}: {rating.normalize()}{was}", skill=skill,
           rating=str(rating), previous=str(previous.rating) if previous else None)
    return found


def delete_rating(actor: Any, rating: LeaderRating) -> None:
    record(actor, "rating.delete", "payee", rating.payee.payee_id,
           f"Removed the rating of {rating.payee.name} on {rating.skill} "
           f"({rating.rating.normalize()})", skill=rating.skill, rating=str(rating.rating))
    rating.delete()


def ratings_of(team: Team) -> list[LeaderRating]:
    members = current_members(scope_team_ids(team))
    return list(LeaderRating.objects.filter(payee__payee_id__in=members)
                .select_related("payee", "recorded_by"))


def side_by_side_rows(team: Team, ratings: list[LeaderRating]) -> list[dict[str, Any]]:
    """Each recorded rating with the measured estimate for the same rep and skill."""
    if not ratings:
        return []
    org = organisation_insights()
    measured = pd.DataFrame(org["measured"], columns=MEASURED)
    conversion = pd.DataFrame(org["conversion"], columns=CONVERSION)
    table = pd.DataFrame({"rep": [r.payee.payee_id for r in ratings],
                          "skill": [r.skill for r in ratings],
                          "rating": [float(r.rating) for r in ratings],
                          "pk": [r.pk for r in ratings]})
    joined = side_by_side(table, measured, conversion)
    scope = set(scope_team_ids(team))
    # a rep measured in two teams (they moved) is compared with the team in scope
    joined = joined[joined["team_id"].isna() | joined["team_id"].isin(scope)]
    joined = joined.drop_duplicates("pk")
    by_pk = {r.pk: r for r in ratings}
    rows = []
    for row in joined.to_dict("records"):
        rating = by_pk[row["pk"]]
        rows.append({"rating": rating, "measure": row.get("measure"),
                     "measured": _num(row.get("measured")), "low": _num(row.get("low")),
                     "high": _num(row.get("high")), "team_rate": _num(row.get("team_rate")),
                     "sample": row.get("sample"), "rank": _num(row.get("rank")),
                     "of": _num(row.get("of"))})
    return rows


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

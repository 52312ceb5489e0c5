"""Leader-only insight pages per team: watchlist and strengths (with the leader's own
ratings beside the measured strengths, recorded here), and the conflict report.

Leaders (for the teams they lead and their sub-teams) and sales ops; anyone else signed in
gets 403, a team outside the user's scope 404 (``access.insight_teams_visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from teamquota.core.markup import chart_label
from teamquota.web.comp import access
from teamquota.web.comp.models import LeaderRating, Payee, Team
from teamquota.web.comp.services import insights_ratings as ratings
from teamquota.web.comp.services.insights import team_insights
from teamquota.web.comp.views.common import to_json


def _team(request: HttpRequest, team_id: str) -> Team:
    return get_object_or_404(access.insight_teams_visible_to(request.user)
                             .select_related("leader", "parent"), team_id=team_id)


def _names(ids: set[str]) -> dict[str, str]:
    return dict(Payee.objects.filter(payee_id__in=ids).values_list("payee_id", "name"))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _strength_note(row: dict[str, Any]) -> str:
    """Why a rep has no measured win rate (no data) or a zero one (an outcome)."""
    if not row["deals"]:
        return "no closed deals: nothing to measure (team rate for reference)"
    return "closed deals, none won" if not row["wins"] else ""


@access.require_role(*access.INSIGHT_ROLES)
def team_insights_page(request: HttpRequest, team_id: str) -> HttpResponse:
    team = _team(request, team_id)
    return _insights_response(request, team)


def _ratings_context(team: Team, typed: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None) -> dict[str, Any]:
    rows = ratings.side_by_side_rows(team, ratings.ratings_of(team))
    shown = [{**r, "measured_txt": _pct(r["measured"]),
              "interval": ("—" if r["low"] is None else
                           f"{_pct(r['low'])} – {_pct(r['high'])}"),
              "team_txt": _pct(r["team_rate"]),
              "rank_txt": ("—" if r["rank"] is None else
                           f"{r['rank']:.0f} of {r['of']:.0f}")} for r in rows]
    return {"ratings": shown, "rating_reps": ratings.rateable_reps(team),
            "rating_skills": ratings.known_skills(team), "typed": typed or {},
            "rating_errors": errors or {}}


def _insights_response(request: HttpRequest, team: Team,
                       extra: dict[str, Any] | None = None) -> HttpResponse:
    data = team_insights(team)
    names = _names({r["payee_id"] for r in data["watch"] + data["strengths"]})
    watch = [{**r, "name": names.get(r["payee_id"], r["payee_id"]),
              "mean": _pct(r["mean_attainment"]), "shrunk": _pct(r["shrunk_attainment"]),
              "high": _pct(r["shrunk_high"]), "peer": _pct(r["peer_attainment"])}
             for r in data["watch"]]
    # nobody silently left out: members with nothing to judge, zero outcomes not flagged
    unjudged = [r for r in watch if r["status"] == "no data"
                or (r["status"] == "zero outcome" and not r["flagged"])]
    strong = [{**r, "name": names.get(r["payee_id"], r["payee_id"]),
               "win": _pct(r["win_shrunk"]), "win_raw_pct": _pct(r["win_raw"]),
               "win_interval": ("—" if r["win_low"] is None else
                                f"{_pct(r['win_low'])} – {_pct(r['win_high'])}"),
               "size": "—" if r["size_shrunk"] is None else f"{r['size_shrunk']:,.0f}",
               "size_raw_txt": "—" if r["size_raw"] is None else f"{r['size_raw']:,.0f}",
               "note": _strength_note(r)}
              for r in data["strengths"]]
    strong.sort(key=lambda r: -(r["win_shrunk"] or 0))
    judged = [r for r in watch if r["status"] != "no data"]
    watch_chart = {"x": [chart_label(r["name"]) for r in judged],
                   "y": [r["shrunk_attainment"] for r in judged],
                   "high": [r["shrunk_high"] for r in judged],
                   "raw": [r["mean_attainment"] for r in judged],
                   "peer": judged[0]["peer_attainment"] if judged else None,
                   "flagged": [bool(r["flagged"]) for r in judged]}
    strengths_chart = {"x": [chart_label(r["name"]) for r in strong],
                       "y": [r["win_shrunk"] for r in strong],
                       "low": [r["win_low"] for r in strong],
                       "high": [r["win_high"] for r in strong],
                       "raw": [r["win_raw"] for r in strong]}
    context: dict[str, Any] = {
        "team": team, "watch": watch, "flags": [r for r in watch if r["flagged"]],
        "unjudged": unjudged,
        "strengths": strong, "watch_chart": to_json(watch_chart),
        "strengths_chart": to_json(strengths_chart)}
    context.update(extra or _ratings_context(team))
    return render(request, "comp/team_insights.html", context)


@access.require_role(*access.INSIGHT_ROLES)
@require_POST
def team_rating_record(request: HttpRequest, team_id: str) -> HttpResponse:
    """Record (or replace) a rating; a wrong value is shown at its field on the page."""
    team = _team(request, team_id)
    typed = {k: request.POST.get(k, "") for k in ("rep", "skill", "rating")}
    values, errors = ratings.check_rating(team, **typed)
    if errors:
        return _insights_response(request, team, _ratings_context(team, typed, errors))
    ratings.record_rating(request.user, values["payee"], values["skill"], values["rating"])
    messages.success(request, f"Recorded: {values['payee'].name} on {values['skill']}, "
                              f"{values['rating'].normalize()}.")
    return redirect(f"{reverse('team_insights', args=[team.team_id])}#ratings")


@access.require_role(*access.INSIGHT_ROLES)
@require_POST
def team_rating_delete(request: HttpRequest, team_id: str, rating_id: int) -> HttpResponse:
    team = _team(request, team_id)
    members = [p.pk for p in ratings.rateable_reps(team)]
    rating = get_object_or_404(LeaderRating.objects.select_related("payee"),
                               pk=rating_id, payee_id__in=members)
    ratings.delete_rating(request.user, rating)
    messages.success(request, f"Removed the rating of {rating.payee.name} on {rating.skill}.")
    return redirect(f"{reverse('team_insights', args=[team.team_id])}#ratings")


KIND_NAMES = {"shared_account_pairs": "reps working the same account",
              "late_handovers": "owner changed shortly before close",
              "colleague_account_activity": "activity on a colleague's account"}


@access.require_role(*access.INSIGHT_ROLES)
def team_conflicts_page(request: HttpRequest, team_id: str) -> HttpResponse:
    team = _team(request, team_id)
    data = team_insights(team)
    rows = [{**r, "kind_name": KIND_NAMES.get(r["kind"], r["kind"]),
             "share": _pct(r["same_team_share"])} for r in data["conflicts"]]
    same = sum(int(r["same_team"]) for r in rows)
    total = sum(int(r["total"]) for r in rows)
    periods = sorted({r["period"] for r in rows})
    chart = {"x": periods,
             "same": [sum(int(r["same_team"]) for r in rows if r["period"] == p)
                      for p in periods],
             "cross": [sum(int(r["cross_team"]) for r in rows if r["period"] == p)
                       for p in periods]}
    return render(request, "comp/team_conflicts.html", {
        "team": team, "rows": rows, "total": total, "same": same, "cross": total - same,
        "share": _pct(same / total) if total else "—", "notes": data["notes"],
        "chart": to_json(chart)})

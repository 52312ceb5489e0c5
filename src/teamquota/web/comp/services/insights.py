"""Team insights for the leader pages: the insights library run on the database's data.

The library functions (:mod:`teamquota.insights`) take a :class:`Dataset`; the web builds
it with :func:`teamquota.web.comp.services.dataset.build_dataset`, the same one the
engine runs read. The whole organisation is analysed once (peers for shrinkage are every
rep, as the CLI does) and the result cached per (latest run, newest audit event — every
import writes one); each page then keeps only the rows of the team and its sub-teams.
Access is decided by the view before this module is called.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pandas as pd
from django.core.cache import cache
from plotly.utils import PlotlyJSONEncoder

from teamquota.insights.conflicts import conflicts
from teamquota.insights.strengths import activity_conversion, strengths
from teamquota.insights.watchlist import assess
from teamquota.web.comp.models import AuditEvent, Membership, Run, Team
from teamquota.web.comp.services.dataset import build_dataset


def scope_team_ids(team: Team) -> list[str]:
    """The team and every sub-team below it (a leader sees them all)."""
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, team_id, parent in Team.objects.values_list("id", "team_id", "parent_id"):
        children.setdefault(parent, []).append((pk, team_id))
    found, todo = [team.team_id], [team.pk]
    while todo:
        for pk, team_id in children.get(todo.pop(), []):
            if team_id not in found:
                found.append(team_id)
                todo.append(pk)
    return found


def current_members(team_ids: list[str]) -> set[str]:
    """Payees whose latest membership is in one of ``team_ids`` (the team's people now)."""
    latest: dict[str, str] = {}
    for payee, team in (Membership.objects.order_by("start_date", "id")
                        .values_list("payee__payee_id", "team__team_id")):
        latest[payee] = team
    wanted = set(team_ids)
    return {p for p, t in latest.items() if t in wanted}


def _num(value: Any) -> float | None:
    """A statistic for display (these are estimates, not money); NaN becomes None."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    out = []
    for row in frame[columns].to_dict("records"):
        out.append({k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()})
    return out


# what insights.ratings.side_by_side reads of the strengths and conversion tables
MEASURED = ["payee_id", "team_id", "dimension", "level", "deals", "win_shrunk", "win_low",
            "win_high", "win_group"]
CONVERSION = ["payee_id", "team_id", "type", "activities", "conv_shrunk", "conv_low",
              "conv_high", "conv_group"]


def _compute() -> dict[str, Any]:
    dataset = build_dataset()
    watch = assess(dataset)
    # every dimension, so hand ratings of a product or sector meet their measured rate
    measured = strengths(dataset)
    strong = measured[measured["dimension"] == "overall"] if len(measured) else measured
    conversion = activity_conversion(dataset)
    report = conflicts(dataset)
    watch_cols = ["payee_id", "team_id", "periods", "low_periods", "mean_attainment",
                  "shrunk_attainment", "shrunk_high", "peer_attainment", "flagged",
                  "pattern", "evidence", "focus_product", "focus_stage", "status"]
    strong_cols = ["payee_id", "team_id", "deals", "wins", "win_raw", "win_shrunk",
                   "win_low", "win_high", "win_group", "size_raw", "size_shrunk",
                   "size_low", "size_high"]
    summary = report.summary.copy()
    return {
        "watch": _records(watch.fillna({"pattern": "", "focus_product": "",
                                        "focus_stage": ""}), watch_cols),
        "strengths": _records(strong, strong_cols) if not strong.empty else [],
        "measured": _records(measured, MEASURED) if len(measured) else [],
        "conversion": _records(conversion, CONVERSION) if len(conversion) else [],
        "conflicts": _records(summary, ["team_id", "period", "kind", "total", "same_team",
                                        "cross_team", "same_team_share"]),
        "notes": list(report.notes),
    }


FORMAT = 2


def organisation_insights() -> dict[str, Any]:
    """Watchlist, strengths and conflict summary for everyone, cached per run and data."""
    run_id = Run.objects.filter(status="done").order_by("-id").values_list(
        "id", flat=True).first()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    # FORMAT: bumped when the cached records change shape (v2: the watchlist's status), so
    # a deploy never reads an older process's records
    key = "insights:" + hashlib.sha256(repr((FORMAT, run_id, last_event)).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _compute()
        cache.set(key, found, 3600)
    return found


def team_insights(team: Team) -> dict[str, Any]:
    """The organisation's insights restricted to ``team`` and its sub-teams."""
    scope = set(scope_team_ids(team))
    org = organisation_insights()
    return {
        "watch": [r for r in org["watch"] if r["team_id"] in scope],
        "strengths": [r for r in org["strengths"] if r["team_id"] in scope],
        "conflicts": [r for r in org["conflicts"] if r["team_id"] in scope],
        "notes": org["notes"],
    }


def figure_json(figure: Any) -> str:
    """A library figure for the page's charts.js (plotly's own encoder; no template, so
    the page's look applies), safe inside a ``<script type="application/json">`` block."""
    spec = figure.to_plotly_json()
    spec["layout"].pop("template", None)
    return (json.dumps({"data": spec["data"], "layout": spec["layout"]}, cls=PlotlyJSONEncoder)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

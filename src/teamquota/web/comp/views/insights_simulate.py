"""The plan-fit page (leaders and sales ops, as the other insight pages): the team's own
history replayed under individual, hybrid, team and pool designs, paid by the engine.

A first (uncached) replay takes seconds, so it is a task for ``teamquota worker``: the page
queues it and answers at once with a pending part that htmx polls (``?part=results``, also
a plain link without JavaScript) until the worker has stored the result; once cached, the
whole page comes in one response. With the immediate backend (``TEAMQUOTA_RUNS_INLINE``)
the replay executes in the ``?part=results`` request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from teamquota.web.comp import access
from teamquota.web.comp.services.insights_simulation import queued, team_simulation
from teamquota.web.comp.views.insights import _team


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _design_rows(designs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # max(): equal pay can come out as a Gini of -1e-17, shown "-0.00"
    return [{"design": d["design"], "expected": f"{d['expected_total']:,.0f}",
             "p95": f"{d['p95_total']:,.0f}", "gini": f"{max(d['gini'], 0.0):.2f}",
             "bottom": _pct(d["bottom_quartile_payout_share"]),
             "rep_zero": _pct(d["rep_earns_nothing"]),
             "team_zero": _pct(d["team_earns_nothing"]),
             # NaN (no team component) arrives as None through the task's JSON
             "team_line": _share(d.get("team_line_pays_nothing")),
             "current": bool(d.get("current"))} for d in designs]


def _share(x: float | None) -> str:
    return "—" if x is None or x != x else _pct(x)


def _tables(sim: dict[str, Any]) -> dict[str, Any]:
    return {
        "rows": _design_rows(sim["designs"]),
        "contribution": _pct(sim["designs"][0]["bottom_quartile_contribution_share"]),
        "thresholds": [_pct(t) for t in sim["thresholds"]],
        "gate": _pct(sim.get("gate", 0.8)),
        # the individual design has no team gate: its cost does not move with it
        "sensitivity": [{"design": s["design"],
                         "costs": ["—" if c is None else f"{c:,.0f}" for c in s["costs"]]}
                        for s in sim["sensitivity"] if s["design"] != "individual"]}


@access.require_role(*access.INSIGHT_ROLES)
def team_simulate_page(request: HttpRequest, team_id: str) -> HttpResponse:
    team = _team(request, team_id)
    part = request.GET.get("part") == "results"
    sim = team_simulation(team, compute=part or queued())
    context: dict[str, Any] = {"team": team, "sim": sim}
    if sim is not None and "designs" in sim:
        context.update(_tables(sim))
    if part and getattr(request, "htmx", False):
        return render(request, "comp/insights/_simulate_results.html", context)
    return render(request, "comp/insights/simulate.html", context)

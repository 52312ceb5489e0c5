"""The team hierarchy: ancestors of every team (for roll-up credit) and descendants."""

from __future__ import annotations

import pyarrow as pa

from teamquota.core.diagnostics import Diagnostics


def team_ancestors(teams: pa.Table, diagnostics: Diagnostics) -> dict[str, list[str]]:
    """team -> its ancestors, nearest first. A cycle is reported (E020) and cut."""
    parent = dict(zip(teams["team_id"].to_pylist(), teams["parent_team_id"].to_pylist(),
                      strict=True))
    ancestors: dict[str, list[str]] = {}
    for team in parent:
        chain: list[str] = []
        current = parent.get(team)
        while current is not None:
            if current == team or current in chain:
                diagnostics.error("E020", f"team hierarchy has a cycle through '{team}': "
                                  f"{' -> '.join([team, *chain, current])}",
                                  hint="each team's parent_team_id must lead up to a root")
                break
            chain.append(current)
            current = parent.get(current)
        ancestors[team] = chain
    return ancestors


def closure_rows(ancestors: dict[str, list[str]]) -> pa.Table:
    """(team_id, ancestor_id, depth>=1) rows for the roll-up join."""
    rows = [(team, anc, depth) for team, chain in sorted(ancestors.items())
            for depth, anc in enumerate(chain, start=1)]
    return pa.table({
        "team_id": pa.array([r[0] for r in rows], pa.string()),
        "ancestor_id": pa.array([r[1] for r in rows], pa.string()),
        "depth": pa.array([r[2] for r in rows], pa.int32()),
    })


def descendants(ancestors: dict[str, list[str]]) -> dict[str, set[str]]:
    """team -> itself and every team below it."""
    below: dict[str, set[str]] = {team: {team} for team in ancestors}
    for team, chain in ancestors.items():
        for anc in chain:
            below.setdefault(anc, {anc}).add(team)
    return below

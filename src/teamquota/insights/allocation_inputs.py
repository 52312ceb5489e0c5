"""Build allocation programs from a team's history (strengths feed the values).

* :func:`open_deal_problem` — capacity in open opportunities: every open deal of the team
  must be carried by someone (target = max = the open count per product); a rep's value for
  a deal of product p is their shrunk win rate x shrunk typical deal size for p. Works on
  the CRM demo data, which has no activities.
* :func:`activity_problem` — weekly duty targets (calls, meetings, social messages, CRM
  hygiene; default: 10% above the team's historical weekly volume); a rep's value per
  activity is their shrunk conversion of that type into pipeline x shrunk win rate x
  shrunk typical deal size. A rep's maximum of a type is
  ``max_factor`` x their historical weekly volume (the team median for a rep with none),
  so the plan stays within what people have shown they can do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.allocate import AllocationProblem, Duty
from teamquota.insights.frames import activities_frame, deals_frame
from teamquota.insights.strengths import activity_conversion, strengths

# the example targets for a team of about six (per week)
EXAMPLE_DUTIES = {"call": 120.0, "meeting": 40.0, "social_message": 300.0, "crm_update": 10.0}
DEFAULT_HOURS = {"call": 0.25, "meeting": 1.0, "social_message": 0.05, "crm_update": 0.5}


def team_reps(deals: pd.DataFrame, team_id: str) -> list[str]:
    latest = deals.sort_values("close_date").groupby("owner_id")["team_id"].last()
    return sorted(latest[latest == team_id].index)


def _rep_value(table: pd.DataFrame, reps: list[str], dimension: str) -> pd.DataFrame:
    """(payee_id, level) -> expected won amount per deal, team value where a rep has none."""
    t = table[table["dimension"] == dimension].copy()
    t["value"] = t["win_shrunk"] * t["size_shrunk"].fillna(t["size_group"])
    t["team_value"] = t["win_group"] * t["size_group"]
    value = t.pivot_table(index="payee_id", columns="level", values="value", aggfunc="first")
    team_value = t.groupby("level")["team_value"].first()
    value = value.reindex(index=reps)
    return value.fillna(team_value).fillna(0.0)


def open_deal_problem(dataset: Dataset, team_id: str, hours_available: float = 40.0,
                      hours_per_deal: float = 0.5, integer: bool = False,
                      available: Mapping[str, float] | None = None,
                      min_share: float = 0.5) -> AllocationProblem:
    """Units are open deals carried; each rep carries at least ``min_share`` of an even
    share of the hours the open deals need (so nobody is left without pipeline)."""
    deals = deals_frame(dataset)
    reps = team_reps(deals, team_id)
    open_deals = deals[(deals["outcome"] == "open") & deals["owner_id"].isin(reps)]
    counts = open_deals.groupby("product").size().sort_index()
    table = strengths(dataset, dimensions=["product"], deals=deals)
    table = table[table["team_id"] == team_id]
    value = _rep_value(table, reps, "product").reindex(columns=counts.index).fillna(0.0)
    value.columns = [f"open {p}" for p in value.columns]
    duties = [Duty(f"open {p}", float(n), hours_per_deal, max_total=float(n), unit=" open deals")
              for p, n in counts.items()]
    hours = {r: (available or {}).get(r, hours_available) for r in reps}
    floor = min_share * hours_per_deal * float(counts.sum()) / max(len(reps), 1)
    minimum = {r: min(floor, hours[r]) for r in reps}
    return AllocationProblem(reps, duties, hours, value, min_hours=minimum, integer=integer)


def activity_problem(dataset: Dataset, team_id: str,
                     targets: Mapping[str, float] | None = None,
                     hours_per_unit: Mapping[str, float] | None = None,
                     hours_available: float = 15.0, max_factor: float = 1.5,
                     integer: bool = False) -> AllocationProblem:
    hours = {**DEFAULT_HOURS, **(hours_per_unit or {})}
    deals = deals_frame(dataset)
    reps = team_reps(deals, team_id)
    acts = activities_frame(dataset)
    acts = acts[acts["payee_id"].isin(reps)]
    weeks = max((acts["date"].max() - acts["date"].min()).days / 7.0, 1.0) if len(acts) else 1.0
    weekly = (acts.groupby(["payee_id", "type"])["quantity"].sum() / weeks).unstack()
    if targets is None:
        # default: 10% more than the team did per week in its history, in whole units
        targets = {t: float(np.ceil(1.1 * weekly[t].sum())) for t in weekly.columns}
    targets = dict(targets)
    overall = strengths(dataset, dimensions=["overall"], deals=deals).set_index("payee_id")
    per_deal = (overall["win_shrunk"] * overall["size_shrunk"].fillna(overall["size_group"])
                ).reindex(reps).fillna(0.0)
    conversion = activity_conversion(dataset, deals=deals)
    conversion = conversion[conversion["team_id"] == team_id]
    conv = conversion.pivot_table(index="payee_id", columns="type", values="conv_shrunk",
                                  aggfunc="first").reindex(index=reps, columns=list(targets))
    conv = conv.fillna(conversion.groupby("type")["conv_group"].first()).fillna(0.0)
    value = conv.mul(per_deal, axis=0)
    weekly = weekly.reindex(index=reps, columns=list(targets))
    weekly = weekly.fillna(weekly.median()).fillna(np.inf)
    max_units = weekly * max_factor
    duties = [Duty(t, float(n), float(hours[t])) for t, n in targets.items()]
    return AllocationProblem(reps, duties, dict.fromkeys(reps, hours_available), value,
                             max_units=max_units, integer=integer)

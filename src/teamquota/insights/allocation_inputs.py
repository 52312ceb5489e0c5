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

**Diversity** (``diversity``, default :data:`DIVERSITY`): each rep carries at least that
fraction of an even share of every duty (open deals of each product; weekly activities of
each type), as per-person minimum units the leader can see and change. A linear program
otherwise puts all of a duty on the rep with the best value for it, which on the demo left
two reps with only MG Special deals; with the default every rep of every demo team carries
every product. 0 turns it off.

**Nobody dropped**: every member of the team (latest membership) is a rep of the program;
one without closed deals has no estimate of their own, is valued at the team's rate and
carries the reason (``problem.reasons``). Reps' values at the low and high ends of their
strength intervals give the plan's bookings range.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from teamquota.data.dataset import Dataset
from teamquota.insights.allocate import AllocationProblem, Duty
from teamquota.insights.frames import activities_frame, deals_frame
from teamquota.insights.strengths import activity_conversion, members, strengths

# the example targets for a team of about six (per week)
EXAMPLE_DUTIES = {"call": 120.0, "meeting": 40.0, "social_message": 300.0, "crm_update": 10.0}
DEFAULT_HOURS = {"call": 0.25, "meeting": 1.0, "social_message": 0.05, "crm_update": 0.5}
# each rep keeps at least half an even share of every duty. On the demo's five feasible
# teams (docs/insights.md has the table): 0 leaves 13 reps with one product and some at 1%
# of their even-split bookings; 0.1 and 0.25 give everyone two or more products but leave
# whole-unit plans with a rep at 1% / 12% of their even-split bookings; 0.5 keeps every rep
# at 42% or more and still books +2.2% (LP) over the even split (+4.2% unconstrained)
DIVERSITY = 0.5
NO_DEALS_VALUE = "no closed deals: valued at the team's rate"


class AllocationInputError(ValueError):
    """The team's data cannot make an allocation program (the message says why)."""


def team_reps(deals: pd.DataFrame, team_id: str, dataset: Dataset | None = None) -> list[str]:
    """The team's reps: by their latest deal's team, and (with ``dataset``) every member
    whose latest membership is the team, deals or not."""
    latest = deals.sort_values("close_date").groupby("owner_id")["team_id"].last()
    reps = set(latest[latest == team_id].index)
    if dataset is not None:
        team_of = members(dataset)
        reps |= {p for p, t in team_of.items() if t == team_id and p not in latest.index}
    return sorted(reps)


def _strengths_for(dataset: Dataset, team_id: str, dimension: str, deals: pd.DataFrame
                   ) -> pd.DataFrame:
    table = strengths(dataset, dimensions=[dimension], deals=deals)
    table = table[table["team_id"] == team_id] if len(table) else table
    if not len(table) or not table["deals"].gt(0).any():
        raise AllocationInputError(
            f"team {team_id!r} has no closed deal to measure strengths on (win rates and "
            "deal sizes value each rep's work): nothing to allocate by; close some deals "
            "first, or give an activities table")
    return table


def _rep_value(table: pd.DataFrame, reps: list[str], dimension: str, end: str = "shrunk"
               ) -> pd.DataFrame:
    """(payee_id, level) -> expected won amount per deal, team value where a rep has none.
    ``end``: ``shrunk`` (the estimate), ``low`` or ``high`` (both intervals' ends; a rep
    with no estimate of their own spans the team's lowest low to highest high)."""
    t = table[table["dimension"] == dimension].copy()
    t["value"] = t[f"win_{end}"] * t[f"size_{end}"].fillna(t["size_group"])
    t["team_value"] = t["win_group"] * t["size_group"]
    value = t.pivot_table(index="payee_id", columns="level", values="value", aggfunc="first")
    if end == "shrunk":
        fill = t.groupby("level")["team_value"].first()
    else:
        fill = t.groupby("level")["value"].agg("min" if end == "low" else "max")
    value = value.reindex(index=reps)
    return value.fillna(fill).fillna(0.0)


def _even_minimum(reps: list[str], targets: Mapping[str, float], diversity: float,
                  integer: bool) -> pd.DataFrame | None:
    """Each rep's minimum units of each duty: ``diversity`` x an even share (whole units
    rounded down in a whole-unit program, so the minimums never exceed the target)."""
    if diversity <= 0 or not reps:
        return None
    share = {d: diversity * t / len(reps) for d, t in targets.items()}
    if integer:
        share = {d: float(np.floor(v)) for d, v in share.items()}
    return pd.DataFrame([share] * len(reps), index=reps)


def _reasons(table: pd.DataFrame, reps: list[str]) -> dict[str, str]:
    measured = set(table.loc[table["deals"] > 0, "payee_id"])
    return {r: NO_DEALS_VALUE for r in reps if r not in measured}


def open_deal_problem(dataset: Dataset, team_id: str, hours_available: float = 40.0,
                      hours_per_deal: float = 0.5, integer: bool = False,
                      available: Mapping[str, float] | None = None,
                      min_share: float = 0.5, diversity: float = DIVERSITY
                      ) -> AllocationProblem:
    """Units are open deals carried; each rep carries at least ``min_share`` of an even
    share of the hours the open deals need (so nobody is left without pipeline) and at
    least ``diversity`` of an even share of each product's open deals."""
    deals = deals_frame(dataset)
    reps = team_reps(deals, team_id, dataset)
    open_deals = deals[(deals["outcome"] == "open") & deals["owner_id"].isin(reps)]
    counts = open_deals.groupby("product").size().sort_index()
    table = _strengths_for(dataset, team_id, "product", deals)

    def values(end: str) -> pd.DataFrame:
        v = _rep_value(table, reps, "product", end).reindex(columns=counts.index).fillna(0.0)
        v.columns = [f"open {p}" for p in v.columns]
        return v

    duties = [Duty(f"open {p}", float(n), hours_per_deal, max_total=float(n), unit=" open deals")
              for p, n in counts.items()]
    hours = {r: (available or {}).get(r, hours_available) for r in reps}
    floor = min_share * hours_per_deal * float(counts.sum()) / max(len(reps), 1)
    minimum = {r: min(floor, hours[r]) for r in reps}
    overall = table.groupby("payee_id")["deals"].sum().reset_index()
    return AllocationProblem(
        reps, duties, hours, values("shrunk"), min_hours=minimum, integer=integer,
        min_units=_even_minimum(reps, {d.name: d.target for d in duties}, diversity, integer),
        value_low=values("low"), value_high=values("high"),
        reasons=_reasons(overall, reps))


def activity_problem(dataset: Dataset, team_id: str,
                     targets: Mapping[str, float] | None = None,
                     hours_per_unit: Mapping[str, float] | None = None,
                     hours_available: float = 15.0, max_factor: float = 1.5,
                     integer: bool = False, diversity: float = DIVERSITY
                     ) -> AllocationProblem:
    hours = {**DEFAULT_HOURS, **(hours_per_unit or {})}
    deals = deals_frame(dataset)
    reps = team_reps(deals, team_id, dataset)
    acts = activities_frame(dataset)
    acts = acts[acts["payee_id"].isin(reps)]
    weeks = max((acts["date"].max() - acts["date"].min()).days / 7.0, 1.0) if len(acts) else 1.0
    weekly = (acts.groupby(["payee_id", "type"])["quantity"].sum() / weeks).unstack()
    if targets is None:
        # default: 10% more than the team did per week in its history, in whole units
        targets = {t: float(np.ceil(1.1 * weekly[t].sum())) for t in weekly.columns}
    targets = dict(targets)
    measured = _strengths_for(dataset, team_id, "overall", deals)
    overall = measured.set_index("payee_id")

    def per_deal(end: str) -> pd.Series:
        v = overall[f"win_{end}"] * overall[f"size_{end}"].fillna(overall["size_group"])
        team = overall["win_group"] * overall["size_group"]
        fill = {"shrunk": team.max(), "low": v.min(), "high": v.max()}[end]
        return v.reindex(reps).fillna(fill).fillna(0.0)

    conversion = activity_conversion(dataset, deals=deals)
    conversion = conversion[conversion["team_id"] == team_id]
    def conv_at(end: str) -> pd.DataFrame:
        """Conversion per rep and type at its estimate or an interval end (a rep without
        activities: the team's rate, or its reps' lowest low / highest high)."""
        c = conversion.pivot_table(index="payee_id", columns="type", values=f"conv_{end}",
                                   aggfunc="first").reindex(index=reps, columns=list(targets))
        by_type = conversion.groupby("type")
        fill = (by_type["conv_group"].first() if end == "shrunk" else
                by_type[f"conv_{end}"].agg("min" if end == "low" else "max"))
        return c.fillna(fill).fillna(0.0)

    conv = conv_at("shrunk")
    value = conv.mul(per_deal("shrunk"), axis=0)
    weekly = weekly.reindex(index=reps, columns=list(targets))
    weekly = weekly.fillna(weekly.median()).fillna(np.inf)
    max_units = weekly * max_factor
    duties = [Duty(t, float(n), float(hours[t])) for t, n in targets.items()]
    minimum = _even_minimum(reps, targets, diversity, integer)
    if minimum is not None:  # never above what a rep has shown they can do
        minimum = minimum.where(minimum <= max_units, max_units)
    return AllocationProblem(reps, duties, dict.fromkeys(reps, hours_available), value,
                             max_units=max_units, integer=integer, min_units=minimum,
                             value_low=conv_at("low").mul(per_deal("low"), axis=0),
                             value_high=conv_at("high").mul(per_deal("high"), axis=0),
                             reasons=_reasons(measured, reps))

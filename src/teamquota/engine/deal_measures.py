"""Deal measures aggregated stage by stage, without materialising per-deal credit rows.

A measure is a sum, so it can be summed in steps. Payee credits (owner, or split) are
summed per payee and period. The same rows joined to the credited payee's membership on the
close date are summed per (team, payee): that small table is each member's contribution,
its sums per team are the team measures, and joined to the team closure it gives the
roll-up measures - one join of a few thousand rows instead of one row per deal and
ancestor. Leader and overlay credits (reporting credit, off or absent in most plans) are
aggregated from their own credit rows.

The result has the rows and values of ``measure_table(all_credits(...))`` and
``contribution_table(...)``; tests/engine/test_deal_measures.py compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from teamquota.engine.credit import (
    OPEN_END,
    CreditInputs,
    leader_credits,
    overlay_credits,
    payee_credits,
    team_credits,
)
from teamquota.engine.measure import (
    CREDIT_ROWS,
    VALUE,
    ZERO_VALUE,
    component_filter,
    component_value,
)
from teamquota.plan.model import Component, Crediting

KEYS = ["period", "subject_type", "subject_id"]


@dataclass(frozen=True)
class DealMeasures:
    measures: ir.Table                # period, subject_type, subject_id, <ids>, CREDIT_ROWS
    contributions: ir.Table | None    # period, subject_id (team), payee_id, <team ids>


def _sums(rows: ir.Table, components: list[Component]) -> dict[str, ir.Value]:
    return {c.id: ibis.cases((component_filter(rows, c), component_value(rows, c)),
                             else_=ZERO_VALUE).sum() for c in components}


def _resum(table: ir.Table, keys: list[str], columns: list[str]) -> ir.Table:
    metrics = {c: table[c].sum() for c in columns}
    return table.group_by(keys).aggregate(**metrics)


def _shaped(table: ir.Table, subject_type: str, components: list[Component]) -> ir.Table:
    """Every piece in one shape: zeros for the other scope's components."""
    values = {c.id: (table[c.id] if c.id in table.columns else ZERO_VALUE).cast(VALUE)
              for c in components}
    return table.select("period", subject_type=ibis.literal(subject_type),
                        subject_id=table.subject_id, **values,
                        **{CREDIT_ROWS: table[CREDIT_ROWS].cast("int64")})


def _by_member(inputs: CreditInputs, payee_rows: ir.Table, components: list[Component],
               one_team_a_day: bool) -> tuple[ir.Table, ir.Table]:
    """(payee sums, member sums): per (period, payee) and per (period, team, payee)."""
    payee_side = [c for c in components if c.scope == "payee"]
    team_side = [c for c in components if c.scope == "team"]
    if not one_team_a_day:
        payee = payee_rows.group_by(["period", "subject_id"]).aggregate(
            **_sums(payee_rows, payee_side), **{CREDIT_ROWS: payee_rows.count()})
        direct = team_credits(payee_rows, inputs.memberships, inputs.closure, "close_date",
                              rollup=False)
        return payee, direct.group_by(["period", "subject_id", "payee_id"]).aggregate(
            **_sums(direct, team_side), **{CREDIT_ROWS: direct.count()})
    # With at most one membership per payee and day, a left join keeps every payee credit
    # exactly once, so one scan of the deals gives both the payee and the team sums.
    m = inputs.memberships.select(m_payee_id="payee_id", m_team_id="team_id",
                                  m_start="start_date", m_end="end_date")
    day = payee_rows.close_date
    joined = payee_rows.left_join(m, [payee_rows.payee_id == m.m_payee_id, day >= m.m_start,
                                      day <= m.m_end.fill_null(OPEN_END)])
    fine = joined.group_by(["period", "m_team_id", "payee_id"]).aggregate(
        **_sums(joined, components), **{CREDIT_ROWS: joined.count()})
    payee = _resum(fine, ["period", "payee_id"], [c.id for c in payee_side] + [CREDIT_ROWS])
    members = fine.filter(fine.m_team_id.notnull())
    return (payee.rename(subject_id="payee_id"),
            members.select("period", "payee_id", *[c.id for c in team_side], CREDIT_ROWS,
                           subject_id=members.m_team_id))


def deal_measures(inputs: CreditInputs, crediting: Crediting, components: list[Component],
                  with_contributions: bool, one_team_a_day: bool) -> DealMeasures:
    """``one_team_a_day``: no payee has two memberships on one day (checked by the caller
    on the memberships table), which lets one scan serve payee and team measures."""
    payee_side = [c for c in components if c.scope == "payee"]
    team_ids = [c.id for c in components if c.scope == "team"]
    payee_rows = payee_credits(inputs.events, inputs.splits, crediting.split_table)
    payee, by_member = _by_member(inputs, payee_rows, components, one_team_a_day)
    pieces = [_shaped(payee, "payee", components)]
    summed = [*team_ids, CREDIT_ROWS]
    by_team = _resum(by_member, ["period", "subject_id"], summed)
    team_pieces = [by_team]
    member_pieces = [by_member.drop(CREDIT_ROWS)]
    if crediting.rollup:
        c = inputs.closure.select(c_team_id="team_id", c_ancestor_id="ancestor_id")
        up = by_team.join(c, by_team.subject_id == c.c_team_id)
        team_pieces.append(_resum(up.mutate(subject_id=up.c_ancestor_id),
                                  ["period", "subject_id"], summed))
        if with_contributions:
            up_member = by_member.join(c, by_member.subject_id == c.c_team_id)
            member_pieces.append(_resum(up_member.mutate(subject_id=up_member.c_ancestor_id),
                                        ["period", "subject_id", "payee_id"], team_ids))
    pieces += [_shaped(piece, "team", components) for piece in team_pieces]

    # Reporting credit: counted in payee measures, never in team totals.
    reporting = []
    if crediting.leaders:
        every_team = team_credits(payee_rows, inputs.memberships, inputs.closure,
                                  "close_date", crediting.rollup)
        reporting.append(leader_credits(every_team, inputs.teams, inputs.leaderships))
    if crediting.overlay and inputs.coverage is not None:
        reporting.append(overlay_credits(inputs.events, inputs.memberships, inputs.coverage))
    for rows in reporting:
        pieces.append(_shaped(rows.group_by(["period", "subject_id"]).aggregate(
            **_sums(rows, payee_side), **{CREDIT_ROWS: rows.count()}), "payee", components))

    union = pieces[0]
    for piece in pieces[1:]:
        union = union.union(piece)
    # A subject can be in several pieces (a region with direct members is also an
    # ancestor; a leader may own deals too): sum them into one row.
    measures = _resum(union, KEYS, [c.id for c in components] + [CREDIT_ROWS])
    measures = measures.mutate(**{c.id: measures[c.id].cast(VALUE) for c in components},
                               **{CREDIT_ROWS: measures[CREDIT_ROWS].cast("int64")})
    contributions = None
    if with_contributions and team_ids:
        members = member_pieces[0]
        for piece in member_pieces[1:]:
            members = members.union(piece.select(*members.columns))
        contributions = _resum(members, ["period", "subject_id", "payee_id"], team_ids)
        contributions = contributions.mutate(**{i: contributions[i].cast(VALUE)
                                                for i in team_ids})
    return DealMeasures(measures, contributions)

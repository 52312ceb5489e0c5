"""Staged measures (engine/deal_measures.py) equal the aggregation of every per-deal credit
row (credit.all_credits + measure.measure_table over the rows a measure counts: every payee
row, and team rows with counts_for_team), the definition they replace, on a case
with splits, a mid-quarter move, a member of two teams at once, a region with members of
its own, leaders, overlays, a count and a filtered sum."""

from __future__ import annotations

from decimal import Decimal as Dec

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from teamquota.core.diagnostics import Diagnostics
from teamquota.data import Dataset
from teamquota.engine.calendar import run_periods
from teamquota.engine.credit import CreditInputs, all_credits, deals_in_periods
from teamquota.engine.deal_measures import deal_measures
from teamquota.engine.hierarchy import closure_rows, team_ancestors
from teamquota.engine.measure import (
    CREDIT_ROWS,
    ZERO_VALUE,
    component_filter,
    component_value,
    measure_table,
)
from teamquota.engine.membership import one_team_a_day
from teamquota.plan import load_plan_text
from teamquota.plan.model import Component
from tests.engine.test_hybrid import deal

PLAN = """
plan: staged
period: quarter
crediting: {leaders: true}
components:
  - id: won
    scope: payee
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: count
    scope: payee
    measure: {count: true, where: {stage: [Won, Lost]}}
    payout: {per_deal: 1}
  - id: team_won
    scope: team
    weight: 0.5
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
"""

PAYEES = [{"payee_id": p, "name": p, "target_incentive": "40000"}
          for p in ("ann", "bob", "cy", "lee", "sam")]
TEAMS = [{"team_id": "east", "name": "East", "leader_id": "lee", "parent_team_id": "na"},
         {"team_id": "west", "name": "West", "parent_team_id": "na"},
         {"team_id": "na", "name": "North America", "leader_id": "lee"}]
MOVES = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01",
          "end_date": "2017-02-14"},
         {"payee_id": "ann", "team_id": "west", "start_date": "2017-02-15"},
         {"payee_id": "bob", "team_id": "west", "start_date": "2017-01-01"},
         {"payee_id": "lee", "team_id": "na", "start_date": "2017-01-01"}]
# cy belongs to east and west at once from March: her deals then credit both teams
TWO_TEAMS = [{"payee_id": "cy", "team_id": "east", "start_date": "2017-01-01"},
             {"payee_id": "cy", "team_id": "west", "start_date": "2017-03-01"}]
DEALS = [deal("d1", "ann", "1000", "2017-02-01"),
         deal("d2", "ann", "250.55", "2017-03-01", account="Acme"),
         deal("d3", "bob", "400", "2017-02-10", stage="Lost"),
         deal("d4", "cy", "99.99", "2017-03-05"),
         deal("d5", "cy", "10", "2017-02-05", account="Acme"),
         deal("d6", "lee", "700", "2017-05-01"),
         deal("d7", "bob", "123.45", "2017-04-02")]
SPLITS = [{"deal_id": "d1", "payee_id": "ann", "share": "0.6"},
          {"deal_id": "d1", "payee_id": "bob", "share": "0.4"}]
COVERAGE = [{"payee_id": "sam", "covers_type": "account", "covers_id": "Acme",
             "start_date": "2017-01-01", "share": "0.5"},
            {"payee_id": "sam", "covers_type": "team", "covers_id": "west",
             "start_date": "2017-01-01", "share": "0.25"}]


def counted(credits: ir.Table) -> ir.Table:
    """The rows a measure counts: leader and overlay credits count for their payee, never
    for a team (counts_for_team false)."""
    return credits.filter((credits.subject_type == "payee") | credits.counts_for_team)


def measures_of(credits: ir.Table, components: list[Component]) -> ir.Table:
    """measure_table with each subject's count of counted credit rows."""
    rows = counted(credits)
    sums = measure_table(rows, components)
    keys = ["period", "subject_type", "subject_id"]
    counts = rows.group_by(keys).aggregate(**{CREDIT_ROWS: rows.count()})
    return sums.join(counts, keys)


def contribution_table(credits: ir.Table, components: list[Component]) -> ir.Table:
    """Each member's contribution to each team measure: (period, team, payee, <id>...)."""
    rows = counted(credits)
    team = rows.filter(rows.subject_type == "team")
    metrics = {c.id: ibis.cases((component_filter(team, c), component_value(team, c)),
                                else_=ZERO_VALUE).sum() for c in components}
    return team.group_by(["period", "subject_id", "payee_id"]).aggregate(**metrics)


def _sorted(table: pa.Table, keys: list[str]) -> list[dict[str, object]]:
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


@pytest.mark.parametrize("members", [MOVES, MOVES + TWO_TEAMS], ids=["one_team", "two_teams"])
def test_staged_measures_equal_per_deal_credit_rows(backend, members):
    loaded = load_plan_text(PLAN, "plan.yaml")
    plan = loaded.plan
    data = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=members, deals=DEALS,
                                splits=SPLITS, coverage=COVERAGE)
    ancestors = team_ancestors(data["teams"], Diagnostics())
    periods = run_periods(plan, data["deals"], None)
    inputs = CreditInputs(
        deals_in_periods(backend.load("deals", data["deals"]), periods, None, plan.currency),
        backend.load("splits", data["splits"]), backend.load("memberships", data["memberships"]),
        backend.load("closure", closure_rows(ancestors)), backend.load("teams", data["teams"]),
        backend.load("coverage", data["coverage"]))
    credits = all_credits(inputs, True, True, True, True)
    components = plan.components
    team_side = [c for c in components if c.scope == "team"]
    single = one_team_a_day(data["memberships"])
    assert single == (members is MOVES)

    staged = deal_measures(inputs, plan.crediting, components, True, single)
    keys = ["period", "subject_type", "subject_id"]
    expected = _sorted(backend.collect(measures_of(credits, components)), keys)
    assert _sorted(backend.collect(staged.measures), keys) == expected
    member_keys = ["period", "subject_id", "payee_id"]
    assert staged.contributions is not None
    assert _sorted(backend.collect(staged.contributions), member_keys) == _sorted(
        backend.collect(contribution_table(credits, team_side)), member_keys)

    by_key = {(r["period"], r["subject_type"], r["subject_id"]): r for r in expected}
    # Hand check, 2017-Q1. east: ann's 60% of d1 = 600 (before her move on 02-15), and
    # with two teams cy's d4 99.99 + d5 10 (cy is in no team otherwise) = 709.99. west:
    # bob's 40% of d1 400 + ann's d2 250.55 (after the move) = 650.55, and with two teams
    # cy's March deal d4 99.99 = 750.54. na rolls both up: 1,250.55 or 1,460.53.
    two = members is not MOVES
    assert by_key[("2017-Q1", "team", "east")]["team_won"] == (
        Dec("709.99") if two else Dec("600"))
    assert by_key[("2017-Q1", "team", "west")]["team_won"] == (
        Dec("750.54") if two else Dec("650.55"))
    assert by_key[("2017-Q1", "team", "na")]["team_won"] == (
        Dec("1460.53") if two else Dec("1250.55"))
    # ann's count: her split of d1 (share 0.6) + d2 = 1.6 deals
    assert by_key[("2017-Q1", "payee", "ann")]["count"] == Dec("1.6")

"""The watchlist reading the engine: team payouts per member and attainment by the plan."""

from __future__ import annotations

import pytest

from teamquota.insights.engine_inputs import (
    calculate_for_insights,
    engine_attainment,
    team_payouts,
)
from teamquota.insights.watchlist import free_riders
from teamquota.plan.loader import load_plan_text
from tests.insights.conftest import closed_deals, team_dataset

POOL = """
plan: pool
period: quarter
components:
  - id: pool
    scope: team
    measure: {{sum: amount, where: {{stage: Won}}}}
    {gate}
    payout:
      pool: {{rate: 0.1, split: equal}}
"""


def _team() -> object:
    deals = (closed_deals("ann", 1, 0, amount=600) + closed_deals("bob", 1, 0, amount=300)
             + closed_deals("cy", 1, 0, amount=100))
    return team_dataset(deals, dict.fromkeys(["ann", "bob", "cy"], "red"))


def test_team_payouts__equal_pool_makes_a_free_rider_by_hand() -> None:
    # pool 10% x 1000 = 100.00 split equally: 33.34 / 33.33 / 33.33 (the odd cent to the
    # first); cy contributed 10% and gets 33.33% >= 2 x 10% -> free rider
    loaded = load_plan_text(POOL.format(gate=""))
    data, results = calculate_for_insights(_team(), loaded)
    paid = team_payouts(results).set_index("payee_id")["amount"]
    assert paid.to_dict() == pytest.approx({"ann": 33.34, "bob": 33.33, "cy": 33.33})
    riders = free_riders(data, team_payouts(results))
    assert riders[riders["free_rider"]]["payee_id"].tolist() == ["cy"]
    assert riders["payout_basis"].iloc[0] == "engine payouts"


def test_team_payouts__the_contribution_guard_removes_the_free_rider() -> None:
    # with min_contribution_share 0.15 cy (10%) does not share: ann and bob get 50.00 each
    loaded = load_plan_text(POOL.format(gate="gate: {min_contribution_share: 0.15}"))
    data, results = calculate_for_insights(_team(), loaded)
    paid = team_payouts(results).set_index("payee_id")["amount"]
    assert paid.to_dict() == pytest.approx({"ann": 50.0, "bob": 50.0, "cy": 0.0})
    assert not free_riders(data, team_payouts(results))["free_rider"].any()


def test_engine_attainment__reads_the_plans_payee_component(history) -> None:
    plan = load_plan_text("""
plan: syn
period: quarter
eligible_roles: [AE]
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    target: {measure: bookings}
    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]]}
""")
    data, results = calculate_for_insights(history.dataset, plan)
    att = engine_attainment(results, data, plan)
    # 36 reps x the 8 quarters that have targets; attainment = won / target exactly
    assert len(att) == 36 * 8
    row = att.iloc[0]
    assert row["attainment"] == pytest.approx(row["won_amount"] / row["target_amount"])
    assert set(att["team_id"]) == {f"team-{i}" for i in range(1, 7)}


def test_with_plan_targets__suggests_for_the_plans_effective_quarters_as_the_demo_does() -> None:
    # no targets table: targets are suggested for the plan's measures (personal, team) and
    # only its effective quarters (2017-Q2, 2017-Q3), exactly as `teamquota demo` /
    # targets.for_plan.suggest_for_plan make them; a dataset with targets is left as it is
    from teamquota.data.tables import TARGETS
    from teamquota.insights.engine_inputs import with_plan_targets
    from teamquota.targets.for_plan import suggest_for_plan
    plan = load_plan_text("""
plan: h
period: quarter
effective: {start: 2017-04-01, end: 2017-09-30}
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
  - id: team
    scope: team
    weight: 0.6
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1]]}
""", "<h>")
    data = _team()
    made = with_plan_targets(data, plan)["targets"]
    assert made.equals(suggest_for_plan(data, plan.plan).select(TARGETS.column_names))
    rows = made.to_pylist()
    assert {r["period"] for r in rows} == {"2017-Q2", "2017-Q3"}
    assert {(r["subject_type"], r["measure"]) for r in rows} == {("payee", "personal"),
                                                                  ("team", "team")}
    again = with_plan_targets(data.replace(targets=made), plan)
    assert again["targets"] is made

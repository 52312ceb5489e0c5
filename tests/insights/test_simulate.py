"""Plan-fit simulator: designs are valid plans, the engine pays every replicate, and the
statistics match hand arithmetic on a two-rep team."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from teamquota.insights.replay import build_replay, monthly_history
from teamquota.insights.simulate import (
    CAVEAT,
    DESIGNS,
    design_plan,
    gini,
    measure,
    pay,
    pool_rate_for,
    simulate,
)
from tests.insights.conftest import team_dataset


def _two_reps():
    # a wins 100 in each of Jan, Feb, Mar 2017; b wins 300 in March only.
    # Targets (mean monthly won x 3): a 300, b 300. TI 10000 each -> 2500 per quarter.
    deals = [
        {"deal_id": f"a{m}", "owner_id": "a", "stage": "Won", "amount": "100",
         "close_date": day} for m, day in enumerate(["2017-01-01", "2017-02-10", "2017-03-31"])
    ] + [{"deal_id": "b1", "owner_id": "b", "stage": "Won", "amount": "300",
          "close_date": "2017-03-10"}]
    return team_dataset(deals, {"a": "t", "b": "t"})


def test_gini__by_hand() -> None:
    # [0, 0, 0, 4]: sum_i i*x_(i) = 4*4 = 16 -> 2*16/(4*4) - 5/4 = 0.75; equal pay -> 0
    assert gini(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0])) == 0.0


def test_design_plan__every_design_is_a_valid_plan() -> None:
    weights = {d: {c.id: c.weight for c in design_plan(d).plan.components} for d in DESIGNS}
    assert weights["individual"] == {"personal": Decimal("1")}
    assert weights["hybrid 70/30"] == {"personal": Decimal("0.7"), "team": Decimal("0.3")}
    assert weights["hybrid 40/60"] == {"personal": Decimal("0.4"), "team": Decimal("0.6")}
    assert weights["team only"] == {"team": Decimal("1")}
    guard = design_plan("team pool + guard").plan.components[0].gate
    assert guard.min_contribution_share == Decimal("0.05")
    gate = design_plan("team only", Decimal("0.9")).plan.components[0].gate
    assert gate.team_attainment_at_least == Decimal("0.9")


def test_monthly_history__full_months_only_with_zero_months() -> None:
    history = monthly_history(_two_reps()).set_index(["payee_id", "period"])["won_amount"]
    assert history.to_dict() == {("a", "2017-01"): 100, ("a", "2017-02"): 100,
                                 ("a", "2017-03"): 100, ("b", "2017-01"): 0,
                                 ("b", "2017-02"): 0, ("b", "2017-03"): 300}


def test_pay__individual_design_matches_the_curve_by_hand() -> None:
    # Each replicate draws 3 months for the team; a always wins 300 = target -> curve 1.0
    # -> 10000/4 x 1 = 2500. b wins 300 x k (k = March draws): k=0 -> 0; k=1 -> att 1 ->
    # 2500; k>=2 -> att >= 2 -> 1 + 2 x (att - 1) >= 3, capped at 2.5 -> 6250.
    replay = build_replay(_two_reps(), replicates=40, seed=3, reps="fixed")
    paid = pay(replay, design_plan("individual"))
    a = paid[paid["rep_id"] == "a"]
    assert (a["amount"] == 2500.0).all()
    b = paid[paid["rep_id"] == "b"]
    k = (b["won_amount"] / 300).round().astype(int)
    expected = k.map({0: 0.0, 1: 2500.0, 2: 6250.0, 3: 6250.0})
    assert b["amount"].tolist() == expected.tolist()
    stats = measure(paid)
    assert stats["rep_earns_nothing"] == pytest.approx((k == 0).sum() / 80)
    assert stats["expected_total"] == pytest.approx(2500 + expected.mean())


def test_pay__team_only_design_and_its_gate_by_hand() -> None:
    # team target 600; team won 300 + 300k -> attainment (1 + k) / 2:
    # k=0: 50% < gate 80% -> nothing; k=1: 100% -> 1.0 -> 2500 each;
    # k=2: 150% -> 1.6 + 2 x 0.2 = 2.0 (= cap) -> 5000 each; k=3: 200% -> cap 2.0 -> 5000
    replay = build_replay(_two_reps(), replicates=40, seed=3, reps="fixed")
    paid = pay(replay, design_plan("team only"))
    b = paid[paid["rep_id"] == "b"].set_index("period")
    k = (b["won_amount"] / 300).round().astype(int)
    per_seat = k.map({0: 0.0, 1: 2500.0, 2: 5000.0, 3: 5000.0})
    a = paid[paid["rep_id"] == "a"].set_index("period")["amount"]
    assert a.tolist() == per_seat.tolist()
    assert b["amount"].tolist() == per_seat.tolist()
    assert measure(paid)["team_earns_nothing"] == pytest.approx((k == 0).mean())


def test_pool_rate_for__team_at_target_pays_its_period_ti() -> None:
    # period TI 2 x 10000 / 4 = 5000; team target per quarter 600 -> 5000/600 = 8.3333
    replay = build_replay(_two_reps(), replicates=10, seed=0, reps="fixed")
    assert pool_rate_for(replay) == Decimal("8.3333")


def test_simulate__summary_sensitivity_and_recommendation() -> None:
    result = simulate(_two_reps(), designs=["individual", "team only"], replicates=20,
                      seed=1, thresholds=[Decimal("0.5"), Decimal("1.0")], reps="fixed")
    assert result.summary["design"].tolist() == ["individual", "team only"]
    team = result.sensitivity[result.sensitivity["design"] == "team only"].set_index(
        "threshold")
    # a stricter gate can only take pay away
    assert team.loc[0.5, "expected_total"] >= team.loc[0.8, "expected_total"] >= team.loc[
        1.0, "expected_total"]
    assert result.recommendation.endswith(CAVEAT)
    assert result.recommendation.startswith("Lowest expected cost: ")

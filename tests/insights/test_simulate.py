"""Plan-fit simulator: designs are valid plans, the engine pays every replicate, and the
statistics match hand arithmetic on a two-rep team."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

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


# --- plan fit on the plan's real targets, with the back-test (issue 16) ---

HAND_PLAN = """
plan: hand
period: quarter
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout:
      curve: [[0, 0], [1, 1]]
      cap: 2
"""


def _hand_case():
    # a wins 100 + 50 in 2017-Q1 (target 300) and 300 in Q2 (target 200); b wins nothing
    # in Q1 (target 100) and 150 in Q2 (target 100). TI 10000 -> 2500 per quarter.
    # Engine, curve y = attainment capped at 2: a Q1 150/300 = 0.5 -> 1250.00;
    # a Q2 300/200 = 1.5 -> 3750.00; b Q1 0 -> 0.00; b Q2 150/100 = 1.5 -> 3750.00.
    deals = [{"deal_id": "a1", "owner_id": "a", "stage": "Won", "amount": "100",
              "close_date": "2017-01-10"},
             {"deal_id": "a2", "owner_id": "a", "stage": "Won", "amount": "50",
              "close_date": "2017-03-31"},
             {"deal_id": "a3", "owner_id": "a", "stage": "Won", "amount": "300",
              "close_date": "2017-05-02"},
             {"deal_id": "a4", "owner_id": "a", "stage": "Lost", "amount": "999",
              "close_date": "2017-05-03"},
             {"deal_id": "b1", "owner_id": "b", "stage": "Won", "amount": "150",
              "close_date": "2017-06-30"}]
    targets = [{"subject_type": "payee", "subject_id": p, "measure": "personal",
                "period": q, "amount": a} for p, q, a in [
        ("a", "2017-Q1", "300"), ("a", "2017-Q2", "200"), ("b", "2017-Q1", "100"),
        ("b", "2017-Q2", "100")]]
    return team_dataset(deals, {"a": "t", "b": "t"}, targets=targets)


def _paid(results):
    return {(r["payee_id"], r["period"]): r["amount"] for r in results.totals().to_pylist()}


def test_backtest__hand_case_reproduces_the_engine_to_the_cent() -> None:
    import teamquota
    from teamquota.insights.replay import backtest
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(HAND_PLAN, "<hand>")
    data = _hand_case()
    results = teamquota.calculate(plan, data)
    assert _paid(results) == {("a", "2017-Q1"): Decimal("1250.00"),
                              ("a", "2017-Q2"): Decimal("3750.00"),
                              ("b", "2017-Q1"): Decimal("0.00"),
                              ("b", "2017-Q2"): Decimal("3750.00")}
    check = backtest(data, plan, results)
    assert check.ok and check.lines == 4 and check.total == Decimal("8750.00")
    assert check.message == ("back-test: replaying 2017-Q1 to 2017-Q2 pays the engine's 4 "
                             "payout amounts (payee x period x component) to the cent, "
                             "8,750.00 in all")


def test_backtest__a_plan_the_replay_cannot_stand_in_for_stops_with_the_difference() -> None:
    # the plan pays on GTX deals only; the replay sums every Won deal into one deal with no
    # product, so a's Q1 measure becomes 150 where the engine measured 100 (a1 only):
    # engine a Q1 100/300 -> 833.33, replay 0 (no GTX deal at all) -> the first difference
    import teamquota
    from teamquota.insights.replay import ReplayMismatch, backtest
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(HAND_PLAN.replace("{stage: Won}", "{stage: Won, product: GTX}"),
                          "<hand>")
    data = _hand_case()
    data = data.replace(deals=data["deals"].set_column(
        data["deals"].schema.get_field_index("product"), "product",
        __import__("pyarrow").array(["GTX", None, None, None, None])))
    check = backtest(data, plan, teamquota.calculate(plan, data))
    assert not check.ok
    assert check.message.startswith(
        "back-test failed: replaying 2017-Q1 to 2017-Q2 pays a 0.00 in 2017-Q1 on component "
        "'personal', the engine paid 833.33 on the real data (1 of 4 amounts differ, and 1 "
        "measure)")
    with pytest.raises(ReplayMismatch, match="back-test failed"):
        simulate(data, designs=["individual"], replicates=10, plan=plan)


def test_backtest__equal_payouts_from_a_misread_measure_still_fail() -> None:
    # as above, but the curve pays nothing under 50%: a's GTX 100 / 300 = 33% -> 0.00, and
    # the replay's 0 -> 0.00 too; the payouts agree, the measures (100 vs 0) do not
    import pyarrow as pa

    import teamquota
    from teamquota.insights.replay import backtest
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(HAND_PLAN.replace("{stage: Won}", "{stage: Won, product: GTX}")
                          .replace("[[0, 0], [1, 1]]", "[[0.5, 0], [1, 1]]"), "<hand>")
    data = _hand_case()
    deals = data["deals"]
    data = data.replace(deals=deals.set_column(deals.schema.get_field_index("product"),
                                               "product",
                                               pa.array(["GTX", None, None, None, None])))
    check = backtest(data, plan, teamquota.calculate(plan, data))
    assert check.message.startswith(
        "back-test failed: replaying 2017-Q1 to 2017-Q2 measures a 0.00 in 2017-Q1 on "
        "component 'personal', the engine measured 100.00 on the real data (0 of 4 amounts "
        "differ, and 1 measure)")


def test_simulate__current_plan_on_real_targets_is_marked_current() -> None:
    from teamquota.insights.replay import PlanTargets, build_replay
    from teamquota.plan.loader import load_plan_text
    plan = load_plan_text(HAND_PLAN, "<hand>")
    result = simulate(_hand_case(), designs=["individual"], replicates=20, seed=1,
                      reps="fixed", plan=plan)
    assert result.current == "current (hand)"
    assert result.summary[["design", "current"]].values.tolist() == [
        ["individual", False], ["current (hand)", True]]
    assert result.notes[0].startswith("back-test: replaying 2017-Q1 to 2017-Q2")
    # every seat's target is its rep's real target in the borrowed quarter
    data = _hand_case()
    targets = PlanTargets(data["targets"].to_pandas(), ["2017-Q1", "2017-Q2"], "personal",
                          None)
    seats = build_replay(data, 20, seed=1, reps="fixed", targets=targets).seats
    real = {("a", "2017-Q1"): 300.0, ("a", "2017-Q2"): 200.0, ("b", "2017-Q1"): 100.0,
            ("b", "2017-Q2"): 100.0}
    assert [real[(r, q)] for r, q in zip(seats["rep_id"], seats["source_period"],
                                         strict=True)] == seats["target_amount"].tolist()
    assert set(seats["source_period"]) == {"2017-Q1", "2017-Q2"}


@pytest.mark.slow
def test_simulate__demo_backtest_matches_teamquota_demo_to_the_cent() -> None:
    # the demo's actual payouts: the AE hybrid plan on targets suggested as `teamquota demo`
    # makes them; 35 payees x 3 quarters x 2 components = 210 amounts, 221,627.22 in all
    import teamquota
    from teamquota.cli.demo import demo_plan_path
    from teamquota.cli.run import demo_data
    from teamquota.insights.engine_inputs import with_plan_targets
    from teamquota.insights.replay import backtest
    from teamquota.plan.loader import load_plan
    plan = load_plan(demo_plan_path())
    shown = teamquota.calculate(plan, demo_data(plan.plan))   # what `teamquota demo` pays
    data = with_plan_targets(teamquota.demo_dataset(), plan)
    assert data["targets"].equals(demo_data(plan.plan)["targets"])
    check = backtest(data, plan, teamquota.calculate(plan, data))
    assert check.ok and check.lines == 210
    assert check.total == sum((r["amount"] for r in shown.totals().to_pylist()), Decimal(0))
    assert check.total == Decimal("221627.22")
    # the team line paid nothing in 13 of 18 team-quarters (celia-rouche, summer-sewald all
    # three; cara-losch, dustin-brinkmann, rocco-neubert two; melvin-marxen one)
    assert (check.team_line_zero, check.team_periods) == (13, 18)


HYBRID_PLAN = """
plan: hybrid
period: quarter
components:
  - id: personal
    scope: payee
    weight: 0.4
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]], cap: 2.5}
  - id: team
    scope: team
    weight: 0.6
    measure: {sum: amount, where: {stage: Won}}
    gate: {team_attainment_at_least: 0.8}
    payout: {curve: [[0.8, 0.5], [1, 1], [1.3, 1.6]], cap: 2.0}
"""

CENTS = st.integers(1, 500_000)


# no shrinking phase: every example runs the engine twice, and shrinking a failure took
# over five minutes (it found the history without a Won deal, now typed in replay._dataset)
@settings(max_examples=12, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_backtest__any_history_of_won_deals_replays_to_the_cent(data) -> None:
    # invariant: for a plan that sums Won amounts, collapsing each rep's Won deals of a
    # quarter into one deal changes no payout line by a cent, whatever the amounts, the
    # targets (payee and team) and how many deals close; Lost deals never count
    import teamquota
    from teamquota.insights.replay import backtest
    from teamquota.plan.loader import load_plan_text
    reps = data.draw(st.sampled_from([["a"], ["a", "b"], ["a", "b", "c"]]))
    deals, targets = [], []
    for q, month in (("2017-Q1", 2), ("2017-Q2", 5)):
        for rep in reps:
            for k, cents in enumerate(data.draw(st.lists(CENTS, max_size=3))):
                stage = data.draw(st.sampled_from(["Won", "Won", "Lost"]))
                deals.append({"deal_id": f"{rep}{q}{k}", "owner_id": rep, "stage": stage,
                              "amount": f"{cents / 100:.2f}",
                              "close_date": f"2017-{month:02d}-{10 + k}"})
            targets.append({"subject_type": "payee", "subject_id": rep, "measure": "personal",
                            "period": q, "amount": str(data.draw(st.integers(100, 5000)))})
        targets.append({"subject_type": "team", "subject_id": "t", "measure": "team",
                        "period": q, "amount": str(data.draw(st.integers(100, 15000)))})
    # a history without a Won deal too (it once crashed the replay's deals table)
    deals.append({"deal_id": "x", "owner_id": "a", "stage": "Lost", "amount": "1.00",
                  "close_date": "2017-02-01"})
    dataset = team_dataset(deals, dict.fromkeys(reps, "t"), targets=targets)
    plan = load_plan_text(HYBRID_PLAN, "<hybrid>")
    check = backtest(dataset, plan, teamquota.calculate(plan, dataset))
    assert check.ok, check.message


def test_simulate__a_plan_that_pays_nothing_on_the_data_stops_clearly() -> None:
    from teamquota.insights.replay import ReplayMismatch
    from teamquota.plan.loader import load_plan_text
    # the plan is effective in 2018 only; the hand case closes deals in 2017
    plan = load_plan_text(HAND_PLAN.replace("period: quarter", "period: quarter\neffective: "
                                            "{start: 2018-01-01, end: 2018-12-31}"), "<hand>")
    with pytest.raises(ReplayMismatch, match="^the current plan 'hand' pays no line on this "
                                             "data, so there is nothing to back-test"):
        simulate(_hand_case(), designs=["individual"], replicates=10, plan=plan)


@pytest.mark.slow
def test_simulate_command__marks_the_current_plan_in_the_table_and_csv(tmp_path) -> None:
    import csv

    import typer
    from typer.testing import CliRunner

    from teamquota.cli.insights import register
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["simulate", "--replicates", "10", "--thresholds", "0.8",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "current (ae_hybrid_2017)  <- current" in result.stdout
    assert ("back-test: replaying 2017-Q2 to 2017-Q4 pays the engine's 210 payout amounts "
            "(payee x period x component) to the cent, 221,627.22 in all") in result.stdout
    with open(tmp_path / "designs.csv", encoding="utf-8") as f:
        rows = {r["design"]: r["current"] for r in csv.DictReader(f)}
    assert rows["current (ae_hybrid_2017)"] == "True" and rows["individual"] == "False"


SYNTHETIC_PLAN = HYBRID_PLAN.replace(
    "    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]], cap: 2.5}",
    "    target: {measure: bookings}\n    payout: {curve: [[0.5, 0], [1, 1], [1.5, 2]], "
    "cap: 2.5}").replace(
    "    gate: {team_attainment_at_least: 0.8}",
    "    target: {source: sum_of_members, of: personal}\n"
    "    gate: {team_attainment_at_least: 0.8}")


def _perturbed(dataset, kind: str):  # noqa: ANN001, ANN202 - Dataset
    """The synthetic history as the replay cannot reproduce it: a rep who changed team half
    way, Won spelled 'Closed Won' (the plan's measure reads 'Won'), or (a plan change) a
    measure on one product."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc
    if kind == "moved rep":
        m = dataset["memberships"].to_pylist()
        closes = dataset["deals"]["close_date"].drop_null()
        first, last = pc.min(closes).as_py(), pc.max(closes).as_py()
        mid = (first + (last - first) / 2).replace(day=15)
        other = next(r["team_id"] for r in m if r["team_id"] != m[0]["team_id"])
        rows = [{**m[0], "end_date": mid},
                {**m[0], "team_id": other, "start_date": mid + dt.timedelta(days=1),
                 "end_date": None}, *m[1:]]
        return dataset.replace(memberships=pa.Table.from_pylist(
            rows, schema=dataset["memberships"].schema))
    if kind == "Closed Won":
        d = dataset["deals"]
        stage = pc.if_else(pc.equal(d["stage"], "Won"), "Closed Won", d["stage"])
        return dataset.replace(deals=d.set_column(d.schema.get_field_index("stage"), "stage",
                                                  stage))
    return dataset


def _seeds() -> range:
    # the committed run is 2 seeds (a few seconds); the documented evaluation:
    # TEAMQUOTA_BACKTEST_SEEDS=100-119 pytest tests/insights/test_simulate.py -k perturbed -s
    import os
    first, _, last = os.environ.get("TEAMQUOTA_BACKTEST_SEEDS", "0-1").partition("-")
    return range(int(first), int(last or first) + 1)


def test_backtest__passes_clean_synthetic_histories_and_catches_perturbed_ones() -> None:
    # false alarms: the back-test must pass on every clean synthetic history (a generator
    # the replay was not written against: 6 teams, warm-up quarters, leaders, owner
    # changes); power: it must fail on every perturbed one
    import teamquota
    from teamquota.insights.replay import backtest
    from teamquota.insights.synthetic import generate_history
    from teamquota.plan.loader import load_plan_text
    assert SYNTHETIC_PLAN.count("target:") == 2
    plan = load_plan_text(SYNTHETIC_PLAN, "<synthetic>")
    passed: dict[str, int] = {}
    seeds = _seeds()
    for seed in seeds:
        clean = generate_history(seed).dataset
        product = clean["deals"]["product"].drop_null()[0].as_py()
        on_product = load_plan_text(SYNTHETIC_PLAN.replace(
            "where: {stage: Won}}\n    target: {measure: bookings}",
            f"where: {{stage: Won, product: '{product}'}}}}\n    target: {{measure: bookings}}"),
            "<product>")
        for kind, p in (("clean", plan), ("moved rep", plan), ("Closed Won", plan),
                        ("product measure", on_product)):
            data = _perturbed(clean, kind)
            check = backtest(data, p, teamquota.calculate(p, data))
            passed[kind] = passed.get(kind, 0) + check.ok
    print(f"back-test passed, seeds {seeds.start}-{seeds.stop - 1}: {passed}")
    assert passed == {"clean": len(seeds), "moved rep": 0, "Closed Won": 0,
                      "product measure": 0}

"""Incremental recalculation equals a full recalculation to the cent."""

import random
from decimal import Decimal as Dec

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teamquota.backends import connect
from teamquota.data import Dataset
from teamquota.data.external import parse_source
from teamquota.engine.incremental import changed_deal_ids, recalculate
from teamquota.engine.run import run
from teamquota.plan import load_plan_text
from tests.engine.test_hybrid import HYBRID

DUCKDB = connect("duckdb")
POOL_AND_DRAW = """
plan: pool-draw
period: quarter
draw: {amount: 500, kind: recoverable}
components:
  - id: personal
    scope: payee
    weight: 1
    accumulate: ytd
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1], [2, 3]]}
  - id: pool
    scope: team
    measure: {sum: amount, where: {stage: Won}}
    gate: {min_contribution_share: 0.1}
    payout: {pool: {rate: 0.01, split: contribution}}
"""


def dataset(seed: int, deals: int) -> Dataset:
    rng = random.Random(seed)
    payees = [f"p{i}" for i in range(6)]
    teams = ["a", "b", "c"]
    memberships = []
    for p in payees:
        first, second = rng.sample(teams, 2)
        if rng.random() < 0.3:   # moves team mid-year
            memberships += [{"payee_id": p, "team_id": first, "start_date": "2017-01-01",
                             "end_date": "2017-05-14"},
                            {"payee_id": p, "team_id": second, "start_date": "2017-05-15"}]
        else:
            memberships.append({"payee_id": p, "team_id": first, "start_date": "2017-01-01"})
    targets = [{"subject_type": "payee", "subject_id": p, "measure": m, "period": q,
                "amount": str(rng.randrange(10, 60) * 1000)}
               for p in payees for m in ("personal",) for q in ("2017-Q1", "2017-Q2")]
    targets += [{"subject_type": "team", "subject_id": t, "measure": "team", "period": q,
                 "amount": str(rng.randrange(40, 120) * 1000)}
                for t in teams for q in ("2017-Q1", "2017-Q2")]
    return Dataset.from_records(
        payees=[{"payee_id": p, "name": p, "target_incentive": str(rng.randrange(8, 40) * 1000)}
                for p in payees],
        teams=[{"team_id": t, "name": t, "parent_team_id": "all" if t != "all" else None}
               for t in teams] + [{"team_id": "all", "name": "All"}],
        memberships=memberships,
        deals=[random_deal(rng, f"d{i}", payees) for i in range(deals)],
        targets=targets)


def random_deal(rng: random.Random, deal_id: str, payees: list[str]) -> dict:
    return {"deal_id": deal_id, "owner_id": rng.choice(payees),
            "amount": f"{rng.randrange(100, 3000000) / 100:.2f}",
            "stage": rng.choice(["Won", "Won", "Lost"]),
            "close_date": f"2017-0{rng.randrange(1, 7)}-{rng.randrange(1, 29):02d}"}


def edit(data: Dataset, seed: int) -> Dataset:
    """Add, change and cancel a few deals."""
    rng = random.Random(seed)
    rows = data["deals"].to_pylist()
    payees = data["payees"]["payee_id"].to_pylist()
    for _ in range(rng.randrange(1, 4)):
        action = rng.choice(["add", "change", "cancel"])
        if action == "add" or not rows:
            rows.append(random_deal(rng, f"late{rng.randrange(10**6)}", payees))
        elif action == "change":
            i = rng.randrange(len(rows))
            rows[i] = {**random_deal(rng, rows[i]["deal_id"], payees)}
        else:
            rows.pop(rng.randrange(len(rows)))
    clean = [{k: v for k, v in r.items() if k in ("deal_id", "owner_id", "amount", "stage",
                                                  "close_date")} for r in rows]
    return data.replace(deals=Dataset.from_records(deals=clean)["deals"])


def same(a, b) -> None:
    assert a.payouts.to_pylist() == b.payouts.to_pylist()
    assert a.attainment.to_pylist() == b.attainment.to_pylist()
    assert a.credits.to_pylist() == b.credits.to_pylist()


def test_incremental__late_deal_recomputes_only_its_payee_and_team():
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    previous = run(plan, before, DUCKDB)
    late = {"deal_id": "late", "owner_id": "p0", "amount": "12345.67", "stage": "Won",
            "close_date": "2017-02-20"}
    after = before.replace(deals=pa.concat_tables([
        before["deals"], Dataset.from_records(deals=[late])["deals"]]))
    assert changed_deal_ids(before["deals"], after["deals"]) == {"late"}
    quick = recalculate(previous, plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB))
    assert list(quick.timings) == ["incremental"]
    # p0's personal Q1 measure grew by exactly the late deal's 12,345.67
    old = {r["subject_id"]: r["measure_value"] for r in previous.attainment.to_pylist()
           if r["component_id"] == "personal" and r["period"] == "2017-Q1"}
    new = {r["subject_id"]: r["measure_value"] for r in quick.attainment.to_pylist()
           if r["component_id"] == "personal" and r["period"] == "2017-Q1"}
    assert new["p0"] - old["p0"] == Dec("12345.67")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), edit_seed=st.integers(0, 10**6),
       plan_text=st.sampled_from([HYBRID, POOL_AND_DRAW]))
def test_incremental__equals_full_recalculation_after_random_edits(seed, edit_seed,
                                                                   plan_text):
    plan = load_plan_text(plan_text, "plan.yaml")
    before = dataset(seed, 25)
    after = edit(before, edit_seed)
    changed = changed_deal_ids(before["deals"], after["deals"])
    quick = recalculate(run(plan, before, DUCKDB), plan, after, changed)
    same(quick, run(plan, after, DUCKDB))


PER_DEAL = """
plan: per-deal
period: quarter
components:
  - id: personal
    scope: payee
    measure: {sum: amount, where: {stage: Won}}
    payout: {tiers: [{from: 0, rate: 0.01}, {from: 50000, rate: 0.02}], mode: per_deal,
             basis: amount}
"""
DRAW_ONLY = """
plan: draw
period: quarter
draw: {amount: 3000, kind: recoverable}
components:
  - id: personal
    scope: payee
    weight: 1
    measure: {sum: amount, where: {stage: Won}}
    payout: {curve: [[0, 0], [1, 1], [2, 3]]}
"""


def with_late(before: Dataset, **late: str) -> Dataset:
    row = {"deal_id": "late", "owner_id": "p0", "amount": "40000.00", "stage": "Won",
           "close_date": "2017-02-20", **late}
    return before.replace(deals=pa.concat_tables([
        before["deals"], Dataset.from_records(deals=[row])["deals"]]))


def test_incremental__a_per_deal_plan_is_recalculated_in_full():
    # per-deal lines are filled in close-date order across the period: a full run
    plan = load_plan_text(PER_DEAL, "plan.yaml")
    before = dataset(3, 20)
    after = with_late(before)
    quick = recalculate(run(plan, before, DUCKDB), plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB))
    assert "incremental" not in quick.timings


def test_incremental__a_draw_carries_a_q1_change_into_q2():
    plan = load_plan_text(DRAW_ONLY, "plan.yaml")
    before = dataset(5, 20)
    after = with_late(before)
    previous = run(plan, before, DUCKDB)
    quick = recalculate(previous, plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB))
    assert list(quick.timings) == ["incremental"]
    # the recoverable draw's balance moves p0's Q2 lines too, not only Q1's
    q2 = [(r["line_type"], r["amount"]) for r in quick.payouts.to_pylist()
          if r["payee_id"] == "p0" and r["period"] == "2017-Q2"]
    assert q2 != [(r["line_type"], r["amount"]) for r in previous.payouts.to_pylist()
                  if r["payee_id"] == "p0" and r["period"] == "2017-Q2"]


def test_incremental__a_run_of_one_period_stays_one_period():
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    after = with_late(before, close_date="2017-05-20")
    quick = recalculate(run(plan, before, DUCKDB, periods=["2017-Q2"]), plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB, periods=["2017-Q2"]))
    assert {r["period"] for r in quick.payouts.to_pylist()} == {"2017-Q2"}


def test_incremental__results_without_a_run_state_get_a_full_run():
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    previous = run(plan, before, DUCKDB)
    previous.state = None  # e.g. results read back from files
    after = with_late(before)
    quick = recalculate(previous, plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB))
    assert "incremental" not in quick.timings


def test_incremental__deals_read_where_they_live_are_refused():
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    previous = run(plan, before, DUCKDB)
    source = parse_source("parquet:/data/deals.parquet")
    outside = Dataset(dict(before.tables), external={"deals": source})
    with pytest.raises(ValueError, match="incremental recalculation compares deals in "
                                         "Python; the deals are read by the engine"):
        recalculate(previous, plan, outside, {"late"})


def test_incremental__keeps_the_plan_id_of_the_run():
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    previous = run(plan, before, DUCKDB)
    quick = recalculate(previous, plan, with_late(before), {"late"})
    assert quick.plan_id == previous.plan_id == run(plan, with_late(before), DUCKDB).plan_id


def test_incremental__first_deal_of_a_payee_with_none_before():
    # p5's deals are taken out: the late deal is the first credit p5 (and so p5's row)
    # has in Q1, 40,000.00 of it; the quick result is the full run's to the cent
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    full = dataset(7, 30)
    before = full.replace(deals=Dataset.from_records(deals=[
        {k: r[k] for k in ("deal_id", "owner_id", "amount", "stage", "close_date")}
        for r in full["deals"].to_pylist() if r["owner_id"] != "p5"])["deals"])
    after = with_late(before, owner_id="p5")
    quick = recalculate(run(plan, before, DUCKDB), plan, after, {"late"})
    same(quick, run(plan, after, DUCKDB))
    measured = {r["subject_id"]: r["measure_value"] for r in quick.attainment.to_pylist()
                if r["component_id"] == "personal" and r["period"] == "2017-Q1"}
    assert measured["p5"] == Dec("40000.00")


def test_incremental__a_late_deal_after_the_run_needs_no_rate_as_a_full_run():
    # a Q1 run; a late EUR deal closed in Q2 with no EUR rate: the full run does not
    # check deals outside its periods (D011 is for the run's deals), nor may the quick one
    plan = load_plan_text(HYBRID, "hybrid.yaml")
    before = dataset(7, 30)
    after = with_late(before, close_date="2017-05-20", currency="EUR")
    quick = recalculate(run(plan, before, DUCKDB, periods=["2017-Q1"]), plan, after,
                        {"late"})
    same(quick, run(plan, after, DUCKDB, periods=["2017-Q1"]))

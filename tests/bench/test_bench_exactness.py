"""Property: the hand SQL (integer fractions in HUGEINT) and the per-row loop (Python ints
via bench.hybrid) agree to the cent on random small organisations built to hit ties."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import bench_hand_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.baselines import hand_sql, per_row
from bench.lines import compare

# amounts chosen so that quarters, thirds and the curves' slopes often land on half cents
TI = st.sampled_from(["40000.00", "60000.10", "60000.15", "50000.00", "33333.33", "150.15"])
TARGET = st.sampled_from(["16000.00", "30000.00", "45000.00", "60000.00", "30000.03"])
AMOUNT = st.sampled_from(["5000.00", "10000.00", "12000.00", "20000.00", "7333.33", "0.01"])
Q1 = date(2017, 1, 1)


@st.composite
def organisations(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    payees = [f"P{i}" for i in range(draw(st.integers(1, 3)))]
    teams = ["T1", "T2"]
    records: dict[str, list[dict[str, str]]] = {
        "payees": [{"payee_id": p, "name": p, "role": "AE", "target_incentive": draw(TI)}
                   for p in payees],
        "teams": [{"team_id": t, "name": t} for t in teams],
        "memberships": [], "deals": [], "targets": []}
    for p in payees:
        if draw(st.booleans()):  # moves from T2 to T1 after day d of Q1
            d = Q1 + timedelta(days=draw(st.integers(0, 88)))
            records["memberships"] += [
                {"payee_id": p, "team_id": "T2", "start_date": "2016-07-01",
                 "end_date": d.isoformat()},
                {"payee_id": p, "team_id": "T1",
                 "start_date": (d + timedelta(days=1)).isoformat()}]
        else:
            records["memberships"].append({"payee_id": p, "team_id": draw(st.sampled_from(teams)),
                                           "start_date": "2016-07-01"})
        for n in range(draw(st.integers(0, 4))):
            records["deals"].append({
                "deal_id": f"{p}-{n}", "owner_id": p, "amount": draw(AMOUNT),
                "stage": draw(st.sampled_from(["Won", "Won", "Lost"])),
                "close_date": (Q1 + timedelta(days=draw(st.integers(0, 89)))).isoformat()})
        if draw(st.booleans()):
            records["targets"].append({"subject_type": "payee", "subject_id": p,
                                       "measure": "personal", "period": "2017-Q1",
                                       "amount": draw(TARGET)})
    for t in teams:
        records["targets"].append({"subject_type": "team", "subject_id": t, "measure": "team",
                                   "period": "2017-Q1", "amount": draw(TARGET)})
    # one deal always fixes the period Q1, whatever else was drawn
    records["deals"].append({"deal_id": "anchor", "owner_id": payees[0], "amount": "1.00",
                             "stage": "Lost", "close_date": "2017-01-01"})
    return records


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_hand_sql__equals_the_per_row_loop_on_tie_prone_cases(
        records: dict[str, list[dict[str, str]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = bench_hand_case.write(Path(tmp), records)
        result = compare(per_row.run(directory), hand_sql.run(directory))
    assert result.agrees, result.summary()

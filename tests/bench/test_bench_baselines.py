"""The benchmark's baselines agree with a hand-checked case and with each other."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import bench_hand_case as hand_case
import pyarrow as pa
import pytest

from bench import hybrid
from bench.baselines import hand_sql, pandas_notebook, per_row
from bench.lines import KEY, compare
from teamquota.synthetic import SyntheticSpec, write_dataset

BASELINES = {"hand_sql": hand_sql.run, "pandas": pandas_notebook.run, "per_row": per_row.run}


def _as_dict(table: pa.Table) -> dict[tuple[str, str, str, str | None], Decimal]:
    return {tuple(r[k] for k in KEY): r["amount"] for r in table.to_pylist()}


@pytest.fixture(scope="module")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hand_case.write(tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SyntheticSpec.tiny(deals=2_000, missing_target_share=0.05)
    return write_dataset(spec, tmp_path_factory.mktemp("tiny"))


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baseline__pays_the_hand_checked_case(hand_dir: Path, name: str, fmt: str) -> None:
    # every expected amount is worked out in tests/bench/bench_hand_case.py
    assert _as_dict(BASELINES[name](hand_dir, fmt)) == hand_case.expected_lines()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_baselines__agree_to_the_cent_on_tiny_synthetic_data(tiny_dir: Path, fmt: str) -> None:
    floor = hand_sql.run(tiny_dir, fmt)
    # 50 payees x 4 quarters, less ~5% missing personal targets, plus ~58 memberships x 4
    assert floor.num_rows > 300
    for name in ("pandas", "per_row"):
        result = compare(floor, BASELINES[name](tiny_dir, fmt))
        assert result.agrees, f"{name}: {result.summary()}"


def test_baselines__tiny_data_covers_every_curve_segment(tiny_dir: Path) -> None:
    # the comparison above only means something if gates fail, caps bite and lines pay
    lines = _as_dict(hand_sql.run(tiny_dir))
    team = [v for k, v in lines.items() if k[2] == "team"]
    assert any(v == 0 for v in team) and any(v > 0 for v in team)
    personal = [v for k, v in lines.items() if k[2] == "personal"]
    assert any(v == 0 for v in personal) and any(v > 0 for v in personal)


def test_compare__reports_a_one_cent_difference(hand_dir: Path) -> None:
    floor = hand_sql.run(hand_dir)
    amounts = floor["amount"].to_pylist()
    amounts[0] += Decimal("0.01")
    changed = floor.set_column(4, "amount", pa.array(amounts, floor.schema.field("amount").type))
    result = compare(floor, changed)
    assert not result.agrees and result.different == 1


def test_round_cents__rounds_an_exact_half_cent_up() -> None:
    # 2,000.005 is exactly representable only as a fraction of thirds: 6,000.015 / 3
    assert hybrid.round_cents(Fraction("6000.015") / 3) == Decimal("2000.01")
    assert hybrid.round_cents(Fraction(200049, 100) / 1000 * 1000) == Decimal("2000.49")


def test_hybrid_constants__match_the_plan_file() -> None:
    from teamquota.plan.loader import load_plan
    plan = load_plan(hybrid.PLAN_FILE).plan
    personal, team = plan.component("personal"), plan.component("team")
    assert plan.period == "quarter"
    assert (personal.weight, team.weight) == (hybrid.PERSONAL_WEIGHT, hybrid.TEAM_WEIGHT)
    assert [tuple(p) for p in personal.payout.curve] == list(hybrid.PERSONAL_CURVE)
    assert [tuple(p) for p in team.payout.curve] == list(hybrid.TEAM_CURVE)
    assert (personal.payout.cap, team.payout.cap) == (hybrid.PERSONAL_CAP, hybrid.TEAM_CAP)
    assert team.gate is not None and team.gate.team_attainment_at_least == hybrid.TEAM_GATE
    assert personal.measure.where == {"stage": "Won"} == team.measure.where

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


def test_round_half_up__rounds_an_exact_half_cent_up() -> None:
    # 600,001.5 cents / 3 = 200,000.5 cents -> 2,000.01; one cent-millionth less rounds down
    assert hybrid.round_half_up(6_000_015, 30) == Decimal("2000.01")
    assert hybrid.round_half_up(6_000_014_999, 30_000) == Decimal("2000.00")
    assert hybrid.round_half_up(0, 1) == Decimal("0.00")


@pytest.mark.parametrize(("m", "t", "expected"), [
    (49, 100, Fraction(0)),          # below the first point 0.5
    (50, 100, Fraction(0)),          # on it: 0
    (75, 100, Fraction(1, 2)),       # (0.75 - 0.5) / 0.5
    (2, 3, Fraction(1, 3)),          # (2/3 - 0.5) / 0.5
    (125, 100, Fraction(3, 2)),      # 1 + 0.25 x 2
    (170, 100, Fraction(12, 5)),     # beyond 1.5 the slope 2 continues: 2 + 0.2 x 2
    (200, 100, Fraction(5, 2)),      # 3.0 capped at 2.5
])
def test_curve__personal_factor_by_hand(m: int, t: int, expected: Fraction) -> None:
    assert Fraction(*hybrid.PERSONAL.factor(m, t)) == expected


@pytest.mark.parametrize(("m", "t", "expected"), [
    (9, 10, Fraction(3, 4)),         # 0.5 + 2.5 x 0.1
    (8, 9, Fraction(13, 18)),        # 0.5 + 2.5 x (8/9 - 0.8)
    (115, 100, Fraction(13, 10)),    # 1 + 2 x 0.15
    (160, 100, Fraction(2)),         # 2.2 capped at 2.0
])
def test_curve__team_factor_by_hand(m: int, t: int, expected: Fraction) -> None:
    assert Fraction(*hybrid.TEAM.factor(m, t)) == expected


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


def test_engine__pays_the_hand_checked_case(hand_dir: Path) -> None:
    from bench.baselines import engine
    assert _as_dict(engine.run(hand_dir)) == hand_case.expected_lines()


def test_engine__agrees_with_the_floor_on_tiny_synthetic_data(tiny_dir: Path) -> None:
    from bench.baselines import engine
    result = compare(hand_sql.run(tiny_dir), engine.run(tiny_dir))
    assert result.agrees, result.summary()


def test_engine_external__pays_the_hand_checked_case_and_agrees(hand_dir: Path,
                                                                tiny_dir: Path) -> None:
    # the deals read and checked by DuckDB where they are, the other tables by the loader
    from bench.baselines import engine
    assert _as_dict(engine.run_external(hand_dir)) == hand_case.expected_lines()
    result = compare(hand_sql.run(tiny_dir), engine.run_external(tiny_dir))
    assert result.agrees, result.summary()


def test_run__prints_the_table_and_writes_agreeing_results(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    import json

    from bench import run
    code = run.main(["--sizes", "2k", "--no-csv", "--only", "pandas",
                     "--data-dir", str(tmp_path / "data"), "--results-dir", str(tmp_path)])
    assert code == 0
    assert "pandas" in capsys.readouterr().out
    report = json.loads(next(tmp_path.glob("bench-*.json")).read_text())
    rows = {m["implementation"]: m for m in report["measurements"]}
    assert set(rows) == {"hand_sql", "pandas"}
    assert rows["pandas"]["agrees"] is True and rows["hand_sql"]["ratio"] == 1.0
    assert rows["pandas"]["peak_rss_mb"] > 50  # a Python process with pandas loaded
    assert (tmp_path / "latest.md").read_text().startswith("| implementation |")

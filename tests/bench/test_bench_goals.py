"""The benchmark's goal ratios and stage profile, on made-up measurements."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.goals import goals, goals_markdown, profile_markdown, stage_profile


@dataclass
class M:
    implementation: str
    input: str
    seconds: float | None
    peak_rss_mb: float | None = None
    deals: int = 10_000_000
    timings: dict[str, float] = field(default_factory=dict)


def _run(external: float, memory: float = 900.0) -> list[M]:
    return [M("hand_sql", "parquet", 1.25), M("engine_duckdb", "parquet", 6.0, 1_600.0),
            M("engine_external", "parquet", external, memory),
            M("pandas", "parquet", 7.5),
            M("duckdb_read_csv", "csv", 3.0), M("teamquota_read_csv", "csv", 4.5)]


def test_goals__exactly_at_each_limit_is_met() -> None:
    # 2.50 / 1.25 = 2.00x the floor (limit 2.00x); 7.50 / 2.50 = 3.00x faster than pandas
    # (at least 3x); 4.5 / 3.0 = 1.50x DuckDB's read (limit 1.5x); 2,047 MB < 2,048 MB
    rows = {g.what: g for g in goals(_run(2.5, memory=2_047.0))}
    assert rows["engine_external (parquet) / hand SQL"].measured == 2.0
    assert rows["engine_external (parquet) / hand SQL"].met is True
    assert rows["engine_duckdb (parquet) / hand SQL"].measured == 4.8  # 6.0 / 1.25
    assert rows["engine_duckdb (parquet) / hand SQL"].met is False
    # the faster end-to-end path is the one compared with pandas and whose memory counts
    assert rows["pandas / engine_external"].measured == 3.0
    assert rows["pandas / engine_external"].met is True
    assert rows["peak memory of engine_external"].met is True
    assert rows["teamquota CSV read / DuckDB read_csv"].measured == 1.5
    assert rows["teamquota CSV read / DuckDB read_csv"].met is True


def test_goals__just_past_each_limit_is_not_met() -> None:
    # 2.51 / 1.25 = 2.008x; 7.50 / 2.51 = 2.988x; 2,048 MB is not under 2 GB
    run = _run(2.51, memory=2_048.0)
    run[-1] = M("teamquota_read_csv", "csv", 4.51)  # 4.51 / 3.0 = 1.503x
    rows = {g.what: g for g in goals(run)}
    assert rows["engine_external (parquet) / hand SQL"].met is False
    assert rows["pandas / engine_external"].met is False
    assert rows["peak memory of engine_external"].met is False
    assert rows["teamquota CSV read / DuckDB read_csv"].met is False
    assert "| engine_external (parquet) / hand SQL | 2.01x (2.51 s vs 1.25 s) | <= 2.00x | " \
        "**no** |" in goals_markdown(list(rows.values()))


def test_goals__a_side_not_run_gives_no_row() -> None:
    assert goals([M("hand_sql", "parquet", 1.0)]) == []


def test_stage_profile__shares_and_what_the_stages_leave_out() -> None:
    run = [M("hand_sql", "parquet", 1.0),
           M("engine_external", "parquet", 4.0, timings={
               "load": 1.0, "load.connect": 0.2, "engine.measure": 2.0, "engine.pay": 0.5})]
    header, rows = stage_profile(run)
    assert header == ["stage", "engine_external (parquet)"]
    assert rows == [["load", "1.00 (25%)"], ["load.connect", "0.20 (5%)"],
                    ["engine.measure", "2.00 (50%)"], ["engine.pay", "0.50 (12%)"],
                    # 4.0 - (1.0 + 2.0 + 0.5): load.connect is inside load, counted once
                    ["other", "0.50"]]
    assert profile_markdown(header, rows).splitlines()[1] == "|---|---:|"

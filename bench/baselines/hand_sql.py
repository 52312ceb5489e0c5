"""The floor: the hybrid plan written by hand as one DuckDB SQL query.

Exactness: DuckDB divides DECIMAL in DOUBLE, so the query never divides money. Sums stay
DECIMAL, are turned into integer cents (HUGEINT), and each payout is one fraction N / D of
integers, rounded half-up as (2N + D) // (2D). With a = M / T (measure and target in
cents) the plan's curve segments become integer fractions; multiplying through by the
denominators turns every comparison with a curve point into an integer comparison:

personal (points 0.5->0, 1.0->1, 1.5->2, cap 2.5), TI/4 x 0.4 = TI/10:
    a < 0.5   <=> 2M < T             f = 0
    a < 1     <=> M < T              f = 0 + (a - 0.5) / 0.5       = (2M - T) / T
    a >= 1                           f = 1 + (a - 1) / 0.5         = (2M - T) / T
    f >= 2.5  <=> 2M - T >= 2.5T <=> 4M >= 7T    f = 5 / 2
    payout = TI x f / 10

team (gate 0.8; points 0.8->0.5, 1.0->1, 1.3->1.6, cap 2.0), TI/4 x 0.6 x days/qdays:
    a < 0.8   <=> 5M < 4T            gate fails: 0
    a < 1     <=> M < T              f = 0.5 + 0.5 (a - 0.8) / 0.2 = (5M - 3T) / (2T)
    a >= 1                           f = 1 + 0.6 (a - 1) / 0.3     = (2M - T) / T
    f >= 2    <=> 2M - T >= 2T <=> 2M >= 3T      f = 2 / 1
    payout = TI x 3 x fnum x days / (20 x fden x qdays)
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from bench.lines import normalise

CSV_TYPES = {
    "deals": "{'deal_id': 'VARCHAR', 'owner_id': 'VARCHAR', 'account': 'VARCHAR', "
             "'product': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR', "
             "'stage': 'VARCHAR', 'close_date': 'DATE'}",
    "payees": "{'payee_id': 'VARCHAR', 'name': 'VARCHAR', 'email': 'VARCHAR', "
              "'role': 'VARCHAR', 'currency': 'VARCHAR', 'target_incentive': 'DECIMAL(18,2)'}",
    "memberships": "{'payee_id': 'VARCHAR', 'team_id': 'VARCHAR', 'start_date': 'DATE', "
                   "'end_date': 'DATE'}",
    "targets": "{'subject_type': 'VARCHAR', 'subject_id': 'VARCHAR', 'measure': 'VARCHAR', "
               "'period': 'VARCHAR', 'amount': 'DECIMAL(18,2)'}",
}

QUERY = """
WITH deals AS (SELECT owner_id, stage, amount, close_date FROM {deals}),
quarters AS (
    SELECT DISTINCT CAST(date_trunc('quarter', close_date) AS DATE) AS qstart
    FROM deals WHERE close_date IS NOT NULL
),
periods AS (
    SELECT qstart, CAST(qstart + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS qend,
           strftime(qstart, '%Y') || '-Q' || quarter(qstart) AS period,
           CAST(qstart + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) - qstart + 1 AS qdays
    FROM quarters
),
won AS (
    SELECT owner_id, close_date, amount, CAST(date_trunc('quarter', close_date) AS DATE) AS qstart
    FROM deals WHERE stage = 'Won'
),
payee_measure AS (
    SELECT owner_id AS payee_id, qstart, SUM(amount) AS measure FROM won GROUP BY ALL
),
team_measure AS (
    SELECT m.team_id, w.qstart, SUM(w.amount) AS measure
    FROM won w JOIN {memberships} m
      ON w.owner_id = m.payee_id AND w.close_date >= m.start_date
     AND (m.end_date IS NULL OR w.close_date <= m.end_date)
    GROUP BY ALL
),
ti AS (
    SELECT payee_id, CAST(target_incentive * 100 AS HUGEINT) AS ti FROM {payees}
),
targets AS (
    SELECT subject_type, subject_id, measure, period, CAST(amount * 100 AS HUGEINT) AS t
    FROM {targets}
),
personal AS (
    SELECT p.period, ti.payee_id, ti.ti, tg.t,
           CAST(COALESCE(pm.measure, 0) * 100 AS HUGEINT) AS m
    FROM periods p
    JOIN targets tg ON tg.subject_type = 'payee' AND tg.measure = 'personal'
                   AND tg.period = p.period
    JOIN ti ON ti.payee_id = tg.subject_id
    LEFT JOIN payee_measure pm ON pm.payee_id = ti.payee_id AND pm.qstart = p.qstart
),
personal_fraction AS (
    SELECT period, payee_id,
        CASE WHEN 2 * m < t THEN 0
             WHEN 4 * m >= 7 * t THEN ti * 5
             ELSE ti * (2 * m - t) END AS num,
        CASE WHEN 2 * m < t THEN 1
             WHEN 4 * m >= 7 * t THEN 10 * 2
             ELSE 10 * t END AS den
    FROM personal
),
membership_days AS (
    SELECT p.period, p.qstart, p.qdays, m.payee_id, m.team_id,
           SUM(LEAST(COALESCE(m.end_date, p.qend), p.qend)
               - GREATEST(m.start_date, p.qstart) + 1) AS days
    FROM {memberships} m JOIN periods p
      ON m.start_date <= p.qend AND (m.end_date IS NULL OR m.end_date >= p.qstart)
    GROUP BY ALL
),
team AS (
    SELECT md.period, md.payee_id, md.team_id, md.days, md.qdays, ti.ti, tg.t,
           CAST(COALESCE(tm.measure, 0) * 100 AS HUGEINT) AS m
    FROM membership_days md
    JOIN targets tg ON tg.subject_type = 'team' AND tg.measure = 'team'
                   AND tg.subject_id = md.team_id AND tg.period = md.period
    JOIN ti ON ti.payee_id = md.payee_id
    LEFT JOIN team_measure tm ON tm.team_id = md.team_id AND tm.qstart = md.qstart
),
team_fraction AS (
    SELECT period, payee_id, team_id,
        CASE WHEN 5 * m < 4 * t THEN 0
             WHEN 2 * m >= 3 * t THEN ti * 3 * 2 * days
             WHEN m < t THEN ti * 3 * (5 * m - 3 * t) * days
             ELSE ti * 3 * (2 * m - t) * days END AS num,
        CASE WHEN 5 * m < 4 * t THEN 1
             WHEN 2 * m >= 3 * t THEN 20 * 1 * qdays
             WHEN m < t THEN 20 * (2 * t) * qdays
             ELSE 20 * t * qdays END AS den
    FROM team
),
lines AS (
    SELECT period, payee_id, 'personal' AS component_id, CAST(NULL AS VARCHAR) AS team_id,
           num, den FROM personal_fraction
    UNION ALL
    SELECT period, payee_id, 'team', team_id, num, den FROM team_fraction
)
SELECT period, payee_id, component_id, team_id,
       CAST(CAST((2 * num + den) // (2 * den) AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2))
           AS amount
FROM lines
ORDER BY period, payee_id, component_id, team_id NULLS FIRST
"""


def source(directory: Path, name: str, fmt: str) -> str:
    path = str(directory / f"{name}.{fmt}").replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header = true, columns = {CSV_TYPES[name]})"


def query(directory: Path, fmt: str = "parquet") -> str:
    return QUERY.format(**{name: source(directory, name, fmt) for name in CSV_TYPES})


def run(directory: str | Path, fmt: str = "parquet") -> pa.Table:
    con = duckdb.connect()
    try:
        return normalise(con.sql(query(Path(directory), fmt)).to_arrow_table())
    finally:
        con.close()

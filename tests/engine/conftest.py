"""Engine tests run on every backend: a session-wide backend fixture, parametrized over
DuckDB and PySpark (marked ``spark``: ``pytest -m "not spark"`` is the fast loop), and
PostgreSQL when ``TEAMQUOTA_TEST_DATABASE_URL`` is set (marked ``postgres``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from teamquota.backends import Backend, connect
from teamquota.data import Dataset
from teamquota.engine.results import Results
from teamquota.engine.run import run
from teamquota.plan import load_plan_text


@pytest.fixture(scope="session")
def spark_backend() -> Iterator[Backend]:
    pytest.importorskip("pyspark")
    from teamquota.backends.spark import local_session

    session = local_session("local[1]", "2g", {"spark.sql.shuffle.partitions": "1",
                                               "spark.default.parallelism": "1"})
    yield connect("spark", session=session)
    session.stop()


POSTGRES_URL = os.environ.get("TEAMQUOTA_TEST_DATABASE_URL", "")
BACKENDS = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]
if POSTGRES_URL:
    BACKENDS.append(pytest.param("postgres", marks=pytest.mark.postgres))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "spark":
        return request.getfixturevalue("spark_backend")
    if request.param == "postgres":
        return connect(POSTGRES_URL)
    return connect("duckdb")


@pytest.fixture
def calc(backend: Backend):
    """calc(plan_yaml, periods=None, **records) -> Results on the parametrized backend."""

    def _calc(plan_yaml: str, periods: list[str] | None = None, **records: Any) -> Results:
        plan = load_plan_text(plan_yaml, "plan.yaml")
        return run(plan, Dataset.from_records(**records), backend=backend, periods=periods)

    return _calc


def lines(results: Results, **where: Any) -> list[dict[str, Any]]:
    """Payout lines matching every ``column=value`` given."""
    return [row for row in results.payouts.to_pylist()
            if all(row[k] == v for k, v in where.items())]


def amounts(results: Results, **where: Any) -> dict[tuple[str, str, str | None], Any]:
    """{(payee, component, team): amount} for matching lines."""
    return {(r["payee_id"], r["component_id"], r["team_id"]): r["amount"]
            for r in lines(results, **where)}

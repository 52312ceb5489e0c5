"""The engine's fast tier: small per-rule cases on DuckDB only (no JVM), the whole tier well
under a minute. Mutation testing (``./dev mutate``) runs this tier instead of the full
suite; the full suite still runs every case on every backend."""

from __future__ import annotations

import pytest

from teamquota.backends import Backend, connect


@pytest.fixture(scope="session")
def backend() -> Backend:
    """DuckDB only: overrides the backend-parametrized fixture of tests/engine/conftest.py."""
    return connect("duckdb")

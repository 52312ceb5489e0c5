"""tests/engine/test_pools.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_pools import *  # noqa: F403

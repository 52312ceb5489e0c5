"""tests/engine/test_incremental.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_incremental import *  # noqa: F403

"""tests/engine/test_large_amounts.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_large_amounts import *  # noqa: F403

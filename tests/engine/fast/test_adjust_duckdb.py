"""tests/engine/test_adjust.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_adjust import *  # noqa: F403

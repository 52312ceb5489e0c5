"""tests/engine/test_rounding.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_rounding import *  # noqa: F403

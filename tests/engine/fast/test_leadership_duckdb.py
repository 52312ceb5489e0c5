"""tests/engine/test_leadership.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_leadership import *  # noqa: F403

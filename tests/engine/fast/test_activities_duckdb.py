"""tests/engine/test_activities.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_activities import *  # noqa: F403

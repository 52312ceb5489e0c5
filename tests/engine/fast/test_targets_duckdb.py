"""tests/engine/test_targets.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_targets import *  # noqa: F403

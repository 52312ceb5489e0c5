"""tests/engine/test_fx.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_fx import *  # noqa: F403

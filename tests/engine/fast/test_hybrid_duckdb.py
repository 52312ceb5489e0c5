"""tests/engine/test_hybrid.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_hybrid import *  # noqa: F403

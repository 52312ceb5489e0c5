"""tests/engine/test_diagnostics.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_diagnostics import *  # noqa: F403

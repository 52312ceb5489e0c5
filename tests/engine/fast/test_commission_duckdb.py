"""tests/engine/test_commission.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_commission import *  # noqa: F403

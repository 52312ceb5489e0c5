"""tests/engine/test_deal_measures.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_deal_measures import *  # noqa: F403

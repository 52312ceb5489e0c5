"""tests/engine/test_crediting.py collected again for the fast tier (DuckDB only)."""

from tests.engine.test_crediting import *  # noqa: F403

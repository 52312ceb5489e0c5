"""The boundary cases of tests/engine/test_boundaries.py, collected again here so the fast
tier runs them (on DuckDB, through this folder's ``backend``)."""

from tests.engine.test_boundaries import *  # noqa: F403

"""teamquota: sales compensation for teams — individual, hybrid and team plans, paid exactly.

The Python API for notebooks::

    import teamquota
    plan = teamquota.load_plan("plans/ae-hybrid.yaml")
    data = teamquota.demo_dataset()
    results = teamquota.calculate(plan, data)          # DuckDB in-process
    results.payouts.to_pandas()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from teamquota.data.dataset import Dataset
    from teamquota.engine.results import Results
    from teamquota.plan.loader import LoadedPlan


def calculate(plan: LoadedPlan | str, data: Dataset, backend: Any = "duckdb",
              periods: list[str] | None = None,
              progress: Callable[[str], None] | None = None) -> Results:
    """Run ``plan`` over ``data`` and return credits, attainment and payouts as Arrow.

    ``plan`` is a :class:`LoadedPlan` or a path to a plan YAML file; ``backend`` is
    ``"duckdb"`` (default), ``"spark"``, or a connected :mod:`teamquota.backends` backend;
    ``periods`` limits the run to these period labels (default: every period of the plan's
    effective range, or of the deals' close dates).
    """
    from teamquota.engine.run import run
    from teamquota.plan.loader import load_plan

    loaded = load_plan(plan) if isinstance(plan, str) else plan
    return run(loaded, data, backend=backend, periods=periods, progress=progress)


def load_plan(path: str) -> LoadedPlan:
    from teamquota.plan.loader import load_plan as _load
    return _load(path)


def demo_dataset() -> Dataset:
    """The shipped Maven Analytics CRM data, mapped to teamquota's tables."""
    from teamquota.data.demo import demo_dataset as _demo
    return _demo()

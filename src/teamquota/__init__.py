"""teamquota: sales compensation for teams — individual, hybrid and team plans, paid exactly.

The Python API for notebooks (the README's example)::

    import teamquota
    from teamquota.targets import suggest_targets

    plan = teamquota.load_plan("ae-hybrid-2017")       # a shipped example, or a YAML path
    data = teamquota.demo_dataset()                    # the demo has no targets: suggest them
    targets = suggest_targets(data, "quarter", periods=["2017-Q2", "2017-Q3", "2017-Q4"])
    results = teamquota.calculate(plan, data.replace(targets=targets))  # DuckDB in-process
    results.to_pandas()  # the payouts; money stays decimal128(18, 2)[pyarrow], sums exact

``pip install teamquota`` is this library and the CLI; the web app, the insights and the
Spark engine are extras (:mod:`teamquota.extras`).
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

    if backend == "spark":
        from teamquota.extras import check
        check("spark", "the spark backend")  # one clear line, not an import deep inside
    loaded = load_plan(plan) if isinstance(plan, str) else plan
    return run(loaded, data, backend=backend, periods=periods, progress=progress)


def load_plan(path: str) -> LoadedPlan:
    """The plan file at ``path``, or the shipped example plan of that name
    (``teamquota.plan.examples.names()``)."""
    from teamquota.plan.loader import load_plan as _load
    return _load(path)


def demo_dataset() -> Dataset:
    """The shipped Maven Analytics CRM data, mapped to teamquota's tables."""
    from teamquota.data.demo import demo_dataset as _demo
    return _demo()

"""Check that the columnar finish (engine.columns) pays exactly what the per-line path does.

    .venv/bin/python scripts/identical_outputs.py bench [--sizes 2k,1M]
    .venv/bin/python scripts/identical_outputs.py tests      # every engine test's plan

``bench``: the benchmark plan (bench/ae-hybrid.yaml) on the generated data sets, under
every rounding mode, with and without team roll-up. ``tests``: runs tests/engine (not
spark) with this file as a pytest plugin, so every calculation a test makes is run twice,
per-line (engine.run.COLUMNAR = False) and columnar, and its payouts and attainment
tables compared with ``.equals()`` before the test sees them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _both(loaded: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
    import teamquota.engine.run as engine_run

    engine_run.COLUMNAR = False
    try:
        old = _original(loaded, data, *args, **kwargs)
    finally:
        engine_run.COLUMNAR = True
    new = _original(loaded, data, *args, **kwargs)
    for name in ("payouts", "attainment"):
        if not getattr(old, name).equals(getattr(new, name)):
            raise AssertionError(f"columnar {name} differ from the per-line path's")
    if [str(d) for d in old.diagnostics] != [str(d) for d in new.diagnostics]:
        raise AssertionError("columnar diagnostics differ")
    global _compared
    _compared += 1
    return new


_compared = 0


def pytest_unconfigure(config: Any) -> None:
    print(f"\n{_compared} calculations compared, per-line and columnar")


_original: Any = None


def pytest_configure(config: Any) -> None:
    """As a pytest plugin: every engine.run.run call runs both paths and compares."""
    global _original
    import teamquota.engine.incremental as incremental
    import teamquota.engine.run as engine_run

    _original = engine_run.run
    engine_run.run = _both
    incremental.run = _both  # type: ignore[assignment]


def pytest_collection_finish(session: Any) -> None:
    """Test modules and conftests that imported ``run`` by name call both paths too."""
    for module in list(sys.modules.values()):
        if getattr(module, "run", None) is _original:
            module.run = _both


def bench(sizes: list[str]) -> int:
    from bench.baselines.engine import read_arrow
    from bench.hybrid import PLAN_FILE
    from teamquota.plan.loader import load_plan_text

    global _original
    import teamquota.engine.run as engine_run
    _original = engine_run.run
    spec = yaml.safe_load(PLAN_FILE.read_text())
    failures = 0
    for size in sizes:
        data = read_arrow(ROOT / "bench" / "results" / "data" / f"deals-{size}")
        for mode in ("half_up", "half_even", "down", "up"):
            for rollup in (True, False):
                plan = dict(spec, rounding={"mode": mode}, crediting={"rollup": rollup})
                loaded = load_plan_text(yaml.safe_dump(plan))
                try:
                    results = _both(loaded, data)
                    print(f"{size} {mode} rollup={rollup}: {results.payouts.num_rows} "
                          "lines identical")
                except AssertionError as exc:
                    failures += 1
                    print(f"{size} {mode} rollup={rollup}: {exc}")
    return failures


def main(argv: list[str]) -> int:
    if argv[:1] == ["tests"]:
        import pytest
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        return pytest.main(["tests/engine", "-q", "-m", "not spark", "-p",
                            "identical_outputs", *argv[1:]])
    sizes = ["2k"]
    if "--sizes" in argv:
        sizes = argv[argv.index("--sizes") + 1].split(",")
    return 1 if bench(sizes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

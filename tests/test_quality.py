"""The code keeps its own rules: strict typing where the money is computed, lint-clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPED = ["src/teamquota/core", "src/teamquota/plan", "src/teamquota/engine",
         "src/teamquota/backends", "src/teamquota/ledger"]


def test_mypy__strict_on_core_plan_engine_backends_and_ledger():
    pytest.importorskip("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", *TYPED], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff__clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    done = subprocess.run([ruff, "check", "src", "tests", "bench", "scripts"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_lint_imports__layers_and_no_cycles():
    # the contracts are in pyproject.toml [tool.importlinter]; docs/architecture.md
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or \
        shutil.which("lint-imports")
    if lint_imports is None:
        pytest.skip("import-linter is not installed")
    done = subprocess.run([lint_imports, "--no-logo", "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

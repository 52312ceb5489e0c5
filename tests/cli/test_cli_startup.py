"""Start-up: ``teamquota --help``, ``--version`` and a command's ``--help`` import no
heavy library (the engine, the data frames, the web app), so they print at once.

Checked by the modules a fresh interpreter has loaded, never by timing: each case runs in a
subprocess, since this test session has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("ibis", "duckdb", "pyarrow", "pandas", "numpy", "scipy", "plotly", "django",
         "pydantic", "polars", "yaml")

PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
from teamquota.cli.app import main
sys.argv = ["teamquota", *args]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code,
                  "heavy": sorted({m.split(".")[0] for m in sys.modules} & heavy)}))
"""


def loaded_after(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args)),
                           json.dumps(HEAVY)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("args", [("--help",), ("--version",)], ids=" ".join)
def test_app__help_and_version_import_no_heavy_library(args: tuple[str, ...]) -> None:
    assert loaded_after(*args) == {"code": 0, "heavy": []}


@pytest.mark.parametrize("args", [
    ("calc", "--help"), ("explain", "--help"), ("demo", "--help"), ("validate", "--help"),
    ("schema", "--help"), ("targets", "suggest", "--help"), ("ledger", "post", "--help"),
    ("ledger", "adjust", "--help"), ("strengths", "--help"), ("simulate", "--help"),
    ("serve", "--help"),
], ids=" ".join)
def test_app__a_commands_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    # Typer itself converts option values with pydantic (typer._adapters) once it reads a
    # command's parameters: that one is Typer's, not ours
    found = loaded_after(*args)
    assert found == {"code": 0, "heavy": ["pydantic"] if "pydantic" in found["heavy"] else []}

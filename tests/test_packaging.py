"""The package as users install it: the Pythons it accepts, a light core with extras, the
files in the wheel and the sdist, and a clear word when a command's extra is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from typer.testing import CliRunner

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def names(requirements: list[str]) -> set[str]:
    return {Requirement(r).name.lower() for r in requirements}


def test_it_installs_on_python_3_11_to_3_13() -> None:
    accepts = SpecifierSet(PROJECT["requires-python"])
    assert [v for v in ("3.10.14", "3.11.0", "3.12.0", "3.13.0") if v in accepts] == [
        "3.11.0", "3.12.0", "3.13.0"]
    assert {c for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python ::")
            } >= {f"Programming Language :: Python :: 3.{minor}" for minor in (11, 12, 13)}


def test_it_allows_django_6_where_python_has_it_and_keeps_5_2_lts() -> None:
    django = [Requirement(r) for r in PROJECT["optional-dependencies"]["web"]
              if Requirement(r).name.lower() == "django"]
    assert len(django) == 1
    assert [v for v in ("5.1.9", "5.2.0", "5.2.19", "6.0.0", "6.0.10", "6.1.0")
            if v in django[0].specifier] == ["5.2.0", "5.2.19", "6.0.0", "6.0.10"]


def test_its_core_leaves_out_the_web_stack_insights_and_spark() -> None:
    core = names(PROJECT["dependencies"])
    assert core & {"scipy", "plotly", "django", "django-ninja", "django-htmx", "gunicorn",
                   "whitenoise", "argon2-cffi", "dj-database-url", "pyspark"} == set()
    # the engine on DuckDB; pandas comes with ibis-framework[duckdb] and the data checks use it
    assert {"ibis-framework", "duckdb", "pyarrow", "pandas", "pydantic", "typer"} <= core


def test_its_extras_give_the_web_app_insights_postgres_and_spark() -> None:
    extras = {name: names(reqs) for name, reqs in PROJECT["optional-dependencies"].items()}
    assert {"django", "django-ninja", "django-htmx", "dj-database-url", "argon2-cffi",
            "gunicorn", "whitenoise"} <= extras["web"]
    assert "teamquota" in extras["web"]  # teamquota[insights]: the web app shows insights
    assert {"scipy", "plotly"} <= extras["insights"]
    assert "psycopg" in extras["postgres"]
    assert "pyspark" in extras["spark"]


def test_it_names_its_project_pages() -> None:
    assert sorted(PROJECT["urls"]) == ["Documentation", "Homepage", "Issues", "Source"]


# -- a command whose extra is missing --------------------------------------------------

def missing(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import module`` fail as if it were not installed (None in sys.modules)."""
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


def test_serve__without_django_says_install_teamquota_web(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    from teamquota.cli.app import app

    missing(monkeypatch, "django")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve"])
    assert (result.exit_code, result.stderr) == (1, (
        "error: teamquota serve needs the web extra (django is not installed)\n"
        "hint: pip install 'teamquota[web]'\n"))
    assert not (tmp_path / "var").exists()  # stopped before touching anything


@pytest.mark.parametrize("command", ["strengths", "allocate", "watchlist", "conflicts",
                                     "simulate"])
def test_insights__without_scipy_say_install_teamquota_insights(
        monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    from teamquota.cli.app import app

    missing(monkeypatch, "scipy")
    result = CliRunner().invoke(app, [command])
    assert (result.exit_code, result.stderr) == (1, (
        f"error: teamquota {command} needs the insights extra (scipy is not installed)\n"
        "hint: pip install 'teamquota[insights]'\n"))


def test_require__names_every_missing_module(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from teamquota.extras import require

    missing(monkeypatch, "scipy", "plotly")
    with pytest.raises(SystemExit) as caught:
        require("insights", "teamquota allocate")
    assert (caught.value.code, capsys.readouterr().err) == (1, (
        "error: teamquota allocate needs the insights extra (scipy, plotly are not "
        "installed)\nhint: pip install 'teamquota[insights]'\n"))


def test_require__is_silent_when_the_extra_is_installed() -> None:
    from teamquota.extras import require

    require("insights", "teamquota allocate")  # scipy and plotly are in the test venv


# -- the built wheel and sdist ---------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sdist, then the wheel built from that sdist (python -m build), from a copy of the
    tree so the checkout gets no build/ folder; once per module (a few seconds)."""
    work = tmp_path_factory.mktemp("build")
    tree = work / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(tree)],
                   check=True, capture_output=True)
    return {"wheel": next((work / "dist").glob("*.whl")),
            "sdist": next((work / "dist").glob("*.tar.gz"))}


DEMO_CSVS = ["accounts.csv", "data_dictionary.csv", "products.csv", "sales_pipeline.csv",
             "sales_teams.csv"]


@pytest.mark.slow
def test_the_wheel_holds_the_license_the_demo_csvs_and_the_example_plans(
        built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as wheel:
        files = wheel.namelist()
        metadata: Any = Parser().parsestr(wheel.read("teamquota-0.1.0.dist-info/METADATA")
                                          .decode())
        license_text = wheel.read("teamquota-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "Apache License\n                           Version 2.0, January 2004" in license_text
    assert sorted(f.rsplit("/", 1)[1] for f in files
                  if f.startswith("teamquota/data/demo/maven/")) == DEMO_CSVS
    assert "teamquota/plan/examples/ae-hybrid-2017.yaml" in files
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.11"
    assert sorted(metadata.get_all("Provides-Extra")) == sorted(PROJECT["optional-dependencies"])


@pytest.mark.slow
def test_the_sdist_holds_the_license_and_the_demo_csvs(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        files = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "pyproject.toml", "README.md"} <= files
    assert {f"src/teamquota/data/demo/maven/{name}" for name in DEMO_CSVS} <= files


# -- the deployment lock ----------------------------------------------------------------

def test_the_deploy_lock_pins_every_web_and_postgres_dependency_without_urls() -> None:
    """requirements/deploy.txt (``./dev lock``) pins one version of each package that
    ``.[web,postgres]`` needs on Python 3.11, and names no package source."""
    from packaging.utils import canonicalize_name

    text = (ROOT / "requirements" / "deploy.txt").read_text(encoding="utf-8")
    assert "://" not in text and "--index" not in text and "--find-links" not in text
    pins = dict(line.split("==") for line in text.splitlines()
                if line and not line.startswith(("#", " ")))
    pinned = {canonicalize_name(name) for name in pins}
    extras = PROJECT["optional-dependencies"]
    wanted = {canonicalize_name(n) for n in names(PROJECT["dependencies"]) | names(
        extras["web"]) | names(extras["insights"]) | names(extras["postgres"])} - {"teamquota"}
    assert sorted(wanted - pinned) == []  # a dependency added since: run ./dev lock
    assert pins["django"].startswith("5.2.")  # Python 3.11: the LTS


def test_calculate__on_spark_without_pyspark_says_install_teamquota_spark(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import teamquota
    from teamquota.extras import MissingExtra

    missing(monkeypatch, "pyspark")
    with pytest.raises(MissingExtra) as caught:
        teamquota.calculate("ae-hybrid-2017", teamquota.demo_dataset(), backend="spark")
    assert str(caught.value) == ("the spark backend needs the spark extra (pyspark is not "
                                 "installed): pip install 'teamquota[spark]'")

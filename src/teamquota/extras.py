"""The optional parts of the install: which pip extra brings which modules, and one check
that a command calls first so a missing extra is one clear line, not a traceback.

``pip install teamquota`` gives the library and the CLI (engine on DuckDB, plans, data,
ledger); ``teamquota[insights]`` the leader insights, ``teamquota[web]`` the web app,
``teamquota[spark]`` the PySpark engine (pyproject.toml lists every extra).
"""

from __future__ import annotations

import importlib.util
import sys

# the modules each extra's code imports (what pyproject.toml's extra installs)
MODULES: dict[str, tuple[str, ...]] = {
    "insights": ("scipy", "plotly"),
    "web": ("django", "ninja", "django_htmx", "dj_database_url", "whitenoise", "argon2",
            "scipy", "plotly"),
    "spark": ("pyspark",),
}


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    # found, not imported: no import's side effects or cost (None: blocked in sys.modules)
    return [module for module in MODULES[extra] if importlib.util.find_spec(module) is None]


class MissingExtra(ModuleNotFoundError):
    """A library call that needs an extra that is not installed (its message says which)."""


def _message(extra: str, what: str, absent: list[str]) -> str:
    verb = "is" if len(absent) == 1 else "are"
    return f"{what} needs the {extra} extra ({', '.join(absent)} {verb} not installed)"


def check(extra: str, what: str) -> None:
    """Raise :class:`MissingExtra` when ``what`` (e.g. ``"the spark backend"``) cannot run
    because a module of ``extra`` is not installed: for library calls."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(f"{_message(extra, what, absent)}: pip install "
                           f"'teamquota[{extra}]'")


def require(extra: str, command: str) -> None:
    """Exit with status 1 and say which extra to install when ``command`` (e.g.
    ``"teamquota serve"``) cannot run because a module of ``extra`` is not installed: for
    CLI commands, called first in the command's function."""
    absent = missing(extra)
    if not absent:
        return
    sys.stderr.write(f"error: {_message(extra, command, absent)}\n"
                     f"hint: pip install 'teamquota[{extra}]'\n")
    raise SystemExit(1)

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


def require(extra: str, command: str) -> None:
    """Exit with status 1 and say which extra to install when ``command`` (e.g.
    ``"teamquota serve"``) cannot run because a module of ``extra`` is not installed."""
    absent = missing(extra)
    if not absent:
        return
    verb = "is" if len(absent) == 1 else "are"
    sys.stderr.write(f"error: {command} needs the {extra} extra ({', '.join(absent)} {verb} "
                     f"not installed)\nhint: pip install 'teamquota[{extra}]'\n")
    raise SystemExit(1)

"""The example plans shipped in the package, found by name (``ae-hybrid-2017``), so the
README's commands work from an installed wheel as well as from a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from teamquota.core.diagnostics import Diagnostic, InputError, Source

SUFFIX = ".yaml"


def _folder() -> Path:
    # a real folder: setuptools installs package data as files (no zip imports here)
    return Path(str(resources.files(__name__)))


def names() -> list[str]:
    """The shipped examples' names, sorted: each file's name without ``.yaml``."""
    return sorted(p.name.removesuffix(SUFFIX) for p in _folder().glob(f"*{SUFFIX}"))


def path(name: str) -> Path:
    """The file of the shipped example ``name`` (with or without ``.yaml``); an unknown
    name raises :class:`LookupError` listing the examples."""
    stem = name.removesuffix(SUFFIX)
    if stem not in names():
        raise LookupError(f"no shipped example plan is named '{stem}'; the examples are: "
                          f"{', '.join(names())}")
    return _folder() / f"{stem}{SUFFIX}"


def plan_file(given: str | Path) -> str | Path:
    """What ``load_plan(given)`` reads: ``given`` itself when it is a file or has a folder
    part, else the shipped example of that name; a bare name that is neither raises
    :class:`InputError` (P000) listing the examples."""
    if Path(given).exists() or len(Path(given).parts) != 1:
        return given
    if Path(given).name.removesuffix(SUFFIX) in names():
        return path(str(given))
    raise InputError([Diagnostic(
        "P000", "cannot read plan file: no such file, and no shipped example plan has this "
        "name", Source(str(given)), "give the path of a plan YAML file, or the name of a "
        f"shipped example: {', '.join(names())}")])

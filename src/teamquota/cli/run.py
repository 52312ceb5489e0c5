"""The shared steps of commands that calculate: load the plan, load the data, run, each
shown as a stage on stderr; bad input ends the command through :func:`fail`.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn

import typer
from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from teamquota.cli.output import (
    WARNINGS_PER_CODE,
    Format,
    console,
    fail,
    print_diagnostics,
    usage_error,
)
from teamquota.core.diagnostics import Diagnostic, InputError, Source

if TYPE_CHECKING:  # the engine, the tables and pydantic load when a command runs, not for --help

    from teamquota.data.dataset import Dataset
    from teamquota.engine.results import Results
    from teamquota.plan.loader import LoadedPlan
    from teamquota.plan.model import Plan


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class OnError(StrEnum):
    fail = "fail"
    reject = "reject"


DataOption = Annotated[Path | None, typer.Option(
    "--data", "-d", help="folder of CSV/Parquet input files", show_default=False)]
DemoOption = Annotated[bool, typer.Option("--demo", help="use the shipped Maven CRM demo data")]


def _engine_installed(ctx: typer.Context, engine: Engine) -> Engine:
    """``--engine spark`` without PySpark ends the command before anything runs, in one
    line naming the extra (not a traceback from the engine's first Spark call)."""
    if engine == Engine.spark:
        from teamquota.extras import require

        command = " ".join(["teamquota", *ctx.command_path.split()[1:]])
        require("spark", f"{command} --engine spark")
    return engine


EngineOption = Annotated[Engine, typer.Option("--engine", "-e", help="backend to run on",
                                              callback=_engine_installed)]
PeriodOption = Annotated[list[str] | None, typer.Option(
    "--period", "-p", help="limit to this period, e.g. 2017-Q3 (repeatable)",
    show_default=False)]
MapOption = Annotated[str | None, typer.Option(
    "--map", help="how --data's files become tables: a preset (salesforce, salesforce-api, "
    "hubspot, maven), none (canonical files only) or a column map YAML file; default: the "
    "preset whose export the folder holds (docs/data.md)", show_default=False)]
EncodingOption = Annotated[str | None, typer.Option(
    "--encoding", help="text encoding of CSV files without a byte order mark, e.g. cp1252 or "
    "latin-1 (default: the column map's, else UTF-8)", show_default=False)]
OnErrorOption = Annotated[OnError, typer.Option(
    "--on-error", help="fail: any bad row stops the run; reject: skip bad rows, listing each")]
PlanArgument = Annotated[Path, typer.Argument(
    help="plan YAML file, or a shipped example's name (ae-hybrid-2017)", show_default=False)]


class _StatusColumn(ProgressColumn):
    """A spinner while a stage runs, then ✓, or ✗ when it stopped the command."""

    def __init__(self) -> None:
        super().__init__()
        self.spinner = SpinnerColumn()

    def render(self, task: Task) -> Text:
        if task.fields.get("failed"):
            return Text("✗", "bold red")
        if task.finished:
            return Text("✓", "green")
        rendered = self.spinner.render(task)
        return rendered if isinstance(rendered, Text) else Text("…")


class Stages:
    """A live list of named stages (spinner, then elapsed time) on stderr."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        task = self.progress.add_task(name, total=1) if self.progress else None
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            if self.progress is not None and task is not None:
                self.progress.update(task, failed=True)
            raise
        finally:
            self.seconds[name] = time.perf_counter() - started
        if self.progress is not None and task is not None:
            self.progress.update(task, completed=1)


@contextmanager
def stages(fmt: Format) -> Iterator[Stages]:
    if fmt == Format.json:
        yield Stages(None)
        return
    progress = Progress(_StatusColumn(), TextColumn("{task.description}"),
                        TimeElapsedColumn(), console=console(stderr=True))
    with progress:
        yield Stages(progress)


def read_plan(path: Path, fmt: Format) -> LoadedPlan:
    from teamquota.plan.loader import load_plan

    try:
        return load_plan(path)
    except InputError as exc:
        fail(exc.diagnostics, fmt)


def demo_data(plan: Plan | None = None) -> Dataset:
    """The shipped demo dataset; it has no targets, so with a plan it gets targets suggested
    from its own history for the plan's measures (as ``teamquota demo`` does)."""
    import teamquota
    from teamquota.targets.for_plan import with_plan_targets

    dataset = teamquota.demo_dataset()
    return dataset if plan is None else with_plan_targets(dataset, plan)


class LoadedData(NamedTuple):
    """The data a command runs on, and what its load reported (the preset chosen, a footer
    left out, amounts rounded, rows rejected, ...): printed on stderr in text mode, so a
    JSON document lists them with its other diagnostics instead."""

    dataset: Dataset
    notes: list[Diagnostic]


def read_data(data: Path | None, demo: bool, on_error: OnError, currency: str,
              rejects_to: Path | None, fmt: Format, plan: Plan | None = None,
              deals: str | None = None, engine: str = "duckdb", column_map: str | None = None,
              encoding: str | None = None) -> LoadedData:
    """The demo dataset (with targets suggested for ``plan``), or a folder loaded
    all-or-nothing (``fail``) or with rejects; ``deals`` is a source the ``engine`` reads
    itself (data/external.py) instead of the folder's deals file; ``column_map`` and
    ``encoding`` are ``--map`` and ``--encoding``."""
    if demo == (data is not None):
        usage_error("give exactly one of --data DIR or --demo", fmt)
    if demo and (column_map or encoding):
        usage_error("--map and --encoding read your own exports: use them with --data DIR",
                    fmt)
    if encoding:
        import codecs
        try:
            codecs.lookup(encoding)
        except LookupError:
            usage_error(f"--encoding: unknown text encoding '{encoding}'; e.g. utf-8, cp1252, "
                 "latin-1, utf-16", fmt, code="C004")
    if demo and deals:
        usage_error("--deals reads your own deals: use it with --data DIR, not --demo", fmt)
    if demo:
        return LoadedData(demo_data(plan), [])
    from teamquota.data.external import parse_source
    from teamquota.data.loader import LoadOptions, load
    from teamquota.data.rejects import write_rejects

    assert data is not None
    external = {}
    if deals:
        try:
            external["deals"] = parse_source(deals)
        except ValueError as exc:
            usage_error(f"--deals: {exc}", fmt, code="C004")
    result = load(data, column_map, options=LoadOptions(
        on_error=on_error.value, currency=currency, external=external, backend=engine,
        year_start_month=plan.year_start_month if plan is not None else 1, encoding=encoding))
    if result.dataset is None:
        fail(result.diagnostics, fmt)
    if fmt == Format.text:
        print_diagnostics(result.diagnostics, WARNINGS_PER_CODE)
    if result.rejects and rejects_to is not None:
        try:
            paths = write_rejects(result.rejects, rejects_to)
        except OSError as exc:  # rows not written anywhere must not go unnoticed
            cannot_write(exc, rejects_to, "rejected rows", fmt)
        for path in paths:
            console(stderr=True).print(f"rejected rows written to {path}", markup=False)
    return LoadedData(result.dataset, list(result.diagnostics))


def cannot_write(exc: OSError, where: Path, what: str, fmt: Format) -> NoReturn:
    """C002 for an output that cannot be written; a full disk in the words of D050 (every
    output is replaced whole or not at all: core.spreadsheet.staged_folder, replacing)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fail(Diagnostic("C002", f"cannot write the {what}: the disk is full ({reason}); the "
                        "previous results are as they were", Source(str(where)),
                        "free space, then run calc again"), fmt)
    fail(f"cannot write {what} to {where}: {reason}", fmt, code="C002")


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return "no space left on device" in text or "disk quota exceeded" in text


def calculate(loaded: LoadedPlan, dataset: Dataset, engine: Engine,
              periods: list[str] | None, fmt: Format, all_warnings: bool = False) -> Results:
    """Run the engine; in text mode print its warnings: at most 5 of a code, and those of
    periods not in ``periods`` counted in one line, unless ``all_warnings``."""
    import teamquota

    try:
        results = teamquota.calculate(loaded, dataset, backend=engine.value,
                                      periods=periods or None)
    except InputError as exc:
        fail(exc.diagnostics, fmt)
    except Exception as exc:  # DuckDB's IOException, an OSError: spilled work on a full disk
        if not _disk_full(exc):
            raise
        where = os.environ.get("TEAMQUOTA_DUCKDB_TEMP_DIR") or tempfile.gettempdir()
        fail(Diagnostic("C002", f"cannot write the calculation's temporary files: the disk "
                        f"is full ({str(exc).splitlines()[0][:200]}); nothing was written",
                        Source(where), "free space or give --temp-dir a larger disk, then "
                        "run again"), fmt)
    if results.diagnostics.has_errors:
        fail(results.diagnostics, fmt)
    if fmt == Format.text:
        if all_warnings:
            print_diagnostics(results.diagnostics)
        else:
            print_diagnostics(results.diagnostics, WARNINGS_PER_CODE, periods)
        if results.timings:
            steps = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in
                              results.timings.items())
            console(stderr=True).print(f"engine stages: {steps}", markup=False, style="dim")
    return results

"""Commands that calculate: ``calc`` (everyone's payouts, written to files) and ``explain``
(one payee's statement, line by line)."""

from __future__ import annotations

import difflib
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from teamquota.cli.output import (
    AllWarningsOption,
    Format,
    FormatOption,
    console,
    fail,
    print_json,
    usage_error,
)
from teamquota.cli.run import (
    DataOption,
    DemoOption,
    EncodingOption,
    Engine,
    EngineOption,
    MapOption,
    OnError,
    OnErrorOption,
    PeriodOption,
    PlanArgument,
    calculate,
    cannot_write,
    read_data,
    read_plan,
    stages,
)
from teamquota.cli.statement import payees, render_statements, statements, totals_table

if TYPE_CHECKING:
    from teamquota.core.diagnostics import Diagnostic
    from teamquota.engine.results import Results


def calc(
    plan: PlanArgument,
    data: DataOption = None,
    demo: DemoOption = False,
    column_map: MapOption = None,
    encoding: EncodingOption = None,
    engine: EngineOption = Engine.duckdb,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="folder for credits, attainment and payouts (CSV and Parquet); "
        "default out/<plan id>", show_default=False)] = None,
    period: PeriodOption = None,
    on_error: OnErrorOption = OnError.fail,
    deals: Annotated[str | None, typer.Option(
        "--deals", help="read the deals where they live instead of from --data: "
        "table:crm.deals (Spark or PostgreSQL table), parquet:PATH or delta:PATH (files or a "
        "folder the engine reads; delta needs Spark with Delta Lake)",
        show_default=False)] = None,
    memory_limit: Annotated[str | None, typer.Option(
        "--memory-limit", help="DuckDB memory limit, e.g. 4GB; beyond it work spills to "
        "--temp-dir, and loaded tables larger than half of it are memory-mapped from there",
        show_default=False)] = None,
    temp_dir: Annotated[Path | None, typer.Option(
        "--temp-dir", help="where larger-than-memory work goes (default: the system temp "
        "folder; use a disk, not a tmpfs)", show_default=False)] = None,
    all_warnings: AllWarningsOption = False,
    fmt: FormatOption = Format.text,
) -> None:
    """Calculate every payee's payouts, write them, and print each payee's total."""
    # The DuckDB backend reads these when it connects (backends/duckdb.py).
    if memory_limit:
        from teamquota.data.spill import parse_size

        try:
            parse_size(memory_limit)
        except ValueError as exc:
            usage_error(f"--memory-limit: {exc}", fmt, code="C004")
        os.environ["TEAMQUOTA_DUCKDB_MEMORY_LIMIT"] = memory_limit
    if temp_dir:
        os.environ["TEAMQUOTA_DUCKDB_TEMP_DIR"] = str(temp_dir)
    with stages(fmt) as run:
        with run.stage("load plan"):
            loaded = read_plan(plan, fmt)
        folder = out or Path("out") / loaded.plan.plan
        with run.stage("load data"):
            dataset, notes = read_data(data, demo, on_error, loaded.plan.currency,
                                       folder / "rejects", fmt, loaded.plan, deals,
                                       engine.value, column_map, encoding)
        with run.stage(f"calculate ({engine.value})"):
            results = calculate(loaded, dataset, engine, period, fmt, all_warnings)
        with run.stage("write results"):
            try:
                written = results.write(folder)
            except OSError as exc:
                cannot_write(exc, folder, "results", fmt)
    if fmt == Format.json:
        print_json(_summary(results, folder, written, notes))
        return
    out_console = console()
    out_console.print(totals_table(results, f"plan {results.plan_id or loaded.plan.plan}"))
    out_console.print(f"wrote {len(written)} files to {folder}", markup=False)


def _summary(results: Results, folder: Path, written: list[Path],
             notes: list[Diagnostic]) -> dict[str, object]:
    """The JSON document of calc: its diagnostics are the load's (printed on stderr in text
    mode), then the engine's."""
    return {
        "ok": True,
        "plan": results.plan_id,
        "backend": results.backend,
        "out": str(folder),
        "files": [str(p) for p in written],
        "totals": results.totals().to_pylist(),
        "timings": results.timings,
        "diagnostics": [d.to_dict() for d in (*notes, *results.diagnostics)],
    }


def explain(
    payee: Annotated[str, typer.Argument(help="payee id, as in the payees table",
                                         show_default=False)],
    plan: Annotated[Path, typer.Option(
        "--plan", help="plan YAML file, or a shipped example's name (ae-hybrid-2017)",
        show_default=False)],
    data: DataOption = None,
    demo: DemoOption = False,
    column_map: MapOption = None,
    encoding: EncodingOption = None,
    engine: EngineOption = Engine.duckdb,
    period: PeriodOption = None,
    all_warnings: AllWarningsOption = False,
    fmt: FormatOption = Format.text,
) -> None:
    """Print one payee's statement: every payout line with its rule, arithmetic and total."""
    with stages(fmt) as run:
        with run.stage("load plan"):
            loaded = read_plan(plan, fmt)
        with run.stage("load data"):
            dataset, notes = read_data(data, demo, OnError.fail, loaded.plan.currency, None,
                                       fmt, loaded.plan, column_map=column_map,
                                       encoding=encoding)
        with run.stage(f"calculate ({engine.value})"):
            results = calculate(loaded, dataset, engine, period, fmt, all_warnings)
    found = statements(results.payouts, payee, period)
    if not found:
        known = payees(results.payouts)
        close = difflib.get_close_matches(payee, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
        fail(f"no payout lines for payee '{payee}' in this run; {hint}payees paid: "
             f"{shown or 'none'}", fmt, code="C003")
    if fmt == Format.json:
        print_json({"ok": True, "plan": results.plan_id, "statements": [
            {"payee_id": s.payee_id, "period": s.period,
             "totals": {c: t for c, t in s.totals().items()},
             "lines": [{**asdict(line), "amount": line.amount} for line in s.lines]}
            for s in found],
            "diagnostics": [d.to_dict() for d in (*notes, *results.diagnostics)]})
        return
    console().print(render_statements(results, payee, period))


def register(app: typer.Typer) -> None:
    app.command("calc")(calc)
    app.command("explain")(explain)

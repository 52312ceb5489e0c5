"""Commands about plan files: ``validate`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from teamquota.cli.output import Format, FormatOption, console, fail, print_json
from teamquota.cli.run import PlanArgument
from teamquota.core.diagnostics import InputError


def validate(
    plan: PlanArgument,
    fmt: FormatOption = Format.text,
) -> None:
    """Check a plan file and report every problem with its line and column."""
    from teamquota.plan.loader import load_plan

    try:
        loaded = load_plan(plan)
    except InputError as exc:
        fail(exc.diagnostics, fmt)
    count = len(loaded.plan.components)
    if fmt == Format.json:
        print_json({"ok": True, "plan": loaded.plan.plan, "components": count,
                    "diagnostics": []})
    else:
        noun = "component" if count == 1 else "components"
        console().print(f"ok: plan '{loaded.plan.plan}' ({count} {noun})", markup=False)


def schema(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="write the schema to this file instead of printing it",
        show_default=False)] = None,
) -> None:
    """Print the plan language's JSON Schema (for editors such as VS Code)."""
    from teamquota.plan.schema import plan_json_schema

    text = json.dumps(plan_json_schema(), indent=2) + "\n"
    if output is None:
        console().print(text, markup=False, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}", code="C002")
    console().print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)

"""Commands about plan files: ``validate`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from teamquota.cli.output import FORMAT_OPTION, Format, console, fail, print_json
from teamquota.core.diagnostics import InputError
from teamquota.plan.loader import load_plan
from teamquota.plan.schema import plan_json_schema


def validate(
    plan: Path = typer.Argument(..., help="plan YAML file", show_default=False),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Check a plan file and report every problem with its line and column."""
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
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="write the schema to this file instead of "
                                            "printing it"),
) -> None:
    """Print the plan language's JSON Schema (for editors such as VS Code)."""
    text = json.dumps(plan_json_schema(), indent=2) + "\n"
    if output is None:
        console().print(text, markup=False, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    console().print(f"wrote {output}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("schema")(schema)

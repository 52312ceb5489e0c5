"""The ``teamquota`` Typer app: each command group registers itself from its own module."""

from __future__ import annotations

from typing import Annotated

import typer

import teamquota
from teamquota.cli import calc, demo, insights, ledger, plan, targets, web

app = typer.Typer(
    name="teamquota",
    help="Sales compensation for teams: validate plans, calculate and explain payouts.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion [bash|zsh|fish|powershell]
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"teamquota {teamquota.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """Sales compensation for teams: validate plans, calculate and explain payouts."""


for group in (plan, calc, targets, demo, insights, web, ledger):
    group.register(app)


def main() -> None:
    app()

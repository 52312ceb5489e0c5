"""The ``teamquota`` Typer app: each command group registers itself from its own module."""

from __future__ import annotations

import typer

from teamquota.cli import calc, demo, plan, targets

app = typer.Typer(
    name="teamquota",
    help="Sales compensation for teams: validate plans, calculate and explain payouts.",
    no_args_is_help=True,
    add_completion=False,
)

for group in (plan, calc, targets, demo):
    group.register(app)


def main() -> None:
    app()

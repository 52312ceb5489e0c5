"""``teamquota targets suggest``: targets from deal history, as an editable CSV."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from teamquota.cli.output import (
    Format,
    FormatOption,
    cells,
    console,
    fail,
    print_json,
    usage_error,
)
from teamquota.cli.run import (
    DataOption,
    DemoOption,
    EncodingOption,
    MapOption,
    OnError,
    OnErrorOption,
    read_data,
    read_plan,
    stages,
)
from teamquota.core.diagnostics import InputError
from teamquota.core.money import D

if TYPE_CHECKING:
    import pyarrow as pa

targets_app = typer.Typer(help="Targets: suggest them from history.", no_args_is_help=True)


class Every(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class Method(StrEnum):
    trailing = "trailing"
    run_rate = "run_rate"


def _decimal(text: str, option: str, fmt: Format) -> Decimal:
    try:
        return D(text)
    except ValueError:
        usage_error(f"{option}: '{text}' is not a decimal number (e.g. 1.10)", fmt)


@targets_app.command("suggest")
def suggest(
    data: DataOption = None,
    demo: DemoOption = False,
    column_map: MapOption = None,
    encoding: EncodingOption = None,
    on_error: OnErrorOption = OnError.fail,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="take the period, year start and measure names from this plan",
        show_default=False)] = None,
    every: Annotated[Every, typer.Option("--every", help="target period length")
                     ] = Every.quarter,
    year: Annotated[int, typer.Option("--year", help="plan year to suggest targets for")
                    ] = 2017,
    method: Annotated[Method, typer.Option(
        "--method", help="trailing: the last --lookback periods; run_rate: all history")
    ] = Method.trailing,
    lookback: Annotated[int, typer.Option("--lookback", min=1,
                                          help="periods of history (trailing)")] = 2,
    growth: Annotated[str, typer.Option("--growth", help="multiplier on history, e.g. 1.10")
                      ] = "1.10",
    round_to: Annotated[str, typer.Option("--round-to",
                                          help="round each target half-up to this unit")
                        ] = "1000",
    measure: Annotated[str, typer.Option("--measure",
                                         help="targets-table measure for payee rows")
                       ] = "personal",
    team_measure: Annotated[str | None, typer.Option(
        "--team-measure", help="measure for team rows (sum of members); '' for none")
    ] = "team",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="write the targets CSV here instead of printing a table",
        show_default=False)] = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Suggest payee and team targets from won-deal history, each with a note on how."""
    from teamquota.targets import suggest_targets, write_targets_csv

    growth_rate = _decimal(growth, "--growth", fmt)
    unit = _decimal(round_to, "--round-to", fmt)
    year_start_month, currency = 1, "USD"
    with stages(fmt) as run:
        if plan is not None:
            with run.stage("load plan"):
                loaded = read_plan(plan, fmt).plan
            every, year_start_month = Every(loaded.period), loaded.year_start_month
            currency = loaded.currency
            from teamquota.targets.for_plan import measures_of
            measure, team_measure = measures_of(loaded, measure)
        with run.stage("load data"):
            dataset, notes = read_data(data, demo, on_error, currency, None, fmt,
                                       loaded if plan is not None and not demo else None,
                                       column_map=column_map, encoding=encoding)
        with run.stage("suggest targets"):
            try:
                table = suggest_targets(dataset, every.value, year, method=method.value,
                                        lookback=lookback, growth=growth_rate,
                                        measure=measure, team_measure=team_measure or None,
                                        round_to=unit, year_start_month=year_start_month,
                                        currency=currency)
            except InputError as exc:  # a deal no fx rate converts into the plan's currency
                fail(exc.diagnostics, fmt)
        if output is not None:
            with run.stage("write targets"):
                try:
                    write_targets_csv(table, output)
                except OSError as exc:
                    fail(f"cannot write {output}: {exc.strerror}", fmt, code="C002")
    if fmt == Format.json:
        print_json({"ok": True, "output": str(output) if output else None,
                    "targets": table.to_pylist(),
                    "diagnostics": [d.to_dict() for d in notes]})
    elif output is not None:
        console().print(f"wrote {table.num_rows} targets to {output}; review the notes, "
                        "edit, then load them with your data", markup=False)
    else:
        console().print(targets_table(table))


def targets_table(table: pa.Table) -> Table:
    view = Table()
    for name, justify in (("subject_type", "left"), ("subject_id", "left"),
                          ("measure", "left"), ("period", "left"), ("amount", "right"),
                          ("note", "left")):
        view.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in table.to_pylist():
        view.add_row(*cells(row["subject_type"], row["subject_id"], row["measure"],
                            row["period"], f"{row['amount']:,.2f}", row.get("note") or ""))
    return view


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")

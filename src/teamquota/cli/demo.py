"""``teamquota demo``: the whole flow on the shipped Maven CRM data in one command.

Load the demo data -> suggest targets from its history -> load the AE hybrid example plan ->
calculate -> print team and rep results -> write everything to ``out/demo/``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from teamquota.cli.output import Format, FormatOption, cells, console, fail, print_json
from teamquota.cli.run import (
    Engine,
    EngineOption,
    calculate,
    read_plan,
    stages,
)
from teamquota.cli.statement import money
from teamquota.core.money import ZERO, fmt_pct

if TYPE_CHECKING:
    import pyarrow as pa

    from teamquota.engine.results import Results

DEMO_PLAN = "ae-hybrid-2017.yaml"


def demo_plan_path() -> Path:
    return Path(str(resources.files("teamquota.plan") / "examples" / DEMO_PLAN))


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for targets and results")
                   ] = Path("out/demo"),
    engine: EngineOption = Engine.duckdb,
    fmt: FormatOption = Format.text,
) -> None:
    """Run the AE hybrid plan on the shipped Maven CRM demo data and show the results."""
    import teamquota
    from teamquota.data.tables import TARGETS
    from teamquota.targets import write_targets_csv

    with stages(fmt) as run:
        with run.stage("load demo data"):
            dataset = teamquota.demo_dataset()
        with run.stage("load plan"):
            loaded = read_plan(demo_plan_path(), fmt)
        with run.stage("suggest targets"):
            from teamquota.targets.for_plan import suggest_for_plan
            suggested = suggest_for_plan(dataset, loaded.plan)
            dataset = dataset.replace(targets=suggested.select(TARGETS.column_names))
        with run.stage(f"calculate ({engine.value})"):
            results = calculate(loaded, dataset, engine, None, fmt)
        with run.stage("write results"):
            try:
                out.mkdir(parents=True, exist_ok=True)
                written = [write_targets_csv(suggested, out / "targets.csv"),
                           *results.write(out)]
            except OSError as exc:
                fail(f"cannot write to {out}: {exc.strerror}", fmt, code="C002")
    if fmt == Format.json:
        print_json({"ok": True, "plan": loaded.plan.plan, "out": str(out),
                    "files": [str(p) for p in written],
                    "teams": team_rows(results), "totals": results.totals().to_pylist()})
        return
    out_console = console()
    out_console.print(team_table(results))
    out_console.print(rep_table(results))
    out_console.print(f"wrote {len(written)} files to {out}; try: teamquota explain "
                      f"{top_payee(results)} --plan {DEMO_PLAN.removesuffix('.yaml')} --demo",
                      markup=False)


def team_rows(results: Results) -> list[dict[str, object]]:
    """The team component's rows of the attainment table: won, target, attainment."""
    import pyarrow.compute as pc

    table = results.attainment
    teams = table.filter(pc.and_(pc.equal(table["subject_type"], "team"),
                                 pc.equal(table["component_id"], "team")))
    return sorted(({"team_id": r["subject_id"], "period": r["period"],
                    "won": r["measure_value"], "target": r["target_amount"],
                    "attainment": r["attainment"]} for r in teams.to_pylist()),
                  key=lambda r: (str(r["team_id"]), str(r["period"])))


def team_table(results: Results) -> Table:
    view = Table(title="Teams: won revenue against target", title_justify="left")
    for name in ("team", "period", "won", "target", "attainment"):
        view.add_column(name, justify="left" if name in ("team", "period") else "right")
    for row in team_rows(results):
        attainment = row["attainment"]
        view.add_row(*cells(row["team_id"], row["period"], money_or_dash(row["won"]),
                            money_or_dash(row["target"]),
                            fmt_pct(attainment) if isinstance(attainment, Decimal) else "—"))
    return view


def money_or_dash(value: object) -> str:
    return money(value, "USD").removesuffix(" USD") if isinstance(value, Decimal) else "—"


def rep_table(results: Results) -> Table:
    """One row per payee: the total of each period and of the year."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    currencies: dict[str, str] = {}
    for row in results.totals().to_pylist():
        totals[row["payee_id"]][row["period"]] = row["amount"]
        currencies[row["payee_id"]] = row["currency"]
    periods = sorted({p for by_period in totals.values() for p in by_period})
    view = Table(title="Payouts per rep", title_justify="left")
    view.add_column("payee")
    for period in [*periods, "total"]:
        view.add_column(period, justify="right")
    for payee in sorted(totals):
        amounts = [totals[payee].get(p, ZERO) for p in periods]
        view.add_row(*cells(payee, *(money_or_dash(a) for a in amounts),
                            money(sum(amounts, ZERO), currencies[payee])))
    return view


def top_payee(results: Results) -> str:
    """The payee with the largest single-period total (a good statement to explain)."""
    paid: pa.Table = results.totals()
    best = max(paid.to_pylist(), key=lambda r: r["amount"], default=None)
    return str(best["payee_id"]) if best else "PAYEE"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)

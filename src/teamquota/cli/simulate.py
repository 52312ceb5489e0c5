"""``teamquota simulate``: replay the history under plan designs on the engine (leaders)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from teamquota.cli.insights import DataOpt, OutOpt, SyntheticOpt, _console, _done, _load, _write
from teamquota.cli.output import fail


def _decimals(text: str, what: str) -> list[Decimal]:
    try:
        values = [Decimal(part.strip()) for part in text.split(",") if part.strip()]
    except InvalidOperation:
        fail(f"{what} {text!r}: expected numbers separated by commas, e.g. 0.6,0.8,1.0")
    if not values or any(v < 0 or v > 2 for v in values):
        fail(f"{what} {text!r}: expected attainment levels between 0 and 2, e.g. 0.6,0.8,1.0")
    return values


def simulate(
    data: DataOpt = None, synthetic: SyntheticOpt = None,
    replicates: Annotated[int, typer.Option(help="bootstrap replicates (simulated quarters)")
                          ] = 100,
    seed: Annotated[int, typer.Option(help="random seed of the bootstrap")] = 0,
    threshold: Annotated[str, typer.Option(help="team attainment gate of the designs")] = "0.8",
    thresholds: Annotated[str, typer.Option(help="gates for the sensitivity table")
                          ] = "0.6,0.7,0.8,0.9,1.0",
    fixed_reps: Annotated[bool, typer.Option(
        "--fixed-reps", help="bootstrap periods only (each seat keeps its rep)")] = False,
    out: OutOpt = Path("out/insights/simulate"),
) -> None:
    """Replay the team's history under individual, hybrid, team-only and pool designs
    (paid by the engine) and recommend one."""
    from teamquota.insights import figures
    from teamquota.insights.simulate import simulate as run

    if not 10 <= replicates <= 5000:
        fail(f"--replicates {replicates}: expected 10 to 5000")
    gate = _decimals(threshold, "--threshold")[0]
    levels = _decimals(thresholds, "--thresholds")
    dataset = _load(data, synthetic)
    result = run(dataset, replicates=replicates, seed=seed, threshold=gate,
                 thresholds=levels, reps="fixed" if fixed_reps else "resample")
    out_console = _console()
    grid = Table(title=f"Plan designs replayed on {replicates} bootstrap quarters "
                       f"(team gate {float(gate):.0%}, pool rate {result.pool_rate})")
    for col in ("Design", "Expected / qtr", "P95 / qtr", "Gini", "Bottom-quartile payout",
                "Rep earns nothing", "Team earns nothing"):
        grid.add_column(col, justify="left" if col == "Design" else "right")
    for row in result.summary.itertuples():
        grid.add_row(row.design, f"{row.expected_total:,.0f}", f"{row.p95_total:,.0f}",
                     f"{row.gini:.2f}", f"{row.bottom_quartile_payout_share:.0%}",
                     f"{row.rep_earns_nothing:.0%}", f"{row.team_earns_nothing:.0%}")
    out_console.print(grid)
    sens = result.sensitivity.pivot_table(index="design", columns="threshold",
                                          values="expected_total", sort=False)
    sens = sens.reindex(columns=sorted(sens.columns))
    stable = Table(title="Expected payout per quarter by team gate")
    stable.add_column("Design")
    for col in sens.columns:
        stable.add_column(f"{col:.0%}", justify="right")
    for design, row in sens.iterrows():
        stable.add_row(str(design), *["" if v != v else f"{v:,.0f}" for v in row])
    out_console.print(stable)
    out_console.print(result.recommendation, markup=False)
    frames = {"designs": result.summary, "threshold_sensitivity": result.sensitivity,
              "rep_earns_nothing": result.rep_zero, "replicates": result.per_replicate}
    charts = {"simulate_costs": figures.simulation_costs(result),
              "simulate_fairness": figures.simulation_fairness(result),
              "simulate_threshold": figures.simulation_threshold(result)}
    written = _write(out, frames, charts)
    (out / "recommendation.txt").write_text(result.recommendation + "\n", encoding="utf-8")
    _done(written, out)

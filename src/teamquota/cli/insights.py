"""Insight commands for sales leaders: ``strengths``, ``allocate``, ``watchlist``,
``conflicts`` and ``simulate``.

Each command is a thin skin over one library call in :mod:`teamquota.insights`: it loads
the data (the shipped CRM demo unless ``--data`` or ``--synthetic`` says otherwise), prints
a Rich table, and writes its tables (CSV) and charts (Plotly HTML, offline) under ``--out``.
Its stages (load, compute, write) show on stderr as they run; ``--format json`` prints one
JSON document instead of the tables: every table as written to CSV, with the command's
figures (recommendation, status, ...), and nothing else on stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from teamquota.cli.insight_report import Report, Shown, finish, money, pct, write_outputs
from teamquota.cli.output import Format, FormatOption, fail, usage_error
from teamquota.cli.run import EncodingOption, LoadedData, MapOption, stages
from teamquota.extras import require

if TYPE_CHECKING:  # the data loads when a command runs, not for --help
    from teamquota.data.dataset import Dataset

DataOpt = Annotated[Path | None, typer.Option(
    "--data", "-d", help="folder of CSV/Parquet input files (default: the shipped CRM demo)",
    show_default=False)]
SyntheticOpt = Annotated[int | None, typer.Option(
    "--synthetic", help="use a generated history with activities and planted truth (seed)",
    show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="folder for tables and charts")]
TeamOpt = Annotated[str | None, typer.Option("--team", "-t", help="team id (default: all "
                                             "teams, or the first team for allocate)",
                                             show_default=False)]


class PeriodKind(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class By(StrEnum):
    product = "product"
    series = "series"
    sector = "sector"
    size_band = "size_band"


class Peers(StrEnum):
    all = "all"
    team = "team"


class Source(StrEnum):
    auto = "auto"
    activities = "activities"
    open_deals = "open-deals"


def _check_source(data: Path | None, synthetic: int | None, fmt: Format,
                  column_map: str | None = None, encoding: str | None = None) -> None:
    if data is not None and synthetic is not None:
        usage_error("give at most one of --data DIR or --synthetic SEED", fmt)
    if data is None and (column_map or encoding):
        usage_error("--map and --encoding read your own exports: use them with --data DIR",
                    fmt)


def _load(data: Path | None, synthetic: int | None, fmt: Format,
          column_map: str | None = None, encoding: str | None = None) -> LoadedData:
    """The command's data and what its load reported (for the JSON document): a synthetic
    history, the demo, or ``--data`` read as calc reads it (``--map``, ``--encoding``)."""
    from teamquota.cli.run import OnError, read_data
    if synthetic is not None:
        from teamquota.insights.synthetic import generate_history
        return LoadedData(generate_history(synthetic).dataset, [])
    return read_data(data, data is None, OnError.fail, "USD", None, fmt,
                     column_map=column_map, encoding=encoding)



def _run(data: Path | None, synthetic: int | None, fmt: Format, column_map: str | None,
         encoding: str | None, out: Path, stage: str, compute: Callable[[Any], Shown]
         ) -> None:
    """Every insight command's run: load the data, compute (the command's own stage),
    write its tables and charts, report; each stage shown on stderr in text mode."""
    with stages(fmt) as run:
        with run.stage("load data"):
            dataset, notes = _load(data, synthetic, fmt, column_map, encoding)
        with run.stage(stage):
            shown = compute(dataset)
        with run.stage("write tables and charts"):
            written = write_outputs(out, shown, fmt)
    finish(shown, written, out, fmt, notes)

def strengths(
    data: DataOpt = None, synthetic: SyntheticOpt = None, team: TeamOpt = None,
    column_map: MapOption = None, encoding: EncodingOption = None,
    by: Annotated[By, typer.Option(help="dimension for the heatmap")] = By.product,
    ratings: Annotated[Path | None, typer.Option(
        help="leader ratings (CSV or YAML: rep, skill, rating 1-5) to show side by side",
        show_default=False)] = None,
    out: OutOpt = Path("out/insights/strengths"),
    fmt: FormatOption = Format.text,
) -> None:
    """Each rep's measured strengths, shrunk toward the team, with 90% intervals."""
    require("insights", "teamquota strengths")
    _check_source(data, synthetic, fmt, column_map, encoding)
    _run(data, synthetic, fmt, column_map, encoding, out, "measure strengths",
         lambda dataset: _strengths(dataset, team, by, ratings, fmt))


def _strengths(dataset: Dataset, team: str | None, by: By, ratings: Path | None,
               fmt: Format) -> Shown:
    import pandas as pd

    from teamquota.insights import figures
    from teamquota.insights.frames import payee_names
    from teamquota.insights.ratings import load_ratings, side_by_side
    from teamquota.insights.strengths import activity_conversion, best_and_worst
    from teamquota.insights.strengths import strengths as measure

    table = measure(dataset)
    if team:
        if team not in set(table["team_id"]):
            fail(f"unknown team {team!r}; teams: {', '.join(sorted(set(table['team_id'])))}",
                 fmt, code="C003")
        table = table[table["team_id"] == team]
    names = payee_names(dataset)
    conversion = activity_conversion(dataset)
    if team:
        conversion = conversion[conversion["team_id"] == team]
    summary = best_and_worst(table).set_index("payee_id")
    overall = table[table["dimension"] == "overall"].sort_values(
        ["team_id", "win_shrunk"], ascending=[True, False])

    grid = Table(title="Strengths (win rate shrunk toward the team; 90% interval)")
    for col in ("Rep", "Team", "Closed", "Win raw", "Win shrunk", "Team", "Typical deal",
                "Cycle days", "Strongest", "Weakest", "Note"):
        grid.add_column(col, justify="right" if col not in ("Rep", "Team", "Strongest",
                                                            "Weakest", "Note") else "left")
    for row in overall.itertuples():
        best = summary.loc[row.payee_id] if row.payee_id in summary.index else None
        measured = pd.notna(row.win_shrunk)
        grid.add_row(
            names.get(row.payee_id, row.payee_id), row.team_id, str(row.deals),
            pct(row.win_raw), f"{pct(row.win_shrunk)} [{pct(row.win_low)}-"
                               f"{pct(row.win_high)}]" if measured else "—",
            pct(row.win_group),
            money(row.size_shrunk), "" if pd.isna(row.cycle_shrunk)
            else f"{row.cycle_shrunk:.0f}",
            "" if best is None or pd.isna(best["best"]) else
            f"{best['best']} ({best['best_gap']:+.0%})",
            "" if best is None or pd.isna(best["worst"]) else
            f"{best['worst']} ({best['worst_gap']:+.0%})", row.reason)
    out_console = Report()
    out_console.print(grid)
    frames = {"strengths": table}
    if len(conversion):
        conv = conversion.pivot_table(index="payee_id", columns="type", values="conv_shrunk")
        ctable = Table(title="Activity -> new pipeline within 14 days (shrunk)")
        ctable.add_column("Rep")
        for col in conv.columns:
            ctable.add_column(col, justify="right")
        for payee, row in conv.iterrows():
            ctable.add_row(names.get(payee, payee), *[pct(v) for v in row])
        out_console.print(ctable)
        frames["activity_conversion"] = conversion
    if ratings is not None:
        rated, problems = load_ratings(ratings, set(names))
        if problems.has_errors:
            fail(problems, fmt)
        both = side_by_side(rated, table, conversion)
        rtable = Table(title="Recorded ratings vs measured strengths")
        for col in ("Rep", "Skill", "Rating", "Measured", "90% interval", "Team", "Rank"):
            rtable.add_column(col)
        for row in both.itertuples():
            measured = pd.notna(row.measured)
            rtable.add_row(names.get(row.rep, row.rep), row.skill, f"{row.rating:g}",
                           f"{pct(row.measured)} {row.measure}" if measured else "no data",
                           f"{pct(row.low)}-{pct(row.high)}" if measured else "",
                           pct(row.team_rate),
                           f"{row.rank:.0f} of {row.of:.0f}" if measured else "")
        out_console.print(rtable)
        frames["ratings_vs_measured"] = both
    charts = {"strengths_win_rate": figures.strengths_intervals(table, names)}
    if by.value in set(table["dimension"]):
        charts[f"strengths_by_{by.value}"] = figures.strengths_heatmap(table, by.value, names)
    return Shown(out_console, frames, charts, {"team": team, "by": by.value})


def _pairs(values: list[str], what: str, fmt: Format) -> dict[str, float]:
    result = {}
    for item in values:
        key, sep, number = item.partition("=")
        try:
            result[key.strip()] = float(number)
        except ValueError:
            usage_error(f"{what} {item!r}: expected TYPE=NUMBER, e.g. meeting=40", fmt)
        if not sep or not key.strip():
            usage_error(f"{what} {item!r}: expected TYPE=NUMBER, e.g. meeting=40", fmt)
    return result


def allocate(
    data: DataOpt = None, synthetic: SyntheticOpt = None, team: TeamOpt = None,
    column_map: MapOption = None, encoding: EncodingOption = None,
    source: Annotated[Source, typer.Option(
        help="activities: weekly duty targets; open-deals: who carries which open deals; "
             "auto: activities when the data has them")] = Source.auto,
    duty: Annotated[list[str] | None, typer.Option(
        help="weekly team target, TYPE=N (repeatable), e.g. --duty meeting=40; default: 10% "
             "above the team's history", show_default=False)] = None,
    hours: Annotated[float | None, typer.Option(
        help="hours per rep per week (default 15 for activities, 40 for open deals)",
        show_default=False)] = None,
    integer: Annotated[bool, typer.Option(help="whole units (mixed-integer program)")] = False,
    diversity: Annotated[float, typer.Option(
        help="each rep carries at least this fraction of an even share of every duty "
             "(0 = off)")] = 0.5,
    out: OutOpt = Path("out/insights/allocate"),
    fmt: FormatOption = Format.text,
) -> None:
    """Propose who does what: maximise expected bookings with every duty target met."""
    require("insights", "teamquota allocate")
    _check_source(data, synthetic, fmt, column_map, encoding)
    duties = _pairs(duty, "--duty", fmt) if duty else None
    if duty and source == Source.open_deals:
        usage_error("--duty applies to --source activities; open deals are the duty here",
                    fmt)
    if not 0 <= diversity <= 1:
        usage_error(f"--diversity {diversity:g}: expected a fraction from 0 to 1, e.g. 0.5",
                    fmt)
    _run(data, synthetic, fmt, column_map, encoding, out, "solve the allocation",
         lambda dataset: _allocate(dataset, team, source, duties, hours, integer, fmt,
                                   diversity))


def _allocate(dataset: Dataset, team: str | None, source: Source,
              duties: dict[str, float] | None, hours: float | None, integer: bool,
              fmt: Format, diversity: float = 0.5) -> Shown:
    from teamquota.insights import figures
    from teamquota.insights.allocate import allocate as solve
    from teamquota.insights.allocation_inputs import (
        AllocationInputError,
        activity_problem,
        open_deal_problem,
    )
    from teamquota.insights.frames import deals_frame, payee_names

    deals = deals_frame(dataset)
    teams = sorted(set(deals["team_id"]))
    chosen = team or teams[0]
    if chosen not in teams:
        fail(f"unknown team {chosen!r}; teams with deals: {', '.join(teams)}", fmt,
             code="C003")
    use_activities = (source == Source.activities or
                      (source == Source.auto and dataset.has("activities")))
    if use_activities:
        if not dataset.has("activities"):
            fail("--source activities needs an activities table (try --synthetic 1)", fmt)
        try:
            problem = activity_problem(dataset, chosen, duties, hours_available=hours or 15.0,
                                       integer=integer, diversity=diversity)
        except AllocationInputError as exc:
            fail(str(exc), fmt)
    else:
        if duties:
            usage_error("--duty applies to --source activities; open deals are the duty "
                        "here", fmt)
        if not deals["product"].notna().any():  # a CRM export without a product column
            fail("allocate shares open deals out by product, and no deal has one (column "
                 "'product' is blank on every deal); export the deals with their product "
                 "(Salesforce: 'Product Name'), or give an activities table and use "
                 "--source activities", fmt)
        try:
            problem = open_deal_problem(dataset, chosen, hours_available=hours or 40.0,
                                        integer=integer, diversity=diversity)
        except AllocationInputError as exc:
            fail(str(exc), fmt)
    result = solve(problem)
    names = payee_names(dataset)
    out_console = Report()
    plan = result.weekly_plan()
    what = "duties per week" if use_activities else "open deals to carry"
    grid = Table(title=f"Proposed plan for {chosen}: {what} ({result.status})")
    grid.add_column("Rep")
    for col in plan.columns[:-2]:
        grid.add_column(str(col), justify="right")
    grid.add_column("Hours", justify="right")
    grid.add_column("Expected bookings", justify="right")
    ranged = "expected_low" in result.plan
    if ranged:
        grid.add_column("Low-high (interval ends)", justify="right")
        ends = result.plan.groupby("rep", sort=False)[["expected_low", "expected_high"]].sum()
    grid.add_column("Note")
    for rep, row in plan.iterrows():
        cells = [names.get(rep, rep), *[f"{v:,.1f}" for v in row.iloc[:-2]],
                 f"{row['hours']:.1f}", money(row["expected_bookings"])]
        if ranged:
            cells.append(f"{money(ends.loc[rep, 'expected_low'])}-"
                         f"{money(ends.loc[rep, 'expected_high'])}")
        grid.add_row(*cells, result.reasons.get(rep, ""))
    out_console.print(grid)
    if diversity > 0:
        out_console.print(f"diversity {diversity:g}: every rep carries at least "
                          f"{diversity:.0%} of an even share of each duty (--diversity 0 "
                          "turns it off)", markup=False)
    out_console.print(result.message, markup=False)
    if result.status == "optimal" and len(result.binding):
        binding = result.binding.copy()
        binding["order"] = binding["kind"].map({"duty": 0, "hours": 1, "units": 2})
        binding = binding.sort_values(["order", "constraint"]).head(12)
        btable = Table(title="Constraints that bind (what limits the plan)")
        btable.add_column("Constraint")
        btable.add_column("Why it matters")
        for row in binding.itertuples():
            btable.add_row(row.constraint, row.explanation)
        out_console.print(btable)
        if len(result.binding) > 12:
            out_console.print(f"... {len(result.binding) - 12} more in constraints.csv",
                              markup=False)
    frames = {"plan": result.plan, "even_split": result.even_split,
              "constraints": result.constraints, "shortfalls": result.shortfalls}
    return Shown(out_console, frames, {"allocation": figures.allocation_bars(result)},
                  {"team": chosen, "duty": "activities" if use_activities else "open-deals",
                   "status": result.status, "message": result.message,
                   "diversity": diversity, "expected_bookings": result.expected_bookings,
                   # NaN (a program without strength intervals) is no JSON number
                   "bookings_low": None if result.bookings_low != result.bookings_low
                   else result.bookings_low,
                   "bookings_high": None if result.bookings_high != result.bookings_high
                   else result.bookings_high,
                   "reasons": dict(result.reasons), "limited_by": list(result.resources)})


def watchlist(
    data: DataOpt = None, synthetic: SyntheticOpt = None, team: TeamOpt = None,
    column_map: MapOption = None, encoding: EncodingOption = None,
    period: Annotated[PeriodKind, typer.Option(help="period length")] = PeriodKind.quarter,
    last: Annotated[int, typer.Option(help="n: how many recent periods to look at")] = 8,
    fdr: Annotated[float, typer.Option(
        help="false discovery rate per team (Benjamini-Hochberg), for each test")] = 0.05,
    k: Annotated[int, typer.Option(
        help="also require at least k of the last n periods below --threshold "
             "(0 = no such gate)")] = 0,
    threshold: Annotated[float, typer.Option(help="low = attainment below this")] = 0.8,
    peers: Annotated[Peers, typer.Option(help="compare with the rep's team or all reps")
                     ] = Peers.team,
    evaluate: Annotated[bool, typer.Option(
        "--evaluate", help="also score the defaults on the synthetic world family (power "
                           "curve, precision, false flags on noise), written as CSV")] = False,
    worlds: Annotated[int, typer.Option(
        help="with --evaluate: how many seeds (each a planted and a noise-only world)")] = 20,
    seed: Annotated[int, typer.Option(
        help="with --evaluate: the first seed (seeds below 1000 tuned the defaults)")] = 1200,
    plan: Annotated[Path | None, typer.Option(
        help="judge attainment and team payouts as this plan does (run on the engine; "
             "targets are suggested when the data has none)", show_default=False)] = None,
    out: OutOpt = Path("out/insights/watchlist"),
    fmt: FormatOption = Format.text,
) -> None:
    """Reps credibly below their team peers or with a recent drop, with evidence (leaders)."""
    require("insights", "teamquota watchlist")
    from teamquota.insights.watchlist import WatchlistRules

    if k and not 1 <= k <= last:
        usage_error(f"--k {k} must be between 1 and --last {last}", fmt)
    if last < 2:
        usage_error(f"--last {last}: need at least 2 periods to compare", fmt)
    if not 0 < fdr < 1:
        usage_error(f"--fdr {fdr}: expected a rate between 0 and 1, e.g. 0.1", fmt)
    if evaluate and worlds < 1:
        usage_error(f"--worlds {worlds}: expected at least 1", fmt)
    _check_source(data, synthetic, fmt, column_map, encoding)
    rules = WatchlistRules(n=last, fdr=fdr, k=k, threshold=threshold, peers=peers.value)
    stage = "assess reps" if plan is None else "calculate and assess reps"
    evaluation = (worlds, seed) if evaluate else None
    _run(data, synthetic, fmt, column_map, encoding, out, stage,
         lambda dataset: _watchlist(dataset, team, period, rules, evaluation, plan, fmt))


def _watchlist(dataset: Dataset, team: str | None, period: PeriodKind, rules: Any,
               evaluation: tuple[int, int] | None, plan: Path | None, fmt: Format) -> Shown:
    from teamquota.insights import figures
    from teamquota.insights.attainment import attainment_frame
    from teamquota.insights.frames import payee_names
    from teamquota.insights.watchlist import NO_DATA, ZERO_OUTCOME, assess, free_riders

    payouts = None
    if plan is not None:
        from teamquota.cli.run import read_plan
        from teamquota.core.diagnostics import InputError
        from teamquota.insights.engine_inputs import (
            calculate_for_insights,
            engine_attainment,
            team_payouts,
        )
        loaded = read_plan(plan, fmt)
        period = PeriodKind(loaded.plan.period)
        try:
            dataset, results = calculate_for_insights(dataset, loaded)
        except InputError as exc:
            fail(exc.diagnostics, fmt)
        attainment = engine_attainment(results, dataset, loaded)
        payouts = team_payouts(results)
        basis = f"targets, plan {loaded.plan.plan}"
        if attainment.empty:
            attainment, basis = attainment_frame(dataset, period.value)
    else:
        attainment, basis = attainment_frame(dataset, period.value)
    table = assess(dataset, rules, period.value, attainment)
    riders = free_riders(dataset, payouts, period=period.value)
    if team:
        table = table[table["team_id"] == team]
        riders = riders[riders["team_id"] == team]
    names = payee_names(dataset)
    out_console = Report()
    flagged = table[table["flagged"]]
    window = min(rules.n, int(attainment["period"].nunique()))
    grid = Table(title=f"Watchlist: below team peers or a recent drop, last {window} "
                       f"{period.value}s, false discovery rate {rules.fdr:.0%} per team "
                       f"({len(flagged)} of {len(table)} reps; attainment vs {basis})")
    for col in ("Rep", "Team", "Pattern", "Evidence", "Coaching focus"):
        grid.add_column(col)
    for row in flagged.itertuples():
        focus = "; ".join(f for f in (row.focus_stage, row.focus_product) if f)
        grid.add_row(names.get(row.payee_id, row.payee_id), row.team_id,
                     row.pattern.replace("_", " "), row.evidence, focus)
    out_console.print(grid)
    # nobody silently left out: members with nothing to judge, and zero outcomes not flagged
    unjudged = table[(table["status"] == NO_DATA)
                     | ((table["status"] == ZERO_OUTCOME) & ~table["flagged"])]
    if len(unjudged):
        ntable = Table(title=f"Not flagged, with the reason ({len(unjudged)} reps)")
        for col in ("Rep", "Team", "Status", "Reason"):
            ntable.add_column(col)
        for row in unjudged.itertuples():
            ntable.add_row(names.get(row.payee_id, row.payee_id), row.team_id, row.status,
                           row.evidence)
        out_console.print(ntable)
    latest = riders[riders["period"] == riders["period"].max()]
    free = latest[latest["free_rider"]]
    rtable = Table(title=f"Team plans, {latest['period'].max()}: payout share vs contribution "
                         f"share ({free['payout_basis'].iloc[0] if len(free) else 'equal split'})")
    for col in ("Rep", "Team", "Won", "Contribution share", "Payout share"):
        rtable.add_column(col)
    for row in free.itertuples():
        rtable.add_row(names.get(row.payee_id, row.payee_id), row.team_id,
                       money(row.won_amount), pct(row.contribution_share),
                       pct(row.payout_share))
    out_console.print(rtable)
    figures_: dict[str, Any] = {
        "period": period.value, "basis": basis, "flagged": len(flagged), "reps": len(table),
        "no_data": int((table["status"] == NO_DATA).sum()),
        "zero_outcome": int((table["status"] == ZERO_OUTCOME).sum())}
    frames = {"watchlist": table.drop(columns=["history"]), "free_riders": riders,
              "attainment": attainment}
    if evaluation is not None:
        frames.update(_evaluation(evaluation, out_console, figures_))
    return Shown(out_console, frames, {"watchlist": figures.watchlist_scatter(table, names)},
                  figures_)


def _evaluation(evaluation: tuple[int, int], console: Report, figures_: dict[str, Any]
                ) -> dict[str, Any]:
    """The shipped defaults scored on the world family: the tables, and a summary line."""
    from teamquota.insights.evaluation import evaluate_family, report

    worlds, seed = evaluation
    tables = report(evaluate_family(range(seed, seed + worlds)))
    overall, target = tables["summary"].to_dict("records")
    figures_["evaluation"] = {"seeds": [seed, seed + worlds - 1], "overall": overall,
                              "target": target}
    curve = Table(title=f"Watchlist defaults on {2 * worlds} synthetic worlds (seeds "
                        f"{seed}-{seed + worlds - 1}, planted and noise-only): recall by "
                        f"effect and onset")
    for col in ("Onset", "Effect", "Planted", "Found", "Recall"):
        curve.add_column(col)
    for row in tables["power_curve"].itertuples():
        curve.add_row(row.onset, f"{row.effect:.0%}", str(row.planted), str(row.found),
                      f"{row.recall:.2f}")
    console.print(curve)
    for label, r in (("all worlds", overall), ("effects >= 30% from the start, teams >= 6",
                                               target)):
        console.print(
            f"{label}: recall {r['recall']:.2f} ({r['found']} of {r['planted']}), precision "
            f"{r['precision']:.2f} ({r['flags']} flags), false flags on noise "
            f"{r['false_flag_rate']:.1%} ({r['noise_flags']} of {r['noise_reps']})",
            markup=False)
    return {f"evaluation_{name}": table for name, table in tables.items()}


def conflicts(
    data: DataOpt = None, synthetic: SyntheticOpt = None, team: TeamOpt = None,
    column_map: MapOption = None, encoding: EncodingOption = None,
    period: Annotated[PeriodKind, typer.Option(help="window length")] = PeriodKind.quarter,
    handover_days: Annotated[int, typer.Option(
        help="an owner change this many days or fewer before close is a late handover")] = 14,
    top: Annotated[int, typer.Option(help="rows of shared accounts to print")] = 10,
    out: OutOpt = Path("out/insights/conflicts"),
    fmt: FormatOption = Format.text,
) -> None:
    """Shared accounts, late handovers, colleague-account activity: same vs cross team."""
    require("insights", "teamquota conflicts")
    _check_source(data, synthetic, fmt, column_map, encoding)
    _run(data, synthetic, fmt, column_map, encoding, out, "find conflicts",
         lambda dataset: _conflicts(dataset, team, period, handover_days, top))


def _conflicts(dataset: Dataset, team: str | None, period: PeriodKind, handover_days: int,
               top: int) -> Shown:
    from teamquota.insights import figures
    from teamquota.insights.conflicts import conflicts as report_conflicts

    report = report_conflicts(dataset, period.value, handover_days)
    summary = report.summary
    if team:
        summary = summary[summary["team_id"] == team]
    out_console = Report()
    totals = summary.groupby(["team_id", "kind"], as_index=False)[
        ["total", "same_team", "cross_team"]].sum()
    grid = Table(title=f"Pipeline conflicts per team, all {period.value}s")
    for col in ("Team", "Kind", "Total", "Same team", "Cross team", "Same-team share"):
        grid.add_column(col, justify="left" if col in ("Team", "Kind") else "right")
    for row in totals.itertuples():
        grid.add_row(row.team_id, row.kind.replace("_", " "), str(row.total),
                     str(row.same_team), str(row.cross_team), pct(row.same_team / row.total))
    out_console.print(grid)
    shared = report.shared_accounts
    if team:
        shared = shared[shared["teams"].str.contains(team, regex=False)]
    latest = shared[shared["period"] == shared["period"].max()].head(top)
    stable = Table(title=f"Accounts worked by several reps, {shared['period'].max()} "
                         f"(top {top} of {(shared['period'] == shared['period'].max()).sum()})")
    for col in ("Account", "Reps", "Teams", "Active deals", "Same-team pairs",
                "Cross-team pairs", "Same-team share"):
        stable.add_column(col, justify="left" if col == "Account" else "right")
    for row in latest.itertuples():
        pairs = row.same_team_pairs + row.cross_team_pairs
        stable.add_row(row.account, str(row.n_reps), str(len(row.teams.split(", "))),
                       str(row.deals), str(row.same_team_pairs), str(row.cross_team_pairs),
                       pct(row.same_team_pairs / pairs))
    out_console.print(stable)
    if len(report.late_handovers):
        out_console.print(f"{len(report.late_handovers)} deals changed owner within "
                          f"{handover_days} days of close "
                          f"({int(report.late_handovers['same_team'].sum())} within a team)",
                          markup=False)
    for note in report.notes:
        out_console.print(f"note: {note}", markup=False)
    frames = {"summary": report.summary, "shared_accounts": report.shared_accounts,
              "late_handovers": report.late_handovers,
              "colleague_account_activity": report.foreign_activity}
    return Shown(out_console, frames, {"conflicts": figures.conflict_bars(report)},
                  {"period": period.value, "team": team, "handover_days": handover_days,
                   "notes": list(report.notes)})


def _decimals(text: str, what: str, fmt: Format) -> list[Decimal]:
    try:
        values = [Decimal(part.strip()) for part in text.split(",") if part.strip()]
    except InvalidOperation:
        usage_error(f"{what} {text!r}: expected numbers separated by commas, e.g. "
                    "0.6,0.8,1.0", fmt)
    if not values or any(v < 0 or v > 2 for v in values):
        usage_error(f"{what} {text!r}: expected attainment levels between 0 and 2, e.g. "
                    "0.6,0.8,1.0", fmt)
    return values


def simulate(
    data: DataOpt = None, synthetic: SyntheticOpt = None,
    column_map: MapOption = None, encoding: EncodingOption = None,
    replicates: Annotated[int, typer.Option(help="bootstrap replicates (simulated quarters)")
                          ] = 100,
    seed: Annotated[int, typer.Option(help="random seed of the bootstrap")] = 0,
    threshold: Annotated[str | None, typer.Option(
        help="team attainment gate of the designs (default: the current plan's, else 0.8)",
        show_default=False)] = None,
    thresholds: Annotated[str, typer.Option(help="gates for the sensitivity table")
                          ] = "0.6,0.7,0.8,0.9,1.0",
    fixed_reps: Annotated[bool, typer.Option(
        "--fixed-reps", help="bootstrap periods only (each seat keeps its rep)")] = False,
    plan: Annotated[Path | None, typer.Option(
        help="the current plan: replay on its real targets after a to-the-cent back-test, "
             "and show it as a design (default: the demo's AE hybrid plan on the demo data)",
        show_default=False)] = None,
    out: OutOpt = Path("out/insights/simulate"),
    fmt: FormatOption = Format.text,
) -> None:
    """Replay history under individual, hybrid, team and pool plans; recommend one."""
    require("insights", "teamquota simulate")
    if not 10 <= replicates <= 5000:
        usage_error(f"--replicates {replicates}: expected 10 to 5000", fmt)
    gate = _decimals(threshold, "--threshold", fmt)[0] if threshold else None
    levels = _decimals(thresholds, "--thresholds", fmt)
    _check_source(data, synthetic, fmt, column_map, encoding)
    if plan is None and data is None and synthetic is None:
        from teamquota.cli.demo import demo_plan_path
        plan = demo_plan_path()
    _run(data, synthetic, fmt, column_map, encoding, out, f"replay {replicates} quarters",
         lambda dataset: _simulate(dataset, replicates, seed, gate, levels, fixed_reps, plan,
                                   fmt))


def _simulate(dataset: Dataset, replicates: int, seed: int, gate: Decimal | None,
              levels: list[Decimal], fixed_reps: bool, plan: Path | None, fmt: Format
              ) -> Shown:
    from teamquota.cli.run import read_plan
    from teamquota.insights import figures
    from teamquota.insights.replay import ReplayMismatch
    from teamquota.insights.simulate import simulate as run

    loaded = read_plan(plan, fmt) if plan is not None else None
    try:
        result = run(dataset, replicates=replicates, seed=seed, threshold=gate,
                     thresholds=levels, reps="fixed" if fixed_reps else "resample",
                     plan=loaded)
    except ReplayMismatch as exc:
        fail(str(exc), fmt)
    out_console = Report()
    used = result.sensitivity["threshold"].iloc[0] if gate is None else float(gate)
    grid = Table(title=f"Plan designs replayed on {replicates} bootstrap quarters "
                       f"(team gate {used:.0%}, pool rate {result.pool_rate}"
                       + (", on the current plan's targets)" if loaded else ")"))
    for col in ("Design", "Expected / qtr", "P95 / qtr", "Gini", "Bottom-quartile payout",
                "Rep earns nothing", "Team earns nothing", "Team line pays nothing"):
        grid.add_column(col, justify="left" if col == "Design" else "right")
    for row in result.summary.itertuples():
        line = row.team_line_pays_nothing
        grid.add_row(row.design + ("  <- current" if row.current else ""),
                     f"{row.expected_total:,.0f}", f"{row.p95_total:,.0f}",
                     f"{row.gini:.2f}", f"{row.bottom_quartile_payout_share:.0%}",
                     f"{row.rep_earns_nothing:.0%}", f"{row.team_earns_nothing:.0%}",
                     "—" if line != line else f"{line:.0%}")
    out_console.print(grid)
    for note in result.notes:
        out_console.print(note, markup=False)
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
    from teamquota.insights.frames import payee_names
    from teamquota.insights.simulate import never_paid, recommended_design
    pick = recommended_design(result.recommendation)
    idle: list[str] = []
    if pick:
        names = payee_names(dataset)
        idle = [names.get(r, r) for r in never_paid(result, pick)]
        out_console.print(f"Under {pick}, {len(idle)} reps earn nothing in more than half of "
                          f"their quarters{': ' + ', '.join(idle) if idle else ''} "
                          "(rep_earns_nothing.csv has every rep and design).", markup=False)
    frames = {"designs": result.summary, "threshold_sensitivity": result.sensitivity,
              "rep_earns_nothing": result.rep_zero, "replicates": result.per_replicate}
    charts = {"simulate_costs": figures.simulation_costs(result),
              "simulate_fairness": figures.simulation_fairness(result),
              "simulate_threshold": figures.simulation_threshold(result)}
    return Shown(out_console, frames, charts,
                  {"replicates": replicates, "seed": seed, "threshold": used,
                   "current_plan": result.current, "notes": result.notes,
                   "pool_rate": result.pool_rate, "recommendation": result.recommendation,
                   "recommended_design": pick or None, "reps_earning_nothing": idle},
                  {"recommendation.txt": result.recommendation + "\n"})


def register(app: typer.Typer) -> None:
    """Add the insight commands to the ``teamquota`` app."""
    for command in (strengths, allocate, watchlist, conflicts, simulate):
        app.command(rich_help_panel="Insights for sales leaders")(command)

"""``teamquota ledger``: what is paid, kept in a folder (``--ledger DIR``).

``post`` calculates and publishes a run (a locked period keeps its run; what the new run
computes differently for it becomes an adjustment or clawback in the next open period,
with its cause); ``adjust`` books a manual decision; ``approve`` and ``lock`` close a
period; ``show``, ``statement`` and ``payroll`` read it. The rules are
:mod:`teamquota.ledger.book`'s; the folder is :mod:`teamquota.ledger.filestore`.
"""

from __future__ import annotations

import difflib
import getpass
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

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
    Engine,
    EngineOption,
    MapOption,
    OnError,
    PlanArgument,
    calculate,
    read_data,
    read_plan,
    stages,
)
from teamquota.cli.statement import money
from teamquota.core.money import ZERO

if TYPE_CHECKING:  # the ledger loads the engine's tables: imported when a command runs
    from teamquota.ledger.filestore import FileStore
    from teamquota.ledger.model import Entry, PeriodState
    from teamquota.ledger.store import Row

ledger_app = typer.Typer(
    help="The payout ledger in a folder: post runs, adjust, approve, lock, pay.",
    no_args_is_help=True)

LedgerOption = Annotated[Path, typer.Option(
    "--ledger", "-l", help="the ledger folder (post starts one in a new or empty folder)",
    show_default=False)]
ByOption = Annotated[str, typer.Option(
    "--by", help="who does this, as the audit trail records it", show_default=False)]
PeriodArgument = Annotated[str, typer.Argument(help="period label, e.g. 2017-Q3",
                                               show_default=False)]


@contextmanager
def _ledger(folder: Path, fmt: Format, create: bool = False, write: bool = True
            ) -> Iterator[FileStore]:
    """The ledger for the block; a refusal (LedgerError) is a one-line error, exit 1."""
    from teamquota.ledger.filestore import open_ledger
    from teamquota.ledger.model import LedgerError

    try:
        with open_ledger(folder, create=create, write=write) as store:
            yield store
    except LedgerError as exc:
        fail(str(exc), fmt)
    except OSError as exc:
        fail(f"cannot write the ledger in {folder}: {exc.strerror or exc}", fmt, code="C002")


def _totals(rows: Iterable[Row]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        out[r.currency] += r.amount
    return dict(sorted(out.items()))


def _money_of(totals: dict[str, Decimal]) -> str:
    return " + ".join(money(t, c) for c, t in totals.items()) or "0.00"


def _state(store: FileStore) -> dict[str, tuple[PeriodState, dict[str, Decimal], str]]:
    from teamquota.ledger import book

    return {p.label: (p, _totals(rows := store.rows(p.label)), book.fingerprint(rows))
            for p in store.periods()}


def _period_of(store: FileStore, label: str, fmt: Format) -> PeriodState:
    for p in store.periods():
        if p.label == label:
            return p
    known = [p.label for p in store.periods()]
    close = difflib.get_close_matches(label, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    fail(f"period {label} is not in the ledger; {hint}its periods: "
         f"{', '.join(known) or 'none (post a run first)'}", fmt, code="C003")


def _entry_line(e: Entry) -> str:
    from teamquota.ledger.model import MANUAL

    payee, _, component = e.key
    kind = e.line_type if e.line_type != MANUAL else "manual adjustment"
    return (f"{kind} {money(e.amount, e.currency)} for {payee} {component} {e.source_period}, "
            f"paid in {e.period}: {e.cause}")


def _entry_json(e: Entry) -> dict[str, Any]:
    return {"payee_id": e.key[0], "plan_id": e.key[1], "component_id": e.key[2],
            "line_type": e.line_type, "amount": e.amount, "currency": e.currency,
            "source_period": e.source_period, "period": e.period, "cause": e.cause,
            "explanation": e.explanation, "author": e.author}


def post(
    plan: PlanArgument,
    ledger: LedgerOption,
    data: DataOption = None,
    demo: DemoOption = False,
    column_map: MapOption = None,
    encoding: EncodingOption = None,
    engine: EngineOption = Engine.duckdb,
    by: Annotated[str | None, typer.Option(
        "--by", help="who posts the run (default: your login name); they may not approve "
        "its periods", show_default=False)] = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Calculate and post the run to the ledger: open periods show it, locked ones get
    adjustments and clawbacks, each with its cause, in the next open period."""
    from teamquota.ledger import book
    from teamquota.ledger.filestore import (
        check_folder,
        check_plan,
        open_ledger,
        plan_info,
        posted_run,
    )
    from teamquota.ledger.model import LedgerError

    who = by or _login()
    with stages(fmt) as run:
        with run.stage("load plan"):
            loaded = read_plan(plan, fmt)
            info = plan_info(loaded)
            try:  # before a calculation that would be wasted
                if check_folder(ledger, create=True):
                    with open_ledger(ledger, write=False) as booked:
                        check_plan(booked.plan, info)
            except LedgerError as exc:
                fail(str(exc), fmt)
        with run.stage("load data"):
            dataset, notes = read_data(data, demo, OnError.fail, loaded.plan.currency, None,
                                       fmt, loaded.plan, column_map=column_map,
                                       encoding=encoding)
        with run.stage(f"calculate ({engine.value})"):
            results = calculate(loaded, dataset, engine, None, fmt)
        with run.stage("post to the ledger"):
            posted = posted_run(results, loaded, dataset.get("deals"), dataset.get("payees"))
            with _ledger(ledger, fmt, create=True) as store:
                before = _state(store)
                shown = {_same(e) for p in store.periods() if p.run_id is not None
                         for e in store.runs[p.run_id].entries if e.period == p.label}
                try:
                    run_id = store.post(posted, info, who)
                    entries = book.publish(store, run_id, sorted({c.period for c in
                                                                  posted.lines}),
                                           store.rules(), info.kind, info.year_start_month,
                                           who)
                except LedgerError as exc:
                    fail(str(exc), fmt)
                after = _state(store)
    periods = [_change(label, before.get(label), state) for label, state in after.items()]
    fresh = [e for e in entries if _same(e) not in shown]
    kept = len(entries) - len(fresh)
    if fmt == Format.json:
        print_json({"ok": True, "run": run_id, "plan_version": posted.plan_version,
                    "ledger": str(ledger), "periods": [
                        {"period": label, "status": p.status, "run": p.run_id,
                         "totals": {c: t for c, t in totals.items()}, "change": change}
                        for (label, (p, totals, _)), change in zip(after.items(), periods,
                                                                   strict=True)],
                    "corrections": [{**_entry_json(e), "new": _same(e) not in shown}
                                    for e in entries],
                    "diagnostics": [d.to_dict() for d in (*notes, *results.diagnostics)]})
        return
    out = console()
    out.print(f"posted run #{run_id} ({posted.plan_version}, by {who}) to {ledger}",
              markup=False)
    for (label, (p, totals, _)), change in zip(after.items(), periods, strict=True):
        out.print(f"{label}: {p.status}, {_money_of(totals)} ({change})", markup=False)
    for e in fresh:
        out.print(_entry_line(e), markup=False)
    if not entries:
        out.print("no corrections", markup=False)
    elif kept:
        lead = "no new corrections; " if not fresh else ""
        out.print(f"{lead}{kept} correction{'s' if kept > 1 else ''} as before "
                  "(teamquota ledger show lists them)", markup=False)


def _same(e: Entry) -> tuple[object, ...]:
    """A correction as the period shows it (a rerun recomputes the same one)."""
    return (e.key, e.amount, e.currency, e.line_type, e.period, e.source_period, e.cause,
            e.explanation, e.team_id)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def _change(label: str, before: tuple[PeriodState, dict[str, Decimal], str] | None,
            after: tuple[PeriodState, dict[str, Decimal], str]) -> str:
    from teamquota.ledger.model import APPROVED, CALCULATED, REVIEWED

    p, totals, fp = after
    if p.locked:
        return f"run #{p.run_id} is final"
    if before is None:
        return "new"
    old, old_totals, old_fp = before
    if fp == old_fp:
        return "unchanged"
    what = f"was {_money_of(old_totals)}" if old_totals != totals else "lines changed"
    if old.status in (REVIEWED, APPROVED) and p.status == CALCULATED:
        what += f"; {old.status} lapsed"
    return what


def _known_payees(store: FileStore) -> list[str]:
    found = set(store.people)
    for run in store.runs.values():
        found |= {c.key[0] for c in run.lines}
    return sorted(found)


def _unknown(kind: str, value: str, known: list[str], fmt: Format) -> None:
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
    fail(f"{kind} '{value}' is not in the ledger; {hint}{kind}s: {shown or 'none'}", fmt,
         code="C003")


def parse_amount(text: str, fmt: Format) -> Decimal:
    try:
        amount: Decimal | None = Decimal(text.strip()) if "," not in text else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        usage_error(f"amount '{text}' is not a number; write it like 50.00 or -25.50 (no "
                    "thousands separators)", fmt, code="C004")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        usage_error(f"amount '{text}' has more than 2 decimals; a manual adjustment is in "
                    "cents, e.g. 1.01", fmt, code="C004")
    return amount


def adjust(
    payee: Annotated[str, typer.Argument(help="payee id", show_default=False)],
    period: PeriodArgument,
    component: Annotated[str, typer.Argument(help="component id of the plan, e.g. personal",
                                             show_default=False)],
    amount: Annotated[str, typer.Argument(help="amount to pay (negative to take back), "
                                          "e.g. 50.00 or -25.50", show_default=False)],
    ledger: LedgerOption,
    reason: Annotated[str, typer.Option("--reason", help="why: shown on the statement and "
                                        "the payroll line", show_default=False)],
    by: ByOption,
    fmt: FormatOption = Format.text,
) -> None:
    """Book a manual adjustment for a payee's component in a period; a locked period's
    adjustment is paid in the next open period. No recalculation reverses it."""
    from teamquota.ledger import book
    from teamquota.ledger.model import LedgerError

    value = parse_amount(amount, fmt)
    if not reason.strip():
        usage_error("--reason must say why the adjustment is made", fmt, code="C004")
    with _ledger(ledger, fmt) as store:
        if store.plan is None:
            fail(f"the ledger {ledger} has no runs yet; post one first", fmt)
        _period_of(store, period, fmt)
        if payee not in _known_payees(store):
            _unknown("payee", payee, _known_payees(store), fmt)
        if component not in store.plan.components:
            _unknown("component", component, list(store.plan.components), fmt)
        key = (payee, store.plan.plan_id, component)
        currency, team = _currency_and_team(store, key, period)
        try:
            entry = book.add_manual(store, key, period, value, currency, reason.strip(), by,
                                    store.plan.kind, store.plan.year_start_month, team)
        except LedgerError as exc:
            fail(str(exc), fmt)
    if fmt == Format.json:
        print_json({"ok": True, "entry": _entry_json(entry)})
        return
    where = f"in {entry.period}" if entry.period == period else \
        f"in {entry.period} ({period} is locked)"
    console().print(f"booked manual adjustment {money(value, currency)} for {payee} "
                    f"{component} {period} {where}: {entry.cause}", markup=False)


def _currency_and_team(store: FileStore, key: tuple[str, str, str], period: str
                       ) -> tuple[str, str | None]:
    assert store.plan is not None
    currency, team = store.plan.currency, None
    for run_id in sorted(store.runs):
        for c in store.runs[run_id].lines:
            if c.key[0] == key[0]:
                currency = c.currency
            if c.key == key and c.period == period:
                team = c.team_id
    return currency, team


def approve(
    period: PeriodArgument,
    ledger: LedgerOption,
    by: ByOption,
    fmt: FormatOption = Format.text,
) -> None:
    """Approve what a period pays (not by whoever posted its run or booked a manual
    adjustment in it: segregation of duties)."""
    from teamquota.ledger.model import APPROVED, OPEN

    with _ledger(ledger, fmt) as store:
        p = _period_of(store, period, fmt)
        if p.locked:
            fail(f"{period} is locked; there is nothing to approve", fmt)
        if p.status == APPROVED:
            fail(f"{period} is already approved", fmt)
        if p.run_id is None or p.status == OPEN:
            fail(f"{period} has no calculation to approve; post a run first", fmt)
        poster = store.run_info[p.run_id].posted_by
        if poster == by:
            fail(f"segregation of duties: {by} posted run #{p.run_id}, which {period} pays; "
                 "someone else must approve it", fmt)
        authors = sorted({e.author for e in store.manual
                          if e.period == period and e.author == by})
        if authors:
            fail(f"segregation of duties: {by} booked a manual adjustment in {period}; "
                 "someone else must approve it", fmt)
        store.set_status(period, APPROVED, by)
        total = _money_of(_totals(store.rows(period)))
        store.audit(by, "period.approve", period,
                    f"{by} approved {period} (run #{p.run_id}, {total})")
    if fmt == Format.json:
        print_json({"ok": True, "period": period, "status": APPROVED, "run": p.run_id})
        return
    console().print(f"approved {period} (run #{p.run_id}, {total}) by {by}; lock it with: "
                    f"teamquota ledger lock {period} --ledger {ledger} --by NAME",
                    markup=False)


def lock(
    period: PeriodArgument,
    ledger: LedgerOption,
    by: ByOption,
    fmt: FormatOption = Format.text,
) -> None:
    """Lock an approved period: its lines and payroll file are final; later differences
    are paid as adjustments and clawbacks in the next open period."""
    from teamquota.ledger import book
    from teamquota.ledger.model import LedgerError

    with _ledger(ledger, fmt) as store:
        p = _period_of(store, period, fmt)
        try:
            snapshot = book.lock(store, period, by, require_approved=True)
        except LedgerError as exc:
            fail(str(exc), fmt)
    if fmt == Format.json:
        print_json({"ok": True, "period": period, "run": p.run_id, "sha256": snapshot.sha256,
                    "totals": {c: t for c, t in snapshot.total.items()}})
        return
    console().print(f"locked {period} by {by}: run #{p.run_id} is final, "
                    f"{_money_of(dict(snapshot.total))}; payroll sha256 "
                    f"{snapshot.sha256[:12]}", markup=False)


def show(
    ledger: LedgerOption,
    period: Annotated[str | None, typer.Option(
        "--period", "-p", help="only this period", show_default=False)] = None,
    fmt: FormatOption = Format.text,
) -> None:
    """Show the ledger's periods (status, run, totals) and its corrections and manual
    adjustments."""
    with _ledger(ledger, fmt, write=False) as store:
        periods = [_period_of(store, period, fmt)] if period else store.periods()
        shown = {p.label for p in periods}
        totals = {p.label: _totals(store.rows(p.label)) for p in periods}
        entries = [e for run_id in sorted(store.runs) for e in store.runs[run_id].entries
                   if e.period in shown and store.period_states[e.period].run_id == run_id]
        entries += [e for e in store.manual if e.period in shown]
        entries.sort(key=lambda e: (store.period_states[e.period].start, e.key,
                                    e.source_period))
        plan = store.plan
    if fmt == Format.json:
        print_json({"ok": True, "plan": plan.plan_id if plan else None, "periods": [
            {"period": p.label, "status": p.status, "run": p.run_id,
             "totals": {c: t for c, t in totals[p.label].items()}} for p in periods],
            "entries": [_entry_json(e) for e in entries]})
        return
    out = console()
    title = f"ledger {ledger}" + (f" (plan {plan.plan_id}, {plan.kind} periods)" if plan
                                  else " (empty)")
    table = Table(title=title, title_justify="left")
    for name, justify in (("period", "left"), ("status", "left"), ("run", "right"),
                          ("total", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for p in periods:
        table.add_row(*cells(p.label, p.status, "" if p.run_id is None else f"#{p.run_id}",
                             _money_of(totals[p.label])))
    out.print(table)
    if not entries:
        out.print("no adjustments, clawbacks or manual entries", markup=False)
    for e in entries:
        out.print(_entry_line(e), markup=False)


def statement(
    payee: Annotated[str, typer.Argument(help="payee id", show_default=False)],
    ledger: LedgerOption,
    period: Annotated[str, typer.Option("--period", "-p", help="the period, e.g. 2017-Q3",
                                        show_default=False)],
    fmt: FormatOption = Format.text,
) -> None:
    """Print what the ledger pays a payee in a period: every line and entry with its
    explanation, and the total."""
    with _ledger(ledger, fmt, write=False) as store:
        p = _period_of(store, period, fmt)
        rows = [r for r in store.rows(period) if r.key[0] == payee]
        if not rows:
            paid = sorted({r.key[0] for r in store.rows(period)})
            _unknown("payee", payee, paid, fmt)
    rows.sort(key=lambda r: (r.source_period != "", r.key[2], r.source_period, r.ref))
    if fmt == Format.json:
        print_json({"ok": True, "payee_id": payee, "period": period, "status": p.status,
                    "totals": {c: t for c, t in _totals(rows).items()},
                    "rows": [{"component_id": r.key[2], "line_type": r.line_type,
                              "amount": r.amount, "currency": r.currency,
                              "source_period": r.source_period, "team_id": r.team_id,
                              "explanation": r.explanation} for r in rows]})
        return
    text = Text()
    text.append(f"Statement for {payee}, {period} (ledger {ledger}, {p.status}, "
                f"run #{p.run_id})\n", "bold")
    for r in rows:
        what = f"{r.line_type} for {r.source_period}" if r.source_period else r.line_type
        team = f" team {r.team_id}" if r.team_id else ""
        text.append(f"  {r.key[2]} [{what}]{team}: ")
        text.append(money(r.amount, r.currency), "bold")
        text.append("\n")
        if r.explanation:
            text.append(f"    {r.explanation}\n", "dim")
    for currency, total in _totals(rows).items():
        text.append("  total: ")
        text.append(money(total, currency), "bold green")
        text.append("\n")
    text.rstrip()
    console().print(text)


def payroll(
    period: PeriodArgument,
    ledger: LedgerOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write",
                                         show_default=False)],
    fmt: FormatOption = Format.text,
) -> None:
    """Write a period's payroll file: for a locked period the one frozen at lock (names and
    e-mails as they were then), else made now. Text cells cannot start a formula."""
    from teamquota.ledger import book
    from teamquota.ledger.model import LedgerError

    with _ledger(ledger, fmt, write=False) as store:
        p = _period_of(store, period, fmt)
        try:
            text = book.payroll(store, period)
        except LedgerError as exc:
            fail(str(exc), fmt)
    try:
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}", fmt, code="C002")
    lines = len(text.splitlines()) - 1
    final = "final" if p.locked else "not final until locked"
    if fmt == Format.json:
        print_json({"ok": True, "period": period, "status": p.status, "lines": lines,
                    "output": str(output)})
        return
    console().print(f"wrote the payroll of {period} ({p.status}, {final}): {lines} lines to "
                    f"{output}", markup=False)


def register(app: typer.Typer) -> None:
    ledger_app.command("post")(post)
    ledger_app.command("adjust", context_settings={"ignore_unknown_options": True})(adjust)
    ledger_app.command("approve")(approve)
    ledger_app.command("lock")(lock)
    ledger_app.command("show")(show)
    ledger_app.command("statement")(statement)
    ledger_app.command("payroll")(payroll)
    app.add_typer(ledger_app, name="ledger")

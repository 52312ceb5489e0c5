"""Calculation runs: call ``teamquota.calculate`` for every current plan, keep the rows.

The web never computes a payout itself: it builds the dataset from the database, asks the
library, and stores the Arrow tables as rows. A failed run stores nothing but its
diagnostics (one transaction). A run is a task (django-tasks): queued with its run id,
executed by a ``teamquota worker`` process (docs/web.md "Runs and replays"). Publishing
to periods is the ledger's (``teamquota.ledger``, stored by :mod:`.ledger_store`): locked
periods keep their run; what changed for them goes into an open period as adjustment
lines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import DatabaseError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import task, task_backends

import teamquota
from teamquota.core.diagnostics import Diagnostic, InputError, Source
from teamquota.core.periods import parse_period
from teamquota.data.limits import WEB_MONEY_LIMIT, WEB_MONEY_WHOLE_DIGITS
from teamquota.plan.loader import LoadedPlan, load_plan_text
from teamquota.web.comp.models import (
    AttainmentRow,
    CreditRow,
    Deal,
    Import,
    Payee,
    PayoutLine,
    Plan,
    PlanAssignment,
    PlanVersion,
    Run,
    Target,
    Team,
    TeamSummary,
    User,
    record,
)
from teamquota.web.comp.services import workers
from teamquota.web.comp.services.bulk import insert_rows, refresh_statistics
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.disk import full_disk, is_disk_full
from teamquota.web.comp.services.summaries import store_team_summaries
from teamquota.web.comp.services.workers import AGAIN, DISK_FULL

log = logging.getLogger(__name__)
Calculator = Callable[[LoadedPlan, Any], Any]
# sent (robustly: a receiver's error is logged) once a run's results are committed, with
# run=<the Run>; notifications listen to tell leaders a review is due (services/notify_events)
run_done = Signal()


def loaded_plan(version: PlanVersion) -> LoadedPlan:
    return load_plan_text(version.yaml_text, f"{version.plan.plan_id}.yaml")


def current_versions() -> list[PlanVersion]:
    versions = []
    for plan in Plan.objects.filter(assignments__isnull=False).distinct():
        current = plan.current
        if current is not None:
            versions.append(current)
    return versions


def contributing_imports() -> list[Import]:
    """Imports whose rows are in the data now: per table, the last replace and later."""
    result: list[Import] = []
    for table in Import.objects.values_list("table", flat=True).distinct():
        imports = list(Import.objects.filter(table=table).order_by("-created_at", "-id"))
        for imp in imports:
            result.append(imp)
            if imp.mode == "replace":
                break
    return result


class RunNotStarted(Exception):
    """A run that could not even be created (a full disk); the message is the D050 line."""


class RunNotStored(Exception):
    """A run's task ends with this when not even the run's failure could be written (a
    full disk): the task is marked failed, and :mod:`.workers` fails the run with D050."""


def start_run(user: User | None, note: str = "",
              calculator: Calculator | None = None) -> Run:
    """Create a run and queue its task for a worker; with a ``calculator`` (tests, the
    first start) or a backend without a queue (``TEAMQUOTA_RUNS_INLINE``) it executes here
    before this returns."""
    queued = calculator is None and task_backends["default"].supports_get_result
    run: Run | None = None
    try:
        try:
            workers.fail_orphaned_runs()
            # one transaction: the run is seen, by pages and workers, only with its task
            # (queued) or once this process holds it (executed here)
            with transaction.atomic():
                run = Run.objects.create(started_by=user, note=note, progress="queued")
                if not queued:
                    workers.claim(run)
                run.plan_versions.set(current_versions())
                run.imports.set(contributing_imports())
                if queued:
                    result = execute_run_task.enqueue(run.pk)
                    run.worker = f"{workers.TASK_PREFIX}{result.id}"
                    Run.objects.filter(pk=run.pk).update(worker=run.worker)
        except (OSError, DatabaseError) as exc:
            if not is_disk_full(exc):
                raise
            raise RunNotStarted(full_disk("the run could not be started", AGAIN)) from None
        if calculator is not None:
            execute_run(run, calculator)
        elif not queued:  # the immediate backend: the task executes now, in this process
            execute_run_task.enqueue(run.pk)
            run.refresh_from_db()
    finally:
        if run is not None:
            workers.release(run.pk)
    return run


@task()
def execute_run_task(run_id: int) -> str:
    """The task a worker executes: the run, then its status (``done`` or ``failed``)."""
    run = execute_run(Run.objects.get(pk=run_id))
    status = Run.objects.filter(pk=run_id).values_list("status", flat=True).first()
    if status in ("queued", "running"):
        raise RunNotStored(f"run #{run_id}: its failure could not be stored "
                           f"({run.diagnostics[0]['code'] if run.diagnostics else '?'})")
    return str(status)


def start_run_for(user: User, note: str = "") -> Run:
    """A run that ``user`` starts (the Runs page, the API): started, then audited."""
    run = start_run(user, note)
    record(user, "run.start", "run", run.pk, f"{user.username} started run #{run.pk}")
    return run


def _progress(run: Run, text: str) -> None:
    run.progress = text
    if not Run.objects.filter(pk=run.pk, status__in=("queued", "running")).update(
            progress=text, status=run.status):
        raise _Abandoned  # failed as stuck meanwhile (workers.fail_orphaned_runs)


def execute_run(run: Run, calculator: Calculator | None = None) -> Run:
    return _execute(run, calculator)


class _Abandoned(Exception):
    """The run was failed by :func:`.workers.fail_orphaned_runs` while it still executed
    (it outlived ``TEAMQUOTA_RUN_TIMEOUT_MINUTES``): its results are not stored."""


def _execute(run: Run, calculator: Calculator | None) -> Run:
    calc = calculator or teamquota.calculate
    run.status = "running"
    started = time.perf_counter()
    try:
        _progress(run, "reading data")  # inside: a failed write fails the run, not the thread
        _check_stored_amounts()
        dataset = build_dataset()
        timings = {"read_data": round(time.perf_counter() - started, 3)}
        outputs = []
        versions = list(run.plan_versions.select_related("plan"))
        if not versions:
            raise InputError([_diag("W001", "no plan is assigned to any payee; assign a plan "
                                            "on the Plans page before running")])
        for i, version in enumerate(versions, 1):
            _progress(run, f"calculating plan {version} ({i} of {len(versions)})")
            plan = loaded_plan(version)
            t0 = time.perf_counter()
            if calculator is None:  # the engine reports its stages as it goes
                label = f"plan {version} ({i} of {len(versions)})"
                results = calc(plan, dataset, progress=lambda stage, label=label: _progress(
                    run, f"{label}: {stage}"))
            else:
                results = calc(plan, dataset)
            timings[f"calculate {version}"] = round(time.perf_counter() - t0, 3)
            if results.diagnostics.has_errors:
                raise InputError(results.diagnostics)
            _check_places(version, results.payouts)
            _check_size(version, results.payouts)
            outputs.append((version, plan, results))
        _progress(run, "saving results")
        t0 = time.perf_counter()
        with transaction.atomic():
            # still ours? (a run failed as stuck stays failed: its rows are not stored)
            if not Run.objects.filter(pk=run.pk, status="running").update(
                    progress="saving results"):
                raise _Abandoned
            labels: set[str] = set()
            for version, plan, results in outputs:
                labels |= _store(run, version, plan, results)
            store_team_summaries(run)
            from teamquota.web.comp.services.ledger_store import publish_run
            publish_run(run, sorted(labels), {v.plan.plan_id: p for v, p, _ in outputs})
            timings["save"] = round(time.perf_counter() - t0, 3)
            run.status, run.progress = "done", "done"
            run.periods = sorted(labels)
            run.timings = timings
            run.diagnostics = [d.to_dict() for _, _, r in outputs for d in r.diagnostics]
            run.finished_at = timezone.now()
            run.save()
    except _Abandoned:
        log.warning("run %s was marked failed while it executed: nothing stored", run.pk)
        run.refresh_from_db()
        return run
    except InputError as exc:
        _fail(run, [d.to_dict() for d in exc.diagnostics])
    except Exception as exc:  # a bug in a calculation must not take the server down
        if is_disk_full(exc):  # the transaction rolled back: none of its rows are kept
            log.error("run %s failed: the disk is full (%s)", run.pk, exc)
            _fail(run, [DISK_FULL])
            return run
        log.exception("run %s failed", run.pk)
        _fail(run, [{"code": "E999", "message": f"{type(exc).__name__}: {exc}",
                     "severity": "error", "source": None, "hint": None}])
    if run.status == "done":
        _refresh_statistics(run)
        run_done.send_robust(sender=Run, run=run)
    return run


def _refresh_statistics(run: Run) -> None:
    """After the results are committed: only an optimisation, so a failure is logged and
    the run stays done."""
    t0 = time.perf_counter()
    try:
        refresh_statistics([CreditRow, AttainmentRow, PayoutLine, TeamSummary])
    except Exception:
        log.exception("run %s: refreshing planner statistics failed", run.pk)
        return
    run.timings["analyze"] = round(time.perf_counter() - t0, 3)
    Run.objects.filter(pk=run.pk).update(timings=run.timings)


def _check_places(version: PlanVersion, payouts: pa.Table) -> None:
    """The app keeps payout amounts to 3 places (every currency's minor unit: KWD, BHD,
    OMR have 3); a plan paid to more (``rounding.places`` 4 to 6) would be rounded again on
    saving: refuse it. Why not store 6: a SQLite decimal is a float, exact to 15
    significant digits, so 6 places would leave 9 before the point (docs/web.md "Money")."""
    stored = PayoutLine._meta.get_field("amount").decimal_places
    places = payouts.schema.field("amount").type.scale
    if places > stored:
        raise InputError([_diag("E052", f"plan {version} pays lines to {places} decimal "
                                f"places; the web app stores payouts to at most {stored} "
                                f"(round the plan with rounding: {{places: {stored}}} or "
                                "fewer, or run it with `teamquota calc`, which keeps every "
                                "place)")])


def _check_stored_amounts(shown: int = 20) -> None:
    """Amounts stored before the web's limit (16 digits were once accepted) fail the run,
    each named: SQLite reads them back rounded or not at all (it failed E999), PostgreSQL
    exactly, and both databases must pay the same."""
    from django.db.models import Q

    def big(field: str) -> Q:
        return Q(**{f"{field}__gte": WEB_MONEY_LIMIT}) | Q(**{f"{field}__lte": -WEB_MONEY_LIMIT})
    found = [("deals", f"deal '{d}'", "amount") for d in Deal.objects.filter(
        big("amount")).order_by("deal_id").values_list("deal_id", flat=True)[:shown]]
    found += [("targets", f"target of {t} {i} ({m}, {p})", "amount") for t, i, m, p in
              Target.objects.filter(big("amount")).order_by("subject_id", "period")
              .values_list("subject_type", "subject_id", "measure", "period")[:shown]]
    found += [("payees", f"payee '{i}'", "target_incentive") for i in Payee.objects.filter(
        big("target_incentive")).order_by("payee_id").values_list("payee_id", flat=True)
        [:shown]]
    if found:
        raise InputError([Diagnostic(
            "D012", f"{what}: the stored {column} has more than {WEB_MONEY_WHOLE_DIGITS} "
                    "digits before the point (it was stored before the web's limit); the web "
                    f"app keeps amounts below {WEB_MONEY_LIMIT:,} exactly",
            Source(f"{table} in the database"),
            "import it again with a smaller amount, or remove it")
            for table, what, column in found])


def payout_limit(amount_places: int) -> Decimal:
    """The size a payout amount stays below to be stored exactly: 15 significant digits
    (a SQLite decimal is a float), so 10^13 for cents (``data.limits.WEB_MONEY_LIMIT``, 13
    digits before the point) and 10^12 for an amount paid to 3 places."""
    return min(WEB_MONEY_LIMIT, Decimal(10) ** (15 - max(amount_places, 2)))


def places_of(amount: Decimal) -> int:
    """The places an amount has beyond its trailing zeros (10.006 -> 3, 10.010 -> 2)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _check_size(version: PlanVersion, payouts: pa.Table) -> None:
    """A payout the web cannot store exactly (SQLite keeps 15 significant digits:
    ``data.limits.WEB_MONEY_LIMIT``; :func:`payout_limit`) fails the run, naming the line,
    rather than lose cents."""
    amounts = payouts.column("amount")
    scale = amounts.type.scale
    floor = payout_limit(min(scale, 2))  # every line: 13 digits before the point
    big = pc.greater_equal(pc.abs(amounts), pa.scalar(floor, amounts.type))
    if scale > 2:  # a line with a third place: 12 digits before the point
        third = pc.not_equal(amounts, pc.round(amounts, 2))
        big = pc.or_(big, pc.and_(third, pc.greater_equal(
            pc.abs(amounts), pa.scalar(payout_limit(scale), amounts.type))))
    if not pc.any(big).as_py():
        return
    rows = payouts.filter(pc.fill_null(big, False)).slice(0, 5).to_pylist()
    raise InputError([_diag("E053", f"plan {version} pays {r['payee_id']} {r['amount']} "
                            f"{r['currency']} for {r['period']} (component "
                            f"{r['component_id']}); the web app stores amounts below "
                            f"{_limit_text(r['amount'])} — check the plan's rates "
                            "and the target incentives, or run it with `teamquota calc`")
                      for r in rows])


def _limit_text(amount: Decimal) -> str:
    places = places_of(amount)
    limit = payout_limit(places)
    digits = len(str(limit)) - 1
    where = "" if places <= 2 else f" paid to {places} places"
    return f"{limit:,} exactly ({digits} digits before the point{where})"


def _diag(code: str, message: str) -> Any:
    from teamquota.core.diagnostics import Diagnostic
    return Diagnostic(code, message)


def _fail(run: Run, diagnostics: list[dict[str, Any]]) -> None:
    run.status, run.progress = "failed", "failed"
    run.diagnostics = diagnostics
    run.finished_at = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a failed write leaves the connection usable
            run.save()
    except (OSError, DatabaseError) as exc:
        if not is_disk_full(exc):
            raise
        # not even the failure fits: the run stays 'running'; fail_orphaned_runs stores
        # these diagnostics later (in a worker: its task fails with RunNotStored)
        log.error("run %s: its failure could not be stored either (%s)", run.pk, exc)
        workers.note_failure(run.pk, diagnostics)


def _assigned(plan: Plan) -> dict[int, list[tuple[date, date | None]]]:
    spans: dict[int, list[tuple[date, date | None]]] = {}
    for a in PlanAssignment.objects.filter(plan=plan):
        spans.setdefault(a.payee_id, []).append((a.start_date, a.end_date))
    return spans


def _on_plan(spans: list[tuple[date, date | None]], period_end: date) -> bool:
    return any(s <= period_end and (e is None or period_end <= e) for s, e in spans)


def _store(run: Run, version: PlanVersion, plan: LoadedPlan, results: Any) -> set[str]:
    """Keep the payouts of payees assigned to the plan for the period; attainment and
    credits as they are (the team pages need every member's)."""
    plan_id = version.plan.plan_id
    payees = dict(Payee.objects.values_list("payee_id", "id"))
    teams = dict(Team.objects.values_list("team_id", "id"))
    spans = _assigned(version.plan)
    ym = plan.plan.year_start_month
    ends: dict[str, date] = {}
    lines = []
    for row in results.payouts.to_pylist():
        label = row["period"]
        if label not in ends:
            ends[label] = parse_period(label, ym).end
        payee = payees.get(row["payee_id"])
        if payee is None or not _on_plan(spans.get(payee, []), ends[label]):
            continue
        lines.append((
            run.pk, label, payee, plan_id, row["component_id"], row["line_type"],
            teams.get(row["team_id"]) if row["team_id"] else None, row["deal_id"] or "",
            row["measure_value"], row["target_amount"], row["attainment"], row["factor"],
            row["amount"], row["currency"], row["rule"] or "", row["explanation"] or "",
            "", ""))
    insert_rows(PayoutLine, PAYOUT_FIELDS, lines)
    att = results.attainment
    insert_rows(AttainmentRow, ["run", "plan_id", *att.column_names],
                ((run.pk, plan_id, *values) for values in zip(
                    *(att.column(c).to_pylist() for c in att.column_names), strict=True)))
    _store_credits(run, results.credits)
    labels = set(results.attainment.column("period").to_pylist()) | set(ends)
    return labels


PAYOUT_FIELDS = ("run", "period", "payee", "plan_id", "component_id", "line_type", "team",
                 "deal_id", "measure_value", "target_amount", "attainment", "factor", "amount",
                 "currency", "rule", "explanation", "adjusts_period", "cause")
CREDIT_FIELDS = ("period", "deal_id", "subject_type", "subject_id", "rule", "share",
                 "payee_id", "amount", "counts_for_team", "close_date")


def _store_credits(run: Run, credits: pa.Table) -> None:
    """Keep every credit row; a second plan over the same deals adds only new rows.

    Rows go in sorted by the pages' index (subject, period): the index then grows at its
    end instead of splitting pages all over, which is most of the insert time at scale."""
    seen = set(CreditRow.objects.filter(run=run).values_list("deal_id", "subject_type",
                                                             "subject_id", "rule"))
    names = [f for f in CREDIT_FIELDS if f in credits.column_names]
    table = credits.select(names).sort_by([("subject_type", "ascending"),
                                           ("subject_id", "ascending"),
                                           ("period", "ascending")])
    if "payee_id" in names:  # the column is text, not null: '' means "no payee"
        i = names.index("payee_id")
        table = table.set_column(i, "payee_id", pc.fill_null(table.column(i), ""))
    columns = [table.column(f).to_pylist() for f in names]
    keys = zip(*(columns[names.index(k)] for k in ("deal_id", "subject_type", "subject_id",
                                                   "rule")), strict=True)

    def rows():  # noqa: ANN202
        for key, values in zip(keys, zip(*columns, strict=True), strict=True):
            if key not in seen:
                seen.add(key)
                yield (run.pk, *values)
    insert_rows(CreditRow, ["run", *names], rows())

"""Read operations: statements, results (paged), runs. Each gets its objects through
``access`` for the period asked about, exactly as the pages do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from teamquota.web.comp import access
from teamquota.web.comp.api import auth
from teamquota.web.comp.api.errors import ApiError
from teamquota.web.comp.api.schemas import (
    Error,
    Results,
    RunList,
    RunOut,
    Statement,
    decimal_text,
    money,
    paid,
)
from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import PayoutLine, Period, Run
from teamquota.web.comp.views.statement import statement_data

router = Router(auth=auth.signed_in)
TAGS = ["read"]

MAX_LIMIT = 10_000
MAX_ID = 2**63 - 1  # a database id (BigAutoField)
MAX_OFFSET = 10_000_000  # far past any ledger; a bigger offset is an empty page
READ_ERRORS: dict[int, type[Error]] = {400: Error, 401: Error, 403: Error, 422: Error,
                                       500: Error}
PERIOD_HELP = "a period label (2017-Q1); default: the latest period with results"


def period_ref(period: Period) -> dict[str, Any]:
    return {"label": period.label, "status": period.status, "run": period.run_id}


def period_with_results(label: str | None) -> Period:
    periods = Period.objects.filter(run__isnull=False)
    found = (periods.filter(label=label).first() if label
             else periods.order_by("-start").first())
    if found is None:
        raise ApiError(404, f"no results for period {label}" if label
                       else "no period has results yet")
    return found


def line_json(line: Any) -> dict[str, Any]:
    return {"id": line.pk, "period": line.period, "payee_id": line.payee.payee_id,
            "plan_id": line.plan_id, "component_id": line.component_id,
            "line_type": line.line_type, "team_id": line.team.team_id if line.team else None,
            "deal_id": line.deal_id or None, "measure_value": decimal_text(line.measure_value),
            "target_amount": money(line.target_amount),
            "attainment": decimal_text(line.attainment), "factor": decimal_text(line.factor),
            "amount": paid(line.amount, line.currency), "currency": line.currency,
            "rule": line.rule,
            "explanation": line.explanation, "adjusts_period": line.adjusts_period or None,
            "cause": line.cause or None}


class PeriodQuery(Schema):
    period: str | None = Field(None, max_length=10, description=PERIOD_HELP)


@router.get("/statements/{payee_id}/", tags=TAGS,
            response={200: Statement, 404: Error, **READ_ERRORS}, url_name="api_statement",
            summary="A payee's statement for a period")
def statement(request: HttpRequest, payee_id: str,
              query: Query[PeriodQuery]) -> dict[str, Any]:
    period = period_with_results(query.period)
    payee = access.payees_visible_to(request.user, period).filter(payee_id=payee_id).first()
    if payee is None:
        raise ApiError(404, f"no statement of {payee_id} for {period.label} that you may see")
    data = statement_data(payee, period)
    return {
        "payee": {"payee_id": payee.payee_id, "name": payee.name},
        "period": period_ref(period), "total": paid(data["total"], data["currency"]),
        "currency": data["currency"], "lines": [line_json(ln) for ln in data["lines"]],
        "deals": [{"deal_id": c.deal_id, "amount": money(c.amount), "rule": c.rule,
                   "close_date": c.close_date} for c in data["credits"]]}


class ResultsQuery(Schema):
    period: str | None = Field(None, max_length=10, description=PERIOD_HELP)
    payee: str | None = Field(None, max_length=100, description="only this payee's lines")
    limit: int = Field(1000, ge=1, le=MAX_LIMIT, description="lines per page")
    offset: int = Field(0, ge=0, description="lines to skip (past 10,000,000: an empty "
                                             "page)")


@router.get("/results/", tags=TAGS, response={200: Results, 404: Error, **READ_ERRORS},
            url_name="api_results",
            summary="Payout lines you may see for a period (paged), with totals per payee",
            description="Lines are ordered by payee id, then line id (stable across pages). "
                        "Follow `next` until it is null; `count` is the number of lines "
                        "over all pages.")
def results(request: HttpRequest, query: Query[ResultsQuery]) -> dict[str, Any]:
    period = period_with_results(query.period)
    lines = (access.lines_visible_to(request.user, period)
             .filter(pk__in=PayoutLine.shown(period).values("pk"))
             .select_related("payee", "team").order_by("payee__payee_id", "id"))
    if query.payee:
        lines = lines.filter(payee__payee_id=query.payee)
    limit, offset = query.limit, min(query.offset, MAX_OFFSET)
    # one row per payee and currency: the page's ordering (payee, id) is cleared first, or
    # the GROUP BY would take the id too (a row per line); ExactSum is exact on SQLite
    totals = (lines.order_by().values("payee__payee_id", "currency")
              .annotate(total=ExactSum("amount"))
              .order_by("payee__payee_id", "currency"))
    count = lines.count()
    page = [line_json(ln) for ln in lines[offset:offset + limit]]
    more = offset + limit < count
    params = request.GET.copy()
    params["offset"] = str(offset + limit)
    params["limit"] = str(limit)
    return {
        "period": period_ref(period),
        "totals": [{"payee_id": t["payee__payee_id"], "currency": t["currency"],
                    "amount": paid(t["total"], t["currency"])} for t in totals],
        "count": count, "offset": offset, "limit": limit, "lines": page,
        "next": f"{request.path}?{params.urlencode()}" if more else None}


def run_json(run: Run) -> dict[str, Any]:
    return {"id": run.pk, "status": run.status, "progress": run.progress,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "started_by": run.started_by.username if run.started_by else None,
            "periods": run.periods, "plans": [str(v) for v in run.plan_versions.all()],
            "diagnostics": run.diagnostics}


@router.get("/runs/", tags=TAGS, response={200: RunList, **READ_ERRORS}, url_name="api_runs",
            summary="Calculation runs (finance and sales ops; others see none)")
def runs(request: HttpRequest) -> dict[str, Any]:
    found = (access.runs_visible_to(request.user).select_related("started_by")
             .prefetch_related("plan_versions__plan")[:100])
    return {"runs": [run_json(r) for r in found]}


@router.get("/runs/{int:run_id}/", tags=TAGS, response={200: RunOut, 404: Error, **READ_ERRORS},
            url_name="api_run", summary="One run: status, progress, periods, diagnostics")
def run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    found = (access.runs_visible_to(request.user).filter(pk=run_id).first()
             if 0 < run_id <= MAX_ID else None)  # past a database id: no such run
    if found is None:
        raise ApiError(404, f"no run #{run_id} that you may see")
    return run_json(found)

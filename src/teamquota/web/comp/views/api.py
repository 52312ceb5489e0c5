"""The JSON API (token or session auth, the same access rules) and its OpenAPI description.

Money is a JSON string ("12720.00"), never a float, so no client loses a cent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from teamquota.web.comp import access
from teamquota.web.comp.models import ApiToken, PayoutLine, Period, Run, record
from teamquota.web.comp.views.statement import statement_data


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _auth(request: HttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "authentication required (Authorization: Bearer "
                                      "<token>)"}, status=401)
    return None


def _not_found() -> JsonResponse:
    return JsonResponse({"error": "not found"}, status=404)


def _period(request: HttpRequest) -> Period | None:
    label = request.GET.get("period")
    periods = Period.objects.filter(run__isnull=False)
    return (periods.filter(label=label).first() if label
            else periods.order_by("-start").first())


def line_json(line: Any) -> dict[str, Any]:
    return {"id": line.pk, "period": line.period, "payee_id": line.payee.payee_id,
            "plan_id": line.plan_id, "component_id": line.component_id,
            "line_type": line.line_type, "team_id": line.team.team_id if line.team else None,
            "deal_id": line.deal_id or None, "measure_value": _dec(line.measure_value),
            "target_amount": _money(line.target_amount), "attainment": _dec(line.attainment),
            "factor": _dec(line.factor), "amount": _money(line.amount),
            "currency": line.currency, "rule": line.rule, "explanation": line.explanation,
            "adjusts_period": line.adjusts_period or None, "cause": line.cause or None}


@require_GET
def api_statement(request: HttpRequest, payee_id: str) -> HttpResponse:
    if (denied := _auth(request)) is not None:
        return denied
    period = _period(request)
    payee = access.payees_visible_to(request.user, period).filter(payee_id=payee_id).first()
    if payee is None or period is None:
        return _not_found()
    data = statement_data(payee, period)
    return JsonResponse({
        "payee": {"payee_id": payee.payee_id, "name": payee.name},
        "period": {"label": period.label, "status": period.status, "run": period.run_id},
        "total": _money(data["total"]), "currency": data["currency"],
        "lines": [line_json(ln) for ln in data["lines"]],
        "deals": [{"deal_id": c.deal_id, "amount": _money(c.amount), "rule": c.rule,
                   "close_date": c.close_date.isoformat() if c.close_date else None}
                  for c in data["credits"]]})


@require_GET
def api_results(request: HttpRequest) -> HttpResponse:
    if (denied := _auth(request)) is not None:
        return denied
    period = _period(request)
    if period is None:
        return _not_found()
    lines = (access.lines_visible_to(request.user, period)
             .filter(pk__in=PayoutLine.shown(period).values("pk"))
             .select_related("payee", "team").order_by("payee__payee_id", "id"))
    if request.GET.get("payee"):
        lines = lines.filter(payee__payee_id=request.GET["payee"])
    limit = min(_number(request.GET.get("limit"), 1000), 10000)
    offset = _number(request.GET.get("offset"), 0)
    # added up here, as Decimals: a GROUP BY would also group by the ordering's id (a row
    # per line), and SQLite's SUM adds floats
    sums: dict[tuple[str, str], Decimal] = {}
    for payee_id, currency, amount in lines.values_list("payee__payee_id", "currency",
                                                         "amount"):
        sums[(payee_id, currency)] = sums.get((payee_id, currency), Decimal(0)) + amount
    totals = [{"payee__payee_id": p, "currency": c, "total": t} for (p, c), t in sums.items()]
    page = [line_json(ln) for ln in lines[offset:offset + limit + 1]]
    more = len(page) > limit
    query = request.GET.copy()
    query["offset"] = str(offset + limit)
    return JsonResponse({
        "period": {"label": period.label, "status": period.status, "run": period.run_id},
        "totals": [{"payee_id": t["payee__payee_id"], "currency": t["currency"],
                    "amount": _money(t["total"])} for t in totals],
        "lines": page[:limit],
        "next": f"{request.path}?{query.urlencode()}" if more else None})


MAX_OFFSET = 10_000_000  # far past any ledger; a bigger offset is an empty page


def _number(text: str | None, default: int) -> int:
    """A page number from the query: ASCII digits only (not '²' or '١'), at most 8 of them,
    clamped to MAX_OFFSET, so a 23-digit offset is no overflow in the database's LIMIT."""
    if not text or not (text.isascii() and text.isdigit()):
        return default
    return MAX_OFFSET if len(text) > 8 else min(int(text), MAX_OFFSET)


def run_json(run: Run) -> dict[str, Any]:
    return {"id": run.pk, "status": run.status, "progress": run.progress,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "started_by": run.started_by.username if run.started_by else None,
            "periods": run.periods, "plans": [str(v) for v in run.plan_versions.all()],
            "diagnostics": run.diagnostics}


@require_GET
def api_runs(request: HttpRequest) -> HttpResponse:
    if (denied := _auth(request)) is not None:
        return denied
    runs = access.runs_visible_to(request.user).select_related("started_by")[:100]
    return JsonResponse({"runs": [run_json(r) for r in runs]})


@require_GET
def api_run(request: HttpRequest, run_id: int) -> HttpResponse:
    if (denied := _auth(request)) is not None:
        return denied
    run = access.runs_visible_to(request.user).filter(pk=run_id).first()
    return JsonResponse(run_json(run)) if run else _not_found()


@require_GET
def api_openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(OPENAPI)


@access.signed_in
def api_tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            request.user.api_tokens.filter(pk=request.POST.get("revoke")).delete()
            messages.success(request, "Token revoked")
            return redirect("api_tokens")
        name = request.POST.get("name", "").strip()[:100] or "token"
        _, new_token = ApiToken.issue(request.user, name)
        record(request.user, "api.token", "user", request.user.pk,
               f"{request.user.username} created API token '{name}'")
    return render(request, "comp/api_tokens.html", {
        "tokens": request.user.api_tokens.all(), "new_token": new_token})


_money_schema = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "12720.00"}
_period_param = {"name": "period", "in": "query", "required": False,
                 "schema": {"type": "string", "example": "2017-Q2"},
                 "description": "period label; default the latest period with results"}
_line = {"type": "object", "properties": {
    "id": {"type": "integer"}, "period": {"type": "string"}, "payee_id": {"type": "string"},
    "plan_id": {"type": "string"}, "component_id": {"type": "string"},
    "line_type": {"type": "string"}, "team_id": {"type": "string", "nullable": True},
    "deal_id": {"type": "string", "nullable": True}, "amount": _money_schema,
    "attainment": {"type": "string", "nullable": True}, "currency": {"type": "string"},
    "rule": {"type": "string"}, "explanation": {"type": "string"},
    "adjusts_period": {"type": "string", "nullable": True},
    "cause": {"type": "string", "nullable": True}}}
_errors = {"401": {"description": "no or invalid token"},
           "404": {"description": "not found, or outside your access"}}
OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "teamquota API", "version": "1",
             "description": "Statements, results and runs. Authenticate with "
                            "'Authorization: Bearer <token>' (create tokens on the API page)."
                            " Each token sees exactly what its user sees in the app."},
    "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                   "schemas": {"Line": _line}},
    "security": [{"token": []}],
    "paths": {
        "/api/statements/{payee_id}/": {"get": {
            "summary": "A payee's statement for a period",
            "parameters": [{"name": "payee_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}, _period_param],
            "responses": {"200": {"description": "statement", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "total": _money_schema, "lines": {"type": "array", "items": {
                        "$ref": "#/components/schemas/Line"}}}}}}}, **_errors}}},
        "/api/results/": {"get": {
            "summary": "Payout lines you may see for a period (paged), with totals per payee",
            "parameters": [_period_param,
                           {"name": "payee", "in": "query", "schema": {"type": "string"}},
                           {"name": "limit", "in": "query",
                            "schema": {"type": "integer", "default": 1000, "maximum": 10000}},
                           {"name": "offset", "in": "query",
                            "schema": {"type": "integer", "default": 0}}],
            "responses": {"200": {"description": "results"}, **_errors}}},
        "/api/runs/": {"get": {"summary": "Calculation runs (finance, sales ops)",
                               "responses": {"200": {"description": "runs"}, **_errors}}},
        "/api/runs/{run_id}/": {"get": {
            "summary": "One run: status, progress, periods, diagnostics",
            "parameters": [{"name": "run_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "run"}, **_errors}}},
    },
}

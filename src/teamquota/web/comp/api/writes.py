"""Write operations: upload an import (dry run or apply), start a run, approve and lock a
period, download its payroll file. Each calls the service its page calls, so the API and
the page share one code path: the same role, access and segregation-of-duties checks, the
same audit events, and a refusal changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Path

try:  # django-ninja 1.6 and later; before, an operation returned (status, body)
    from ninja import Status
except ImportError:  # pragma: no cover
    def Status(status_code: int, value: Any) -> Any:  # type: ignore[no-redef]  # noqa: N802
        return status_code, value
from ninja.files import UploadedFile

from teamquota.core.diagnostics import Diagnostic
from teamquota.web.comp import access
from teamquota.web.comp.api import auth
from teamquota.web.comp.api.errors import ApiError
from teamquota.web.comp.api.reads import router, run_json
from teamquota.web.comp.api.schemas import (
    Error,
    ImportReport,
    PeriodOut,
    RunOut,
    RunStart,
    TeamDecisionIn,
)
from teamquota.web.comp.models import Period
from teamquota.web.comp.services import close
from teamquota.web.comp.services import imports as svc
from teamquota.web.comp.services.payroll import PayrollRefused, export_payroll
from teamquota.web.comp.services.runs import RunNotStarted, start_run_for

# the reads' router: POST /api/runs/ must share its path view with GET /api/runs/
TAGS = ["write"]

WRITE_ERRORS: dict[int, type[Error]] = {400: Error, 401: Error, 403: Error, 422: Error,
                                        500: Error}
Table = Literal[svc.IMPORTABLE]  # type: ignore[valid-type]
Preset = Literal[svc.PRESETS]  # type: ignore[valid-type]
Label = Annotated[str, Path(max_length=10, description="a period label (2017-Q1)")]
_CODE = re.compile(r"error\[([A-Z]\d{3})\]")


def _code(text: str) -> str | None:
    found = _CODE.search(text)
    return found.group(1) if found else None


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {"code": d.code, "severity": d.severity, "message": d.message,
            "source": str(d.source) if d.source is not None else None, "hint": d.hint}


def _file_details(diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    return [{"loc": ["body", "file"], "message": d.render(), "code": d.code}
            for d in diagnostics if d.severity == "error"]


@router.post("/imports/", tags=TAGS, auth=auth.sales_ops, url_name="api_imports",
             response={200: ImportReport, 201: ImportReport, 413: Error, 507: Error,
                       **WRITE_ERRORS},
             summary="Upload a data file: check it (dry_run) or import it (sales ops)",
             description="multipart/form-data, as the Imports page: `file` (CSV or Parquet), "
                         "`table`, `preset` (a column map), `mode` (upsert, the default: "
                         "add new rows and update changed ones by key, keep the rest; or "
                         "replace: the whole table; splits, activities, fx_rates and "
                         "coverage are replace only), "
                         "`on_error` (fail: nothing is imported while any row is bad; "
                         "reject: the good rows are, the others reported), `dry_run` "
                         "(true: validate only, 200, nothing changes). Applied: 201. A file "
                         "that cannot be imported is 422 with each problem located in "
                         "`details` (file:line:column) and changes nothing.")
def import_upload(request: HttpRequest, file: File[UploadedFile], table: Form[Table],
                  preset: Form[Preset] = "",
                  mode: Form[Literal["upsert", "replace"]] = "upsert",
                  on_error: Form[Literal["fail", "reject"]] = "fail",
                  dry_run: Form[bool] = False) -> Any:
    try:
        staged = svc.stage(file, table, preset, request.user)
    except svc.UploadError as exc:
        code = _code(str(exc))
        raise ApiError(507 if code == "D050" else 413, str(exc), code=code) from None
    try:
        shown = svc.preview(staged)
        if "error" in shown:
            message = str(shown["error"])
            nothing = "nothing would be imported" if dry_run else "nothing was imported"
            raise ApiError(422, f"{nothing}: {message}", code=_code(message),
                           details=[{"loc": ["body", "file"], "message": message,
                                     "code": _code(message)}])
        try:
            if dry_run:
                validation = svc.validate(staged, mode, on_error)
                imp = None
            else:
                imp, validation = svc.apply(staged, mode, on_error, request.user)
        except OSError as exc:
            if not svc.disk_full(exc):
                raise
            raise ApiError(507, svc.DISK_FULL, code="D050") from None
        if not dry_run and imp is None:
            n = validation.errors
            details = _file_details(validation.diagnostics)
            raise ApiError(507 if any(d["code"] == "D050" for d in details) else 422,
                           f"nothing was imported: {n} problem{'s' if n != 1 else ''}"
                           + (f"; first: {details[0]['message']}" if details else ""),
                           code=details[0]["code"] if details else None, details=details)
    finally:
        svc.discard(staged)
    report = {"table": staged.table, "mode": mode, "dry_run": dry_run,
              "applied": imp is not None, "import_id": imp.pk if imp else None,
              "rows": shown["rows"], "kept": imp.rows_imported if imp else validation.kept,
              "rejected": validation.rejected, "errors": validation.errors,
              "mapping": [{k: m[k] for k in ("column", "source", "required", "state")}
                          for m in shown["mapping"]],
              "diagnostics": [_diagnostic(d) for d in validation.diagnostics],
              "notes": validation.notes,
              "changes": validation.changes.words() if validation.changes else None}
    return Status(200 if dry_run else 201, report)


@router.post("/runs/", tags=TAGS, auth=auth.sales_ops, url_name="api_run_start",
             response={202: RunOut, 413: Error, 415: Error, 507: Error, **WRITE_ERRORS},
             summary="Start a calculation run (sales ops), as the Runs page does",
             description="Returns the run at once (202); follow its status at "
                         "/api/runs/{run_id}/ until it is done or failed.")
def run_start(request: HttpRequest, body: RunStart | None = None) -> Any:
    note = body.note if body is not None else ""
    try:
        started = start_run_for(request.user, note)
    except RunNotStarted as exc:  # a full disk (D050): nothing was written
        raise ApiError(507, str(exc), code="D050") from None
    started.refresh_from_db()
    return Status(202, run_json(started))


def _period(label: str) -> Period:
    found = Period.objects.filter(label=label).first()
    if found is None:
        raise ApiError(404, f"no period {label}")
    return found


def period_json(period: Period) -> dict[str, Any]:
    return {"label": period.label, "status": period.status, "run": period.run_id,
            "approved_by": period.approved_by.username if period.approved_by else None,
            "approved_at": period.approved_at,
            "locked_by": period.locked_by.username if period.locked_by else None,
            "locked_at": period.locked_at}


def _step(step: Callable[[Any, Any], Any], request: HttpRequest, label: str
          ) -> dict[str, Any]:
    """One close step on a period through the page's own service (its checks and SoD)."""
    period = _period(label)
    try:
        step(request.user, period)
    except close.WorkflowError as exc:
        raise _workflow_error(exc) from None
    period.refresh_from_db()
    return period_json(period)


def _workflow_error(exc: close.WorkflowError) -> ApiError:
    message = str(exc)
    if message.startswith("segregation of duties"):
        return ApiError(403, message, code="sod")
    if message.startswith("you do not lead"):  # a team the leader led in other periods
        return ApiError(403, message, code="scope")
    if _code(message) == "D050":
        return ApiError(507, message, code="D050")
    return ApiError(409, message, code="state")


TeamId = Annotated[str, Path(max_length=100)]
STEP_RESPONSES: dict[int, type[Any]] = {200: PeriodOut, 404: Error, 409: Error, 507: Error,
                                        **WRITE_ERRORS}


@router.get("/periods/{label}/", tags=TAGS, auth=auth.signed_in, url_name="api_period",
            response={200: PeriodOut, 404: Error, **WRITE_ERRORS},
            summary="A period's close status (anyone signed in, as the Periods page)")
def period(request: HttpRequest, label: Label) -> dict[str, Any]:
    return period_json(_period(label))


@router.post("/periods/{label}/review/{team_id}/", tags=TAGS, auth=auth.leader,
             url_name="api_period_review", response=STEP_RESPONSES,
             summary="Review a team's numbers for a period (its leader)",
             description="The Periods page's review: a team you may not see is a 404; one "
                         "you did not lead in that period a 403 (code scope); a period past "
                         "review a 409. When every team is reviewed the period is "
                         "`reviewed`.")
def period_review(request: HttpRequest, label: Label, team_id: TeamId) -> dict[str, Any]:
    return _team_step(request, label, team_id, close.review)


def _team_step(request: HttpRequest, label: str, team_id: str,
               step: Callable[[Any, Period, Any], Any]) -> dict[str, Any]:
    """A close step on one team of a period (review, sign-off, rejection) through the
    page's own service; a team the user may not see is a 404."""
    team = access.teams_visible_to(request.user).filter(team_id=team_id).first()
    if team is None:
        raise ApiError(404, f"no team {team_id} that you may see")
    found = _period(label)
    try:
        step(request.user, found, team)
    except close.WorkflowError as exc:
        raise _workflow_error(exc) from None
    found.refresh_from_db()
    return period_json(found)


@router.post("/periods/{label}/signoff/{team_id}/", tags=TAGS, auth=auth.finance,
             url_name="api_period_signoff", response=STEP_RESPONSES,
             summary="Sign off a team's numbers for a period (finance)",
             description="The period page's sign-off, after the team's leader reviewed it: "
                         "the same segregation of duties as the approval (403, code sod); "
                         "409 (code state) before the review or past approval. A sign-off "
                         "holds for the numbers as they stand and lapses when they change.")
def period_signoff(request: HttpRequest, label: Label, team_id: TeamId,
                   body: TeamDecisionIn | None = None) -> dict[str, Any]:
    comment = body.text if body is not None else ""
    return _team_step(request, label, team_id,
                      lambda user, period, team: close.signoff(user, period, team, comment))


@router.post("/periods/{label}/reject/{team_id}/", tags=TAGS, auth=auth.finance,
             url_name="api_period_reject", response=STEP_RESPONSES,
             summary="Send a team's numbers back to its leader with a reason (finance)",
             description="The period page's rejection: the leader's review is withdrawn "
                         "until they review again; a reason is required (409, code state, "
                         "without one).")
def period_reject(request: HttpRequest, label: Label, team_id: TeamId,
                  body: TeamDecisionIn | None = None) -> dict[str, Any]:
    reason = body.text if body is not None else ""
    return _team_step(request, label, team_id,
                      lambda user, period, team: close.reject(user, period, team, reason))


@router.post("/periods/{label}/approve/", tags=TAGS, auth=auth.finance,
             url_name="api_period_approve",
             response=STEP_RESPONSES, summary="Approve a reviewed period (finance)",
             description="The Periods page's approval: refused (403, code sod) to the "
                         "author of any input the period's run read or a manual entry it "
                         "pays, and to a login such an author created or last gave a "
                         "password or roles; 409 (code state) unless every leader "
                         "reviewed it and finance signed off every team on the period "
                         "page. The page's confirmation hash is not asked for here.")
def period_approve(request: HttpRequest, label: Label) -> dict[str, Any]:
    return _step(close.approve, request, label)


@router.post("/periods/{label}/lock/", tags=TAGS, auth=auth.finance, url_name="api_period_lock",
             response=STEP_RESPONSES, summary="Lock an approved period (finance)",
             description="Freezes its lines and payroll file (409 unless approved).")
def period_lock(request: HttpRequest, label: Label) -> dict[str, Any]:
    return _step(close.lock, request, label)


@router.get("/periods/{label}/payroll.csv", tags=TAGS, auth=auth.finance, url_name="api_payroll",
            response={404: Error, 409: Error, **WRITE_ERRORS},
            summary="The payroll file of an approved or locked period (finance)",
            description="As the Periods page's export: a locked period's file is the one "
                        "frozen at lock (checked against its SHA-256). Audited.",
            openapi_extra={"responses": {"200": {
                "description": "the payroll file",
                "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def payroll(request: HttpRequest, label: Label) -> HttpResponse:
    period = _period(label)
    try:
        text = export_payroll(request.user, period)
    except PayrollRefused as exc:
        raise ApiError(409, str(exc), code="state") from None
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payroll-{label}.csv"'
    return response

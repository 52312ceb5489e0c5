"""Data import pages: upload, preview mapping + validation report, apply, reject file."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.web.comp import access
from teamquota.web.comp.models import AuditEvent
from teamquota.web.comp.services import imports as svc


@access.require_role("sales_ops")
def import_list(request: HttpRequest) -> HttpResponse:
    return render(request, "comp/import_list.html", {
        "imports": access.imports_visible_to(request.user).select_related("created_by")[:200],
        "tables": list(svc.IMPORTABLE), "presets": svc.PRESETS,
        "encodings": list(svc.ENCODINGS.items())})


@require_POST
@access.require_role("sales_ops")
def import_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    table = request.POST.get("table", "")
    preset = request.POST.get("preset", "")
    encoding = request.POST.get("encoding", "")
    if upload is None or table not in svc.IMPORTABLE or preset not in svc.PRESETS or \
            encoding not in svc.ENCODINGS:
        messages.error(request, "choose a table and a CSV or Parquet file")
        return redirect("imports")
    try:
        staged = svc.stage(upload, table, preset, request.user, encoding)
    except svc.UploadError as exc:
        messages.error(request, str(exc))
        return redirect("imports")
    return redirect("import_preview", key=staged.key)


def _staged(request: HttpRequest, key: str) -> svc.Staged:
    staged = svc.load_staged(key, request.user)
    if staged is None:
        raise Http404("no such upload")
    return staged


@access.require_role("sales_ops")
def import_preview(request: HttpRequest, key: str) -> HttpResponse:
    staged = _staged(request, key)
    modes = svc.modes(staged.table)
    mode = request.GET.get("mode", modes[0])
    mode = mode if mode in modes else modes[0]  # the safe default: add or update by key
    context = {"staged": staged, "mode": mode, "modes": modes, **svc.preview(staged)}
    if "error" not in context:
        try:
            check = svc.validate(staged, mode, "fail")
            context["check"] = check
            context["changes"] = check.changes
            if check.errors:
                lenient = svc.validate(staged, mode, "reject")
                context["lenient"] = lenient
                context["changes"] = lenient.changes if lenient.table is not None else None
                # warnings (D036: a stage spelled like Won) with the errors, not after them
                shown = {d.render() for d in check.diagnostics}
                context["more_warnings"] = [d for d in lenient.diagnostics
                                            if d.severity != "error" and d.code != "D040"
                                            and d.render() not in shown]
        except OSError as exc:
            if not svc.disk_full(exc):
                raise
            context = {"staged": staged, "mode": mode, "modes": modes, "error": svc.DISK_FULL}
    return render(request, "comp/import_preview.html", context)


@require_POST
@access.require_role("sales_ops")
def import_apply(request: HttpRequest, key: str) -> HttpResponse:
    staged = _staged(request, key)
    modes = svc.modes(staged.table)
    mode = request.POST.get("mode", modes[0])
    on_error = "reject" if request.POST.get("accept_rejects") == "1" else "fail"
    if mode not in modes:
        raise Http404
    typed = request.POST.get("confirm_removed", "").replace(",", "").strip()
    confirmed = int(typed) if typed.isdigit() and len(typed) < 12 else -1
    imp, validation = svc.apply(staged, mode, on_error, request.user, confirmed)
    back = f"{request.path.rsplit('/apply', 1)[0]}/?mode={mode}"
    if imp is None and validation.unconfirmed:
        messages.error(request, f"Nothing was imported: replacing {staged.table} removes "
                       f"{validation.unconfirmed:,} rows; type {validation.unconfirmed:,} "
                       "in the confirmation box to replace them, or import in add-or-update "
                       "mode")
        return redirect(back)
    if imp is None:
        messages.error(request, "Nothing was imported: "
                       + svc.import_diff.count(validation.errors, "problem"))
        for d in validation.diagnostics:  # those the report below cannot show (database)
            if d.source is None and d.severity == "error":
                messages.error(request, d.render())
        return redirect(back)
    changes = validation.changes
    messages.success(request, f"Imported {svc.import_diff.count(imp.rows_imported)} into "
                     f"{imp.table}" + (f" ({changes.words()})" if changes else "")
                     + (f"; {imp.rows_rejected:,} rejected (download the reject file)"
                        if imp.rows_rejected else ""))
    return redirect("import", import_id=imp.pk)


@access.require_role("sales_ops")
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = get_object_or_404(access.imports_visible_to(request.user), pk=import_id)
    event = AuditEvent.objects.filter(action="import", object_type="import",
                                      object_id=str(imp.pk)).first()
    return render(request, "comp/import_detail.html", {
        "imp": imp, "what": event.summary.split("; ", 1)[1] if event and "; " in
        event.summary else ""})


@access.require_role("sales_ops")
def import_rejects(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = get_object_or_404(access.imports_visible_to(request.user), pk=import_id)
    response = HttpResponse(imp.reject_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{imp.table}-import-{imp.pk}'
                                       f'.rejects.csv"')
    return response

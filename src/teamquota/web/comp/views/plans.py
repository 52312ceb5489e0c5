"""Plans: list, a readable rendering with curves drawn, YAML editing with errors at their
line (each save is a new immutable version), and dated assignments to payees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from teamquota.core.diagnostics import Diagnostic, Diagnostics, InputError, Source
from teamquota.core.markup import chart_label
from teamquota.core.money import fmt_pct
from teamquota.engine.measure import check_columns
from teamquota.plan.loader import LoadedPlan, load_plan_text
from teamquota.plan.model import Component
from teamquota.web.comp import access
from teamquota.web.comp.models import Payee, Plan, PlanAssignment, PlanVersion, record
from teamquota.web.comp.models.results import PAYOUT_PLACES
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.import_diff import count
from teamquota.web.comp.services.org import people_choices
from teamquota.web.comp.views.common import plan_of_version, to_json


@access.signed_in
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = access.plans_visible_to(request.user).prefetch_related("versions")
    return render(request, "comp/plan_list.html", {"plans": plans})


def curve_chart(component: Component) -> str | None:
    """Points of the payout curve, extended past the last point and capped, for Plotly."""
    points = component.payout.curve
    if not points:
        return None
    xs = [Decimal(0), points[0][0]] + [p[0] for p in points]
    ys = [Decimal(0), Decimal(0)] + [p[1] for p in points]
    (x0, y0), (x1, y1) = points[-2], points[-1]
    slope = (y1 - y0) / (x1 - x0)
    far = x1 + Decimal("0.5")
    far_y = y1 + slope * Decimal("0.5")
    cap = component.payout.cap
    if cap is not None and far_y > cap and slope > 0:
        x_cap = x1 + (cap - y1) / slope
        xs += [x_cap, far]
        ys += [cap, cap]
    else:
        xs.append(far)
        ys.append(far_y)
    return to_json({"x": [str(x * 100) for x in xs], "y": [str(y * 100) for y in ys],
                    "title": chart_label(component.name or component.id)})


def describe(component: Component) -> list[str]:
    facts = [f"scope: {component.scope}"]
    if component.weight is not None:
        facts.append(f"weight: {fmt_pct(component.weight, 0)} of target incentive")
    m = component.measure
    what = f"sum of {m.sum}" if m.sum else "count"
    where = ", ".join(f"{k} = {v}" for k, v in m.where.items())
    facts.append(f"measure: {what} of {m.source}" + (f" where {where}" if where else ""))
    p = component.payout
    if p.cap is not None:
        facts.append(f"curve capped at {fmt_pct(p.cap, 0)}")
    if p.rate is not None:
        facts.append(f"commission rate {fmt_pct(p.rate, 2)}")
    if p.tiers:
        facts.append("tiers (" + p.mode + "): " + ", ".join(
            f"from {t.from_}: {fmt_pct(t.rate, 2)}" for t in p.tiers))
    if p.pool:
        facts.append(f"team pool {fmt_pct(p.pool.rate, 2)} split by {p.pool.split}")
    if p.per_deal:
        facts.append(f"SPIF {p.per_deal} per qualifying deal")
    if component.gate:
        g = component.gate
        if g.team_attainment_at_least is not None:
            facts.append(f"gate: pays only if the team reaches "
                         f"{fmt_pct(g.team_attainment_at_least, 0)}")
        if g.min_contribution_share is not None:
            facts.append(f"free-rider guard: member needs "
                         f"{fmt_pct(g.min_contribution_share, 0)} of the team's measure")
    return facts


@access.signed_in
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = get_object_or_404(access.plans_visible_to(request.user), plan_id=plan_id)
    version = plan.current
    loaded = plan_of_version(version) if version else None
    components = []
    if loaded is not None:
        for c in loaded.plan.components:
            components.append({"c": c, "facts": describe(c), "chart": curve_chart(c)})
    assignments = plan.assignments.select_related("payee")
    if not access.sees_everything(request.user):
        assignments = assignments.filter(payee__in=access.payees_visible_to(request.user))
    return render(request, "comp/plan_detail.html", {
        "plan": plan, "version": version, "loaded": loaded, "components": components,
        "assignments": assignments[:500], "versions": plan.versions.all(),
        "can_edit": request.user.has_role("sales_ops"),
        "can_see_letters": access.sees_everything(request.user)})


def _validate(text: str, name: str = "plan.yaml"
              ) -> tuple[LoadedPlan | None, list[Diagnostic]]:
    """``name``: where the diagnostics say the text is (the uploaded file's name)."""
    try:
        return load_plan_text(text, name), []
    except InputError as exc:
        return None, list(exc.diagnostics)


def _check_against_data(loaded: LoadedPlan) -> list[Diagnostic]:
    """What a run checks of a plan against the data (engine.measure.check_columns: E001,
    E002), run on save so a plan that every later run would refuse is not saved."""
    data = build_dataset()
    columns = {name: set(data[name].column_names) for name in ("deals", "activities")
               if data.get(name) is not None and data[name].num_rows}
    diagnostics = Diagnostics()
    check_columns(loaded, columns, diagnostics)
    # a table not imported yet (E002) is the run's to report: the plan may come first
    found = [d for d in diagnostics if d.severity == "error" and d.code == "E001"]
    places = loaded.plan.rounding.places
    if places is not None and places > PAYOUT_PLACES:  # every run would refuse it (E052)
        found.append(Diagnostic(
            "E052", f"rounding.places is {places}; the web app stores payouts to at most "
                    f"{PAYOUT_PLACES} decimal places (a SQLite decimal keeps 15 digits)",
            loaded.value_source("rounding", "places"),
            f"use rounding: {{places: {PAYOUT_PLACES}}} or fewer, or run the plan with "
            "`teamquota calc`, which keeps every place"))
    return found


def numbered(text: str, diagnostics: list[Diagnostic]) -> list[dict[str, Any]]:
    """The YAML's lines with the diagnostics that point at each (errors at their line)."""
    at: dict[int, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.source and d.source.line:
            at.setdefault(d.source.line, []).append(d)
    return [{"n": i, "text": line, "errors": at.get(i, [])}
            for i, line in enumerate(text.splitlines(), 1)]


@access.require_role("sales_ops")
def plan_edit(request: HttpRequest, plan_id: str | None = None) -> HttpResponse:
    plan = get_object_or_404(Plan, plan_id=plan_id) if plan_id else None
    text = plan.current.yaml_text if plan and plan.current else ""
    diagnostics: list[Diagnostic] = []
    name = "plan.yaml"  # pasted text; an uploaded file's diagnostics name that file
    if request.method == "POST":
        upload = request.FILES.get("yaml_file")
        if upload is not None:
            name = Path(upload.name).name[:200] or name
        limit = settings.TEAMQUOTA_MAX_PLAN_UPLOAD
        if upload is not None and upload.size > limit:  # refused whole, never truncated
            text = ""
            diagnostics = [Diagnostic("D027", f"{name} is {upload.size:,} bytes; plan files "
                                      f"are limited to {limit:,} bytes", None,
                                      "set TEAMQUOTA_MAX_PLAN_UPLOAD "
                                      "to change the limit; nothing was saved")]
        elif upload is not None:
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                text = ""
                diagnostics = [Diagnostic("P000", f"{name} is not UTF-8 text")]
        else:
            text = request.POST.get("yaml_text", "")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not diagnostics and "\x00" in text:
            diagnostics = [Diagnostic("P000", "the plan holds a NUL byte; it is not text",
                                      Source(name))]
        loaded, found = _validate(text, name) if not diagnostics else (None, [])
        if loaded is not None and not found:
            found = _check_against_data(loaded)
            loaded = None if found else loaded
        diagnostics = diagnostics or found
        if loaded is not None and plan is not None and loaded.plan.plan != plan.plan_id:
            diagnostics = [Diagnostic("W010", f"the YAML names plan '{loaded.plan.plan}', but "
                                      f"this page edits '{plan.plan_id}'", Source(name),
                                      "keep the plan id; create a new plan instead")]
            loaded = None
        if loaded is not None:
            with transaction.atomic():
                target, _ = Plan.objects.get_or_create(plan_id=loaded.plan.plan)
                target.name = loaded.plan.name or ""
                target.save()
                version = PlanVersion.objects.create(
                    plan=target, number=target.versions.count() + 1, yaml_text=text,
                    created_by=request.user, note=request.POST.get("note", "")[:300])
                record(request.user, "plan.version", "plan", target.plan_id,
                       f"{request.user.username} saved {target.plan_id} v{version.number}",
                       note=version.note)
            messages.success(request, f"Saved {target.plan_id} version {version.number}")
            return redirect("plan", plan_id=target.plan_id)
    return render(request, "comp/plan_edit.html", {
        "plan": plan, "text": text, "diagnostics": diagnostics,
        "lines": numbered(text, diagnostics) if diagnostics else []})


@access.require_role("sales_ops")
def plan_assign(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = get_object_or_404(Plan, plan_id=plan_id)
    errors = []
    if request.method == "POST":
        # the picker sends one id per person chosen, the paste box a text of ids (one per
        # line or comma-separated); each id is checked below, whichever field it came in
        texts = [*request.POST.getlist("payee_ids"), request.POST.get("pasted_ids", "")]
        ids = list(dict.fromkeys(i.strip() for text in texts
                                 for i in text.replace(",", "\n").splitlines() if i.strip()))
        found = {p.payee_id: p for p in Payee.objects.filter(payee_id__in=ids)}
        errors += [f"unknown payee id '{i}'" for i in ids if i not in found]
        try:
            start = date.fromisoformat(request.POST.get("start_date", ""))
            end_text = request.POST.get("end_date", "").strip()
            end = date.fromisoformat(end_text) if end_text else None
            if end and end < start:
                errors.append(f"end date {end} is before start date {start}")
        except ValueError:
            errors.append("dates must be written YYYY-MM-DD")
        if not ids:
            errors.append("choose at least one person (or paste their payee ids)")
        if not errors:
            with transaction.atomic():
                for payee in found.values():
                    PlanAssignment.objects.create(plan=plan, payee=payee, start_date=start,
                                                  end_date=end, created_by=request.user)
                record(request.user, "plan.assign", "plan", plan.plan_id,
                       f"{request.user.username} assigned {plan.plan_id} to "
                       + ", ".join(f"{found[i].name} ({i})" for i in sorted(found))
                       + f" from {start} to {end or 'open end'}")
            messages.success(request, f"Assigned {plan.plan_id} to "
                             f"{count(len(found), 'payee')}")
            return redirect("plan", plan_id=plan.plan_id)
    return render(request, "comp/plan_assign.html", {
        "plan": plan, "errors": errors, "form": request.POST, "people": people_choices(),
        "chosen": set(request.POST.getlist("payee_ids"))})

"""The work-allocation page (leaders and sales ops, as the other insight pages).

GET shows the form pre-filled with what ``teamquota allocate`` would use; POST (htmx, or a
plain form post) solves the leader's program and shows the weekly plan, expected bookings
against the even split, what binds, or which targets cannot be met and by how much. A bad
number is shown at its field; nothing is saved.
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from teamquota.insights import figures
from teamquota.insights.allocate import AllocationProblem, AllocationResult, allocate
from teamquota.web.comp import access
from teamquota.web.comp.services import insights_allocation as svc
from teamquota.web.comp.services.insights import figure_json
from teamquota.web.comp.views.insights import _names, _team

MAX_HOURS = 168.0  # hours in a week
KIND_ORDER = {"duty": 0, "hours": 1, "units": 2}


def _number(required: bool, initial: float | None, maximum: float | None = None
            ) -> forms.FloatField:
    # FloatField refuses text, NaN and infinity ("Enter a number.")
    return forms.FloatField(required=required, min_value=0, max_value=maximum,
                            initial=initial, widget=forms.NumberInput(attrs={"step": "any"}))


class AllocationForm(forms.Form):
    """One field per duty target, per rep's hours and per optional rep x duty limit."""

    integer = forms.BooleanField(required=False, label="whole units")

    def __init__(self, problem: AllocationProblem, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problem = problem
        start = svc.initial_inputs(problem)
        self.fields["integer"].initial = start.integer
        for j, target in enumerate(start.targets):
            self.fields[f"target-{j}"] = _number(True, target)
        for i in range(len(problem.reps)):
            self.fields[f"avail-{i}"] = _number(True, start.available[i], MAX_HOURS)
            self.fields[f"minh-{i}"] = _number(False, start.min_hours[i], MAX_HOURS)
            for j in range(len(problem.duties)):
                self.fields[f"umin-{i}-{j}"] = _number(False, start.min_units[i][j])
                self.fields[f"umax-{i}-{j}"] = _number(False, start.max_units[i][j])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(len(self.problem.reps)):
            low, high = data.get(f"minh-{i}"), data.get(f"avail-{i}")
            if low is not None and high is not None and low > high:
                self.add_error(f"minh-{i}", f"the minimum ({low:g} h) is above the available "
                                            f"hours ({high:g} h)")
            for j in range(len(self.problem.duties)):
                low, high = data.get(f"umin-{i}-{j}"), data.get(f"umax-{i}-{j}")
                if low is not None and high is not None and low > high:
                    self.add_error(f"umin-{i}-{j}", f"the minimum ({low:g}) is above the "
                                                    f"maximum ({high:g})")
        return data

    def inputs(self) -> svc.LeaderInputs:
        d, n_r, n_d = self.cleaned_data, len(self.problem.reps), len(self.problem.duties)
        return svc.LeaderInputs(
            targets=[d[f"target-{j}"] for j in range(n_d)],
            available=[d[f"avail-{i}"] for i in range(n_r)],
            min_hours=[d.get(f"minh-{i}") for i in range(n_r)],
            min_units=[[d.get(f"umin-{i}-{j}") for j in range(n_d)] for i in range(n_r)],
            max_units=[[d.get(f"umax-{i}-{j}") for j in range(n_d)] for i in range(n_r)],
            integer=bool(d.get("integer")))

    def layout(self, names: dict[str, str]) -> dict[str, Any]:
        """Bound fields arranged as the template draws them."""
        duties = [{"name": d.name, "hours": d.hours_per_unit, "unit": d.unit.strip(),
                   "max_total": d.max_total, "field": self[f"target-{j}"]}
                  for j, d in enumerate(self.problem.duties)]
        reps = [{"id": r, "name": names.get(r, r), "avail": self[f"avail-{i}"],
                 "minh": self[f"minh-{i}"],
                 "units": [{"duty": d.name, "low": self[f"umin-{i}-{j}"],
                            "high": self[f"umax-{i}-{j}"]}
                           for j, d in enumerate(self.problem.duties)]}
                for i, r in enumerate(self.problem.reps)]
        return {"duties": duties, "reps": reps}


def _fmt(x: float, digits: int = 1) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def _result_context(result: AllocationResult, problem: AllocationProblem,
                    names: dict[str, str]) -> dict[str, Any]:
    shown = svc.shown_with_names(result, names)
    plan = result.weekly_plan()
    even = result.even_split.groupby("rep", sort=False)["expected_bookings"].sum()
    duty_names = [d.name for d in problem.duties]
    ends = (result.plan.groupby("rep", sort=False)[["expected_low", "expected_high"]].sum()
            if "expected_low" in result.plan else None)
    rows = [{"id": rep, "name": names.get(rep, rep),
             "units": [_fmt(float(plan.loc[rep, d])) if d in plan.columns else "0.0"
                       for d in duty_names],
             "hours": _fmt(float(plan.loc[rep, "hours"])),
             "bookings": _fmt(float(plan.loc[rep, "expected_bookings"]), 0),
             "range": (f"{_fmt(float(ends.loc[rep, 'expected_low']), 0)} – "
                       f"{_fmt(float(ends.loc[rep, 'expected_high']), 0)}"
                       if ends is not None else "—"),
             "note": result.reasons.get(rep, ""),
             "even": _fmt(float(even.get(rep, 0.0)), 0)} for rep in plan.index]
    totals = result.plan.groupby("duty", sort=False)["units"].sum()
    context: dict[str, Any] = {
        "result": result, "rows": rows, "duty_names": duty_names,
        "unit_totals": [_fmt(float(totals.get(d, 0.0))) for d in duty_names],
        "hours_total": _fmt(float(plan["hours"].sum())),
        "bookings": _fmt(result.expected_bookings, 0),
        "bookings_range": (f"{_fmt(result.bookings_low, 0)} – {_fmt(result.bookings_high, 0)}"
                           if ends is not None else ""),
        "resources": list(result.resources),
        "even_bookings": _fmt(result.even_split_bookings, 0),
        "lift": (f"{result.expected_bookings / result.even_split_bookings - 1:+.1%}"
                 if result.even_split_bookings > 0 else "—"),
        "chart": figure_json(figures.allocation_bars(shown))}
    if result.status == "optimal":
        binding = result.binding.copy()
        binding["order"] = binding["kind"].map(KIND_ORDER)
        context["binding"] = [
            {"constraint": _constraint_name(row, names),
             "why": _named(row.explanation, row.kind, row.subject, names)}
            for row in binding.sort_values(["order", "constraint"]).itertuples()]
    else:
        context["shortfalls"] = [
            {"what": (f"target {r['subject']}" if r["kind"] == "duty"
                      else f"minimum hours of {names.get(r['subject'], r['subject'])}"),
             "target": _fmt(r["target"]), "achievable": _fmt(r["achievable"]),
             "short_by": _fmt(r["short_by"])}
            for r in result.shortfalls.to_dict("records")] if len(result.shortfalls) else []
    return context


def _rep_of(kind: str, subject: str, names: dict[str, str]) -> tuple[str, str]:
    """(rep id, shown name) of an hours or units constraint's subject ('<rep> <duty>' for
    units; the longest matching id wins, since an imported payee id may hold a space)."""
    if kind == "hours":
        return subject, names.get(subject, subject)
    rep = max((r for r in names if subject.startswith(r + " ")), key=len,
              default=subject.split(" ", 1)[0])
    return rep, names.get(rep, rep)


def _constraint_name(row: Any, names: dict[str, str]) -> str:
    if row.kind == "duty":
        return f"target {row.subject}"
    rep, name = _rep_of(row.kind, row.subject, names)
    if row.kind == "hours":
        return f"hours of {name}"
    return f"{name}: {row.subject[len(rep) + 1:]}"


def _named(text: str, kind: str, subject: str, names: dict[str, str]) -> str:
    if kind == "duty":
        return text
    rep, name = _rep_of(kind, subject, names)
    return name + text[len(rep):] if text.startswith(rep) else text


@access.require_role(*access.INSIGHT_ROLES)
def team_allocate_page(request: HttpRequest, team_id: str) -> HttpResponse:
    team = _team(request, team_id)
    base = svc.baseline(team)
    context: dict[str, Any] = {"team": team, "base": base}
    if base is None:
        return render(request, "comp/insights/allocate.html", context)
    names = _names(set(base.problem.reps))
    form = AllocationForm(base.problem, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        problem = svc.with_inputs(base.problem, form.inputs())
        context.update(_result_context(allocate(problem), problem, names))
    context.update({"form": form, **form.layout(names)})
    template = ("comp/insights/_allocate_body.html" if getattr(request, "htmx", False)
                else "comp/insights/allocate.html")
    return render(request, template, context)

"""Downloads: a plan letter as PDF, and a statement as PDF or CSV.

A statement download answers exactly as the statement page does: the payee is found
through ``access.payees_visible_to`` for the period asked (``?period=``; without one, the
latest period the user may see for that payee), so a statement the page would not show
is a 404 here too."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from teamquota.web.comp import access
from teamquota.web.comp.models import Payee, Period
from teamquota.web.comp.services import statement_export
from teamquota.web.comp.services.letters import letter_pdf as make_letter_pdf
from teamquota.web.comp.views.common import pick_period, published_periods
from teamquota.web.comp.views.letters import letter_for
from teamquota.web.comp.views.statement import statement_data


def _download(body: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # a pay document stays off shared caches
    return response


@access.signed_in
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_for(request, pk)
    c = letter.content
    return _download(make_letter_pdf(letter), "application/pdf",
                     f"plan-letter-{c['plan']}-v{c['version']}-{letter.payee.payee_id}.pdf")


def _statement_for(request: HttpRequest, payee_id: str) -> tuple[Payee, Period]:
    """The payee and period as the statement page picks them, with its access rules."""
    periods = published_periods()
    if request.GET.get("period"):
        period = pick_period(request, periods)
        payee = get_object_or_404(access.payees_visible_to(request.user, period),
                                  payee_id=payee_id)
        if period is None:  # pragma: no cover - pick_period raised for an unknown label
            raise Http404("no results for that period")
        return payee, period
    payee = get_object_or_404(access.payees_visible_to(request.user), payee_id=payee_id)
    visible = access.periods_visible_to(request.user, periods, payee=payee)
    if not visible:
        raise Http404("no period of this payee is yours to see")
    return payee, visible[-1]


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


@access.signed_in
def statement_pdf(request: HttpRequest, payee_id: str) -> HttpResponse:
    payee, period = _statement_for(request, payee_id)
    body = statement_export.statement_pdf(payee, period, statement_data(payee, period))
    return _download(body, "application/pdf",
                     f"statement-{_safe_name(payee.payee_id)}-{period.label}.pdf")


@access.signed_in
def statement_csv(request: HttpRequest, payee_id: str) -> HttpResponse:
    payee, period = _statement_for(request, payee_id)
    body = statement_export.statement_csv(payee, period, statement_data(payee, period))
    return _download(body, "text/csv; charset=utf-8",
                     f"statement-{_safe_name(payee.payee_id)}-{period.label}.csv")

"""Disputes on statement lines: a payee raises one, leaders or sales ops answer or adjust."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from teamquota.core.money import D, minor_unit
from teamquota.core.periods import parse_period
from teamquota.ledger import book
from teamquota.ledger.model import LedgerError
from teamquota.web.comp import access
from teamquota.web.comp.models import (
    Dispute,
    DisputeMessage,
    Leadership,
    Membership,
    Period,
    Plan,
    Team,
    record,
)
from teamquota.web.comp.models.results import PAYOUT_PLACES
from teamquota.web.comp.services.ledger_store import DjangoStore
from teamquota.web.comp.services.runs import loaded_plan


@require_POST
@access.signed_in
def dispute_raise(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_object_or_404(access.lines_visible_to(request.user), pk=line_id)
    if line.payee_id != request.user.payee_id:
        raise PermissionDenied("only the payee of a line raises a question on it")
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, "write your question")
        return redirect(f"/statements/{line.payee.payee_id}/?period={line.period}")
    with transaction.atomic():
        dispute = Dispute.objects.create(line=line, payee=line.payee, raised_by=request.user)
        DisputeMessage.objects.create(dispute=dispute, author=request.user, text=text[:5000])
        record(request.user, "dispute.raise", "dispute", dispute.pk,
               f"{request.user.username} questioned line {line.pk} ({line.component_id}, "
               f"{line.period})")
    return redirect("dispute", dispute_id=dispute.pk)


@access.signed_in
def dispute_list(request: HttpRequest) -> HttpResponse:
    disputes = list(access.disputes_visible_to(request.user)
                    .select_related("payee", "line")[:300])
    today = timezone.localdate()
    answerers = expected_answerers(disputes)
    rows = [{"d": d, "age": (today - timezone.localdate(d.raised_at)).days,
             "assignee": answerers.get(d.pk, "")} for d in disputes]
    return render(request, "comp/dispute_list.html", {"rows": rows, "disputes": disputes})


def expected_answerers(disputes: list[Dispute]) -> dict[int, str]:
    """Who is expected to answer each open dispute: whoever led, in the dispute's period, a
    team the payee was a member of then (the nearest parent team's leader when that team
    had none, or the payee leads it), else sales ops — the people who may answer
    (:func:`access.can_answer_dispute`); finance reads but does not answer. An answered,
    adjusted or closed dispute waits for no one."""
    waiting = [d for d in disputes if d.status == "open"]
    periods = {p.label: p for p in Period.objects.filter(
        label__in={d.period for d in waiting})}
    out: dict[int, str] = {}
    found: dict[tuple[int, str], str] = {}  # one look-up per payee and period
    for d in waiting:
        key = (d.payee_id, d.period)
        if key not in found:
            period = periods.get(d.period)
            names = _leaders_of(d.payee_id, period) if period is not None else []
            found[key] = ", ".join(names) or "Sales ops"
        out[d.pk] = found[key]
    return out


def _leaders_of(payee_pk: int, period: Period) -> list[str]:
    teams = list(Team.objects.filter(
        id__in=Membership.objects.filter(access.during(period), payee_id=payee_pk)
        .values("team_id")))
    seen: set[int] = set()
    while teams:
        found = list(Leadership.objects.filter(access.during(period), team__in=teams)
                     .exclude(payee_id=payee_pk).select_related("payee")
                     .order_by("payee__name"))
        if found:
            return sorted({lead.payee.name for lead in found})
        seen |= {t.pk for t in teams}
        teams = [t.parent for t in Team.objects.filter(pk__in=[t.pk for t in teams])
                 .select_related("parent") if t.parent is not None and t.parent_id not in seen]
    return []


@access.signed_in
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = get_object_or_404(access.disputes_visible_to(request.user)
                                .select_related("line", "payee"), pk=dispute_id)
    can_answer = access.can_answer_dispute(request.user, dispute)
    if request.method == "POST":
        text = request.POST.get("text", "").strip()
        if dispute.payee_id != request.user.payee_id and not can_answer:
            messages.error(request, "you may read this thread but not answer it")
        elif text:
            with transaction.atomic():
                DisputeMessage.objects.create(dispute=dispute, author=request.user,
                                              text=text[:5000])
                status = request.POST.get("status", "")
                if can_answer and status in ("answered", "closed"):
                    dispute.status = status
                    dispute.save()
                elif dispute.payee_id == request.user.payee_id and \
                        dispute.status == "answered":
                    # the payee answers back: it waits on whoever answers again (the inbox's
                    # "expected to answer"); a closed or adjusted question stays so
                    dispute.status = "open"
                    dispute.save()
                record(request.user, "dispute.reply", "dispute", dispute.pk,
                       f"{request.user.username} replied on dispute {dispute.pk}")
        return redirect("dispute", dispute_id=dispute.pk)
    current = dispute.current_line()
    return render(request, "comp/dispute_detail.html", {
        "dispute": dispute, "can_answer": can_answer, "current": current,
        # the amount questioned, shown beside the current one when a rerun changed it
        "changed": current is not None and current.amount != dispute.line.amount,
        "assignee": expected_answerers([dispute]).get(dispute.pk, ""),
        "can_adjust": request.user.has_role("sales_ops"),
        "can_reply": can_answer or dispute.payee_id == request.user.payee_id,
        "messages_": dispute.messages.select_related("author")})


@require_POST
@access.require_role("sales_ops")
def dispute_adjust(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """A manual ledger entry for the disputed line: booked in the line's period while it is
    not locked, else in the first unlocked period after it (``teamquota.ledger``); no later
    run touches it."""
    dispute = get_object_or_404(access.disputes_visible_to(request.user)
                                .select_related("line", "line__payee", "line__team"),
                                pk=dispute_id)
    line = dispute.line
    places = _places(line.plan_id, line.currency)
    try:
        amount = D(request.POST.get("amount", ""))
        if amount == 0 or amount.as_tuple().exponent < -places:  # type: ignore[operator]
            raise ValueError
        if abs(amount) >= MAX_ADJUSTMENT:
            raise ValueError
    except (ValueError, InvalidOperation, TypeError):
        messages.error(request, _amount_help(places, line.currency))
        return redirect("dispute", dispute_id=dispute.pk)
    reason = request.POST.get("reason", "").strip()[:500] or "dispute resolution"
    try:
        with transaction.atomic():
            # once only: a second adjustment of the same question (a double click, a
            # replayed form) is refused, checked under a row lock so two at once cannot pass
            status = Dispute.objects.select_for_update().values_list(
                "status", flat=True).get(pk=dispute.pk)
            if status == "adjusted":
                messages.error(request, ADJUSTED_ONCE)
                return redirect("dispute", dispute_id=dispute.pk)
            entry = book.add_manual(
                DjangoStore(), (line.payee.payee_id, line.plan_id, line.component_id),
                line.period, amount, line.currency, reason, request.user.username,
                parse_period(line.period).kind, _year_start_month(line.plan_id),
                team_id=line.team.team_id if line.team else None, dispute=dispute.pk,
                places=places)
            DisputeMessage.objects.create(
                dispute=dispute, author=request.user,
                text=f"Adjusted by {amount} in {entry.period}: {reason}")
            dispute.status = "adjusted"
            dispute.save()
            record(request.user, "dispute.adjust", "dispute", dispute.pk,
                   f"{request.user.username} adjusted {line.payee.payee_id} by {amount} in "
                   f"{entry.period} for {line.period} (dispute #{dispute.pk})",
                   amount=str(amount))
    except LedgerError as exc:
        messages.error(request, str(exc))
    return redirect("dispute", dispute_id=dispute.pk)


def _places(plan_id: str, currency: str) -> int:
    """The most decimals an adjustment of a line may have: the places its plan pays the
    line's currency in (``rounding.places``, else the currency's minor unit: 2 for USD, 3
    for KWD, 0 for JPY), at most the 3 the app stores."""
    plan = Plan.objects.filter(plan_id=plan_id).first()
    version = plan.current if plan is not None else None
    chosen = loaded_plan(version).plan.rounding.places if version is not None else None
    return min(minor_unit(currency) if chosen is None else chosen, PAYOUT_PLACES)


def _amount_help(places: int, currency: str) -> str:
    if places == 2:  # the cent currencies' message, as it always was
        return ("amount: a non-zero number with at most 2 decimals, below 1,000,000,000 in "
                "size, e.g. -125.50")
    decimals = "no decimals" if places == 0 else f"at most {places} decimals"
    example = "-125" if places == 0 else "-125." + "5".ljust(places, "0")
    return (f"amount: a non-zero number with {decimals} (the line is paid in {currency} to "
            f"{places} places), below 1,000,000,000 in size, e.g. {example}")


def _year_start_month(plan_id: str) -> int:
    plan = Plan.objects.filter(plan_id=plan_id).first()
    version = plan.current if plan is not None else None
    if version is None:
        return 1
    return loaded_plan(version).plan.year_start_month


MAX_ADJUSTMENT = Decimal("1000000000")
ADJUSTED_ONCE = ("this dispute was already adjusted; nothing was booked. A further change "
                 "is a new dispute, or a manual adjustment (teamquota ledger adjust)")

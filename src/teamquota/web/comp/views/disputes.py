"""Disputes on statement lines: a payee raises one, leaders or sales ops answer or adjust."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from teamquota.core.money import D
from teamquota.web.comp import access
from teamquota.web.comp.models import Dispute, DisputeMessage, PayoutLine, Period, record


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
    disputes = access.disputes_visible_to(request.user).select_related("payee", "line")[:300]
    return render(request, "comp/dispute_list.html", {"disputes": disputes})


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
                record(request.user, "dispute.reply", "dispute", dispute.pk,
                       f"{request.user.username} replied on dispute {dispute.pk}")
        return redirect("dispute", dispute_id=dispute.pk)
    return render(request, "comp/dispute_detail.html", {
        "dispute": dispute, "can_answer": can_answer,
        "can_adjust": request.user.has_role("sales_ops"),
        "can_reply": can_answer or dispute.payee_id == request.user.payee_id,
        "messages_": dispute.messages.select_related("author")})


@require_POST
@access.require_role("sales_ops")
def dispute_adjust(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """A manual adjustment line in the next open period's current run, traced to the
    dispute. It is kept when later runs replace the period (services.runs copies it)."""
    dispute = get_object_or_404(access.disputes_visible_to(request.user), pk=dispute_id)
    try:
        amount = D(request.POST.get("amount", ""))
        if amount == 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError
    except (ValueError, InvalidOperation, TypeError):
        messages.error(request, "amount: a non-zero number with at most 2 decimals, e.g. "
                                "-125.50")
        return redirect("dispute", dispute_id=dispute.pk)
    period = (Period.objects.filter(run__isnull=False).exclude(
        status__in=("approved", "locked")).order_by("start").first())
    if period is None:
        messages.error(request, "no open period with results to carry the adjustment; "
                                "start a run first")
        return redirect("dispute", dispute_id=dispute.pk)
    line = dispute.line
    reason = request.POST.get("reason", "").strip()[:500] or "dispute resolution"
    with transaction.atomic():
        PayoutLine.objects.create(
            run_id=period.run_id, period=period.label, payee=line.payee, plan_id=line.plan_id,
            component_id=line.component_id, line_type="manual", team=line.team,
            amount=amount, currency=line.currency, rule="manual adjustment",
            created_by=request.user,
            adjusts_period=line.period, cause=f"dispute #{dispute.pk}: {reason}",
            explanation=f"manual adjustment of {amount} by {request.user.username} for "
                        f"dispute #{dispute.pk} on {line.period} {line.component_id}")
        DisputeMessage.objects.create(dispute=dispute, author=request.user,
                                      text=f"Adjusted by {amount} in {period.label}: {reason}")
        dispute.status = "adjusted"
        dispute.save()
        record(request.user, "dispute.adjust", "dispute", dispute.pk,
               f"{request.user.username} adjusted {line.payee.payee_id} by {amount} in "
               f"{period.label} for dispute #{dispute.pk}", amount=str(amount))
    return redirect("dispute", dispute_id=dispute.pk)


ZERO = Decimal("0")

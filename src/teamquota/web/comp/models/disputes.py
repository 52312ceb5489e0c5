"""Disputes: a question a payee raises on one statement line, and its thread.

A dispute is keyed by payee, period and component, not by one run's line: a rerun of the
period replaces its lines, and the question follows to the line that pays the same thing
now (:func:`follows`). The line it was raised on is kept (``line``, "raised on"), so the
amount the payee questioned stays readable beside the current one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Dispute(models.Model):
    STATUSES = [("open", "Open"), ("answered", "Answered"), ("adjusted", "Adjusted"),
                ("closed", "Closed")]
    # the line as the payee saw it when they asked (lines are never updated, so it keeps
    # the amount questioned); access and the adjustment's ledger key read it
    line = models.ForeignKey("comp.PayoutLine", on_delete=models.PROTECT,
                             related_name="disputes", verbose_name="raised on")
    payee = models.ForeignKey("comp.Payee", on_delete=models.PROTECT, related_name="disputes")
    # the key the question follows across reruns (filled from ``line`` when saved)
    period = models.CharField(max_length=10, blank=True, default="")
    component_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["payee", "period", "component_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.period or not self.component_id:
            self.period, self.component_id = self.line.period, self.line.component_id
        super().save(*args, **kwargs)

    def current_line(self) -> Any:
        """The line that pays what was questioned in the period as it stands now (its
        newest run, or its locked one), or None when the period pays it no more."""
        from teamquota.web.comp.models.results import PayoutLine, Period
        period = Period.objects.filter(label=self.period).first()
        if period is None:
            return None
        return follows(self.line, list(PayoutLine.shown(period).filter(
            payee_id=self.payee_id, component_id=self.component_id).order_by("id")))


def follows(raised: Any, candidates: list[Any]) -> Any:
    """Which of ``candidates`` (one payee's lines of the dispute's component in the
    dispute's period) the question on ``raised`` is about now: the raised line itself
    while the period shows it; else the line with the same plan, type, team and deal (a
    component paying per deal or per team has several lines); else the component's first
    engine line (a rerun that changed how it pays). Manual entries are never the line a
    question follows: they are answers to one."""
    if any(c.pk == raised.pk for c in candidates):
        return next(c for c in candidates if c.pk == raised.pk)
    same = [c for c in candidates if (c.plan_id, c.line_type, c.team_id, c.deal_id)
            == (raised.plan_id, raised.line_type, raised.team_id, raised.deal_id)]
    if same:
        return same[0]
    return next((c for c in candidates if c.line_type != "manual"), None)


class DisputeMessage(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

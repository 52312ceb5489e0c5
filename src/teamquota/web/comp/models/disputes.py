"""Disputes: a question a payee raises on one statement line, and its thread."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dispute(models.Model):
    STATUSES = [("open", "Open"), ("answered", "Answered"), ("adjusted", "Adjusted"),
                ("closed", "Closed")]
    line = models.ForeignKey("comp.PayoutLine", on_delete=models.PROTECT,
                             related_name="disputes")
    payee = models.ForeignKey("comp.Payee", on_delete=models.PROTECT, related_name="disputes")
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_at"]


class DisputeMessage(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

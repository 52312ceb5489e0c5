"""The finance close workbench: per-team sign-off and rejection of a period's numbers.

A :class:`TeamDecision` is finance's word on one team's numbers in one period: a sign-off
(with an optional comment) or a rejection (with its reason) back to the team's leader. The
latest decision of a team counts. A sign-off, like a leader's review, is given for the
period's fingerprint and lapses when the numbers change; a rejection stands until the
leader reviews the team again (services/close.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TeamDecision(models.Model):
    DECISIONS = [("signoff", "Signed off"), ("reject", "Rejected")]
    period = models.ForeignKey("comp.Period", on_delete=models.CASCADE,
                               related_name="team_decisions")
    team = models.ForeignKey("comp.Team", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=DECISIONS)
    # the comment of a sign-off, the reason of a rejection
    text = models.TextField(blank=True, default="")
    fingerprint = models.CharField(max_length=64)
    run = models.ForeignKey("comp.Run", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "team", "-decided_at", "-id"]
        indexes = [models.Index(fields=["period", "team"])]

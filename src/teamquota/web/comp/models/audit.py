"""The audit log: who changed which plan, target, membership, import or approval, when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)      # e.g. plan.version, period.approve
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=100)
    summary = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


def record(actor: Any, action: str, obj_type: str, obj_id: object, summary: str,
           **details: Any) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(actor=user, action=action, object_type=obj_type,
                                     object_id=str(obj_id), summary=summary,
                                     details=details)

"""Notifications: the in-app inbox and each user's delivery preferences.

A :class:`Notification` is one notice to one user, made from an audit event (or a run
finishing) by :mod:`teamquota.web.comp.services.notify_events`; it is never edited except
to mark it read. A :class:`NotificationPreference` row exists only where the user changed
a default (:data:`KINDS` holds the defaults).
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models


class Kind(NamedTuple):
    label: str
    email_default: bool  # in-app is on by default for every kind


KINDS: dict[str, Kind] = {
    "statement_published": Kind("Statement published", True),
    "question_answered": Kind("Question answered", True),
    "question_raised": Kind("New question on a statement", False),
    "review_due": Kind("Review due", True),
    "approval_needed": Kind("Approval needed", True),
    "rejected": Kind("Numbers sent back", True),
    "plan_to_accept": Kind("Plan to accept", True),
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=30, choices=[(k, v.label) for k, v in KINDS.items()])
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")  # a path in the app
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # what the notice is about (e.g. "approval_needed:2017-Q1:<fingerprint>"): the same
    # event seen twice (a leader reviewing again) does not notify twice
    key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"]),
                   models.Index(fields=["recipient", "key"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=30, choices=[(k, v.label) for k, v in KINDS.items()])
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_preference_per_kind")]

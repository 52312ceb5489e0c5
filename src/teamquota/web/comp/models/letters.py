"""Plan letters: a payee's plan document per plan version, and its acceptance.

A letter is written once, when sales ops sends it: its content (the plan's rules in words,
the payee's target incentive and targets, the curves, the effective dates) is stored as
sent, with the sha256 of that content, and never changes. A new plan version is a new
letter and needs a new acceptance; the acceptance of an older version stays on record."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlanLetter(models.Model):
    version = models.ForeignKey("comp.PlanVersion", on_delete=models.PROTECT,
                                related_name="letters")
    payee = models.ForeignKey("comp.Payee", on_delete=models.PROTECT,
                              related_name="plan_letters")
    content = models.JSONField()  # services.letters.letter_content, as sent
    content_hash = models.CharField(max_length=64)  # sha256 of the canonical content
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["version", "payee"],
                                               name="plan_letter_per_version")]

    def __str__(self) -> str:
        return f"letter #{self.pk}: {self.version} for {self.payee_id}"


class LetterAcceptance(models.Model):
    """The payee's own acceptance of one letter: who, when, which version and the content
    hash they accepted (the letter's, copied so the record stands on its own)."""

    letter = models.OneToOneField(PlanLetter, on_delete=models.PROTECT,
                                  related_name="acceptance")
    version = models.ForeignKey("comp.PlanVersion", on_delete=models.PROTECT,
                                related_name="+")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-accepted_at"]

"""What a leader records about their people by hand: ratings of a rep's skills (1 to 5),
shown next to the strengths measured from history (``teamquota.insights.ratings``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LeaderRating(models.Model):
    """One rep's rating on one skill; recording it again replaces it (audited)."""

    payee = models.ForeignKey("comp.Payee", on_delete=models.CASCADE, related_name="ratings")
    # 'overall', a product, series, sector, size band or activity type, as measured
    skill = models.CharField(max_length=200)
    rating = models.DecimalField(max_digits=3, decimal_places=2)  # 1.00 to 5.00
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["payee__name", "skill"]
        constraints = [models.UniqueConstraint(fields=["payee", "skill"],
                                               name="rating_key")]

"""The input data the engine reads, as the web keeps it, and the imports that changed it.

Deals and targets are rows (pages query them); the optional tables (splits, activities,
fx_rates, coverage) are kept whole as Parquet in :class:`DataTable`. Every change comes
from an :class:`Import`, so a run can name who changed its data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Import(models.Model):
    MODES = [("replace", "Replace the table"), ("upsert", "Add or update rows by key"),
             ("edit", "Edited in the app")]  # teams and memberships (services/org.py)
    table = models.CharField(max_length=40)
    mode = models.CharField(max_length=10, choices=MODES, default="replace")
    file_name = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="imports")
    created_at = models.DateTimeField(auto_now_add=True)
    rows_imported = models.IntegerField(default=0)
    rows_rejected = models.IntegerField(default=0)
    reject_csv = models.TextField(blank=True, default="")
    report = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Deal(models.Model):
    deal_id = models.CharField(max_length=100, unique=True)
    owner = models.ForeignKey("comp.Payee", on_delete=models.PROTECT, related_name="deals")
    account = models.CharField(max_length=200, blank=True, default="")
    product = models.CharField(max_length=200, blank=True, default="")
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    stage = models.CharField(max_length=60)
    close_date = models.DateField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    changed_by_import = models.ForeignKey(Import, null=True, blank=True,
                                          on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["owner", "stage"]),
                   models.Index(fields=["close_date"])]


class Target(models.Model):
    subject_type = models.CharField(max_length=10)
    subject_id = models.CharField(max_length=100)
    measure = models.CharField(max_length=100)
    period = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["subject_type", "subject_id", "measure", "period"], name="target_key")]


class DataTable(models.Model):
    name = models.CharField(max_length=40, unique=True)
    parquet = models.BinaryField()
    rows = models.IntegerField(default=0)

# Written for teamquota (Django 5.2): the finance close workbench: per-team sign-off and rejection.
# ruff: noqa: E501

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0011_payout_amount_places"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="TeamDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("decision", models.CharField(choices=[("signoff", "Signed off"), ("reject", "Rejected")], max_length=10)),
                ("text", models.TextField(blank=True, default="")),
                ("fingerprint", models.CharField(max_length=64)),
                ("decided_at", models.DateTimeField(auto_now_add=True)),
                ("decided_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("period", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="team_decisions", to="comp.period")),
                ("run", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="comp.run")),
                ("team", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="comp.team")),
            ],
            options={
                "ordering": ["period", "team", "-decided_at", "-id"],
                "indexes": [models.Index(fields=["period", "team"], name="comp_teamde_period__0dcf41_idx")],
            },
        ),
    ]

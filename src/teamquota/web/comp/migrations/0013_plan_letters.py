# Written for teamquota (Django 5.2): plan letters and their acceptance.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0012_close_signoff"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="PlanLetter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("content", models.JSONField()),
                ("content_hash", models.CharField(max_length=64)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                ("payee", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            related_name="plan_letters", to="comp.payee")),
                ("sent_by", models.ForeignKey(blank=True, null=True,
                                              on_delete=django.db.models.deletion.PROTECT,
                                              related_name="+",
                                              to=settings.AUTH_USER_MODEL)),
                ("version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name="letters",
                                              to="comp.planversion")),
            ],
            options={"ordering": ["-sent_at", "-id"]},
        ),
        migrations.CreateModel(
            name="LetterAcceptance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("accepted_at", models.DateTimeField(auto_now_add=True)),
                ("content_hash", models.CharField(max_length=64)),
                ("accepted_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="+",
                                                  to=settings.AUTH_USER_MODEL)),
                ("version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                              related_name="+", to="comp.planversion")),
                ("letter", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="acceptance",
                                                to="comp.planletter")),
            ],
            options={"ordering": ["-accepted_at"]},
        ),
        migrations.AddConstraint(
            model_name="planletter",
            constraint=models.UniqueConstraint(fields=("version", "payee"),
                                               name="plan_letter_per_version"),
        ),
    ]

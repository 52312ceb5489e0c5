# Written for teamquota (Django 5.2): the notification inbox and preferences.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KIND_CHOICES = [
    ("statement_published", "Statement published"),
    ("question_answered", "Question answered"),
    ("question_raised", "New question on a statement"),
    ("review_due", "Review due"),
    ("approval_needed", "Approval needed"),
    ("rejected", "Numbers sent back"),
    ("plan_to_accept", "Plan to accept"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0013_plan_letters"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KIND_CHOICES, max_length=30)),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True, default="")),
                ("link", models.CharField(blank=True, default="", max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                ("key", models.CharField(blank=True, default="", max_length=200)),
                ("recipient", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="notifications", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["recipient", "read_at"],
                                 name="comp_notifi_recipie_727324_idx"),
                    models.Index(fields=["recipient", "key"],
                                 name="comp_notifi_recipie_90ecab_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=KIND_CHOICES, max_length=30)),
                ("in_app", models.BooleanField(default=True)),
                ("email", models.BooleanField(default=False)),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="notification_preferences", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("user", "kind"),
                                                        name="one_preference_per_kind")],
            },
        ),
    ]

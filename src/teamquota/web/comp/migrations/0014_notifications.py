# Written for teamquota (Django 5.2): the notification inbox and preferences.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0013_plan_letters"),
    ]

    operations: list[migrations.operations.base.Operation] = []

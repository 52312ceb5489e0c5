# Written for teamquota (Django 5.2): the finance close workbench: per-team sign-off and rejection.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0011_payout_amount_places"),
    ]

    operations: list[migrations.operations.base.Operation] = []

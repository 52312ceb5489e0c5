# Written for teamquota (Django 5.2): plan letters and their acceptance.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0012_close_signoff"),
    ]

    operations: list[migrations.operations.base.Operation] = []

# Written for teamquota (Django 5.2): disputes keyed by payee, period and component (they follow their line across reruns).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0014_notifications"),
    ]

    operations: list[migrations.operations.base.Operation] = []

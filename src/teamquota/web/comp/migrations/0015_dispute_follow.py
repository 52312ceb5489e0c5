# Written for teamquota (Django 5.2): disputes keyed by payee, period and component
# (they follow their line across reruns).

from django.db import migrations, models


def key_existing_disputes(apps, schema_editor):
    """Every dispute raised before the key existed takes it from the line it was raised on
    (that line stays the dispute's "raised on")."""
    Dispute = apps.get_model("comp", "Dispute")
    for dispute in Dispute.objects.filter(period="").select_related("line"):
        dispute.period = dispute.line.period
        dispute.component_id = dispute.line.component_id
        dispute.save(update_fields=["period", "component_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("comp", "0014_notifications"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="dispute", name="period",
            field=models.CharField(blank=True, default="", max_length=10)),
        migrations.AddField(
            model_name="dispute", name="component_id",
            field=models.CharField(blank=True, default="", max_length=64)),
        migrations.AlterField(
            model_name="dispute", name="line",
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="disputes",
                                    to="comp.payoutline", verbose_name="raised on")),
        migrations.RunPython(key_existing_disputes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(fields=["payee", "period", "component_id"],
                               name="comp_disput_payee_i_60185e_idx")),
    ]

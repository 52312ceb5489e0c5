# Written for teamquota (Django 5.2): payout amounts keep a currency's third place.

from django.db import migrations

import teamquota.web.comp.models.results


class Migration(migrations.Migration):
    """PayoutLine.amount: decimal(18,2) -> decimal(19,3). The column widens (16 digits
    before the point, as before, and one more place), so every stored amount is kept as
    it is: 10.06 becomes 10.060, read back as 10.06 (``models.results.as_paid``)."""

    dependencies = [
        ("comp", "0010_leadership"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payoutline",
            name="amount",
            field=teamquota.web.comp.models.results.PayoutAmountField(
                decimal_places=3, max_digits=19),
        ),
    ]

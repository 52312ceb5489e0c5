"""The suite runs on SQLite by default and on PostgreSQL when TEAMQUOTA_TEST_DATABASE_URL
is set (CI sets it); this test proves which one actually ran."""

from __future__ import annotations

import os

import pytest
from django.db import connection


def test_it_runs_on_the_configured_database(db):  # noqa: ANN001
    url = os.environ.get("TEAMQUOTA_TEST_DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEAMQUOTA_TEST_DATABASE_URL"),
                    reason="needs TEAMQUOTA_TEST_DATABASE_URL")
def test_it_keeps_money_exact_on_postgres(world):  # noqa: ANN001
    from decimal import Decimal

    from teamquota.web.comp.models import PayoutLine
    total = sum(PayoutLine.objects.filter(run=world.run).values_list("amount", flat=True),
                Decimal(0))
    assert total == Decimal("750.00")  # 150.00 + 200.00 + 400.00


def test_it_has_a_migration_for_every_model_change(db):  # noqa: ANN001
    from io import StringIO

    from django.core.management import call_command
    out = StringIO()
    call_command("makemigrations", "comp", "--check", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "No changes detected in app 'comp'"

"""Migration 0010 dates leadership: each team with a leader gets one open span from
1900-01-01 (its leader led it in every period, as access read ``Team.leader`` before);
a team without a leader gets none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = [("comp", "0009_wider_attainment")], [("comp", "0010_leadership")]


@pytest.mark.django_db(transaction=True)
def test_migration__each_led_team_gets_an_open_span_from_1900():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Payee, Team = apps.get_model("comp", "Payee"), apps.get_model("comp", "Team")
    lea = Payee.objects.create(payee_id="lea", name="Lea Leader", target_incentive=Decimal(1))
    sam = Payee.objects.create(payee_id="sam", name="Sam Leader", target_incentive=Decimal(1))
    company = Team.objects.create(team_id="company", name="Company")
    Team.objects.create(team_id="north", name="North", leader=lea, parent=company)
    Team.objects.create(team_id="south", name="South", leader=sam, parent=company)
    Team.objects.create(team_id="east", name="East", leader=lea, parent=company)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    spans = sorted(apps.get_model("comp", "Leadership").objects.values_list(
        "team__team_id", "payee__payee_id", "start_date", "end_date"))
    assert spans == [("east", "lea", date(1900, 1, 1), None),
                     ("north", "lea", date(1900, 1, 1), None),
                     ("south", "sam", date(1900, 1, 1), None)]
    # and back: 0009 has no spans to keep
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the schema later tests expect

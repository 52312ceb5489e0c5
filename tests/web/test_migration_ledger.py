"""Migration 0007 moves an existing database onto the ledger: manual adjustments (copied
into every run before) become one run-less entry of their period, periods get their
fingerprint, and a period locked before keeps a snapshot of its payroll file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = [("comp", "0006_team_summary")], [("comp", "0007_ledger")]


@pytest.mark.django_db(transaction=True)
def test_migration__manual_lines_become_period_entries_and_locked_periods_a_snapshot():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Payee, Run, Period, Line = (apps.get_model("comp", n) for n in
                                ("Payee", "Run", "Period", "PayoutLine"))
    rita = Payee.objects.create(payee_id="rita", name="Rita Rep", email="r@x.com",
                                target_incentive=Decimal("1"))
    old, new = Run.objects.create(status="done"), Run.objects.create(status="done")
    q1 = Period.objects.create(label="2017-Q1", start=date(2017, 1, 1),
                               end=date(2017, 3, 31), status="locked", run=new)

    def line(run, line_type: str, amount: str) -> None:  # noqa: ANN001
        Line.objects.create(run=run, period="2017-Q1", payee=rita, plan_id="ae",
                            component_id="personal", line_type=line_type,
                            amount=Decimal(amount), currency="USD",
                            adjusts_period="2017-Q1" if line_type == "manual" else "")
    line(old, "curve", "100.00")
    line(old, "manual", "25.00")  # the copy an older run carried
    line(new, "curve", "100.00")
    line(new, "manual", "25.00")  # the copy the period shows
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Line, Period = apps.get_model("comp", "PayoutLine"), apps.get_model("comp", "Period")
    manual = Line.objects.get(line_type="manual")
    assert (manual.run_id, manual.amount) == (None, Decimal("25.00"))
    q1 = Period.objects.get(label="2017-Q1")
    assert len(q1.fingerprint) == 64
    snap = apps.get_model("comp", "PeriodSnapshot").objects.get(period=q1)
    # curve 100.00 + manual 25.00 (its own payroll line, for 2017-Q1)
    assert snap.totals == {"USD": "125.00"}
    assert snap.payroll_csv.splitlines()[1:] == [
        f"2017-Q1,rita,Rita Rep,r@x.com,ae,personal,USD,100.00,locked,{new.pk}",
        f"2017-Q1,rita,Rita Rep,r@x.com,ae,personal (manual for 2017-Q1),USD,25.00,locked,"
        f"{new.pk}"]
    # leave the schema as later tests expect it (migrations after 0007 included)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

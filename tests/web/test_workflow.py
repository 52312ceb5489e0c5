"""The period close workflow: reviews by each leader, approval by finance (with
segregation of duties), locking, and corrections to locked periods as adjustments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import Deal, PayoutLine, Period, PlanVersion
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.test_close_workbench import approve, confirm
from tests.web.world import PLAN_YAML


def _close(client, world, label="2017-Q1"):  # noqa: ANN001, ANN202
    # leaders review, finance signs off each team, then approves and locks on the
    # confirmation pages (posting back the fingerprint they show)
    approve(client, world, label)
    confirm(client, label, "lock")
    return Period.objects.get(label=label)


def test_it_needs_every_leaders_review_before_approval(client, world):
    client.force_login(world.lea)
    client.post("/periods/2017-Q1/review/north/")
    assert Period.objects.get(label="2017-Q1").status == "calculated"
    client.force_login(world.fiona)
    response = client.post("/periods/2017-Q1/approve/", follow=True)
    assert "waiting for: South" in response.content.decode()
    assert Period.objects.get(label="2017-Q1").status == "calculated"
    client.force_login(world.sam)
    client.post("/periods/2017-Q1/review/south/")
    assert Period.objects.get(label="2017-Q1").status == "reviewed"


def test_it_walks_a_period_to_locked(client, world):
    period = _close(client, world)
    assert period.status == "locked"
    assert period.approved_by == world.fiona and period.locked_by == world.fiona


def test_it_refuses_approval_by_whoever_changed_the_plan(client, world):
    world.otto.role_names = "sales_ops,finance"
    world.otto.save()
    for leader, team in ((world.lea, "north"), (world.sam, "south")):
        client.force_login(leader)
        client.post(f"/periods/2017-Q1/review/{team}/")
    client.force_login(world.otto)
    response = client.post("/periods/2017-Q1/approve/", follow=True)
    assert "segregation of duties" in response.content.decode()
    assert Period.objects.get(label="2017-Q1").status == "reviewed"


def test_it_keeps_a_locked_period_and_carries_a_late_deal_as_an_adjustment(client, world):
    locked = _close(client, world)
    Deal.objects.create(deal_id="LATE-1", owner=world.rita.payee, amount=Decimal("300.00"),
                        stage="Won", close_date=date(2017, 3, 30))
    run2 = start_run(world.otto, "late deal", calculator=fake_calculate)
    q1 = Period.objects.get(label="2017-Q1")
    assert q1.status == "locked" and q1.run_id == locked.run_id
    # the locked statement still shows 10% of 1500.00 = 150.00
    assert PayoutLine.objects.get(run_id=q1.run_id, period="2017-Q1",
                                  payee__payee_id="rita").amount == Decimal("150.00")
    adjustment = PayoutLine.objects.get(run=run2, adjusts_period="2017-Q1")
    # recalculated 10% of (1500.00 + 300.00) = 180.00; 180.00 - 150.00 = 30.00
    assert adjustment.amount == Decimal("30.00")
    assert adjustment.period == "2017-Q2" and adjustment.line_type == "adjustment"
    assert adjustment.cause == "deal LATE-1 added (300.00)"
    assert Period.objects.get(label="2017-Q2").run_id == run2.pk


def test_it_does_not_adjust_twice_once_the_adjustment_is_locked(client, world):
    _close(client, world)
    Deal.objects.create(deal_id="LATE-1", owner=world.rita.payee, amount=Decimal("300.00"),
                        stage="Won", close_date=date(2017, 3, 30))
    start_run(world.otto, "late deal", calculator=fake_calculate)
    client.force_login(world.lea)
    client.post("/periods/2017-Q2/review/north/")
    q2 = Period.objects.get(label="2017-Q2")
    assert q2.status == "reviewed"  # only North has someone paid in Q2
    _close(client, world, "2017-Q2")
    run3 = start_run(world.otto, "again", calculator=fake_calculate)
    # Q1: 180.00 recalculated - 150.00 locked - 30.00 adjusted in locked Q2 = 0
    assert not PayoutLine.objects.filter(run=run3, adjusts_period="2017-Q1").exists()


def test_it_recovers_a_clawback_in_instalments(client, world):
    version = PlanVersion.objects.get(plan=world.plan)
    version.yaml_text = PLAN_YAML + "clawback: {instalments: 2}\n"
    version.save()
    _close(client, world)
    Deal.objects.filter(deal_id="DEAL-2").update(stage="Lost")
    run2 = start_run(world.otto, "cancelled", calculator=fake_calculate)
    line = PayoutLine.objects.get(run=run2, adjusts_period="2017-Q1")
    # Rita loses 10% of 500.00 = 50.00, recovered in 2 instalments: -25.00 now
    assert (line.line_type, line.amount) == ("clawback", Decimal("-25.00"))
    assert "instalment 1 of 2" in line.explanation
    assert line.cause == "deal DEAL-2 removed (was 500.00)"


def test_it_reopens_an_approved_period_when_a_new_run_changes_its_numbers(client, world):
    approve(client, world)
    run2 = start_run(world.otto, "rerun", calculator=fake_calculate)
    period = Period.objects.get(label="2017-Q1")
    # the same numbers: the approval was given for them and stands
    assert (period.status, period.run_id, period.approved_by) == ("approved", run2.pk,
                                                                  world.fiona)
    Deal.objects.filter(deal_id="DEAL-2").update(stage="Lost")
    run3 = start_run(world.otto, "cancelled", calculator=fake_calculate)
    period = Period.objects.get(label="2017-Q1")
    assert (period.status, period.run_id, period.approved_by) == ("calculated", run3.pk, None)
    assert set(period.reviews.values_list("fingerprint", flat=True)) != {period.fingerprint}


def test_it_keeps_the_locked_attainment_when_the_plan_says_so(client, world):
    from teamquota.web.comp.models import AuditEvent
    version = PlanVersion.objects.get(plan=world.plan)
    version.yaml_text = PLAN_YAML + "clawback: {reduce_attainment: false}\n"
    version.save()
    _close(client, world)
    Deal.objects.filter(deal_id="DEAL-2").update(stage="Lost")
    run2 = start_run(world.otto, "cancelled", calculator=fake_calculate)
    # 'personal' pays on a curve: the locked attainment stands, nothing is clawed back
    assert not PayoutLine.objects.filter(run=run2, adjusts_period="2017-Q1").exists()
    waived = AuditEvent.objects.get(action="clawback.waived")
    assert waived.summary == ("2017-Q1 personal for rita: recalculated -50.00 not clawed back "
                              "(clawback.reduce_attainment is false: the locked attainment "
                              "stands); cause: deal DEAL-2 removed (was 500.00)")

"""The ledger in the web app: the reproductions of issue 12, through the pages a sales-ops
analyst, a leader and finance use (fake engine: 10% of Won, tests/web/fakes.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from teamquota.web.comp.models import (
    Deal,
    Dispute,
    Membership,
    Payee,
    PayoutLine,
    Period,
    PlanAssignment,
)
from teamquota.web.comp.models.results import ImmutableLine
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.test_workflow import _close


def _deal(deal_id: str, amount: str, day: date, owner: str = "rita") -> None:
    Deal.objects.create(deal_id=deal_id, owner=Payee.objects.get(payee_id=owner),
                        product="GTX", amount=Decimal(amount), stage="Won", close_date=day)


def _rerun(world, note: str = "rerun"):  # noqa: ANN001, ANN202
    run = start_run(world.otto, note, calculator=fake_calculate)
    assert run.status == "done", run.diagnostics
    return run


def _adjust(client, world, label: str, amount: str) -> Dispute:  # noqa: ANN001
    period = Period.objects.get(label=label)
    line = PayoutLine.objects.get(run_id=period.run_id, period=label, payee__payee_id="rita",
                                  adjusts_period="")
    client.force_login(world.rita)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "a deal is missing"})
    dispute = Dispute.objects.order_by("-pk").first()
    client.force_login(world.otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": amount, "reason": "agreed"})
    return dispute


def _total(label: str, payee: str = "rita") -> Decimal:
    period = Period.objects.get(label=label)
    return sum(PayoutLine.shown(period).filter(payee__payee_id=payee)
               .values_list("amount", flat=True), Decimal("0"))


def test_it_keeps_a_dispute_adjustment_after_an_unrelated_late_deal_and_run(client, world):
    _deal("DEAL-Q2", "1000.00", date(2017, 5, 10))
    _rerun(world)
    _close(client, world, "2017-Q1")
    _adjust(client, world, "2017-Q2", "50.00")
    assert _total("2017-Q2") == Decimal("150.00")  # 10% of 1,000.00 + 50.00
    _deal("LATE-1", "300.00", date(2017, 3, 1))  # a late Q1 deal, into locked Q1
    _rerun(world, "late deal")
    # Q2 pays 100.00 + 30.00 (10% of the late 300.00, for locked Q1) + 50.00 kept
    assert _total("2017-Q2") == Decimal("180.00")
    assert _total("2017-Q1") == Decimal("150.00")  # locked: as it was


def test_it_does_not_reverse_a_manual_adjustment_in_a_period_later_locked(client, world):
    _adjust(client, world, "2017-Q1", "100.00")
    _close(client, world, "2017-Q1")
    assert Period.objects.get(label="2017-Q1").status == "locked"
    run = _rerun(world, "unchanged")
    assert not PayoutLine.objects.filter(run=run).exclude(adjusts_period="").exists()
    assert _total("2017-Q1") == Decimal("250.00")  # 150.00 + 100.00, nothing reversed


def test_it_books_a_manual_adjustment_in_the_line_s_own_open_period(client, world):
    _deal("DEAL-Q2", "1000.00", date(2017, 5, 10))
    _rerun(world)
    _adjust(client, world, "2017-Q2", "75.00")
    manual = PayoutLine.objects.get(line_type="manual")
    assert (manual.period, manual.adjusts_period) == ("2017-Q2", "2017-Q2")  # not Q1
    _close(client, world, "2017-Q1")
    _rerun(world)
    assert _total("2017-Q1") == Decimal("150.00")
    assert _total("2017-Q2") == Decimal("175.00")  # 100.00 + 75.00, never taken back


def test_it_books_an_adjustment_for_a_locked_period_in_the_next_open_one(client, world):
    _close(client, world, "2017-Q1")
    _adjust(client, world, "2017-Q1", "-20.00")
    manual = PayoutLine.objects.get(line_type="manual")
    assert (manual.period, manual.adjusts_period) == ("2017-Q2", "2017-Q1")
    client.force_login(world.rita)
    text = client.get("/statements/rita/?period=2017-Q2").content.decode()
    assert "-20.00" in text


def test_it_lapses_the_reviews_when_an_adjustment_changes_the_period(client, world):
    for leader, team in ((world.lea, "north"), (world.sam, "south")):
        client.force_login(leader)
        client.post(f"/periods/2017-Q1/review/{team}/")
    assert Period.objects.get(label="2017-Q1").status == "reviewed"
    _adjust(client, world, "2017-Q1", "5000.00")
    assert Period.objects.get(label="2017-Q1").status == "calculated"
    client.force_login(world.fiona)
    response = client.post("/periods/2017-Q1/approve/", follow=True)
    assert "must be reviewed by every leader" in response.content.decode()
    assert Period.objects.get(label="2017-Q1").status == "calculated"


def test_it_freezes_a_locked_period_s_payroll_file(client, world):
    _close(client, world, "2017-Q1")
    client.force_login(world.fiona)
    before = client.get("/periods/2017-Q1/payroll.csv").content
    Payee.objects.filter(payee_id="rita").update(name="=Rita Renamed", email="new@x.com")
    after = client.get("/periods/2017-Q1/payroll.csv").content
    assert after == before
    assert b"rita,Rita Rep,rita@example.com,ae_test,personal,USD,150.00,locked" in before
    assert Period.objects.get(label="2017-Q1").snapshot.sha256


def test_it_never_changes_a_posted_line(world):  # noqa: ANN001
    line = PayoutLine.objects.first()
    assert line is not None
    line.amount = Decimal("1")
    with pytest.raises(ImmutableLine):
        line.save()


def test_it_refuses_a_leader_answering_their_own_dispute(client, world):
    lea = Payee.objects.get(payee_id="lea")  # a player-coach: leads North and sells in it
    Membership.objects.create(payee=lea, team=world.north, start_date=date(2017, 1, 1))
    PlanAssignment.objects.create(plan=world.plan, payee=lea, start_date=date(2017, 1, 1),
                                  created_by=world.otto)
    _deal("DEAL-LEA", "100.00", date(2017, 2, 1), owner="lea")
    run = _rerun(world)
    line = PayoutLine.objects.get(run=run, payee=lea)
    world.lea.payee = lea
    world.lea.save()
    client.force_login(world.lea)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "check my deal"})
    dispute = Dispute.objects.get()
    client.post(f"/disputes/{dispute.pk}/", {"text": "fine by me", "status": "closed"})
    dispute.refresh_from_db()
    assert dispute.status == "open"  # she may reply, not decide

"""Disputes: a rep questions a line, the leader answers, sales ops adjusts; the thread and
the adjustment stay with the line (and survive a re-run)."""

from __future__ import annotations

from decimal import Decimal

from teamquota.web.comp.models import Dispute, PayoutLine, Period
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate


def _raise(client, world) -> Dispute:  # noqa: ANN001
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "DEAL-9 is missing"})
    return Dispute.objects.get()


def test_it_threads_a_question_and_the_leaders_answer(client, world):
    dispute = _raise(client, world)
    client.force_login(world.lea)
    client.post(f"/disputes/{dispute.pk}/", {"text": "It closes in Q2", "status": "answered"})
    dispute.refresh_from_db()
    assert dispute.status == "answered"
    assert [m.text for m in dispute.messages.all()] == ["DEAL-9 is missing", "It closes in Q2"]
    client.force_login(world.rita)
    assert "It closes in Q2" in client.get(f"/disputes/{dispute.pk}/").content.decode()


def test_it_keeps_a_sales_ops_adjustment_across_runs(client, world):
    dispute = _raise(client, world)
    client.force_login(world.otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "25.00", "reason": "DEAL-9"})
    rerun = start_run(world.otto, "rerun", calculator=fake_calculate)
    assert Period.objects.get(label="2017-Q1").run_id == rerun.pk
    # a manual entry belongs to its period, not to a run: the rerun leaves it as it was
    manual = PayoutLine.objects.get(line_type="manual")
    assert manual.run_id is None and manual.period == "2017-Q1"
    assert (manual.amount, manual.cause) == (Decimal("25.00"), f"dispute #{dispute.pk}: DEAL-9")
    client.force_login(world.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    assert "175.00" in text  # 150.00 + 25.00


def test_it_refuses_a_bad_adjustment_amount(client, world):
    dispute = _raise(client, world)
    client.force_login(world.otto)
    response = client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "1.005"},
                           follow=True)
    assert "at most 2 decimals" in response.content.decode()
    assert not PayoutLine.objects.filter(line_type="manual").exists()


def test_it_stops_whoever_adjusted_a_line_from_approving_it(client, world):
    dispute = _raise(client, world)
    world.fiona.role_names = "finance,sales_ops"
    world.fiona.save()
    client.force_login(world.fiona)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "25.00", "reason": "DEAL-9"})
    for leader, team in ((world.lea, "north"), (world.sam, "south")):
        client.force_login(leader)
        client.post(f"/periods/2017-Q1/review/{team}/")
    client.force_login(world.fiona)
    response = client.post("/periods/2017-Q1/approve/", follow=True)
    assert "segregation of duties" in response.content.decode()
    assert Period.objects.get(label="2017-Q1").status == "reviewed"


def test_it_shows_an_adjustment_at_once_despite_the_cached_statement(client, world):
    dispute = _raise(client, world)
    assert "150.00 USD" in client.get("/statements/rita/?period=2017-Q1").content.decode()
    client.force_login(world.otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "25.00", "reason": "DEAL-9"})
    client.force_login(world.rita)
    assert "175.00 USD" in client.get("/statements/rita/?period=2017-Q1").content.decode()

"""A dispute follows its line across reruns: keyed by payee, period and component, it
shows the line's current amount (and the one questioned), links to the statement at that
line, the statement line shows it with its status, and the inbox says status, age and who
is expected to answer."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from teamquota.web.comp.models import Deal, Dispute, Leadership, PayoutLine, Period
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate


def _raise(client, world) -> Dispute:  # noqa: ANN001
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "DEAL-2 was 700.00"})
    return Dispute.objects.get()


def _rerun_with_deal_2_at_700(world) -> PayoutLine:  # noqa: ANN001
    Deal.objects.filter(deal_id="DEAL-2").update(amount=Decimal("700.00"))
    rerun = start_run(world.otto, "rerun", calculator=fake_calculate)
    assert Period.objects.get(label="2017-Q1").run_id == rerun.pk
    return PayoutLine.objects.get(run=rerun, payee__payee_id="rita")


def test_it_keys_a_dispute_by_payee_period_and_component(client, world):
    dispute = _raise(client, world)
    assert (dispute.payee.payee_id, dispute.period, dispute.component_id) == (
        "rita", "2017-Q1", "personal")


def test_it_follows_the_line_of_a_rerun_with_its_current_amount(client, world):
    dispute = _raise(client, world)
    raised_on = dispute.line
    now = _rerun_with_deal_2_at_700(world)
    assert now.pk != raised_on.pk
    assert dispute.current_line() == now
    client.force_login(world.rita)
    text = client.get(f"/disputes/{dispute.pk}/").content.decode()
    # before: 10% of (1000.00 + 500.00) = 150.00; after: 10% of (1000.00 + 700.00) = 170.00
    assert "now 170.00 USD" in text
    assert "150.00 USD when raised" in text
    assert f"/statements/rita/?period=2017-Q1#line-{now.pk}" in text


def test_it_shows_one_amount_when_no_rerun_changed_it(client, world):
    dispute = _raise(client, world)
    text = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "now 150.00 USD" in text and "when raised" not in text


def test_the_statement_line_shows_its_dispute_after_a_rerun(client, world):
    dispute = _raise(client, world)
    now = _rerun_with_deal_2_at_700(world)
    client.force_login(world.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    row = re.search(rf'<tr id="line-{now.pk}">(.*?)</tr>', text, re.S)
    assert row is not None
    assert f'href="/disputes/{dispute.pk}/"' in row.group(1)
    assert "Open" in row.group(1) and "raised on an earlier calculation" in row.group(1)


def test_the_inbox_shows_status_age_and_who_answers(client, world):
    dispute = _raise(client, world)
    # raised 3 days ago (by the local calendar): age 3 days
    Dispute.objects.filter(pk=dispute.pk).update(raised_at=timezone.now() - timedelta(days=3))
    client.force_login(world.lea)
    text = client.get("/disputes/").content.decode()
    assert "3 days" in text
    # rita is in North in 2017-Q1, led by Lea then
    assert "<td>Lea Leader</td>" in text
    assert "Open" in text
    client.post(f"/disputes/{dispute.pk}/", {"text": "It closes in Q2", "status": "answered"})
    text = client.get("/disputes/").content.decode()
    assert "Answered" in text and "<td>Lea Leader</td>" not in text  # waits for no one


def test_it_names_sales_ops_when_no_leader_led_the_team_then(client, world):
    dispute = _raise(client, world)
    # North and its parent company have no leadership in 2017-Q1 any more
    Leadership.objects.filter(team=world.north).update(end_date="2016-12-31")
    client.force_login(world.otto)
    text = client.get("/disputes/").content.decode()
    assert "<td>Sales ops</td>" in text
    assert f"#{dispute.pk}" in text


def test_the_migration_keys_disputes_raised_before_it(client, world):
    from importlib import import_module
    dispute = _raise(client, world)
    Dispute.objects.filter(pk=dispute.pk).update(period="", component_id="")
    module = import_module("teamquota.web.comp.migrations.0015_dispute_follow")
    module.key_existing_disputes(apps, None)
    dispute.refresh_from_db()
    assert (dispute.period, dispute.component_id) == ("2017-Q1", "personal")
    assert dispute.line.period == "2017-Q1"  # the line it was raised on is kept


def test_the_payees_reply_to_an_answer_reopens_it_for_the_leader(client, world):
    dispute = _raise(client, world)
    client.force_login(world.lea)
    client.post(f"/disputes/{dispute.pk}/", {"text": "It closes in Q2", "status": "answered"})
    client.force_login(world.rita)
    client.post(f"/disputes/{dispute.pk}/", {"text": "It closed on 03-31"})
    dispute.refresh_from_db()
    assert dispute.status == "open"
    client.force_login(world.lea)
    assert "<td>Lea Leader</td>" in client.get("/disputes/").content.decode()
    client.post(f"/disputes/{dispute.pk}/", {"text": "Right, closing", "status": "closed"})
    client.force_login(world.rita)
    client.post(f"/disputes/{dispute.pk}/", {"text": "Thanks"})
    dispute.refresh_from_db()
    assert dispute.status == "closed"  # a closed question stays closed

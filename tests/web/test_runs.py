"""Runs: start (sales ops), status page with htmx polling, compare two runs with causes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import Deal, Run
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate


def test_it_compares_two_runs_and_names_the_deal_that_changed(client, world):
    Deal.objects.create(deal_id="LATE-9", owner=world.sue.payee, amount=Decimal("1000.00"),
                        stage="Won", close_date=date(2017, 3, 1))
    second = start_run(world.otto, "late deal", calculator=fake_calculate)
    client.force_login(world.fiona)
    text = client.get(f"/runs/compare/?a={world.run.pk}&b={second.pk}").content.decode()
    # Sue: 10% of 4000.00 = 400.00 -> 10% of 5000.00 = 500.00
    assert "1 payout changed" in text
    assert "400.00" in text and "500.00" in text and "deal LATE-9 added (1,000.00)" in text


def test_it_records_a_failed_run_with_its_diagnostics(client, world):
    from teamquota.web.comp.models import PlanVersion
    PlanVersion.objects.filter(plan=world.plan).update(yaml_text="plan: [unclosed")
    run = start_run(world.otto, "broken", calculator=fake_calculate)
    assert run.status == "failed"
    assert run.diagnostics[0]["code"] == "P001"
    client.force_login(world.otto)
    assert "P001" in client.get(f"/runs/{run.pk}/").content.decode()


def test_it_polls_progress_with_htmx(client, world):
    client.force_login(world.otto)
    response = client.get(f"/runs/{world.run.pk}/", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.startswith('<div id="run-status"') and "<html" not in text


def test_it_starts_a_run_for_sales_ops(client, world, monkeypatch):
    import teamquota
    monkeypatch.setattr(teamquota, "calculate",
                        lambda plan, data, progress=None: fake_calculate(plan, data))
    client.force_login(world.otto)
    response = client.post("/runs/start/", {"note": "month end"})
    run = Run.objects.order_by("-pk").first()
    assert response["Location"] == f"/runs/{run.pk}/"
    assert (run.status, run.note, run.started_by) == ("done", "month end", world.otto)

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


def _dead_pid() -> int:
    """A pid no process has: a child that has exited and been reaped."""
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_it_fails_a_run_whose_server_process_is_gone(client, world):
    import socket
    host = socket.gethostname()
    dead = Run.objects.create(status="running", progress="plan ae_test v1: pay",
                              worker=f"{host}:{_dead_pid()}:123")
    client.force_login(world.fiona)
    text = client.get(f"/runs/{dead.pk}/").content.decode()
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at is not None
    assert dead.diagnostics[0]["code"] == "E998"
    assert "the run stopped while &#x27;plan ae_test v1: pay&#x27;" in text
    assert "ended (a server restart or crash) before it finished" in text


def test_it_fails_a_run_of_this_process_whose_thread_is_gone(client, world):
    from teamquota.web.comp.services.workers import this_worker
    lost = Run.objects.create(status="running", worker=this_worker())  # no thread claimed it
    old = Run.objects.create(status="queued", worker="")  # from before runs named a worker
    client.force_login(world.otto)
    client.get("/runs/")
    assert set(Run.objects.filter(pk__in=(lost.pk, old.pk)).values_list("status", flat=True)) \
        == {"failed"}


def test_it_leaves_runs_of_live_processes_and_other_hosts_alone(db):  # noqa: ANN001
    import os
    import socket

    from teamquota.web.comp.services.workers import _start_ticks, fail_orphaned_runs
    parent = os.getppid()
    alive = Run.objects.create(status="running", worker=f"{socket.gethostname()}:{parent}:"
                                                        f"{_start_ticks(parent)}")
    elsewhere = Run.objects.create(status="running", worker="another-host:1:1")
    assert fail_orphaned_runs() == []
    assert set(Run.objects.filter(pk__in=(alive.pk, elsewhere.pk))
               .values_list("status", flat=True)) == {"running"}

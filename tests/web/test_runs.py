"""Runs: start (sales ops), status page with htmx polling, compare two runs with causes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import Deal, PayoutLine, Run
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


def test_it_says_a_finished_run_is_done_once(client, world):
    Run.objects.filter(pk=world.run.pk).update(status="done", progress="done")
    client.force_login(world.otto)
    text = client.get(f"/runs/{world.run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    # the badge says Done; the progress repeats nothing ("Done done" before)
    assert "Done</span>" in text and "done done" not in text.lower().replace("</span> ", " ")


def test_it_starts_a_run_for_sales_ops(client, world, monkeypatch):
    import teamquota
    monkeypatch.setattr(teamquota, "calculate",
                        lambda plan, data, progress=None: fake_calculate(plan, data))
    client.force_login(world.otto)
    response = client.post("/runs/start/", {"note": "month end"})
    run = Run.objects.order_by("-pk").first()
    assert response["Location"] == f"/runs/{run.pk}/"
    assert (run.status, run.note, run.started_by) == ("done", "month end", world.otto)


def _task_run(status: str, minutes_ago: int = 0, **task: object) -> Run:
    """A run whose task (in the database queue) is ``status``, started ``minutes_ago``."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    when = timezone.now() - timedelta(minutes=minutes_ago)
    record = DBTaskResult.objects.create(
        id=uuid.uuid4(), status=status, args_kwargs={"args": [0], "kwargs": {}},
        task_path="teamquota.web.comp.services.runs.execute_run_task", backend_name="default",
        run_after=when, started_at=when if status != "READY" else None, **task)
    run = Run.objects.create(status="queued" if status == "READY" else "running",
                             progress="plan ae_test v1: pay", worker=f"task:{record.pk}")
    Run.objects.filter(pk=run.pk).update(started_at=when)
    return run


def test_it_fails_a_run_whose_task_failed_in_the_worker(client, world):
    dead = _task_run("FAILED", exception_class_path="builtins.MemoryError", traceback="")
    client.force_login(world.fiona)
    text = client.get(f"/runs/{dead.pk}/").content.decode()
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at is not None
    assert dead.diagnostics[0]["code"] == "E998"
    assert ("the run stopped while &#x27;plan ae_test v1: pay&#x27;: its task failed in the "
            "worker (MemoryError); nothing of it was stored") in text


def test_it_fails_a_run_whose_worker_has_not_finished_it_within_the_limit(db, settings):
    from teamquota.web.comp.services.workers import fail_orphaned_runs
    settings.TEAMQUOTA_RUN_TIMEOUT_MINUTES = 60
    killed = _task_run("RUNNING", minutes_ago=61)  # a killed worker never marks its task
    waiting = _task_run("READY", minutes_ago=61)  # no worker is running
    busy = _task_run("RUNNING", minutes_ago=59)
    assert sorted(fail_orphaned_runs()) == sorted([killed.pk, waiting.pk])
    killed.refresh_from_db()
    waiting.refresh_from_db()
    assert "its worker has not finished it in 60 minutes (the worker was stopped, killed " \
           "or restarted)" in killed.diagnostics[0]["message"]
    assert "no worker took it within 60 minutes" in waiting.diagnostics[0]["message"]
    assert waiting.diagnostics[0]["hint"] == ("is `teamquota worker` running? start it, then "
                                              "start the run again")
    assert Run.objects.get(pk=busy.pk).status == "running"


def test_it_fails_a_run_whose_task_is_gone_or_that_no_process_executes(client, world):
    gone = Run.objects.create(status="running", worker="task:7f2c3e1a-0000-4000-8000-"
                                                       "000000000000")
    lost = Run.objects.create(status="running")  # executed in a request that ended
    old = Run.objects.create(status="queued", worker="web-1:4242:99")  # before tasks
    client.force_login(world.otto)
    client.get("/runs/")
    assert set(Run.objects.filter(pk__in=(gone.pk, lost.pk, old.pk))
               .values_list("status", flat=True)) == {"failed"}
    assert "its task is no longer in the queue" in \
        Run.objects.get(pk=gone.pk).diagnostics[0]["message"]


def test_a_run_failed_as_stuck_stays_failed_when_its_worker_finishes_late(world):
    from teamquota.web.comp.services.runs import execute_run
    run = Run.objects.create(status="running", progress="calculating")
    run.plan_versions.set([world.plan.current])
    Run.objects.filter(pk=run.pk).update(status="failed", progress="failed: its worker "
                                                                  "stopped")
    execute_run(run, fake_calculate)  # still held in memory as running
    run.refresh_from_db()
    assert run.status == "failed" and not PayoutLine.objects.filter(run=run).exists()


def test_sales_ops_retries_a_failed_run_as_a_new_run_that_names_it(client, world, monkeypatch):
    import teamquota
    monkeypatch.setattr(teamquota, "calculate",
                        lambda plan, data, progress=None: fake_calculate(plan, data))
    failed = Run.objects.create(status="failed", note="month end", progress="failed")
    client.force_login(world.otto)
    assert "Retry" in client.get(f"/runs/{failed.pk}/").content.decode()
    response = client.post("/runs/start/", {"retry_of": str(failed.pk)})
    retry = Run.objects.order_by("-pk").first()
    assert response["Location"] == f"/runs/{retry.pk}/"
    # the failure stays on record; the new run says what it retries
    assert Run.objects.get(pk=failed.pk).status == "failed"
    assert (retry.status, retry.note) == ("done", f"retry of run #{failed.pk}: month end")


def test_only_a_failed_run_can_be_retried_and_finance_sees_no_retry_button(client, world):
    failed = Run.objects.create(status="failed", progress="failed")
    client.force_login(world.fiona)
    assert "Retry" not in client.get(f"/runs/{failed.pk}/").content.decode()
    client.force_login(world.otto)
    before = Run.objects.count()
    # a done run, a run that does not exist, a non-number: 404, and no run is started
    for retry_of in (str(world.run.pk), "999999", "abc"):
        assert client.post("/runs/start/", {"retry_of": retry_of}).status_code == 404
    assert Run.objects.count() == before

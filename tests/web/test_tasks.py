"""Runs as tasks on the database queue (django-tasks' database backend), executed by a real
worker process, as ``teamquota worker`` does: queued by the page, picked up, finished, and
the status the page shows follows. SQLite, or PostgreSQL with TEAMQUOTA_TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from teamquota.web.comp.models import PayoutLine, Run, User
from tests.web.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).parents[2]
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# the worker: the test database, the fake engine, then `db_worker --batch` (every queued
# task, then exit) — the command `teamquota worker` runs without --batch
WORKER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from django.db import connections
    connections["default"].settings_dict["NAME"] = sys.argv[1]
    if sys.argv[2] == "fake engine":
        import teamquota
        from tests.web.fakes import fake_calculate
        teamquota.calculate = lambda plan, data, progress=None: fake_calculate(plan, data)
    from teamquota.web.comp.services import insights_simulation
    insights_simulation.REPLICATES = 20  # the even history pays every replicate the same
    from django.core.management import call_command
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
""")


def run_worker(engine: str = "fake engine") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEAMQUOTA_RUNS_INLINE"}
    env.update(DJANGO_SETTINGS_MODULE="teamquota.web.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", WORKER, connection.settings_dict["NAME"], engine],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_a_run_is_queued_picked_up_by_a_worker_process_and_shown_done(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult
    build_world(calculate=False)
    settings.TASKS = QUEUE
    client = Client()
    client.force_login(User.objects.get(username="otto"))
    response = client.post("/runs/start/", {"note": "queued"})
    run = Run.objects.get(note="queued")
    assert response["Location"] == f"/runs/{run.pk}/"  # at once: nothing was calculated
    assert run.status == "queued" and run.worker.startswith("task:")
    task = DBTaskResult.objects.get(pk=run.worker.removeprefix("task:"))
    assert task.status == "READY" and task.args_kwargs["args"] == [run.pk]
    page = client.get(f"/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "Queued" in page  # the page polls

    run_worker()

    task.refresh_from_db()
    run.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "done")
    assert run.status == "done" and PayoutLine.objects.filter(run=run).exists()
    page = client.get(f"/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Done" in page and "hx-trigger" not in page  # finished: the polling stops


def test_a_run_whose_task_fails_in_the_worker_is_shown_failed(settings: Any) -> None:
    build_world(calculate=False)
    settings.TASKS = QUEUE
    client = Client()
    client.force_login(User.objects.get(username="otto"))
    client.post("/runs/start/", {"note": "lost"})
    run = Run.objects.get(note="lost")
    run.delete()  # the task's run is gone: Run.DoesNotExist in the worker
    Run.objects.create(note="lost", status="running", worker=run.worker)
    run_worker()
    client.force_login(User.objects.get(username="fiona"))
    text = client.get("/runs/").content.decode()
    stuck = Run.objects.get(note="lost")
    assert stuck.status == "failed" and stuck.diagnostics[0]["code"] == "E998"
    assert "its task failed in the worker (DoesNotExist)" in stuck.diagnostics[0]["message"]
    assert "Failed" in text


def test_the_plan_fit_page_queues_the_replay_polls_and_shows_it_once_stored(
        settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from teamquota.web.comp.models import PlanAssignment
    from tests.web.test_insights_simulate import URL, _design, _even_history
    build_world(calculate=False)
    _even_history()
    PlanAssignment.objects.all().delete()  # no current plan: the hand-worked mean-won case
    settings.TASKS = QUEUE
    client = Client()
    client.force_login(User.objects.get(username="otto"))
    html = client.get(URL).content.decode()  # at once: the replay waits for the worker
    assert 'id="simulation-pending"' in html and "(queued for the worker)" in html
    assert 'hx-get="/teams/company/simulate/?part=results" hx-trigger="load delay:2s"' in html
    task = DBTaskResult.objects.get(task_path__endswith="simulate_team_task")
    assert task.status == "READY"
    part = client.get(URL + "?part=results", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="simulation-pending"' in part  # still waiting: it polls again
    assert DBTaskResult.objects.count() == 1  # and queues nothing twice

    run_worker("the engine")

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    part = client.get(URL + "?part=results", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="simulation">') and "pending" not in part
    # the hand-worked figures of test_insights_simulate (the team line pays every quarter)
    assert _design(part, "team pool") == ["15,000", "15,000", "0.00", "33%", "0%", "0%", "0%"]
    assert "Recommended: team pool + guard" in part


def test_no_daemon_thread_is_left_in_the_web_app() -> None:
    sources = Path(ROOT / "src" / "teamquota" / "web").rglob("*.py")
    assert [p.name for p in sources if "threading.Thread" in p.read_text("utf-8")] == []


@pytest.mark.parametrize(("args", "started"), [([], True), (["--no-worker"], False)])
def test_serve_starts_a_worker_process_unless_told_not_to(
        monkeypatch: pytest.MonkeyPatch, args: list[str], started: bool) -> None:
    import typer
    from typer.testing import CliRunner

    from teamquota.cli import web as cli_web
    monkeypatch.delenv("TEAMQUOTA_RUNS_INLINE")  # as a user's shell: the database queue
    monkeypatch.setattr(cli_web, "first_start", lambda echo, demo: None)
    import django.core.management as management
    monkeypatch.setattr(management, "call_command", lambda *a, **k: None)
    children: list[Any] = []

    class Child:
        def __init__(self, command: list[str]) -> None:
            children.append(command)

        def terminate(self) -> None:
            children.append("terminated")

        def wait(self, timeout: float) -> int:
            return 0
    monkeypatch.setattr(cli_web.subprocess, "Popen", Child)
    app = typer.Typer()
    cli_web.register(app)
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 0, result.output
    assert children == ([[sys.executable, "-c", "from teamquota.cli.app import main; main()",
                          "worker"], "terminated"] if started else [])

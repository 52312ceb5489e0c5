"""Concurrency and kills, on whichever database the web tests use (SQLite, or PostgreSQL with
TEAMQUOTA_TEST_DATABASE_URL): 20 clients importing and running at once lose no write and
see no 500; a run process killed with SIGKILL while it stores results leaves none of them
(a run stores in one transaction) and is marked E998 by ``workers.fail_orphaned_runs``.

Both are bounded (every wait has a timeout) and take well under 60 s in CI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from teamquota.web.comp.models import Import, PayoutLine, Run, Target
from teamquota.web.comp.services import workers
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 20


def _importer(world: Any, number: int, answers: list[tuple[str, int]]) -> None:
    client = Client()
    client.force_login(world.otto)
    text = ("subject_type,subject_id,measure,period,amount\n"
            f"payee,rita,personal,2017-{number % 12 + 1:02d},{number}.00\n")
    try:
        staged = client.post("/imports/upload/", {
            "table": "targets", "preset": "",
            "file": SimpleUploadedFile(f"t{number}.csv", text.encode())})
        answers.append(("upload", staged.status_code))
        applied = client.post(staged["Location"] + "apply/", {"mode": "upsert"})
        answers.append(("apply", applied.status_code))
    finally:
        connections.close_all()


def _runner(world: Any, answers: list[tuple[str, int]]) -> None:
    try:
        run = start_run(world.otto, "concurrent", calculator=fake_calculate)
        answers.append((f"run:{run.status}", 200))
    except Exception as exc:  # noqa: BLE001 - reported in the assertion below
        answers.append((f"run raised {exc!r}", 500))
    finally:
        connections.close_all()


def test_twenty_clients_import_and_run_at_once_without_a_500_or_a_lost_write() -> None:
    world = build_world(calculate=False)
    answers: list[tuple[str, int]] = []
    threads = [threading.Thread(target=_importer, args=(world, n, answers), daemon=True)
               for n in range(CLIENTS // 2)]
    threads += [threading.Thread(target=_runner, args=(world, answers), daemon=True)
                for _ in range(CLIENTS // 2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, 50 - (time.monotonic() - started)))
    assert not any(t.is_alive() for t in threads), "a client hung"
    assert all(status < 500 for _, status in answers), answers
    # every run finished: done, or failed with a diagnostic (never left running)
    assert Run.objects.exclude(status__in=("done", "failed")).count() == 0
    assert all(r.diagnostics for r in Run.objects.filter(status="failed"))
    # every import was applied: one Import and one target row each, none lost
    assert Import.objects.filter(table="targets", mode="upsert").count() == CLIENTS // 2
    assert Target.objects.filter(subject_id="rita", period__startswith="2017-0").count() + \
        Target.objects.filter(subject_id="rita", period__in=["2017-10", "2017-11",
                                                             "2017-12"]).count() \
        >= CLIENTS // 2
    assert Run.objects.filter(status="done").exists()


ON_POSTGRES = bool(os.environ.get("TEAMQUOTA_TEST_DATABASE_URL"))


def test_ten_runs_at_once_all_succeed() -> None:
    # on PostgreSQL they raced creating the same Period (unique label): some failed E999
    world = build_world(calculate=False)
    answers: list[tuple[str, int]] = []
    threads = [threading.Thread(target=_runner, args=(world, answers), daemon=True)
               for _ in range(CLIENTS // 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert sorted(a for a, _ in answers) == ["run:done"] * (CLIENTS // 2), answers


CHILD = textwrap.dedent("""
    import os, sys, time
    import django
    django.setup()
    from django.db import connections
    connections["default"].settings_dict["NAME"] = sys.argv[1]
    from teamquota.web.comp.models import User
    from teamquota.web.comp.services import runs
    from tests.web.fakes import fake_calculate
    original = runs.insert_rows
    def stalled(*args, **kwargs):
        created = original(*args, **kwargs)  # payout lines written, not committed
        print("storing", flush=True)
        time.sleep(60)
        return created
    runs.insert_rows = stalled
    start_run = runs.start_run
    start_run(User.objects.get(username="otto"), "to be killed", calculator=fake_calculate)
""")


def test_a_run_killed_while_storing_leaves_nothing_and_is_marked_e998() -> None:
    build_world(calculate=False)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "teamquota.web.settings",
           "TEAMQUOTA_RUNS_INLINE": "1", "PYTHONPATH": str(Path(__file__).parents[2])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, connection.settings_dict["NAME"]],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 45
        line = ""
        assert child.stdout is not None
        while time.monotonic() < deadline and "storing" not in line:
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                break
        assert "storing" in line, child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    run = Run.objects.get(note="to be killed")
    assert run.status == "running"
    assert not PayoutLine.objects.filter(run=run).exists()  # the transaction died with it
    assert workers.fail_orphaned_runs() == [run.pk]
    run.refresh_from_db()
    assert run.status == "failed" and run.diagnostics[0]["code"] == "E998"
    assert "nothing of it was stored" in run.diagnostics[0]["message"]

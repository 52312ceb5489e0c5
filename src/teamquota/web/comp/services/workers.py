"""Which runs are still being executed, and failing those nobody will finish.

A run is a task of Django's task framework (django-tasks, database backend): the web
process queues it and a ``teamquota worker`` process executes it. ``Run.worker`` holds
``task:<id>`` of its task. A worker that dies (a deploy, a crash, a killed container) can
leave the run "queued" or "running" for ever, so :func:`fail_orphaned_runs` — called before
a run starts, whenever the runs pages are shown and on ``teamquota serve``'s start — marks
such a run failed (E998) by one rule, read from the task's own record, never from a host
name or a pid:

- its task failed, or finished without the run being stored, or no longer exists;
- it has waited for a worker, or its task has been running, longer than
  ``TEAMQUOTA_RUN_TIMEOUT_MINUTES`` (60 by default) — a worker that was killed never
  marks its task.

A run executed in the request (``TEAMQUOTA_RUNS_INLINE``, a test's calculator, the first
start's demo run) has no task: it is live while this process executes it and failed once
it is not (its process ended before it finished).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from teamquota.web.comp.models import Run
from teamquota.web.comp.services.disk import is_disk_full

_LOCK = threading.Lock()
_LIVE: set[int] = set()  # runs this process executes in the request
# runs of this process whose failure could not be stored (a full disk): its diagnostics
_FAILURES: dict[int, list[dict[str, object]]] = {}
ORPHAN_CODE = "E998"
TASK_PREFIX = "task:"
NOT_STORED = "RunNotStored"  # the exception a task raises when not even its failure fits
AGAIN = "run the calculation again"
# what a run says when the disk was full (services/runs.py stores it, or this module later)
DISK_FULL = {"code": "D050", "severity": "error", "source": None,
             "message": "the server's disk is full, so the run's results could not be "
                        "stored; nothing was changed",
             "hint": f"ask the administrator to free space, then {AGAIN}"}


def claim(run: Run) -> None:
    """Record that this process executes ``run`` in the request."""
    with _LOCK:
        _LIVE.add(run.pk)


def release(run_id: int) -> None:
    with _LOCK:
        _LIVE.discard(run_id)


def note_failure(run_id: int, diagnostics: list[dict[str, object]]) -> None:
    """Keep a failure that could not be written; the next :func:`fail_orphaned_runs`
    stores it (or keeps it for later if the disk is still full)."""
    with _LOCK:
        _FAILURES[run_id] = diagnostics


def _task_record(task_id: str) -> dict[str, Any] | None:
    from django_tasks_db.models import DBTaskResult
    try:
        return DBTaskResult.objects.filter(pk=task_id).values(
            "status", "started_at", "exception_class_path").first()
    except (ValueError, DatabaseError):  # not a task id this queue ever made
        return None


def _why_stuck(run: Run, now: datetime) -> tuple[str, str] | None:
    """``(reason, hint)`` when ``run`` will never finish, else ``None``."""
    limit = settings.TEAMQUOTA_RUN_TIMEOUT_MINUTES
    again = "start the run again"
    if not run.worker.startswith(TASK_PREFIX):
        if run.pk in _LIVE:
            return None
        return ("the process that executed it in the request ended before it finished",
                again)
    task = _task_record(run.worker.removeprefix(TASK_PREFIX))
    if task is None:
        return "its task is no longer in the queue", again
    status = task["status"]
    if status == "FAILED":
        name = task["exception_class_path"].rpartition(".")[2] or "an error"
        return f"its task failed in the worker ({name})", again
    if status == "SUCCESSFUL":
        return "its task finished without storing the run", again
    if status == "READY" and now - run.started_at > timedelta(minutes=limit):
        return (f"no worker took it within {limit} minutes",
                "is `teamquota worker` running? start it, then start the run again")
    if status == "RUNNING" and now - (task["started_at"] or run.started_at) > \
            timedelta(minutes=limit):
        return (f"its worker has not finished it in {limit} minutes (the worker was "
                "stopped, killed or restarted)", again)
    return None


def _noted(run: Run, reason: str) -> list[dict[str, object]] | None:
    if run.pk in _FAILURES:
        return _FAILURES[run.pk]
    if reason.endswith(f"({NOT_STORED})"):  # the worker's disk was full even for that
        return [DISK_FULL]
    return None


def fail_orphaned_runs() -> list[int]:
    """Mark failed every queued or running run that nobody will finish (the rule above)."""
    failed = []
    now = timezone.now()
    with _LOCK:
        for run in Run.objects.filter(status__in=("queued", "running")):
            why = _why_stuck(run, now)
            if why is None:
                continue
            reason, hint = why
            message = (f"the run stopped while '{run.progress or run.status}': {reason}; "
                       "nothing of it was stored — start the run again")
            noted = _noted(run, reason)
            try:
                with transaction.atomic():  # a savepoint: a failed write leaves no mess
                    updated = Run.objects.filter(pk=run.pk, status__in=("queued", "running")
                                                 ).update(
                        status="failed", finished_at=now,
                        progress="failed" if noted else "failed: its worker stopped",
                        diagnostics=noted or [{
                            "code": ORPHAN_CODE, "message": message, "severity": "error",
                            "source": None, "hint": hint}])
            except (OSError, DatabaseError) as exc:
                if not is_disk_full(exc):
                    raise
                continue  # still full: the next look at the runs tries again
            _FAILURES.pop(run.pk, None)
            if updated:
                failed.append(run.pk)
    return failed

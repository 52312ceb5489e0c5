"""Which server process executes a calculation run, and failing runs whose process is gone.

A run executes in a thread of the process that started it. If that process stops (a
restart, a deploy, a crash, a killed worker) the run would stay "running" for ever, so each
run records its worker (host, pid and the pid's start time, so a reused pid is not taken
for the old process) and :func:`fail_orphaned_runs` — called on startup and whenever the
runs pages are shown — marks a run failed when its process or thread no longer exists.
Runs started on another host are left to that host (its startup does the same).
"""

from __future__ import annotations

import os
import socket
import threading

from django.db import DatabaseError, transaction
from django.utils import timezone

from teamquota.web.comp.models import Run
from teamquota.web.comp.services.disk import is_disk_full

_LOCK = threading.Lock()
_LIVE: set[int] = set()  # runs executing in this process's threads (or inline)
# runs of this process whose failure could not be stored (a full disk): its diagnostics
_FAILURES: dict[int, list[dict[str, object]]] = {}
ORPHAN_CODE = "E998"


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux); '' elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # field 22; the command name (field 2) may hold spaces, so count after its ')'
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_worker() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def claim(run: Run) -> None:
    """Record that this process executes ``run`` (before its thread starts)."""
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


def _gone(worker: str, run_id: int) -> bool:
    host, _, rest = worker.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if not worker:
        return True  # started before runs recorded their worker: no process can hold it
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return run_id not in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by someone else
    return bool(ticks) and _start_ticks(pid) != ticks


def fail_orphaned_runs() -> list[int]:
    """Mark failed every queued or running run whose process or thread is gone."""
    failed = []
    with _LOCK:
        for run in Run.objects.filter(status__in=("queued", "running")):
            if not _gone(run.worker, run.pk):
                continue
            host, _, rest = run.worker.partition(":")
            where = f"process {rest.partition(':')[0]} on {host}" if run.worker else \
                "its server process"
            message = (f"the run stopped while '{run.progress or run.status}': {where} "
                       "ended (a server restart or crash) before it finished; nothing of it "
                       "was stored — start the run again")
            noted = _FAILURES.get(run.pk)
            try:
                with transaction.atomic():  # a savepoint: a failed write leaves no mess
                    updated = Run.objects.filter(pk=run.pk, status__in=("queued", "running")
                                                 ).update(
                        status="failed", finished_at=timezone.now(),
                        progress="failed" if noted else "failed: server process ended",
                        diagnostics=noted or [{
                            "code": ORPHAN_CODE, "message": message, "severity": "error",
                            "source": None, "hint": "runs execute inside the server "
                                                    "process; restart the run once the "
                                                    "server is up"}])
            except (OSError, DatabaseError) as exc:
                if not is_disk_full(exc):
                    raise
                continue  # still full: the next look at the runs tries again
            _FAILURES.pop(run.pk, None)
            if updated:
                failed.append(run.pk)
    return failed

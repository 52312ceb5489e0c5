"""A full disk while a run stores its results, while a run starts, or while a period is
locked: a failed run (or step) with the D050 words, no partial rows, never a 500.

The failing write is simulated by patching it to raise what the database or the OS raises
on a full disk: SQLite's ``OperationalError: database or disk is full``, PostgreSQL's
``DiskFull`` (SQLSTATE 53100, "could not extend file ..."), ``OSError`` ENOSPC / EDQUOT.
"""

from __future__ import annotations

import errno
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg.errors
import pytest
from django.db import OperationalError

from teamquota.web.comp.models import (
    AuditEvent,
    Deal,
    Payee,
    PayoutLine,
    Period,
    PeriodSnapshot,
    Run,
)
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.test_bad_inputs_web import counts
from tests.web.test_close_workbench import approve, confirm
from tests.web.test_workflow import _close

RUN_FULL = {"code": "D050", "severity": "error", "source": None,
            "message": "the server's disk is full, so the run's results could not be "
                       "stored; nothing was changed",
            "hint": "ask the administrator to free space, then run the calculation again"}


def _sqlite_full() -> Exception:
    return OperationalError("database or disk is full")


def _postgres_full() -> Exception:
    cause = psycopg.errors.DiskFull('could not extend file "base/16384/24601": wrote only '
                                    "4096 of 8192 bytes at block 77")
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def _enospc() -> Exception:
    return OSError(errno.ENOSPC, "No space left on device")


def _edquot() -> Exception:
    return OSError(errno.EDQUOT, "Disk quota exceeded")


FULL = {"sqlite": _sqlite_full, "postgres": _postgres_full, "enospc": _enospc,
        "edquot": _edquot}


def _raising(make: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> None:
        raise make()
    return write


def _periods() -> list[tuple[str, int | None, str, str]]:
    return list(Period.objects.order_by("label").values_list("label", "run_id", "status",
                                                             "fingerprint"))


def _fails_cleanly(world: Any, before: dict[str, int]) -> Run:
    periods = _periods()
    run = start_run(world.otto, "on a full disk", calculator=fake_calculate)
    assert run.status == "failed"
    assert Run.objects.get(pk=run.pk).diagnostics == [RUN_FULL]
    assert counts() == {**before, "Run": before["Run"] + 1}
    assert _periods() == periods
    return run


@pytest.mark.parametrize("kind", FULL)
def test_a_run_whose_payout_lines_hit_a_full_disk_fails_with_d050(world: Any, kind: str,
                                                                   monkeypatch: Any) -> None:
    monkeypatch.setattr("teamquota.web.comp.services.runs.insert_rows",
                        _raising(FULL[kind]))
    _fails_cleanly(world, counts())


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_full_disk_after_the_lines_are_written_leaves_none_of_them(
        world: Any, kind: str, monkeypatch: Any) -> None:
    # the lines, attainment and credits are inserted; the team summaries then fail
    monkeypatch.setattr("teamquota.web.comp.services.runs.store_team_summaries",
                        _raising(FULL[kind]))
    _fails_cleanly(world, counts())


def test_a_full_disk_while_moving_the_period_pointers_leaves_them(world: Any,
                                                                  monkeypatch: Any) -> None:
    monkeypatch.setattr("teamquota.web.comp.services.ledger_store.DjangoStore.point",
                        _raising(_sqlite_full))
    _fails_cleanly(world, counts())


def test_a_full_disk_while_booking_a_correction_books_nothing(client: Any, world: Any,
                                                              monkeypatch: Any) -> None:
    _close(client, world)  # 2017-Q1 locked with run #1
    Deal.objects.create(deal_id="LATE", owner=Payee.objects.get(payee_id="rita"),
                        product="GTX", amount=Decimal("300.00"), stage="Won",
                        close_date=date(2017, 3, 1))
    Deal.objects.create(deal_id="Q2", owner=Payee.objects.get(payee_id="rita"),
                        product="GTX", amount=Decimal("1000.00"), stage="Won",
                        close_date=date(2017, 4, 3))
    before = counts()
    real = PayoutLine.objects.bulk_create

    def full(objs: Any, *args: Any, **kwargs: Any) -> Any:
        if any(o.adjusts_period for o in objs):  # the correction of locked 2017-Q1
            raise _postgres_full()
        return real(objs, *args, **kwargs)
    monkeypatch.setattr(PayoutLine.objects, "bulk_create", full)
    _fails_cleanly(world, before)
    assert not PayoutLine.objects.filter(period="2017-Q2").exists()


def test_a_run_whose_failure_cannot_be_stored_either_shows_d050_later(
        client: Any, world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("teamquota.web.comp.services.runs.insert_rows",
                        _raising(_sqlite_full))
    real_save = Run.save

    def save(self: Run, *args: Any, **kwargs: Any) -> None:
        if self.status == "failed":
            raise _sqlite_full()
        real_save(self, *args, **kwargs)
    monkeypatch.setattr(Run, "save", save)
    run = start_run(world.otto, "on a full disk", calculator=fake_calculate)
    assert Run.objects.get(pk=run.pk).status == "running"  # nothing could be written
    client.force_login(world.otto)
    text = client.get(f"/runs/{run.pk}/").content.decode()
    stored = Run.objects.get(pk=run.pk)
    assert (stored.status, stored.diagnostics) == ("failed", [RUN_FULL])
    assert ("error[D050]: the server&#x27;s disk is full, so the run&#x27;s results could "
            "not be stored; nothing was changed") in text


def test_the_run_page_shows_a_full_disk_not_a_500(client: Any, world: Any,
                                                  monkeypatch: Any) -> None:
    monkeypatch.setattr("teamquota.web.comp.services.runs.insert_rows",
                        _raising(_sqlite_full))
    client.force_login(world.otto)
    before = counts()
    response = client.post("/runs/start/", {"note": "full"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "Traceback" not in text
    assert ("error[D050]: the server&#x27;s disk is full, so the run&#x27;s results could "
            "not be stored; nothing was changed") in text
    # the run (failed) and the audit event of its start are all that was written
    assert counts() == {**before, "Run": before["Run"] + 1,
                        "AuditEvent": before["AuditEvent"] + 1}


def test_starting_a_run_on_a_full_disk_says_so_and_changes_nothing(
        client: Any, world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(Run.objects, "create", _raising(_sqlite_full))
    client.force_login(world.otto)
    before = counts()
    response = client.post("/runs/start/", {"note": "full"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "Traceback" not in text
    assert ("error[D050]: the server&#x27;s disk is full, so the run could not be started; "
            "nothing was changed. hint: ask the administrator to free space, then run the "
            "calculation again") in text
    assert counts() == before


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "enospc"])
def test_a_lock_whose_snapshot_hits_a_full_disk_leaves_the_period_approved(
        client: Any, world: Any, kind: str, monkeypatch: Any) -> None:
    approve(client, world)
    assert Period.objects.get(label="2017-Q1").status == "approved"
    monkeypatch.setattr(PeriodSnapshot.objects, "create", _raising(FULL[kind]))
    before, periods = counts(), _periods()
    response = confirm(client, "2017-Q1", "lock")
    text = response.content.decode()
    assert response.status_code == 200 and "Traceback" not in text
    assert ("error[D050]: the server&#x27;s disk is full, so 2017-Q1 could not be locked; "
            "nothing was changed. hint: ask the administrator to free space, then lock it "
            "again") in text
    assert counts() == before and _periods() == periods
    assert not AuditEvent.objects.filter(action="period.lock").exists()


def test_a_run_whose_engine_spills_onto_a_full_disk_fails_with_d050(world: Any) -> None:
    import duckdb

    def spilling(plan: Any, data: Any) -> Any:
        raise duckdb.IOException('IO Error: Could not write file "/var/tmp/duckdb_temp_'
                                 'block-1.block": No space left on device')
    before, periods = counts(), _periods()
    run = start_run(world.otto, "spilling", calculator=spilling)
    assert Run.objects.get(pk=run.pk).diagnostics == [RUN_FULL]
    assert counts() == {**before, "Run": before["Run"] + 1} and _periods() == periods

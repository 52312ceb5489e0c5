"""The ledger invariant on the Django store (SQLite here, PostgreSQL when
TEAMQUOTA_TEST_DATABASE_URL is set): random histories of runs, manual entries and locks
give, period by period, the same rows as the in-memory reference store, and for every
payee paid-to-date = locked snapshots + open lines = the newest full calculation + manual
entries, to the cent."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings

from teamquota.ledger import book
from teamquota.ledger.memory import Computed, MemoryStore
from teamquota.web.comp.models import Payee, PayoutLine, Run
from teamquota.web.comp.services.ledger_store import DjangoStore
from tests.ledger.histories import PAYEES, PERIODS, LockOp, ManualOp, RunOp, history

EXAMPLES = int(os.environ.get("TEAMQUOTA_LEDGER_EXAMPLES", "1000"))


def _apply(op, memory: MemoryStore, payees: dict[str, Payee]) -> None:  # noqa: ANN001
    django = DjangoStore()
    if isinstance(op, RunOp):
        run = Run.objects.create(status="done")
        lines = [Computed(p, (payee, "ae", c), a, "USD") for p, payee, c, a in op.lines]
        PayoutLine.objects.bulk_create(PayoutLine(
            run=run, period=c.period, payee=payees[c.key[0]], plan_id="ae",
            component_id=c.key[2], line_type="payout", amount=c.amount, currency="USD")
            for c in lines)
        memory.add_run(run.pk, lines)
        for store in (memory, django):
            book.publish(store, run.pk, PERIODS, {}, "quarter")
    elif isinstance(op, ManualOp):
        if op.period not in memory.period_states:
            return
        for store in (memory, django):
            book.add_manual(store, (op.payee, "ae", op.component), op.period, op.amount,
                            "USD", "decision", "otto", "quarter")
    elif isinstance(op, LockOp):
        p = memory.period_states.get(op.period)
        if p is not None and not p.locked:
            for store in (memory, django):
                book.lock(store, op.period, "fiona", require_approved=False)


def _content(rows):  # noqa: ANN001, ANN202
    return sorted((r.key, r.line_type, r.amount, r.source_period) for r in rows)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=history)
def test_invariant__django_store_agrees_with_the_reference_and_the_fresh_calculation(db, ops):
    # each example in a savepoint rolled back at its end: histories do not share rows
    with transaction.atomic():
        payees = {pid: Payee.objects.create(payee_id=pid, name=pid.title(), currency="USD",
                                            target_incentive=Decimal("1000.00"))
                  for pid in PAYEES}
        memory = MemoryStore()
        manual: dict[str, Decimal] = defaultdict(Decimal)
        for op in ops:
            _apply(op, memory, payees)
            if isinstance(op, ManualOp) and op.period in memory.period_states:
                manual[op.payee] += op.amount
        django = DjangoStore()
        got = {(p.label, p.status, p.start) for p in django.periods()}
        assert got == {(p.label, p.status, p.start) for p in memory.periods()}
        for p in memory.periods():
            assert _content(django.rows(p.label)) == _content(memory.rows(p.label)), p.label
        expected: dict[str, Decimal] = defaultdict(Decimal, manual)
        if memory.runs:
            for line in memory.runs[max(memory.runs)].lines:
                expected[line.key[0]] += line.amount
        paid = {payee: amount for (payee, _), amount in book.paid_to_date(django).items()}
        for payee in set(paid) | set(expected):
            assert paid.get(payee, Decimal(0)) == expected.get(payee, Decimal(0)), payee
        transaction.set_rollback(True)
    assert date(2017, 1, 1)  # the periods' dates come from their labels (2017-Q1 ...)

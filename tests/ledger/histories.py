"""Random ledger histories for the property tests (memory and Django stores alike):
runs that compute arbitrary lines, manual entries, approvals and locks, in any order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import strategies as st

PERIODS = ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"]
PAYEES = ["rita", "sue"]
COMPONENTS = ["personal", "team"]


@dataclass(frozen=True)
class RunOp:
    # (period, payee, component) -> amount; a missing key pays nothing
    lines: tuple[tuple[str, str, str, Decimal], ...]


@dataclass(frozen=True)
class ManualOp:
    period: str
    payee: str
    component: str
    amount: Decimal


@dataclass(frozen=True)
class LockOp:
    period: str


cents = st.integers(min_value=-50_000, max_value=500_000).map(lambda c: Decimal(c) / 100)
line = st.tuples(st.sampled_from(PERIODS), st.sampled_from(PAYEES), st.sampled_from(COMPONENTS),
                 cents)
run_op = st.builds(RunOp, st.lists(line, max_size=8, unique_by=lambda t: t[:3]).map(tuple))
manual_op = st.builds(ManualOp, st.sampled_from(PERIODS), st.sampled_from(PAYEES),
                      st.sampled_from(COMPONENTS),
                      cents.filter(lambda a: a != 0))
lock_op = st.builds(LockOp, st.sampled_from(PERIODS))
history = st.lists(st.one_of(run_op, run_op, manual_op, lock_op), min_size=1, max_size=14)

"""The ledger invariant end to end in the web app: random histories of deal imports,
cancellations and amount edits, membership moves, manual adjustments, reruns and period
closes (review by each leader, approval by finance, lock) through the app's services.
After each history, for every payee: paid to date (locked snapshots + open lines) = a
fresh calculation of every period from the data as it now is + the manual entries.

The calculator is a small transparent one (10% of a payee's Won deals, and 1% of their
team's Won deals in each period they end as a member), so membership moves matter."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from teamquota.core.periods import parse_period, period_of
from teamquota.engine.results import PAYOUTS
from teamquota.ledger import book
from teamquota.web.comp.models import Deal, Membership, Payee, Period, Team
from teamquota.web.comp.services import close
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.ledger_store import DjangoStore
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import build_world

EXAMPLES = int(os.environ.get("TEAMQUOTA_LEDGER_HISTORIES", "100"))
QUARTERS = ["2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"]
PEOPLE = ["rita", "rob", "sue"]
CENT = Decimal("0.01")


def calculate(plan, data, periods=None):  # noqa: ANN001, ANN201
    results = fake_calculate(plan, data)
    members = data["memberships"].to_pylist()
    team_won: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in results.credits.to_pylist():
        if c["subject_type"] == "team":
            team_won[(c["subject_id"], c["period"])] += c["amount"]
    lines = results.payouts.to_pylist()
    for (team, label), won in sorted(team_won.items()):
        end = parse_period(label).end
        for m in members:
            if m["team_id"] == team and m["start_date"] <= end and \
                    (m["end_date"] is None or end <= m["end_date"]):
                amount = (won * Decimal("0.01")).quantize(CENT, ROUND_HALF_UP)
                lines.append({**lines[0], "period": label, "payee_id": m["payee_id"],
                              "component_id": "team", "team_id": team,
                              "amount": amount, "explanation": f"1% of {team} {won}"}
                             if lines else None)
    results.payouts = pa.Table.from_pylist([ln for ln in lines if ln], PAYOUTS)
    return results


ops = st.lists(st.one_of(
    st.tuples(st.just("deal"), st.sampled_from(PEOPLE), st.sampled_from(QUARTERS),
              st.integers(1, 500_000)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("amount"), st.integers(0, 20), st.integers(1, 500_000)),
    st.tuples(st.just("move"), st.sampled_from(PEOPLE), st.sampled_from(["north", "south"]),
              st.sampled_from(QUARTERS)),
    st.tuples(st.just("manual"), st.sampled_from(PEOPLE), st.sampled_from(QUARTERS),
              st.integers(1, 20_000).map(lambda c: c if c % 3 else -c)),
    st.just(("run",)), st.just(("run",)),
    st.just(("close",)), st.just(("close",)),
), min_size=1, max_size=14)


def _apply(op, world, manual: dict[str, Decimal]) -> None:  # noqa: ANN001
    kind = op[0]
    deals = list(Deal.objects.filter(stage="Won").order_by("deal_id"))
    if kind == "deal":
        _, owner, quarter, cents = op
        n = Deal.objects.count()
        Deal.objects.create(deal_id=f"H-{n}", owner=Payee.objects.get(payee_id=owner),
                            product="GTX", amount=Decimal(cents) / 100, stage="Won",
                            close_date=parse_period(quarter).start + timedelta(days=20))
    elif kind == "cancel" and deals:
        Deal.objects.filter(pk=deals[op[1] % len(deals)].pk).update(stage="Lost")
    elif kind == "amount" and deals:
        Deal.objects.filter(pk=deals[op[1] % len(deals)].pk).update(
            amount=Decimal(op[2]) / 100)
    elif kind == "move":
        _, who, team, quarter = op
        day = parse_period(quarter).start
        current = Membership.objects.filter(payee__payee_id=who, end_date__isnull=True) \
            .order_by("-start_date").first()
        if current is None or current.team.team_id == team or current.start_date >= day:
            return
        current.end_date = day - timedelta(days=1)
        current.save()
        Membership.objects.create(payee=current.payee, team=Team.objects.get(team_id=team),
                                  start_date=day)
    elif kind == "manual":
        _, who, quarter, cents = op
        if not Period.objects.filter(label=quarter).exists():
            return
        amount = Decimal(cents) / 100
        book.add_manual(DjangoStore(), (who, "ae_test", "personal"), quarter, amount, "USD",
                        "decision", "otto", "quarter")
        manual[who] += amount
    elif kind == "run":
        assert start_run(world.otto, "history", calculator=calculate).status == "done"
    elif kind == "close":
        # periods close in order: the earliest one not locked yet
        period = Period.objects.exclude(status="locked").filter(run__isnull=False) \
            .order_by("start").first()
        if period is None:
            return
        for team in close.teams_to_review(period):
            leader = world.lea if team.team_id == "north" else world.sam
            if team.team_id in ("north", "south"):
                close.review(leader, period, team)
                period.refresh_from_db()
        if period.status == "reviewed":
            for team in close.teams_to_review(period):  # finance signs off each team
                close.signoff(world.fiona, period, team)
            close.approve(world.fiona, period)
            period.refresh_from_db()
            close.lock(world.fiona, period)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=ops)
def test_invariant__every_history_pays_the_fresh_calculation_plus_manual(db, history):
    with transaction.atomic():
        world = build_world(calculate=False)
        assert start_run(world.otto, "first", calculator=calculate).status == "done"
        manual: dict[str, Decimal] = defaultdict(Decimal)
        for op in history:
            _apply(op, world, manual)
        assert start_run(world.otto, "last", calculator=calculate).status == "done"
        paid: dict[str, Decimal] = defaultdict(Decimal)
        for (payee, _), amount in book.paid_to_date(DjangoStore()).items():
            paid[payee] += amount
        from teamquota.web.comp.services.runs import current_versions, loaded_plan
        fresh = calculate(loaded_plan(current_versions()[0]), build_dataset())
        expected: dict[str, Decimal] = defaultdict(Decimal, manual)
        for line in fresh.payouts.to_pylist():
            expected[line["payee_id"]] += line["amount"]
        for payee in set(paid) | set(expected):
            assert paid[payee] == expected[payee], (payee, history)
        from teamquota.web.comp.models import PayoutLine
        event(f"locked periods: {Period.objects.filter(status='locked').count()}")
        event("with corrections" if PayoutLine.objects.filter(
            line_type__in=("adjustment", "clawback")).exists() else "no corrections")
        transaction.set_rollback(True)
    assert period_of("quarter", date(2017, 2, 1)).label == "2017-Q1"

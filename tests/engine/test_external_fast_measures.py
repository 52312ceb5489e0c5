"""Owner-credited measures summed at the deals' own scale (deal_measures._narrow_sum)
equal the per-deal credit rows' sums, with deals in the plan's currency, converted ones
and ones without a rate mixed in one group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as Dec

import pyarrow as pa
import pytest

from teamquota.core.diagnostics import Diagnostics
from teamquota.data import Dataset
from teamquota.engine.calendar import run_periods
from teamquota.engine.credit import CreditInputs, all_credits, deals_in_periods
from teamquota.engine.deal_measures import deal_measures
from teamquota.engine.hierarchy import closure_rows, team_ancestors
from teamquota.engine.membership import one_team_a_day
from teamquota.plan import load_plan_text
from tests.engine.test_deal_measures import (
    MOVES,
    PAYEES,
    PLAN,
    TEAMS,
    TWO_TEAMS,
    _sorted,
    contribution_table,
    measures_of,
)
from tests.engine.test_hybrid import deal

DEALS = [deal("d1", "ann", "1000", "2017-02-01", currency="USD"),
         deal("d2", "ann", "250.55", "2017-03-01", currency="EUR"),   # 1.1: 275.605
         deal("d3", "bob", "400", "2017-02-10", stage="Lost"),
         deal("d4", "cy", "99.99", "2017-03-05", currency="GBP"),     # no rate: no value
         deal("d5", "cy", "10", "2017-02-05"),
         deal("d6", "lee", "700", "2017-05-01", currency="USD"),
         deal("d7", "bob", "0.01", "2017-04-02", currency="EUR")]     # 1.1: 0.011


def _zeroed(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: (Dec(0) if v is None else v) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("members", [MOVES, MOVES + TWO_TEAMS], ids=["one_team", "two_teams"])
@pytest.mark.parametrize("with_fx", [True, False], ids=["fx", "no_fx"])
def test_owner_measures_at_the_deals_scale_equal_the_credit_rows(backend, members,
                                                                 with_fx):
    plan = load_plan_text(PLAN, "plan.yaml").plan
    data = Dataset.from_records(payees=PAYEES, teams=TEAMS, memberships=members, deals=DEALS)
    periods = run_periods(plan, data["deals"], None)
    fx = backend.load("fx", pa.table({
        "from_currency": ["EUR", "EUR"], "day": [date(2017, 3, 1), date(2017, 4, 2)],
        "rate": pa.array([Dec("1.1")] * 2, pa.decimal128(18, 8))})) if with_fx else None
    inputs = CreditInputs(
        deals_in_periods(backend.load("deals", data["deals"]), periods, fx, plan.currency),
        None, backend.load("memberships", data["memberships"]),
        backend.load("closure", closure_rows(team_ancestors(data["teams"], Diagnostics()))),
        backend.load("teams", data["teams"]), None)
    credits = all_credits(inputs, True, True, True, False)
    components = plan.components
    single = one_team_a_day(data["memberships"])
    staged = deal_measures(inputs, plan.crediting, components, True, single)
    keys = ["period", "subject_type", "subject_id"]
    expected = _sorted(backend.collect(measures_of(credits, components)), keys)
    got = _sorted(backend.collect(staged.measures), keys)
    # a sum of nothing but d4 (no rate, no value) is null in the credit rows' CASE sum and
    # 0 here: the run reads both as 0 (run._keyed)
    assert _zeroed(got) == _zeroed(expected)
    member_keys = ["period", "subject_id", "payee_id"]
    assert staged.contributions is not None
    assert _zeroed(_sorted(backend.collect(staged.contributions), member_keys)) == _zeroed(
        _sorted(backend.collect(contribution_table(
            credits, [c for c in components if c.scope == "team"])), member_keys))
    by_key = {(r["period"], r["subject_type"], r["subject_id"]): r for r in got}
    # ann, 2017-Q1: d1 1,000 USD + d2 250.55 EUR x 1.1 = 275.605 -> 1,275.605 (d2 has no
    # value without the rate: 1,000); bob, 2017-Q2: d7 0.01 EUR x 1.1 = 0.011 (or 0);
    # cy, 2017-Q1: d5 10 (d4 in GBP has no rate in either case)
    assert by_key[("2017-Q1", "payee", "ann")]["won"] == (Dec("1275.605") if with_fx
                                                          else Dec("1000"))
    assert by_key[("2017-Q2", "payee", "bob")]["won"] == (Dec("0.011") if with_fx
                                                          else Dec(0))
    assert by_key[("2017-Q1", "payee", "cy")]["won"] == Dec("10")

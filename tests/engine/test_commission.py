"""Commission components: flat rates, tier modes, per-deal allocation, SPIFs."""

from decimal import Decimal as Dec

from tests.engine.conftest import amounts, lines
from tests.engine.test_hybrid import deal, target

PAYEES = [{"payee_id": "ann", "name": "Ann", "target_incentive": "40000"}]
TEAMS = [{"team_id": "east", "name": "East"}]
MEMBERS = [{"payee_id": "ann", "team_id": "east", "start_date": "2017-01-01"}]


def plan(payout: str, measure: str = "{sum: amount, where: {stage: Won}}") -> str:
    return f"""
plan: commission
period: quarter
components:
  - id: sales
    scope: payee
    measure: {measure}
    payout: {payout}
"""


def run(calc, payout, deals, target_amount="100000", measure=None):
    kwargs = {"measure": measure} if measure else {}
    return calc(plan(payout, **kwargs), payees=PAYEES, teams=TEAMS, memberships=MEMBERS,
                deals=deals, targets=[target("payee", "ann", "sales", target_amount)])


DEALS = [deal("d1", "ann", "70000", "2017-01-15"), deal("d2", "ann", "50000", "2017-02-15"),
         deal("d3", "ann", "30000", "2017-03-15")]
TIERS = "[{from: 0, rate: 0.02}, {from: 1.0, rate: 0.05}]"


def test_commission__flat_rate(calc):
    results = run(calc, "{rate: 0.03}", DEALS)
    # 150,000 x 3% = 4,500.00
    (line,) = lines(results)
    assert line["amount"] == Dec("4500.00")
    assert line["explanation"] == ("sales Won 150,000.00 / target 100,000.00 = 150.0% -> "
                                   "x 3.00% = 4,500.00")


def test_commission__marginal_tiers(calc):
    results = run(calc, f"{{tiers: {TIERS}, mode: marginal}}", DEALS)
    # 100,000 x 2% + 50,000 x 5% = 2,000 + 2,500 = 4,500.00
    assert amounts(results) == {("ann", "sales", None): Dec("4500.00")}


def test_commission__whole_amount_tiers_are_retroactive(calc):
    results = run(calc, f"{{tiers: {TIERS}, mode: whole}}", DEALS)
    # target reached, so all 150,000 at 5% = 7,500.00
    assert amounts(results) == {("ann", "sales", None): Dec("7500.00")}


def test_commission__zero_until_quota(calc):
    results = run(calc, f"{{tiers: {TIERS}, mode: zero_until_quota}}", DEALS)
    # only the 50,000 above the 100,000 target pays, at 5% = 2,500.00
    assert amounts(results) == {("ann", "sales", None): Dec("2500.00")}


def test_commission__amount_basis_thresholds_are_currency(calc):
    results = run(calc, "{tiers: [{from: 0, rate: 0.01}, {from: 60000, rate: 0.1}], "
                  "basis: amount}", DEALS)
    # 60,000 x 1% + 90,000 x 10% = 600 + 9,000 = 9,600.00
    assert amounts(results) == {("ann", "sales", None): Dec("9600.00")}


def test_commission__per_deal_fills_tiers_in_close_date_order(calc):
    results = run(calc, f"{{tiers: {TIERS}, mode: per_deal}}", DEALS)
    # d1 70,000: 0 -> 70,000 all at 2% = 1,400.00
    # d2 50,000: 70,000 -> 120,000: 30,000 x 2% + 20,000 x 5% = 600 + 1,000 = 1,600.00
    # d3 30,000: 120,000 -> 150,000 all at 5% = 1,500.00 (sum 4,500 = the marginal total)
    by_deal = {line["deal_id"]: line["amount"] for line in lines(results)}
    assert by_deal == {"d1": Dec("1400.00"), "d2": Dec("1600.00"), "d3": Dec("1500.00")}
    d2 = lines(results, deal_id="d2")[0]
    assert d2["explanation"] == ("deal d2 50,000.00: running total 70,000.00 -> 120,000.00 "
                                 "of target 100,000.00 at 2.00% from 0%, 5.00% from 100% "
                                 "= 1,600.00")


def test_commission__per_deal_ties_on_close_date_fill_in_deal_id_order(calc):
    deals = [deal("b", "ann", "800", "2017-02-01"), deal("a", "ann", "800", "2017-02-01"),
             deal("c", "ann", "100", "2017-01-31")]
    results = run(calc, "{tiers: [{from: 0, rate: 0.01}, {from: 1000, rate: 0.1}], "
                  "basis: amount, mode: per_deal}", deals)
    # c (Jan 31) first: 0 -> 100 at 1% = 1.00
    # a (Feb 1, before b by id): 100 -> 900 at 1% = 8.00
    # b: 900 -> 1,700: 100 x 1% + 700 x 10% = 1 + 70 = 71.00
    by_deal = {line["deal_id"]: line["amount"] for line in lines(results)}
    assert by_deal == {"c": Dec("1.00"), "a": Dec("8.00"), "b": Dec("71.00")}


def test_spif__one_line_per_qualifying_deal(calc):
    results = run(calc, "{per_deal: 250}", DEALS,
                  measure="{count: true, where: {stage: Won, amount: {gte: 50000}}}")
    # d1 (70,000) and d2 (50,000) qualify, 250.00 each; d3 (30,000) does not
    assert [(line["deal_id"], line["amount"], line["explanation"])
            for line in lines(results)] == [
        ("d1", Dec("250.00"), "sales count of Won: deal d1 qualifies -> 250.00"),
        ("d2", Dec("250.00"), "sales count of Won: deal d2 qualifies -> 250.00")]


def test_commission__a_payee_without_a_target_does_not_stop_the_next(calc):
    # marginal tiers read the target; ann (first) has none: an E010 warning, no line;
    # bob's 150,000 on 100,000 -> 100,000 x 2% + 50,000 x 5% = 2,000 + 2,500 = 4,500.00
    payees = [*PAYEES, {"payee_id": "bob", "name": "Bob", "target_incentive": "40000"}]
    results = calc(plan(f"{{tiers: {TIERS}, mode: marginal}}"), payees=payees, teams=TEAMS,
                   memberships=[*MEMBERS, {**MEMBERS[0], "payee_id": "bob"}],
                   deals=[deal("d1", "ann", "10000", "2017-01-15"),
                          *[{**d, "deal_id": "b" + d["deal_id"], "owner_id": "bob"}
                            for d in DEALS]],
                   targets=[target("payee", "bob", "sales", "100000")])
    assert amounts(results) == {("bob", "sales", None): Dec("4500.00")}
    assert [d.code for d in results.diagnostics if d.code == "E010"] == ["E010"]

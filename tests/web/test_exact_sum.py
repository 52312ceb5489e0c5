"""Totals of money columns are exact on SQLite as on PostgreSQL (web/comp/exact_sum.py):
SQLite's own SUM adds floats."""

from __future__ import annotations

from decimal import Decimal

from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import Payee, PayoutLine


def _lines(world, amounts):  # noqa: ANN001, ANN202
    rita = Payee.objects.get(payee_id="rita")
    PayoutLine.objects.filter(payee=rita).delete()
    for amount in amounts:
        PayoutLine.objects.create(run=None, period="2017-Q1", payee=rita, plan_id="p",
                                  component_id="extra", line_type="manual",
                                  amount=Decimal(amount), currency="USD")
    return PayoutLine.objects.filter(payee=rita)


def test_the_largest_amounts_add_up_to_the_cent(world):
    lines = _lines(world, ["9999999999999.99"] * 3)
    # 3 x 9,999,999,999,999.99 = 29,999,999,999,999.97 (SQLite's SUM: 30000000000000.0)
    assert lines.aggregate(t=ExactSum("amount"))["t"] == Decimal("29999999999999.97")


def test_many_cents_add_up_exactly_and_group_by_payee(world):
    lines = _lines(world, ["0.10"] * 1000 + ["-0.01"])
    # 1,000 x 0.10 - 0.01 = 99.99
    assert list(lines.values("payee__payee_id").annotate(t=ExactSum("amount"))) == [
        {"payee__payee_id": "rita", "t": Decimal("99.99")}]
    assert PayoutLine.objects.filter(pk__in=[]).aggregate(t=ExactSum("amount"))["t"] is None

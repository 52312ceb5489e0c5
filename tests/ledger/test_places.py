"""Corrections and the payroll file keep a currency's places (docs/web.md "Money")."""

from __future__ import annotations

from decimal import Decimal

from teamquota.ledger.corrections import ClawbackRules, corrections
from teamquota.ledger.model import Amount
from teamquota.ledger.payroll import paid_text

KEY = ("rita", "ae", "personal")


def _first_instalment(currency: str, paid: str, now: str, instalments: int = 3) -> Decimal:
    (draft,) = corrections({KEY: Amount(Decimal(now), currency)},
                           {KEY: Amount(Decimal(paid), currency)}, {},
                           {"ae": ClawbackRules(instalments=instalments)})
    assert draft.line_type == "clawback"
    return draft.amount


def test_a_clawback_is_split_in_the_currency_s_unit():
    # USD, as before: -1,000.00 / 3 = -333.33 x 3 + a cent to the first -> -333.34
    assert _first_instalment("USD", "1000.00", "0.00") == Decimal("-333.34")
    # KWD in fils: -0.005 / 2 -> -0.003 and -0.002 (a cent unit could not hold -0.005)
    assert _first_instalment("KWD", "10.006", "10.001", 2) == Decimal("-0.003")
    # JPY in whole yen: -1,000 / 3 = -333 x 3 + a yen to the first -> -334 (not -333.34)
    assert _first_instalment("JPY", "1000", "0") == Decimal("-334")
    # a JPY plan paying 2 places (rounding.places) keeps them: -1,000.50 / 3 -> -333.50
    assert _first_instalment("JPY", "1000.50", "0") == Decimal("-333.50")


def test_the_payroll_file_writes_the_currency_s_places_and_every_place_paid():
    assert [paid_text(Decimal(a), c) for a, c in (
        ("10.00", "USD"), ("-1234.5", "EUR"), ("10.006", "KWD"), ("10.01", "KWD"),
        ("1000.00", "JPY"), ("1000.5", "JPY"), ("10.005", "USD"))] == [
        "10.00", "-1234.50", "10.006", "10.010", "1000", "1000.5", "10.005"]

"""How the web shows a payout amount (docs/web.md "Money"): at its currency's places and
any finer place it was paid to, never rounded again — 10.00 USD, 10.006 KWD, 1,000 JPY.
Pages group thousands; files and the API write the plain number."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from teamquota.core.money import fmt_amount, minor_unit
from teamquota.ledger.payroll import paid_text


def places_for(currencies: Iterable[str]) -> int:
    """The least places to show a sum of amounts in: its one currency's, else cents."""
    found = {c for c in currencies if c}
    return minor_unit(found.pop()) if len(found) == 1 else 2


def shown(amount: Decimal, currency: str | Iterable[str]) -> str:
    """'1,234.50' (USD), '10.006' (KWD), '1,000' (JPY); a total of several currencies at
    least cents, with every place its lines were paid to."""
    least = places_for([currency] if isinstance(currency, str) else currency)
    return fmt_amount(amount, least)


def plain(amount: Decimal, currency: str) -> str:
    """The same number without thousands separators: '1234.50', '10.006', '1000' (as the
    payroll file writes it)."""
    return paid_text(amount, currency)

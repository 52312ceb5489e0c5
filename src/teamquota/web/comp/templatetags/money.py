"""``{{ line.amount|paid:line.currency }}``: a payout amount at its currency's places and
any finer place it was paid to (docs/web.md "Money"), written plain as the page did before
(``1234.50`` USD, ``10.006`` KWD, ``1000`` JPY)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from teamquota.web.comp.services.money import plain

register = template.Library()


@register.filter
def paid(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else plain(amount, currency or "")

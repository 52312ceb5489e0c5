"""Corrections to a locked period: what a new calculation says it should have paid, minus
what it paid when it was locked, minus what later locked periods already corrected.

Pure arithmetic over totals per :data:`~teamquota.ledger.model.Key`; the causes and the
period an entry is paid in are decided by :mod:`teamquota.ledger.book`. Manual entries
never enter this sum: they are decisions, not calculations, so no recalculation reverses
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from teamquota.core.money import ZERO, allocate, fmt_amount, minor_unit, paid_places
from teamquota.ledger.model import Amount, Key
from teamquota.plan.model import Plan


@dataclass(frozen=True)
class ClawbackRules:
    """A plan's clawback settings: negative corrections are recovered over ``instalments``
    locked periods; components in ``waived`` (those paying on attainment, when the plan
    says ``clawback.reduce_attainment: false``) are not clawed back at all."""

    instalments: int = 1
    waived: frozenset[str] = frozenset()


def rules_of(plan: Plan) -> ClawbackRules:
    waived: frozenset[str] = frozenset()
    if not plan.clawback.reduce_attainment:
        waived = frozenset(c.id for c in plan.components if _pays_on_attainment(c.payout))
    return ClawbackRules(plan.clawback.instalments, waived)


def _pays_on_attainment(payout: object) -> bool:
    kind = getattr(payout, "kind", None)
    return kind == "curve" or (getattr(payout, "tiers", None) is not None
                               and getattr(payout, "basis", None) == "attainment")


@dataclass(frozen=True)
class Booked:
    """Corrections for one key of one source period already paid in locked periods."""

    amount: Decimal = ZERO
    clawback_instalments: int = 0
    run_id: int | None = None  # the latest run whose correction is paid: the baseline
    currency: str = ""
    team_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """A correction before it has a cause and a period to be paid in."""

    key: Key
    amount: Decimal
    currency: str
    team_id: str | None
    line_type: str  # adjustment | clawback
    locked_amount: Decimal
    recalculated: Decimal
    already: Decimal
    outstanding: Decimal  # the whole difference; amount is one instalment of it
    waived: bool = False
    baseline_run: int | None = None  # whose inputs the cause compares with (None: locked)
    instalment: int = 1  # of a clawback: which one this is, of how many
    instalments: int = 1

    def explanation(self, source: str) -> str:
        text = (f"{source} is locked: it paid {fmt_amount(self.locked_amount)}, "
                f"recalculated {fmt_amount(self.recalculated)}, already adjusted "
                f"{fmt_amount(self.already)} -> {fmt_amount(self.outstanding)}")
        if self.line_type == "clawback" and self.instalments > 1:
            text += (f"; clawback instalment {self.instalment} of {self.instalments} "
                     f"({fmt_amount(self.amount)} of {fmt_amount(self.outstanding)} "
                     "outstanding)")
        return text


def corrections(fresh: Mapping[Key, Amount], locked: Mapping[Key, Amount],
                booked: Mapping[Key, Booked], rules: Mapping[str, ClawbackRules]
                ) -> list[Draft]:
    """One draft per key whose difference is not zero, sorted by key; a waived draft
    (``waived=True``, amount zero) is returned so the caller can record the waiver."""
    drafts = []
    for key in sorted(set(fresh) | set(locked) | set(booked)):
        new, old = fresh.get(key), locked.get(key)
        new_amount = new.amount if new is not None else ZERO
        old_amount = old.amount if old is not None else ZERO
        done = booked.get(key, Booked())
        diff = new_amount - old_amount - done.amount
        if diff == ZERO:
            continue
        ref = new or old
        currency = ref.currency if ref is not None else done.currency
        team = ref.team_id if ref is not None else done.team_id
        rule = rules.get(key[1], ClawbackRules())
        if diff < ZERO and key[2] in rule.waived:
            drafts.append(Draft(key, ZERO, currency, team, "clawback", old_amount, new_amount,
                                done.amount, diff, True, done.run_id))
            continue
        amount, line_type, number = diff, "adjustment", 1
        if diff < ZERO:
            line_type = "clawback"
            remaining = max(rule.instalments - done.clawback_instalments, 1)
            # instalments in the currency's unit (fils for KWD), or finer if the lines are
            places = max(minor_unit(currency), paid_places(diff))
            amount = allocate(diff, [Decimal(1)] * remaining, places)[0]
            number = min(done.clawback_instalments + 1, rule.instalments)
        drafts.append(Draft(key, amount, currency, team, line_type, old_amount, new_amount,
                            done.amount, diff, False, done.run_id, number, rule.instalments))
    return drafts


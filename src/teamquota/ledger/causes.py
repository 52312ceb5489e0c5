"""Why a locked period's payout changed: the inputs of the locked run and of the new run,
compared for one payout key, in words (``deal LATE-1 added (300.00); target team north
2017-Q3 100,000.00 -> 90,000.00; plan ae-2017 version 2 -> 3``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from teamquota.core.money import fmt_money

SHOWN = 5


@dataclass(frozen=True)
class Inputs:
    """What one run read for one key of one period."""

    credits: Mapping[str, Decimal] = field(default_factory=dict)  # deal id -> credit
    targets: Mapping[str, Decimal | None] = field(default_factory=dict)  # subject -> target
    plan_version: str | None = None
    teams: frozenset[str] = frozenset()  # teams the key's lines were paid through


def _money(value: Decimal | None) -> str:
    return "none" if value is None else fmt_money(value)


def describe(old: Inputs, new: Inputs) -> str:
    parts = _deals(old.credits, new.credits)
    for subject in sorted(set(old.targets) | set(new.targets)):
        before, after = old.targets.get(subject), new.targets.get(subject)
        if before != after:
            parts.append(f"target {subject} {_money(before)} -> {_money(after)}")
    if old.teams != new.teams:
        parts.append(f"team membership {', '.join(sorted(old.teams)) or 'none'} -> "
                     f"{', '.join(sorted(new.teams)) or 'none'}")
    if old.plan_version != new.plan_version:
        parts.append(f"plan {old.plan_version or 'none'} -> {new.plan_version or 'none'}")
    if not parts:
        return ("recalculated with the same deals, targets, teams and plan version "
                "(memberships' days, target incentives or assignments changed)")
    return "; ".join(parts)


def _deals(before: Mapping[str, Decimal], after: Mapping[str, Decimal]) -> list[str]:
    changes = []
    for deal in sorted(set(before) | set(after)):
        old, new = before.get(deal), after.get(deal)
        if old is None and new is not None:
            changes.append(f"deal {deal} added ({fmt_money(new)})")
        elif new is None and old is not None:
            changes.append(f"deal {deal} removed (was {fmt_money(old)})")
        elif old != new and old is not None and new is not None:
            changes.append(f"deal {deal} changed {fmt_money(old)} -> {fmt_money(new)}")
    if len(changes) > SHOWN:
        return [*changes[:SHOWN], f"and {len(changes) - SHOWN} more deals"]
    return changes

"""Targets per subject, component and period: from the targets table, distributed from
coarser periods (an annual target into quarters), or derived from the hierarchy.

Attainment is never rounded, so neither is a distributed target: an annual target is
split by the distribution's shares to 30 decimal places (largest remainder, so the period
targets sum exactly to the annual one) and attainment reads that value. Tables and
statements show targets to the cent (:func:`shown_money`): 100,000 by days gives Q1
24,657.534246575342465753424657534247, shown 24,657.53. A team target split among its
members (``from_team``) is kept the same way; a team's target summed from its members'
(``sum_of_members``, weighted by days) is rounded to the cent by the plan's rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyarrow as pa

from teamquota.core.diagnostics import Diagnostics, Source
from teamquota.core.money import CENT, EXACT, ZERO, allocate, round_money
from teamquota.core.periods import Period, parse_period, periods_between
from teamquota.engine.membership import Memberships
from teamquota.plan.loader import LoadedPlan
from teamquota.plan.model import Component

Key = tuple[str, str, str, str]  # subject_type, subject_id, measure, period label
# decimals of a distributed target: within 10^-30 of annual x share, far below any
# difference an attainment threshold or a payout cent can see
EXACT_PLACES = 30


def shown_money(value: Decimal | None) -> Decimal | None:
    """A target as tables and statements show it: to the cent (attainment reads the
    value itself)."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        return value
    with localcontext(EXACT):
        return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def to_places(value: Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimals (half even: EXACT's rounding), for a table of that
    scale."""
    return EXACT.quantize(value, Decimal(10) ** -places)


def distribute(amount: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """``amount`` split by ``shares`` to :data:`EXACT_PLACES` decimals, summing exactly."""
    with localcontext(EXACT):
        return allocate(amount, shares, EXACT_PLACES)


@dataclass
class Targets:
    values: dict[Key, Decimal] = field(default_factory=dict)

    def get(self, subject_type: str, subject_id: str, component: str,
            period: str) -> Decimal | None:
        return self.values.get((subject_type, subject_id, component, period))


def _shares(loaded: LoadedPlan, outer: Period, inner: list[Period],
            diagnostics: Diagnostics, source: Source) -> list[Decimal] | None:
    method = loaded.plan.target_distribution
    if method.method == "equal":
        return [Decimal(1)] * len(inner)
    if method.method == "days":
        return [Decimal(p.days) for p in inner]
    custom = method.custom or []
    if len(custom) != len(inner):
        diagnostics.error("E012", f"target for {outer.label} is split into {len(inner)} "
                          f"{loaded.plan.period}s but target_distribution.custom lists "
                          f"{len(custom)} shares", loaded.source("target_distribution"),
                          f"give {len(inner)} shares that sum to 1")
        return None
    return list(custom)


def file_targets(loaded: LoadedPlan, table: pa.Table | None, periods: list[Period],
                 diagnostics: Diagnostics, source_path: str = "targets") -> Targets:
    """Targets from the targets table, distributing coarser periods into the plan's."""
    targets = Targets()
    if table is None:
        return targets
    wanted = {p.label for p in periods}
    plan = loaded.plan
    columns = [table[c].to_pylist() for c in
               ("subject_type", "subject_id", "measure", "period", "amount")]
    # a targets file repeats a handful of period labels: parse each once
    parsed: dict[str, Period | ValueError] = {}
    for i, (stype, sid, measure, label, amount) in enumerate(zip(*columns, strict=True)):
        period = parsed.get(label)
        if period is None:
            try:
                period = parse_period(label, plan.year_start_month)
            except ValueError as exc:
                period = exc
            parsed[label] = period
        if isinstance(period, ValueError):
            diagnostics.error("E011", f"targets row {i + 1}: {period}", Source(source_path))
            continue
        key = (stype, sid, measure)
        if period.kind == plan.period:
            if label in wanted:
                targets.values[(*key, label)] = amount
            continue
        inner = periods_between(plan.period, period.start, period.end, plan.year_start_month)
        if len(inner) <= 1 or inner[0].start != period.start:
            diagnostics.error("E011", f"targets row {i + 1}: period {label} is finer than "
                              f"the plan's {plan.period}", Source(source_path),
                              f"give targets per {plan.period} or per year")
            continue
        shares = _shares(loaded, period, inner, diagnostics, Source(source_path))
        if shares is None:
            continue
        for sub, part in zip(inner, distribute(amount, shares), strict=True):
            if sub.label in wanted:
                targets.values[(*key, sub.label)] = part
    return targets


def derive_targets(loaded: LoadedPlan, targets: Targets, periods: list[Period],
                   memberships: Memberships, payee_ti: dict[str, Decimal],
                   payees: list[str], diagnostics: Diagnostics) -> Targets:
    """Resolve every component's targets under its ``target`` rule, keyed by component id."""
    resolved = Targets()
    components = loaded.plan.components
    for component in components:
        if component.target.source == "file":
            measure = component.target.measure or component.id
            for (stype, sid, m, period), value in targets.values.items():
                if m == measure and stype == component.scope:
                    resolved.values[(stype, sid, component.id, period)] = value
    for component in components:
        rule = component.target
        if rule.source == "sum_of_members":
            _sum_of_members(loaded, component, resolved, periods, memberships)
        elif rule.source == "from_team":
            _from_team(component, resolved, periods, memberships, payee_ti, payees)
    return resolved


def _sum_of_members(loaded: LoadedPlan, component: Component, resolved: Targets,
                    periods: list[Period], memberships: Memberships) -> None:
    # A member's target counts in proportion to the days they were in the team (or one of
    # its sub-teams), so a rep who moved mid-quarter is split between old and new team.
    source = component.target.of or component.id
    plan = loaded.plan
    for period in periods:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for team, payee, days in memberships.members_with_ancestors(period):
            value = resolved.get("payee", payee, source, period.label)
            if value is not None:
                totals[team] = EXACT.add(totals[team], EXACT.divide(
                    EXACT.multiply(value, Decimal(days)), Decimal(period.days)))
        for team, total in totals.items():
            # a target is money: rounded to the cent by the plan's rule
            resolved.values[("team", team, component.id, period.label)] = round_money(
                total, plan.currency, plan.rounding.mode, 2)


def _from_team(component: Component, resolved: Targets, periods: list[Period],
               memberships: Memberships, payee_ti: dict[str, Decimal],
               payees: list[str]) -> None:
    source = component.target.of
    eligible = set(payees)
    for period in periods:
        by_team: dict[str, list[str]] = defaultdict(list)
        for payee in sorted(eligible):
            team = memberships.main_team(payee, period)
            if team is not None:
                by_team[team].append(payee)
        for team, members in by_team.items():
            value = resolved.get("team", team, source or component.id, period.label)
            if value is None:
                continue
            weights = ([payee_ti[m] for m in members] if component.target.by == "ti_share"
                       else [Decimal(1)] * len(members))
            for member, part in zip(members, distribute(value, weights), strict=True):
                resolved.values[("payee", member, component.id, period.label)] = part

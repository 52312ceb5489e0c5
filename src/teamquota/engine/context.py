"""Everything the pay stage needs, gathered once per run as small Python structures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from teamquota.core.diagnostics import Diagnostics
from teamquota.core.money import ZERO, fmt_money, minor_unit
from teamquota.core.periods import Period
from teamquota.engine.membership import Memberships
from teamquota.engine.targets import Targets
from teamquota.plan.loader import LoadedPlan
from teamquota.plan.model import Plan


@dataclass(frozen=True)
class Payee:
    payee_id: str
    name: str
    currency: str
    target_incentive: Decimal  # annual
    role: str | None


@dataclass
class PayContext:
    loaded: LoadedPlan
    periods: list[Period]
    payees: dict[str, Payee]
    eligible: list[str]
    memberships: Memberships
    # (period, subject_type, subject_id) -> component id -> measure value
    measures: dict[tuple[str, str, str], dict[str, Decimal]]
    # (period, team, payee) -> component id -> the payee's contribution to the team measure
    contributions: dict[tuple[str, str, str], dict[str, Decimal]]
    # (period, payee, activity type) -> quantity
    activity: dict[tuple[str, str, str], Decimal]
    targets: Targets
    fx: dict[tuple[str, str, str], Decimal]
    diagnostics: Diagnostics
    per_deal: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Incremental recalculation pays only these payees and pools of these teams.
    focus_payees: set[str] | None = None
    focus_teams: set[str] | None = None
    _members: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)  # rule text per component, once
    _ti_texts: dict[tuple[str, str], str] = field(default_factory=dict)
    # (payee, period kind) -> curve_terms
    _terms: dict[tuple[str, str], tuple[tuple[int, int], int, str]] = field(
        default_factory=dict)
    # (period, subject type, subject id, component) -> the measure and target a curve line
    # read and the attainment it showed, for the attainment table to reuse while they
    # are the same objects (an incremental run replaces the measures it changes)
    attainments: dict[tuple[str, str, str, str], tuple[Decimal, Decimal, Decimal]] = field(
        default_factory=dict)

    # (period kind, payees paid) -> curve_terms of every payee paid, for engine.columns
    column_terms: dict[tuple[str, Any], list[tuple[tuple[int, int], int, str]]] = field(
        default_factory=dict)

    @property
    def plan(self) -> Plan:
        return self.loaded.plan

    @property
    def to_pay(self) -> list[str]:
        """Eligible payees whose individual lines this calculation produces."""
        if self.focus_payees is None:
            return self.eligible
        return [p for p in self.eligible if p in self.focus_payees]

    def measure(self, period: str, subject_type: str, subject_id: str,
                component: str) -> Decimal:
        return self.measures.get((period, subject_type, subject_id), {}).get(component, ZERO)

    def period_ti(self, payee: Payee, period: Period) -> Decimal:
        """Annual target incentive x the period's share of the year (3/12 a quarter)."""
        return payee.target_incentive * period.months / 12

    def period_ti_text(self, payee: Payee, period: Period) -> str:
        """The period's TI as a statement shows it (formatted once per payee and kind)."""
        key = (payee.payee_id, period.kind)
        text = self._ti_texts.get(key)
        if text is None:
            text = self._ti_texts[key] = fmt_money(self.period_ti(payee, period))
        return text

    def curve_terms(self, payee: Payee, period: Period) -> tuple[tuple[int, int], int, str]:
        """What a payee's paid curve lines share in periods of a kind: the annual TI as an
        integer fraction, the places its currency rounds to, and the period's TI text."""
        key = (payee.payee_id, period.kind)
        terms = self._terms.get(key)
        if terms is None:
            terms = self._terms[key] = (payee.target_incentive.as_integer_ratio(),
                                        self.places(payee.currency),
                                        self.period_ti_text(payee, period))
        return terms

    def places(self, currency: str) -> int:
        places = self.plan.rounding.places
        return minor_unit(currency) if places is None else places

    def team_members(self, period: Period) -> dict[str, dict[str, int]]:
        """team -> payee -> days, counting sub-team members for parent teams."""
        if period.label not in self._members:
            index: dict[str, dict[str, int]] = defaultdict(dict)
            for team, payee, days in self.memberships.members_with_ancestors(period):
                index[team][payee] = index[team].get(payee, 0) + days
            self._members[period.label] = index
        return self._members[period.label]

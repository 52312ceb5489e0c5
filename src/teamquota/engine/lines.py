"""Payout lines and the checks every line kind shares.

Owns the line record (``Line``, ``make_line``), a subject's attainment (``attainment_of``),
gates (``gate_failure``) and currency conversion (``convert``). The line kinds (``pay``,
``per_deal``, ``pools``, ``ytd``) and ``adjust`` import them from here, so none of them
imports another to make a line.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from teamquota.core.money import EXACT, ZERO, fmt_money, fmt_pct
from teamquota.core.periods import Period
from teamquota.engine import explain
from teamquota.engine.context import PayContext, Payee
from teamquota.engine.finish import shown
from teamquota.plan.model import Component

Line = dict[str, Any]


def make_line(period: Period, payee: Payee, component_id: str, line_type: str,
              amount: Decimal, rule: str, explanation: str, *, team_id: str | None = None,
              deal_id: str | None = None, measure_value: Decimal | None = None,
              target_amount: Decimal | None = None, attainment: Decimal | None = None,
              factor: Decimal | None = None) -> Line:
    return {"period": period.label, "payee_id": payee.payee_id, "component_id": component_id,
            "line_type": line_type, "team_id": team_id, "deal_id": deal_id,
            "measure_value": measure_value, "target_amount": target_amount,
            "attainment": None if attainment is None else shown(attainment),
            "factor": None if factor is None else shown(factor), "amount": amount,
            "currency": payee.currency, "rule": rule, "explanation": explanation}


def attainment_of(ctx: PayContext, subject_type: str, subject_id: str, component_id: str,
                  period: Period) -> Decimal | None:
    target = ctx.targets.get(subject_type, subject_id, component_id, period.label)
    if target is None or target == ZERO:
        return None
    with localcontext(EXACT):
        return ctx.measure(period.label, subject_type, subject_id, component_id) / target


def _team_component(ctx: PayContext, component: Component) -> Component | None:
    if component.scope == "team":
        return component
    return next((c for c in ctx.plan.components if c.scope == "team"), None)


def _personal_component(ctx: PayContext, component: Component) -> str | None:
    if component.gate and component.gate.personal_component:
        return component.gate.personal_component
    return next((c.id for c in ctx.plan.components if c.scope == "payee"), None)


def gate_failure(ctx: PayContext, component: Component, payee: Payee, period: Period,
                 team: str | None) -> str | None:
    """Why the component's gate stops it paying, or None when it passes."""
    gate = component.gate
    if gate is None:
        return None
    if gate.team_attainment_at_least is not None:
        team_component = _team_component(ctx, component)
        team = team if team is not None else ctx.memberships.main_team(payee.payee_id, period)
        att = (attainment_of(ctx, "team", team, team_component.id, period)
               if team and team_component else None)
        if att is None:
            return f"team gate {fmt_pct(gate.team_attainment_at_least)}: no team target"
        if att < gate.team_attainment_at_least:
            return (f"team {team} at {fmt_pct(att)}: {component.id} pays from "
                    f"{fmt_pct(gate.team_attainment_at_least)}")
    if gate.personal_attainment_at_least is not None:
        personal = _personal_component(ctx, component)
        att = attainment_of(ctx, "payee", payee.payee_id, personal, period) if personal else None
        if att is None or att < gate.personal_attainment_at_least:
            shown_att = "no target" if att is None else fmt_pct(att)
            return (f"personal attainment {shown_att}: {component.id} needs at least "
                    f"{fmt_pct(gate.personal_attainment_at_least)}")
    if gate.min_contribution_share is not None and team is not None:
        team_value = ctx.measure(period.label, "team", team, component.id)
        own = ctx.contributions.get((period.label, team, payee.payee_id), {}).get(
            component.id, ZERO)
        with localcontext(EXACT):
            share = own / team_value if team_value else ZERO
        if share < gate.min_contribution_share:
            return (f"contribution {fmt_money(own)} of team {fmt_money(team_value)} = "
                    f"{fmt_pct(share)}: the pool needs at least "
                    f"{fmt_pct(gate.min_contribution_share)}")
    if gate.min_activity is not None:
        done = ctx.activity.get((period.label, payee.payee_id, gate.min_activity.type), ZERO)
        if done < gate.min_activity.count:
            return (f"{explain.number(done)} {gate.min_activity.type} activities: needs at "
                    f"least {explain.number(gate.min_activity.count)}")
    return None


def convert(ctx: PayContext, payee: Payee, period: Period) -> tuple[Decimal, str]:
    """Rate from the plan's currency to the payee's, with a note for the statement."""
    if payee.currency == ctx.plan.currency:
        return Decimal(1), ""
    rate = ctx.fx.get((ctx.plan.currency, payee.currency, period.label))
    if rate is None:
        ctx.diagnostics.error(
            "E030", f"no FX rate {ctx.plan.currency}->{payee.currency} for {period.label} "
            f"(payee '{payee.payee_id}' is paid in {payee.currency})",
            hint="add the rate to the fx_rates table")
        return Decimal(0), " (no FX rate)"
    return rate, f" x FX {rate.normalize()} {ctx.plan.currency}->{payee.currency}"

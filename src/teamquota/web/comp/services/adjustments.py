"""Publishing a run's results to periods, and corrections to locked periods.

An unlocked period simply shows the new run (approvals and reviews of the old run lapse).
A locked period keeps its run forever; when a later run computes different payouts for it,
the difference (new - locked - already adjusted) becomes an ``adjustment`` line (or a
``clawback`` line, recovered over the plan's ``clawback.instalments``) in the next open
period, with its cause: the deals whose credit changed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from teamquota.core.money import allocate, fmt_money
from teamquota.core.periods import period_of
from teamquota.plan.loader import LoadedPlan
from teamquota.web.comp.models import CreditRow, PayoutLine, Period, Run, record
from teamquota.web.comp.services.runs import ensure_period

ZERO = Decimal("0")
Key = tuple[int, str, str]  # payee pk, plan id, component id


def _totals(run_id: int | None, label: str) -> dict[Key, tuple[Decimal, str, int | None]]:
    rows = (PayoutLine.objects.filter(run_id=run_id, period=label)
            .values("payee_id", "plan_id", "component_id", "currency", "team_id")
            .annotate(total=Sum("amount")))
    out: dict[Key, tuple[Decimal, str, int | None]] = {}
    for r in rows:
        key = (r["payee_id"], r["plan_id"], r["component_id"])
        before = out.get(key, (ZERO, r["currency"], r["team_id"]))
        out[key] = (before[0] + r["total"], r["currency"], before[2] or r["team_id"])
    return out


def _already_adjusted(label: str) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    amounts: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    instalments: dict[Key, int] = defaultdict(int)
    for period in Period.objects.filter(status="locked"):
        for line in PayoutLine.objects.filter(run_id=period.run_id, period=period.label,
                                              adjusts_period=label):
            key = (line.payee_id, line.plan_id, line.component_id)
            amounts[key] += line.amount
            if line.line_type == "clawback":
                instalments[key] += 1
    return amounts, instalments


def _next_open(period: Period, kind: str, year_start_month: int) -> Period:
    later = Period.objects.filter(start__gt=period.end).exclude(
        status__in=("approved", "locked")).order_by("start").first()
    if later is not None:
        return later
    last = Period.objects.order_by("-end").first()
    following = period_of(kind, last.end.fromordinal(last.end.toordinal() + 1),  # type: ignore
                          year_start_month)
    return ensure_period(following.label, year_start_month)


def deal_changes(old_run: int | None, new_run: int, label: str, subjects: list[tuple[str, str]]
                 ) -> str:
    """The deals whose credit to these subjects differs between two runs, in words."""
    def credits(run_id: int | None) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for subject_type, subject_id in subjects:
            for deal, amount in CreditRow.objects.filter(
                    run_id=run_id, period=label, subject_type=subject_type,
                    subject_id=subject_id).values_list("deal_id", "amount"):
                out[deal] += amount or ZERO
        return out
    before, after = credits(old_run), credits(new_run)
    changes = []
    for deal in sorted(set(before) | set(after)):
        old, new = before.get(deal), after.get(deal)
        if old is None:
            changes.append(f"deal {deal} added ({fmt_money(new)})")
        elif new is None:
            changes.append(f"deal {deal} removed (was {fmt_money(old)})")
        elif old != new:
            changes.append(f"deal {deal} changed {fmt_money(old)} -> {fmt_money(new)}")
    if not changes:
        return "recalculated with changed plan, targets or memberships"
    shown = "; ".join(changes[:5])
    return shown + (f"; and {len(changes) - 5} more deals" if len(changes) > 5 else "")


def publish(run: Run, labels: list[str], plans: dict[str, LoadedPlan]) -> None:
    first_plan = next(iter(plans.values())).plan if plans else None
    kind = first_plan.period if first_plan else "quarter"
    ym = first_plan.year_start_month if first_plan else 1
    for label in labels:
        period = ensure_period(label, ym)
        if period.status == "locked":
            _adjust(run, period, plans, kind, ym)
            continue
        if period.status in ("reviewed", "approved"):
            record(run.started_by, "period.reopened", "period", label,
                   f"{label}: {period.get_status_display().lower()} results replaced by "
                   f"run #{run.pk}; reviews and approval must be given again")
        _carry_manual(period, run)
        period.run, period.status = run, "calculated"
        period.approved_by = period.approved_at = None
        period.save()


def _carry_manual(period: Period, run: Run) -> None:
    """Manual adjustments (dispute resolutions) belong to the period, not to a run."""
    if period.run_id is None or period.run_id == run.pk:
        return
    for line in PayoutLine.objects.filter(run_id=period.run_id, period=period.label,
                                          line_type="manual"):
        line.pk, line.run = None, run
        line.save()


def _adjust(run: Run, period: Period, plans: dict[str, LoadedPlan], kind: str,
            ym: int) -> None:
    old, new = _totals(period.run_id, period.label), _totals(run.pk, period.label)
    adjusted, instalments_done = _already_adjusted(period.label)
    target: Period | None = None
    from teamquota.web.comp.models import Payee
    for key in sorted(set(old) | set(new)):
        payee_pk, plan_id, component = key
        old_amount, currency, team_pk = old.get(key) or new[key]
        old_amount = old[key][0] if key in old else ZERO
        new_amount = new[key][0] if key in new else ZERO
        diff = new_amount - old_amount - adjusted[key]
        if diff == ZERO:
            continue
        target = target or _next_open(period, kind, ym)
        payee = Payee.objects.get(pk=payee_pk)
        subjects = [("payee", payee.payee_id)]
        if team_pk:
            from teamquota.web.comp.models import Team
            subjects.append(("team", Team.objects.get(pk=team_pk).team_id))
        cause = deal_changes(period.run_id, run.pk, period.label, subjects)
        line_type, amount, note = "adjustment", diff, ""
        plan = plans.get(plan_id)
        if diff < ZERO and plan is not None and not plan.plan.clawback.reduce_attainment \
                and _pays_on_attainment(plan, component):
            record(run.started_by, "clawback.waived", "period", period.label,
                   f"{period.label} {component} for {payee.payee_id}: recalculated "
                   f"{fmt_money(diff)} not clawed back (clawback.reduce_attainment is false: "
                   f"the locked attainment stands); cause: {cause}")
            continue
        n = plan.plan.clawback.instalments if plan else 1
        if diff < ZERO and n > 1:
            remaining = max(n - instalments_done[key], 1)
            amount = allocate(diff, [Decimal(1)] * remaining)[0]
            line_type = "clawback"
            note = (f"; clawback instalment {instalments_done[key] + 1} of {n} "
                    f"({fmt_money(amount)} of {fmt_money(diff)} outstanding)")
        PayoutLine.objects.create(
            run=run, period=target.label, payee_id=payee_pk, plan_id=plan_id,
            component_id=component, line_type=line_type, team_id=team_pk, amount=amount,
            currency=currency, rule=f"correction to locked period {period.label}",
            adjusts_period=period.label, cause=cause,
            explanation=(f"{period.label} is locked: it paid {fmt_money(old_amount)}, "
                         f"recalculated {fmt_money(new_amount)}, already adjusted "
                         f"{fmt_money(adjusted[key])} -> {fmt_money(diff)}{note}"))
    if target is not None and target.run_id != run.pk and target.status != "locked":
        target.run, target.status = run, "calculated"
        target.save()


def _pays_on_attainment(plan: LoadedPlan, component_id: str) -> bool:
    """Components whose payout follows attainment (curves, attainment-based tiers): with
    ``reduce_attainment: false`` a reversed deal does not take back what they paid."""
    comp = next((c for c in plan.plan.components if c.id == component_id), None)
    if comp is None:
        return False
    payout = comp.payout
    return payout.kind == "curve" or (payout.tiers is not None and payout.basis == "attainment")


def adjustment_lines(run: Any, label: str) -> Any:
    return PayoutLine.objects.filter(run=run, period=label).exclude(adjusts_period="")

"""The pay stage: turn measures and targets into rounded, explained payout lines.

One function per payout kind (curve, commission, SPIF; pools in ``pools``), then caps and
draws in ``adjust``. Each line is computed exactly and rounded once (``finish``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from teamquota.core.money import EXACT, ZERO, fmt_amount, fmt_money, fmt_pct, round_ratio
from teamquota.core.periods import Period
from teamquota.engine import explain, tiers
from teamquota.engine.context import PayContext
from teamquota.engine.curve import (
    Segments,
    as_ratio,
    curve_factor,
    curve_ratio,
    describe_curve,
)
from teamquota.engine.finish import shown, shown_and_percent
from teamquota.engine.lines import Line, convert, gate_failure, make_line
from teamquota.engine.per_deal import per_deal_lines, spif_deal_lines
from teamquota.engine.pools import pool_lines
from teamquota.engine.targets import shown_money
from teamquota.engine.ytd import ytd_commission_lines, ytd_curve_lines
from teamquota.plan.model import Component


def _missing_target(ctx: PayContext, component: Component, subject: str,
                    period: Period) -> None:
    ctx.diagnostics.warning(
        "E010", f"no target for {component.scope} '{subject}', component '{component.id}', "
        f"period {period.label}: no {component.id} line",
        ctx.loaded.component_source(component.id, "target"),
        "add a row to the targets table or derive targets in the plan")


@dataclass(slots=True)  # not frozen: a frozen init costs a microsecond per subject
class _Subject:
    """One payee's or team's numbers for a curve component in a period, worked out once:
    a team's attainment, factor and wording serve every member's line."""

    measure: Decimal
    target: Decimal
    attainment: Decimal  # as the tables show it (12 places)
    factor: Decimal
    head: str
    lead: str  # head -> the curve's words, for the lines that pay
    # months x weight x factor / (12 x days in the period), exact: a line pays
    # TI x this x days in the team
    scale: tuple[int, int]


class _Curve:
    """A curve component in one period: its constants in integer form, and its subjects."""

    def __init__(self, ctx: PayContext, component: Component, period: Period):
        self.ctx, self.component, self.period = ctx, component, period
        payout = component.payout
        self.points = payout.curve or []
        self.exact_points = [(as_ratio(x), as_ratio(y)) for x, y in self.points]
        self.exact_cap = None if payout.cap is None else as_ratio(payout.cap)
        wn, wd = as_ratio(component.weight or ZERO)
        self.scale = (period.months * wn, 12 * wd * period.days)
        self.label = explain.measure_label(component)
        self.subjects: dict[str, _Subject | None] = {}
        self.target_texts: dict[Decimal, str] = {}
        self.segments = _integer_curve(self.points, payout.cap)
        if self.segments is not None:
            # the words describe_curve uses below the curve and at the cap
            self.below = describe_curve(self.points, self.points[0][0] - 1, ZERO, None)
            cap = payout.cap
            self.capped = None if cap is None else (
                shown(cap), f"curve capped at {fmt_pct(cap)}", as_ratio(cap))

    def subject(self, subject_id: str) -> _Subject | None:
        """None when the subject has no (or a zero) target."""
        if subject_id in self.subjects:
            return self.subjects[subject_id]
        ctx, component, period = self.ctx, self.component, self.period
        found = None
        target = ctx.targets.values.get((component.scope, subject_id, component.id,
                                         period.label))
        if target is not None and target != ZERO:
            measure = ctx.measures.get((period.label, component.scope, subject_id),
                                       _NO_MEASURES).get(component.id, ZERO)
            ratio = _attainment_ratio(measure, target)
            found = self._in_integers(measure, target, ratio) or \
                self._in_decimals(measure, target, ratio)
            ctx.attainments[(period.label, component.scope, subject_id, component.id)] = (
                measure, target, found.attainment)
        self.subjects[subject_id] = found
        return found

    def _in_decimals(self, measure: Decimal, target: Decimal,
                     ratio: tuple[int, int]) -> _Subject:
        """The subject as defined: attainment and factor at 60 digits, shown at 12 places."""
        cap = self.component.payout.cap
        with localcontext(EXACT):
            attainment = measure / target
            factor = curve_factor(self.points, attainment, cap)
        fn, fd = curve_ratio(self.exact_points, ratio, self.exact_cap)
        head = (f"{self.label} "
                f"{explain.ratio(measure, target, attainment, self.component.measure.count)}")
        words = describe_curve(self.points, attainment, factor, cap)
        return _Subject(measure, target, shown(attainment), shown(factor), head,
                        f"{head} -> {words}", (self.scale[0] * fn, self.scale[1] * fd))

    def _in_integers(self, measure: Decimal, target: Decimal,
                     ratio: tuple[int, int]) -> _Subject | None:
        """:meth:`_in_decimals` from the exact ratios, without a Decimal division: the same
        values and words wherever no rounding (to 12 places, or to 0.1% in the text) and no
        comparison (with the cap) is close enough to call for the 60 digits; None otherwise,
        and for attainments the bounds of ``_integer_curve`` do not cover."""
        num, den = ratio
        if self.segments is None or num < 0 or num >= den * _MAX_RATIO \
                or den.bit_length() > _MAX_DENOMINATOR_BITS:
            return None
        fn, fd = self.segments.factor(ratio)
        capped = False
        if self.exact_cap is not None:
            cn, cd = self.exact_cap
            gap = fn * cd - cn * fd
            if abs(gap) * _CLEAR_OF_CAP < fd * cd:
                return None
            capped = gap > 0
        shown_attainment = shown_and_percent(num, den)
        if shown_attainment is None:
            return None
        if num * self.segments.first[1] < self.segments.first[0] * den:
            factor, words = _ZERO_SHOWN, self.below
        elif capped and self.capped is not None:
            factor, words, (fn, fd) = self.capped
        else:
            shown_factor = shown_and_percent(fn, fd) if fn < fd * _MAX_RATIO else None
            if shown_factor is None:
                return None
            factor, words = shown_factor[0], f"curve {shown_factor[1]}"
        attainment, percent = shown_attainment
        if self.component.measure.count:
            shown_measure = explain.number(measure)
        else:
            shown_measure = fmt_money(measure)
        shown_target = self.target_texts.get(target)
        if shown_target is None:  # a few distinct targets serve many subjects
            shown_target = self.target_texts[target] = fmt_money(target)
        head = f"{self.label} {shown_measure} / target {shown_target} = {percent}"
        return _Subject(measure, target, attainment, factor, head, f"{head} -> {words}",
                        (self.scale[0] * fn, self.scale[1] * fd))


# Bounds within which _Curve._in_integers stands in for the Decimal arithmetic: with
# attainments and factors below 10^6, slopes below 10^6 and denominators of attainment
# below 2^100 and of curve points below 10^15, the 60-digit Decimals are off the exact
# ratios by less than 10^-40 and compare with the points as the ratios do (an attainment
# that is not a point is at least 10^-45 from it); they compare with the cap as the
# ratios do when the uncapped factor is 10^-30 or more from it, and round as the ratios
# do wherever shown_and_percent finds no tie near.
_MAX_RATIO = 10**6
_MAX_DENOMINATOR_BITS = 100
_MAX_POINT_DENOMINATOR = 10**15
_CLEAR_OF_CAP = 10**30


def _integer_curve(points: list[tuple[Decimal, Decimal]], cap: Decimal | None
                   ) -> Segments | None:
    """The curve's segments when its numbers are within the bounds of
    ``_Curve._in_integers``, else None."""
    if len(points) < 2 or (cap is not None and not ZERO <= cap < _MAX_RATIO):
        return None
    segments = Segments(points)
    for x, y in segments.points:
        if x.denominator > _MAX_POINT_DENOMINATOR or y.denominator > _MAX_POINT_DENOMINATOR \
                or abs(x) >= _MAX_RATIO or abs(y) >= _MAX_RATIO:
            return None
    for (x0, y0), (x1, y1) in zip(segments.points, segments.points[1:], strict=False):
        if abs(y1 - y0) >= _MAX_RATIO * (x1 - x0):
            return None
    return segments


def curve_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    if component.accumulate == "ytd":
        return ytd_curve_lines(ctx, component, period)
    curve = _Curve(ctx, component, period)
    gated = component.gate is not None
    # a team-scope component gated on its own team's attainment has one verdict per team
    per_team = (component.scope == "team" and component.gate is not None
                and component.gate.model_dump(exclude_none=True).keys()
                == {"team_attainment_at_least"})
    verdicts: dict[str, str | None] = {}
    mode, label, period_days = ctx.plan.rounding.mode, period.label, period.days
    rule = ctx.rules.get(component.id) or ctx.rules.setdefault(component.id,
                                                               _curve_rule(component))
    tail = f" x {component.weight or ZERO}"
    by_team = component.scope == "team"
    lines = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        found = ctx.memberships.team_days(payee_id, period).items() if by_team else \
            ((payee_id, period_days),)
        for subject_id, days_in in found:
            team = subject_id if by_team else None
            subject = curve.subjects.get(subject_id, _UNSET)
            if subject is _UNSET:
                subject = curve.subject(subject_id)
            if subject is None:
                _missing_target(ctx, component, subject_id, period)
                continue
            if not gated:
                blocked = None
            elif per_team and team is not None:
                blocked = verdicts[team] if team in verdicts else verdicts.setdefault(
                    team, gate_failure(ctx, component, payee, period, team))
            else:
                blocked = gate_failure(ctx, component, payee, period, team)
            if blocked:
                amount, factor = ZERO, _ZERO_SHOWN
                text = f"{subject.head}; gate not met ({blocked}) -> 0.00"
            else:
                (tn, td), places, ti_text = ctx.curve_terms(payee, period)
                amount = round_ratio(tn * subject.scale[0] * days_in,
                                     td * subject.scale[1], places, mode)
                factor = subject.factor
                prorate = "" if days_in == period_days else \
                    f" x {explain.fraction_text(days_in, period_days)}"
                where = f" in team {team}" if team else ""
                # cents (the usual case) formatted directly; fmt_amount keeps more places
                money = format(amount, ",.2f") if places <= 2 else fmt_amount(amount)
                text = f"{subject.lead} x TI {ti_text}{tail}{prorate}{where} = {money}"
            # the line's fields as make_line lays them out, with ratios already shown
            lines.append({"period": label, "payee_id": payee_id,
                          "component_id": component.id, "line_type": "curve",
                          "team_id": team, "deal_id": None, "measure_value": subject.measure,
                          "target_amount": shown_money(subject.target),
                          "attainment": subject.attainment,
                          "factor": factor, "amount": amount, "currency": payee.currency,
                          "rule": rule, "explanation": text})
    return lines


_ZERO_SHOWN = shown(ZERO)
_NO_MEASURES: dict[str, Decimal] = {}
_UNSET = _Subject(ZERO, ZERO, ZERO, ZERO, "", "", (0, 1))  # "not worked out yet"


def _attainment_ratio(measure: Decimal, target: Decimal) -> tuple[int, int]:
    mn, md = measure.as_integer_ratio()  # as_ratio, without a call per subject
    tn, td = target.as_integer_ratio()
    # keep the denominator positive (a negative target is not rejected here)
    return (mn * td, md * tn) if tn > 0 else (-mn * td, -md * tn)




def _curve_rule(component: Component) -> str:
    points = ", ".join(f"{fmt_pct(x, 0)}->{fmt_pct(y, 0)}" for x, y in component.payout.curve
                       or [])
    cap = f", cap {fmt_pct(component.payout.cap, 0)}" if component.payout.cap else ""
    scope = "team" if component.scope == "team" else "personal"
    return (f"{component.weight} of target incentive on {scope} attainment; "
            f"curve {points}{cap}")


def commission_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    payout = component.payout
    if payout.mode == "per_deal":
        return per_deal_lines(ctx, component, period)
    if component.accumulate == "ytd":
        return ytd_commission_lines(ctx, component, period)
    wants_target = tiers.needs_target(component)
    rule = tiers.tier_rule(component)
    label = explain.measure_label(component)
    lines = []
    for payee_id in ctx.to_pay:
        payee = ctx.payees[payee_id]
        measure = ctx.measure(period.label, "payee", payee_id, component.id)
        target = ctx.targets.get("payee", payee_id, component.id, period.label)
        if wants_target and (target is None or target == ZERO):
            _missing_target(ctx, component, payee_id, period)
            continue
        rate, fx_text = convert(ctx, payee, period)
        blocked = gate_failure(ctx, component, payee, period, None)
        with localcontext(EXACT):
            attainment = measure / target if target else None
        head = f"{label} {fmt_money(measure)}"
        if target and attainment is not None:
            head = f"{label} {explain.ratio(measure, target, attainment, False)}"
        shown_target = shown_money(target)
        if blocked:
            lines.append(make_line(period, payee, component.id, "commission", ZERO, rule,
                                   f"{head}; gate not met ({blocked}) -> 0.00",
                                   measure_value=measure, target_amount=shown_target,
                                   attainment=attainment))
            continue
        amount = tiers.commission(component, measure, target, payee.currency,
                                  ctx.plan.rounding.mode, ctx.places(payee.currency), rate)
        text = f"{head} -> {tiers.tier_text(component, target)}{fx_text} = " \
               f"{fmt_amount(amount)}"
        lines.append(make_line(period, payee, component.id, "commission", amount, rule, text,
                               measure_value=measure, target_amount=shown_target,
                               attainment=attainment))
    return lines


def component_lines(ctx: PayContext, component: Component, period: Period) -> list[Line]:
    kind = component.payout.kind
    if kind == "curve":
        return curve_lines(ctx, component, period)
    if kind == "commission":
        return commission_lines(ctx, component, period)
    if kind == "spif":  # counts deals: the plan refuses a SPIF that does not (P017)
        return spif_deal_lines(ctx, component, period)
    return pool_lines(ctx, component, period)

"""A small pure-Python reference model of the engine, and the random cases both are run on.

The model is written from the documented semantics (issue 2, item 3; docs/plan-language.md),
not from the engine's code: exact ``Fraction`` arithmetic, plain loops over plain records,
no Ibis. It covers what the property tests generate:

* crediting: the owner, or the split table's payees x shares; each credited payee's team on
  the close date (effective-dated membership), then every ancestor team (roll-up); when the
  plan credits leaders, each leader of a credited team, once per deal and credited payee
  other than themselves (their personal measure, never a team's);
* eligibility: only payees whose role the plan lists get lines (everyone still credits teams);
* periods: quarters or months of the first half of 2017;
* measures: the sum of credited Won amounts per payee / team and period;
* targets: rows for the plan's periods, or a coarser row (the year; a quarter in a monthly
  plan) allocated to its periods to 30 places (equally or by days); a member's target as the
  team's, split by TI or equally among the eligible payees whose main team it is (most days;
  ties to the later stint); or a team's target as the sum of its members' (and sub-teams'
  members') targets, each weighted by days in the team during the period, rounded to the
  cent by the plan's rule;
* curve components (payee or team scope, gates, caps): period TI (annual x 3/12 a quarter,
  1/12 a month) x weight x curve(measure / target), team lines prorated by days of direct
  membership in the period;
* commissions: flat or tiered (marginal, whole, zero_until_quota), thresholds in currency or
  as a fraction of target;
* team pools: rate x team measure, rounded, then split to the cent by largest remainder over
  days (equal), TI x days (ti_share) or the member's credit (contribution);
* component ``cap_amount`` and the plan's ``cap_amount``: a negative ``cap`` line bringing
  the component's (then the payee's whole) period total down to the cap;
* draws: a period's earnings below the draw are topped up; a recoverable draw's advances are
  recovered from later earnings above the draw.

Every line is rounded to the cent exactly once, by the plan's rule (half-up by default).

Cases come from :func:`generate_case`, which takes its choices from a :class:`Pick` so the
same generator serves hypothesis (shrinkable draws) and fixed ``random.Random`` seeds.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

YEAR = 2017
QUARTERS: dict[str, tuple[date, date]] = {
    f"{YEAR}-Q1": (date(YEAR, 1, 1), date(YEAR, 3, 31)),
    f"{YEAR}-Q2": (date(YEAR, 4, 1), date(YEAR, 6, 30)),
    f"{YEAR}-Q3": (date(YEAR, 7, 1), date(YEAR, 9, 30)),
    f"{YEAR}-Q4": (date(YEAR, 10, 1), date(YEAR, 12, 31)),
}
MONTHS: dict[str, tuple[date, date]] = {
    f"{YEAR}-{m:02d}": (date(YEAR, m, 1), date(YEAR + m // 12, m % 12 + 1, 1) - timedelta(1))
    for m in range(1, 13)}
PERIODS = {**QUARTERS, **MONTHS, str(YEAR): (date(YEAR, 1, 1), date(YEAR, 12, 31))}
RUN_PERIODS = [f"{YEAR}-Q1", f"{YEAR}-Q2"]  # the plan is effective for the first half
RUN_MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 7)]
RUN_START, RUN_END = date(YEAR, 1, 1), date(YEAR, 6, 30)
CENT = Fraction(1, 100)
Key = tuple[str, str, str, str, str | None]  # period, payee, component, line type, team


# ----------------------------------------------------------------------------- the case

@dataclass
class Comp:
    """One plan component, as plain data (rendered to YAML for the engine)."""

    id: str
    scope: str                      # payee | team
    kind: str                       # curve | commission | pool
    weight: Decimal | None = None
    curve: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    cap: Decimal | None = None
    gate: dict[str, Decimal] = field(default_factory=dict)
    rate: Decimal | None = None     # flat commission
    tiers: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    mode: str = "marginal"
    basis: str = "attainment"
    pool_rate: Decimal | None = None
    split: str = "equal"
    cap_amount: Decimal | None = None
    sum_of_members: str | None = None  # team target = members' targets of this component
    from_team: tuple[str, str] | None = None  # (team component, ti_share | equal)


@dataclass
class Case:
    payees: dict[str, Decimal]                          # id -> annual target incentive
    teams: dict[str, str | None]                        # id -> parent team
    stints: list[tuple[str, str, date, date | None]]    # payee, team, start, end
    deals: list[tuple[str, str, Decimal, str, date]]    # id, owner, amount, stage, close
    splits: dict[str, list[tuple[str, Decimal]]]        # deal -> (payee, share)
    targets: list[tuple[str, str, str, str, Decimal]]   # type, subject, measure, period, amt
    components: list[Comp]
    plan_cap: Decimal | None = None
    distribution: str = "equal"
    draw: tuple[Decimal, str] | None = None  # amount, recoverable | non_recoverable
    roles: dict[str, str] = field(default_factory=dict)
    eligible_roles: list[str] | None = None
    leaders: dict[str, str] = field(default_factory=dict)  # team -> leader payee
    credit_leaders: bool = False
    rounding: str = "half_up"
    period_kind: str = "quarter"

    @property
    def run_periods(self) -> list[str]:
        return RUN_PERIODS if self.period_kind == "quarter" else RUN_MONTHS

    def records(self) -> dict[str, list[dict[str, Any]]]:
        """Input tables for ``Dataset.from_records``."""
        records: dict[str, list[dict[str, Any]]] = {
            "payees": [{"payee_id": p, "name": p, "target_incentive": ti,
                        "role": self.roles.get(p)} for p, ti in self.payees.items()],
            "teams": [{"team_id": t, "name": t, "parent_team_id": parent,
                       "leader_id": self.leaders.get(t)} for t, parent in self.teams.items()],
            "memberships": [{"payee_id": p, "team_id": t, "start_date": s, "end_date": e}
                            for p, t, s, e in self.stints],
            "deals": [{"deal_id": d, "owner_id": o, "amount": a, "stage": st, "close_date": c}
                      for d, o, a, st, c in self.deals],
            "targets": [{"subject_type": t, "subject_id": s, "measure": m, "period": p,
                         "amount": a} for t, s, m, p, a in self.targets],
        }
        if self.splits:
            records["splits"] = [{"deal_id": d, "payee_id": p, "share": share}
                                 for d, rows in self.splits.items() for p, share in rows]
        return records

    def plan_yaml(self) -> str:
        out = ["plan: ref", f"period: {self.period_kind}", "currency: USD",
               f"effective: {{start: {RUN_START}, end: {RUN_END}}}"]
        if self.plan_cap is not None:
            out.append(f"cap_amount: {self.plan_cap}")
        if self.distribution != "equal":
            out.append(f"target_distribution: {{method: {self.distribution}}}")
        if self.draw is not None:
            out.append(f"draw: {{amount: {self.draw[0]}, kind: {self.draw[1]}}}")
        if self.eligible_roles is not None:
            out.append(f"eligible_roles: [{', '.join(self.eligible_roles)}]")
        if self.credit_leaders:
            out.append("crediting: {leaders: true}")
        if self.rounding != "half_up":
            out.append(f"rounding: {{mode: {self.rounding}}}")
        out.append("components:")
        for c in self.components:
            out += [f"  - id: {c.id}", f"    scope: {c.scope}"]
            if c.weight is not None:
                out.append(f"    weight: {c.weight}")
            out.append("    measure: {source: deals, sum: amount, where: {stage: Won}}")
            if c.sum_of_members:
                out.append(f"    target: {{source: sum_of_members, of: {c.sum_of_members}}}")
            if c.from_team:
                out.append(f"    target: {{source: from_team, of: {c.from_team[0]}, "
                           f"by: {c.from_team[1]}}}")
            if c.kind == "curve":
                points = ", ".join(f"[{x}, {y}]" for x, y in c.curve)
                cap = f", cap: {c.cap}" if c.cap is not None else ""
                out.append(f"    payout: {{curve: [{points}]{cap}}}")
            elif c.kind == "commission":
                if c.rate is not None:
                    kind = f"rate: {c.rate}"
                else:
                    kind = "tiers: [" + ", ".join(f"{{from: {a}, rate: {r}}}"
                                                  for a, r in c.tiers) + "]"
                out.append(f"    payout: {{{kind}, mode: {c.mode}, basis: {c.basis}}}")
            else:
                out.append(f"    payout: {{pool: {{rate: {c.pool_rate}, split: {c.split}}}}}")
            if c.gate:
                out.append("    gate: {" + ", ".join(f"{k}: {v}" for k, v in c.gate.items())
                           + "}")
            if c.cap_amount is not None:
                out.append(f"    cap_amount: {c.cap_amount}")
        return "\n".join(out) + "\n"

    def with_deal(self, deal: tuple[str, str, Decimal, str, date]) -> Case:
        return replace(self, deals=[*self.deals, deal])


# ----------------------------------------------------------------------------- generator

class Pick(Protocol):
    def int(self, low: int, high: int) -> int: ...
    def one(self, options: list[Any]) -> Any: ...
    def flip(self) -> bool: ...


class RandomPick:
    """Choices from a seeded ``random.Random`` (fixed cases, e.g. backend agreement)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def int(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def one(self, options: list[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def flip(self) -> bool:
        return self.rng.random() < 0.5


def _d(text: str) -> Decimal:
    return Decimal(text)


# Values chosen so half-cent ties are common: 10,000.02 / 4 = 2,500.005; 0.05 x 100.10 = 5.005.
TIS = [_d(v) for v in ("10000.00", "10000.02", "40000.00", "12345.66", "333.34", "20000.06")]
AMOUNTS = [_d(v) for v in ("100.00", "100.10", "250.50", "1000.00", "33.33", "1.01", "50.00",
                           "125.00", "10.10", "999.99")]
TARGET_AMOUNTS = [_d(v) for v in ("100.00", "200.00", "333.33", "1000.00", "50.00", "150.10",
                                  "400.00")]
SHARES = [(_d("0.5"), _d("0.5")), (_d("0.25"), _d("0.75")), (_d("0.4"), _d("0.6")),
          (_d("0.1"), _d("0.9")), (_d("0.3333"), _d("0.6667")),
          (_d("0.33333333"), _d("0.66666667"))]
XS = [_d(v) for v in ("0", "0.5", "0.8", "1.0", "1.2", "1.5")]
YS = [_d(v) for v in ("0", "0.25", "0.5", "1.0", "1.5", "2.0")]


def _curve(pick: Pick) -> list[tuple[Decimal, Decimal]]:
    count = pick.int(2, 4)
    start = pick.int(0, len(XS) - count)
    xs = XS[start:start + count]
    ys, low = [], 0
    for _ in xs:  # non-decreasing payout: the monotonicity property relies on it
        low = pick.int(low, len(YS) - 1)
        ys.append(YS[low])
    return list(zip(xs, ys, strict=True))


def _stints(pick: Pick, payee: str, teams: list[str]) -> list[tuple[str, str, date,
                                                                      date | None]]:
    shape = pick.int(0, 4)
    first = pick.one(teams)
    if shape == 0:  # in no team
        return []
    if shape == 1:  # all along
        return [(payee, first, date(YEAR - 1, 10, 1), None)]
    day = RUN_START + timedelta(days=pick.int(1, 180))
    if shape == 2:  # joins mid-run
        return [(payee, first, day, None)]
    other = pick.one([t for t in teams if t != first] or teams)
    if shape == 3 and other != first:  # moves team on ``day``
        return [(payee, first, RUN_START, day - timedelta(days=1)), (payee, other, day, None)]
    return [(payee, first, RUN_START, day)]  # leaves on ``day``


def _target_rows(pick: Pick, subject_type: str, subject: str, measure: str,
                 periods: list[str]) -> list[tuple[str, str, str, str, Decimal]]:
    how = pick.int(0, 4 if periods == RUN_MONTHS else 3)
    if how == 0:
        return []
    if how == 1:  # annual, distributed to the plan's periods
        return [(subject_type, subject, measure, str(YEAR),
                 pick.one(TARGET_AMOUNTS) * pick.one([1, 4]))]
    if how == 4:  # quarters, distributed to a monthly plan's months
        periods = RUN_PERIODS
    return [(subject_type, subject, measure, p, pick.one(TARGET_AMOUNTS))
            for p in periods if how == 3 or pick.flip()]


def generate_case(pick: Pick, min_deals: int = 0) -> Case:
    """A small random case: 2-5 payees, 1-3 teams (maybe one sub-team), memberships with
    mid-run joins, leaves and moves, ``min_deals``-20 deals, some split, and a plan of
    curve, commission and pool components with random gates, caps and targets."""
    payees = {f"P{i}": pick.one(TIS) for i in range(1, pick.int(2, 5) + 1)}
    team_ids = [f"T{i}" for i in range(1, pick.int(1, 3) + 1)]
    teams: dict[str, str | None] = {t: None for t in team_ids}
    if len(team_ids) == 3 and pick.flip():
        teams["T3"] = "T1"  # a sub-team: T1 is credited with T3's deals by roll-up
    stints = [s for p in payees for s in _stints(pick, p, team_ids)]
    deals, splits = [], {}
    for i in range(pick.int(min_deals, 20)):
        deal_id = f"D{i:02d}"
        owner = pick.one(list(payees))
        close = RUN_START + timedelta(days=pick.int(0, 180))
        deals.append((deal_id, owner, pick.one(AMOUNTS), pick.one(["Won", "Won", "Lost"]),
                      close))
        if len(payees) > 1 and pick.int(0, 3) == 0:
            other = pick.one([p for p in payees if p != owner])
            a, b = pick.one(SHARES)
            splits[deal_id] = [(owner, a), (other, b)]

    components: list[Comp] = []
    # Hybrid first: hypothesis leans towards early options, and hybrid exercises the most.
    shape = pick.one(["hybrid", "team", "personal", "hybrid"])
    w_personal, w_team = (pick.one([(_d("0.4"), _d("0.6")), (_d("0.5"), _d("0.5")),
                                    (_d("0.25"), _d("0.75"))])
                          if shape == "hybrid" else (_d("1"), _d("1")))
    if shape in ("personal", "hybrid"):
        personal = Comp("personal", "payee", "curve", w_personal, _curve(pick),
                        pick.one([None, _d("1.5"), _d("2.0")]))
        if pick.int(0, 3) == 0:
            personal.cap_amount = pick.one([_d("500.00"), _d("1000.00")])
        if shape == "hybrid" and pick.int(0, 3) == 0:
            personal.gate = {"team_attainment_at_least": pick.one([_d("0.5"), _d("0.8")])}
        components.append(personal)
    if shape in ("team", "hybrid"):
        team = Comp("team", "team", "curve", w_team, _curve(pick),
                    pick.one([None, _d("1.5"), _d("2.0")]))
        if pick.flip():
            team.gate = {"team_attainment_at_least": pick.one([_d("0.8"), _d("1.0")])}
        if shape == "hybrid" and pick.int(0, 2) == 0:
            team.sum_of_members = "personal"
        elif shape == "hybrid" and pick.int(0, 2) == 0:
            components[0].from_team = ("team", pick.one(["ti_share", "equal"]))
        components.append(team)
    if pick.flip():
        commission = Comp("comm", "payee", "commission")
        commission.mode = pick.one(["marginal", "whole", "zero_until_quota"])
        commission.basis = ("attainment" if commission.mode == "zero_until_quota"
                            else pick.one(["attainment", "amount"]))
        if pick.flip() and commission.mode != "whole":
            commission.rate = pick.one([_d("0.05"), _d("0.1"), _d("0.125")])
        else:
            starts = ([_d("0"), _d("0.5"), _d("1.0"), _d("1.5")]
                      if commission.basis == "attainment"
                      else [_d("0"), _d("100"), _d("500"), _d("1000")])
            first = pick.int(0, 1)
            count = pick.int(1, 3)
            rate_index, rates = 0, [_d("0.01"), _d("0.05"), _d("0.1"), _d("0.125"), _d("0.2")]
            for start in starts[first:first + count]:  # rates never fall: monotone payout
                rate_index = pick.int(rate_index, len(rates) - 1)
                commission.tiers.append((start, rates[rate_index]))
        if pick.int(0, 3) == 0:
            commission.gate = {"personal_attainment_at_least": _d("0.5")}
        components.append(commission)
    if pick.flip():
        pool = Comp("pool", "team", "pool", pool_rate=pick.one(
            [_d("0.01"), _d("0.05"), _d("0.1"), _d("0.025")]),
            split=pick.one(["equal", "ti_share", "contribution"]))
        if pick.int(0, 2) == 0:
            pool.gate = {"min_contribution_share": pick.one([_d("0.1"), _d("0.25")])}
        components.append(pool)

    period_kind = pick.one(["quarter", "quarter", "month"])
    periods = RUN_PERIODS if period_kind == "quarter" else RUN_MONTHS
    targets = []
    for c in components:
        if c.kind == "pool" or c.sum_of_members or c.from_team:
            continue
        subjects = payees if c.scope == "payee" else teams
        for s in subjects:
            targets += _target_rows(pick, c.scope, s, c.id, periods)
    plan_cap = pick.one([None, None, None, _d("750.00"), _d("2000.00")])
    distribution = pick.one(["equal", "days"])
    draw = pick.one([None, None, (_d("500.00"), "recoverable"),
                     (_d("1500.00"), "recoverable"), (_d("500.00"), "non_recoverable")])
    case = Case(payees, teams, stints, deals, splits, targets, components, plan_cap,
                distribution, draw)
    case.roles = {p: pick.one(["AE", "AE", "AE", "SE"]) for p in payees}
    case.eligible_roles = pick.one([None, None, ["AE"]])
    case.leaders = {t: pick.one(list(payees)) for t in teams if pick.flip()}
    case.credit_leaders = bool(case.leaders) and pick.flip()
    case.rounding = pick.one(["half_up", "half_up", "half_even", "down", "up"])
    case.period_kind = period_kind
    return case


# ----------------------------------------------------------------------------- the model

def round_cents(value: Fraction, mode: str = "half_up") -> Decimal:
    """To the cent by ``mode`` (values here are never negative before rounding)."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    rest = cents - whole
    if (mode == "up" and rest) or (mode == "half_up" and rest >= Fraction(1, 2)) or (
            mode == "half_even" and (rest > Fraction(1, 2)
                                     or (rest == Fraction(1, 2) and whole % 2))):
        whole += 1
    return Decimal(whole).scaleb(-2)


def largest_remainder(total: Decimal, weights: list[Fraction],
                      places: int = 2) -> list[Decimal]:
    """Parts of ``total`` in proportion to ``weights``, floored to ``places`` (the cent; 30
    for distributed targets, which attainment reads unrounded); the leftover units go to
    the largest remainders, ties to the earlier position; zero weights: equal."""
    if sum(weights) == 0:
        weights = [Fraction(1)] * len(weights)
    units = int(Fraction(total) * 10**places)
    exact = [Fraction(units) * w / sum(weights) for w in weights]
    floors = [e.numerator // e.denominator for e in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:units - sum(floors)]:
        floors[i] += 1
    return [Decimal(f).scaleb(-places) for f in floors]


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _overlap(start: date, end: date | None, period: str) -> int:
    p_start, p_end = PERIODS[period]
    last = p_end if end is None else min(end, p_end)
    first = max(start, p_start)
    return max(_days(first, last), 0)


def period_days(period: str) -> int:
    return _days(*PERIODS[period])


def _period_of(day: date, labels: list[str]) -> str:
    return next(p for p in labels if PERIODS[p][0] <= day <= PERIODS[p][1])


@dataclass
class Reference:
    """Everything the reference computes for one case."""

    credits: list[tuple[str, str, str, str, str, str, Fraction]]  # period, deal, type,
    #                                       subject, rule, payee, amount
    measures: dict[tuple[str, str, str, str], Fraction]  # period, type, subject, comp
    targets: dict[tuple[str, str, str, str], Decimal]    # type, subject, comp, period
    payouts: dict[Key, Decimal]


def compute(case: Case) -> Reference:
    ancestors: dict[str, list[str]] = {}
    for team in case.teams:
        chain, parent = [], case.teams[team]
        while parent is not None:
            chain.append(parent)
            parent = case.teams[parent]
        ancestors[team] = chain

    def team_on(payee: str, day: date) -> list[str]:
        return [t for p, t, s, e in case.stints if p == payee and s <= day
                and (e is None or day <= e)]

    eligible = [p for p in sorted(case.payees) if case.eligible_roles is None
                or case.roles.get(p) in case.eligible_roles]

    # Crediting.
    credits = []
    stage = {}
    for deal_id, owner, amount, deal_stage, close in case.deals:
        if not RUN_START <= close <= RUN_END:
            continue
        period = _period_of(close, case.run_periods)
        stage[deal_id] = deal_stage
        credited = ([(p, Fraction(s), "split") for p, s in case.splits[deal_id]]
                    if deal_id in case.splits else [(owner, Fraction(1), "owner")])
        for payee, share, rule in credited:
            value = Fraction(amount) * share
            credits.append((period, deal_id, "payee", payee, rule, payee, value))
            for team in team_on(payee, close):
                credits.append((period, deal_id, "team", team, "membership", payee, value))
                for above in ancestors[team]:
                    credits.append((period, deal_id, "team", above, "rollup", payee, value))
            if case.credit_leaders:
                # a player-coach's own credit is not credited again as leader
                leaders = {case.leaders[t] for t in team_on(payee, close)
                           for t in [t, *ancestors[t]] if t in case.leaders} - {payee}
                for leader in sorted(leaders):
                    credits.append((period, deal_id, "payee", leader, "leader", payee, value))

    # Measures (every component measures Won amount) and each member's contribution.
    measures: dict[tuple[str, str, str, str], Fraction] = defaultdict(Fraction)
    contribution: dict[tuple[str, str, str, str], Fraction] = defaultdict(Fraction)
    for period, deal_id, stype, subject, _rule, payee, value in credits:
        for c in case.components:
            if c.scope == stype:
                won = value if stage[deal_id] == "Won" else Fraction(0)
                measures[(period, stype, subject, c.id)] += won
                if stype == "team":
                    contribution[(period, subject, payee, c.id)] += won

    def direct_days(payee: str, period: str) -> dict[str, int]:
        days: dict[str, int] = defaultdict(int)
        for p, t, s, e in case.stints:
            if p == payee and _overlap(s, e, period):
                days[t] += _overlap(s, e, period)
        return days

    # Targets: rows for the plan's periods as given; a coarser row split over its periods.
    kind_periods = QUARTERS if case.period_kind == "quarter" else MONTHS
    targets: dict[tuple[str, str, str, str], Decimal] = {}
    for stype, subject, measure, period, amount in case.targets:
        if period in kind_periods:
            targets[(stype, subject, measure, period)] = amount
        else:
            start, end = PERIODS[period]
            inner = [p for p, (s, e) in kind_periods.items() if start <= s and e <= end]
            shares = [Fraction(1) if case.distribution == "equal" else
                      Fraction(period_days(p)) for p in inner]
            for label, part in zip(inner, largest_remainder(amount, shares, 30),
                                   strict=True):
                targets[(stype, subject, measure, label)] = part

    def main_team(payee: str, period: str) -> str | None:
        days = direct_days(payee, period)
        if not days:
            return None
        latest = {t: s for p, t, s, _ in case.stints if p == payee}
        return max(days, key=lambda t: (days[t], latest[t]))

    for c in case.components:
        if c.from_team:
            source, by = c.from_team
            for period in case.run_periods:
                by_team: dict[str, list[str]] = defaultdict(list)
                for payee in eligible:
                    team = main_team(payee, period)
                    if team is not None:
                        by_team[team].append(payee)
                for team, members in by_team.items():
                    team_target = targets.get(("team", team, source, period))
                    if team_target is None:
                        continue
                    weights = [Fraction(case.payees[m]) if by == "ti_share" else Fraction(1)
                               for m in members]
                    for m, part in zip(members,
                                       largest_remainder(team_target, weights, 30),
                                       strict=True):
                        targets[("payee", m, c.id, period)] = part
        if c.sum_of_members:
            for period in case.run_periods:
                totals: dict[str, Fraction] = defaultdict(Fraction)
                for payee in case.payees:
                    member_target = targets.get(("payee", payee, c.sum_of_members, period))
                    for team, days in direct_days(payee, period).items():
                        for t in [team, *ancestors[team]]:
                            if member_target is not None:
                                totals[t] += Fraction(member_target) * days / period_days(
                                    period)
                for t, total in totals.items():
                    targets[("team", t, c.id, period)] = round_cents(total, case.rounding)

    def measure(period: str, stype: str, subject: str, comp: str) -> Fraction:
        return measures.get((period, stype, subject, comp), Fraction(0))

    def attainment(period: str, stype: str, subject: str, comp: str) -> Fraction | None:
        target = targets.get((stype, subject, comp, period))
        if not target:
            return None
        return measure(period, stype, subject, comp) / Fraction(target)

    first_team = next((c.id for c in case.components if c.scope == "team"), None)
    first_payee = next((c.id for c in case.components if c.scope == "payee"), None)

    def gate_passes(c: Comp, payee: str, period: str, team: str | None) -> bool:
        if "team_attainment_at_least" in c.gate:
            which = c.id if c.scope == "team" else first_team
            subject = team if team is not None else main_team(payee, period)
            att = (attainment(period, "team", subject, which)
                   if subject is not None and which is not None else None)
            if att is None or att < c.gate["team_attainment_at_least"]:
                return False
        if "personal_attainment_at_least" in c.gate:
            att = attainment(period, "payee", payee, first_payee) if first_payee else None
            if att is None or att < c.gate["personal_attainment_at_least"]:
                return False
        if "min_contribution_share" in c.gate and team is not None:
            total = measure(period, "team", team, c.id)
            share = contribution[(period, team, payee, c.id)] / total if total else Fraction(0)
            if share < c.gate["min_contribution_share"]:
                return False
        return True

    payouts: dict[Key, Decimal] = {}
    for period in case.run_periods:
        days_in_period = period_days(period)
        share_of_year = Fraction(1 if case.period_kind == "month" else 3, 12)
        for c in case.components:
            if c.kind == "curve":
                for payee in eligible:
                    ti = case.payees[payee]
                    subjects = ([(payee, None, days_in_period)] if c.scope == "payee" else
                                [(t, t, d) for t, d in direct_days(payee, period).items()])
                    for subject, team, days in subjects:
                        att = attainment(period, c.scope, subject, c.id)
                        if att is None:
                            continue  # no target: a warning, no line
                        amount = Decimal("0.00")
                        if gate_passes(c, payee, period, team):
                            amount = round_cents(
                                Fraction(ti) * share_of_year * Fraction(c.weight)
                                * curve_factor(c.curve, att, c.cap)
                                * Fraction(days, days_in_period), case.rounding)
                        payouts[(period, payee, c.id, "curve", team)] = amount
            elif c.kind == "commission":
                for payee in eligible:
                    target = targets.get(("payee", payee, c.id, period))
                    tiers = c.tiers or [(Decimal(0), c.rate)]
                    needs_target = c.basis == "attainment" and (
                        len(tiers) > 1 or tiers[0][0] != 0 or c.mode == "zero_until_quota")
                    if needs_target and not target:
                        continue
                    scale = Fraction(target) if c.basis == "attainment" and target else 1
                    money = [(Fraction(a) * scale, Fraction(r)) for a, r in tiers]
                    value = measure(period, "payee", payee, c.id)
                    amount = Decimal("0.00")
                    if gate_passes(c, payee, period, None):
                        floor = Fraction(target) if c.mode == "zero_until_quota" else None
                        amount = round_cents(commission(value, money, c.mode, floor),
                                             case.rounding)
                    payouts[(period, payee, c.id, "commission", None)] = amount
            else:
                members: dict[str, dict[str, int]] = defaultdict(dict)
                for payee in eligible:
                    for team, days in direct_days(payee, period).items():
                        for t in [team, *ancestors[team]]:
                            members[t][payee] = members[t].get(payee, 0) + days
                for team, days_of in members.items():
                    pool = round_cents(Fraction(c.pool_rate)
                                       * measure(period, "team", team, c.id), case.rounding)
                    sharing = [p for p in sorted(days_of)
                               if gate_passes(c, p, period, team)]
                    weights = [Fraction(days_of[p]) if c.split == "equal" else
                               Fraction(case.payees[p]) * days_of[p] if c.split == "ti_share"
                               else contribution[(period, team, p, c.id)] for p in sharing]
                    parts = dict(zip(sharing, largest_remainder(pool, weights), strict=True))
                    for payee in days_of:
                        payouts[(period, payee, c.id, "pool", team)] = parts.get(
                            payee, Decimal("0.00"))
        for c in case.components:
            if c.cap_amount is None:
                continue
            for payee in case.payees:
                earned = sum((a for (p, who, cid, _t, _team), a in payouts.items()
                              if p == period and who == payee and cid == c.id), Decimal(0))
                if earned > c.cap_amount:
                    payouts[(period, payee, c.id, "cap", None)] = c.cap_amount - earned
        if case.plan_cap is not None:
            for payee in case.payees:
                earned = sum((a for (p, who, *_rest), a in payouts.items()
                              if p == period and who == payee), Decimal(0))
                if earned > case.plan_cap:
                    payouts[(period, payee, "_plan", "cap", None)] = case.plan_cap - earned
    if case.draw is not None:
        draw, kind = case.draw
        for payee in eligible:
            owed = Decimal(0)
            for period in case.run_periods:
                earned = sum((a for (p, who, *_rest), a in payouts.items()
                              if p == period and who == payee), Decimal(0))
                if earned < draw:
                    payouts[(period, payee, "_plan", "draw", None)] = draw - earned
                    owed += draw - earned if kind == "recoverable" else 0
                elif owed > 0:  # a 0.00 line when earnings just meet the draw: owed stays
                    recovered = min(earned - draw, owed)
                    owed -= recovered
                    payouts[(period, payee, "_plan", "draw_recovery", None)] = -recovered
    return Reference(credits, dict(measures), targets, payouts)


def curve_factor(points: list[tuple[Decimal, Decimal]], x: Fraction,
                 cap: Decimal | None) -> Fraction:
    """0 below the first point, linear between points, the last slope beyond, then the cap."""
    pts = [(Fraction(a), Fraction(b)) for a, b in points]
    if x < pts[0][0]:
        return Fraction(0)
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    for left, right in zip(pts, pts[1:], strict=False):
        if x <= right[0]:
            (x0, y0), (x1, y1) = left, right
            break
    factor = max(y0 + (x - x0) * (y1 - y0) / (x1 - x0), Fraction(0))
    return factor if cap is None else min(factor, Fraction(cap))


def commission(value: Fraction, tiers: list[tuple[Fraction, Fraction]], mode: str,
               floor: Fraction | None) -> Fraction:
    """Marginal: each slice of ``value`` at its tier's rate. Whole: all of it at the rate of
    the highest tier reached. Zero-until-quota: marginal, but only the part above ``floor``."""
    if value <= 0:
        return Fraction(0)
    if mode == "whole":
        reached = [rate for start, rate in tiers if value >= start]
        return value * reached[-1] if reached else Fraction(0)
    total = Fraction(0)
    bounds = [start for start, _ in tiers[1:]] + [None]
    for (start, rate), end in zip(tiers, bounds, strict=True):
        low = start if floor is None else max(start, floor)
        high = value if end is None else min(value, end)
        total += max(high - low, Fraction(0)) * rate
    return total

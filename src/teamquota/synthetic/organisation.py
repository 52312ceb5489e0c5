"""The people side of a synthetic data set: payees, teams, memberships and targets.

Targets are set from each subject's *expected* Won bookings times lognormal noise, so
attainments land below gates, between curve points and above caps in realistic shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from teamquota.data.tables import MEMBERSHIPS, MONEY, PAYEES, TARGETS, TEAMS
from teamquota.synthetic.arrow import dates_from_days, day_number, decimal_from_cents, ids
from teamquota.synthetic.spec import SyntheticSpec

OPEN_END = -1  # memberships.end_date is null (ongoing)


@dataclass(frozen=True)
class Quarter:
    label: str
    start: int  # day numbers, inclusive
    end: int


def quarters(year: int) -> list[Quarter]:
    starts = [date(year, m, 1) for m in (1, 4, 7, 10)] + [date(year + 1, 1, 1)]
    return [Quarter(f"{year}-Q{i + 1}", day_number(starts[i]), day_number(starts[i + 1]) - 1)
            for i in range(4)]


@dataclass
class Organisation:
    spec: SyntheticSpec
    weights: np.ndarray          # probability that a deal belongs to each payee
    ti_cents: np.ndarray         # annual target incentive per payee
    member_payee: np.ndarray     # memberships, one entry per row
    member_team: np.ndarray      # leaf team index
    member_start: np.ndarray     # day number
    member_end: np.ndarray       # day number or OPEN_END
    personal_target_cents: np.ndarray  # (payees, 4); 0 = no target
    team_target_cents: np.ndarray      # (teams, 4)

    @property
    def payee_ids(self) -> pa.Array:
        return ids("P", np.arange(1, self.spec.payees + 1), 5)

    @property
    def team_ids(self) -> pa.Array:
        return ids("T", np.arange(1, self.spec.teams + 1), 4)

    def payees(self) -> pa.Table:
        n = self.spec.payees
        numbers = np.arange(1, n + 1)
        emails = ids("p", numbers, 5).to_pylist()
        return pa.table({
            "payee_id": self.payee_ids,
            "name": ids("Payee ", numbers, 5),
            "email": pa.array([f"{e}@example.com" for e in emails]),
            "role": pa.array(["AE"] * n),
            "currency": pa.array(["USD"] * n),
            "target_incentive": decimal_from_cents(self.ti_cents, MONEY),
        }, schema=PAYEES.schema)

    def teams(self) -> pa.Table:
        spec = self.spec
        region_ids = ids("R", np.arange(1, spec.regions + 1), 2)
        leaf = np.arange(spec.teams)
        first_member = np.full(spec.teams, -1)
        initial = self.member_start < day_number(date(spec.year, 1, 1))
        # leader: the lowest-numbered payee who starts the year in the team
        for payee, team in zip(self.member_payee[initial][::-1], self.member_team[initial][::-1],
                               strict=True):
            first_member[team] = payee
        leaders = [None if p < 0 else f"P{p + 1:05d}" for p in first_member]
        parents = region_ids.take(pa.array(leaf % spec.regions))
        return pa.table({
            "team_id": pa.concat_arrays([region_ids, self.team_ids]),
            "name": pa.concat_arrays([ids("Region ", np.arange(1, spec.regions + 1), 2),
                                      ids("Team ", leaf + 1, 4)]),
            "leader_id": pa.array([None] * spec.regions + leaders, pa.string()),
            "parent_team_id": pa.concat_arrays([pa.nulls(spec.regions, pa.string()), parents]),
        }, schema=TEAMS.schema)

    def memberships(self) -> pa.Table:
        open_ = self.member_end == OPEN_END
        return pa.table({
            "payee_id": self.payee_ids.take(pa.array(self.member_payee)),
            "team_id": self.team_ids.take(pa.array(self.member_team)),
            "start_date": dates_from_days(self.member_start),
            "end_date": dates_from_days(np.where(open_, 0, self.member_end), ~open_),
        }, schema=MEMBERSHIPS.schema)

    def targets(self) -> pa.Table:
        labels = [q.label for q in quarters(self.spec.year)]
        parts = []
        for kind, measure, subject_ids, cents in (
                ("payee", "personal", self.payee_ids, self.personal_target_cents),
                ("team", "team", self.team_ids, self.team_target_cents)):
            subject, quarter = np.nonzero(cents)  # row-major: subject, then quarter
            parts.append(pa.table({
                "subject_type": pa.array([kind] * len(subject)),
                "subject_id": subject_ids.take(pa.array(subject)),
                "measure": pa.array([measure] * len(subject)),
                "period": pa.array(labels).take(pa.array(quarter)),
                "amount": decimal_from_cents(cents[subject, quarter], MONEY),
            }, schema=TARGETS.schema))
        return pa.concat_tables(parts)


def _round_to(values: np.ndarray, unit: int) -> np.ndarray:
    return np.maximum(np.round(values / unit).astype(np.int64) * unit, unit)


def build_organisation(spec: SyntheticSpec) -> Organisation:
    rng = np.random.default_rng([spec.seed, 0])
    n, t = spec.payees, spec.teams
    talent = rng.lognormal(0.0, 0.35, n)
    weights = talent / talent.sum()
    ti_cents = rng.integers(300, 1501, n) * 10_000          # $30,000 .. $150,000 whole
    with_cents = rng.random(n) < 0.1                        # some odd amounts: ties happen
    ti_cents = ti_cents + with_cents * rng.integers(1, 100, n)

    year_start = day_number(date(spec.year, 1, 1))
    year_days = day_number(date(spec.year + 1, 1, 1)) - year_start
    team_of = rng.permutation(np.arange(n) % t)
    movers = np.flatnonzero(rng.random(n) < spec.move_share)
    move_day = year_start + rng.integers(31, year_days - 31, len(movers))  # last day in A
    new_team = (team_of[movers] + rng.integers(1, t, len(movers))) % t
    before = day_number(date(spec.year - 1, 7, 1))
    member_payee = np.concatenate([np.arange(n), movers])
    member_team = np.concatenate([team_of, new_team])
    member_start = np.concatenate([np.full(n, before), move_day + 1])
    member_end = np.full(n + len(movers), OPEN_END)
    member_end[movers] = move_day
    order = np.lexsort((member_start, member_payee))

    # expected Won bookings per payee per day, in cents
    mean_cents = spec.mean_deal_amount * 100
    per_day = spec.deals * spec.won_share * weights * mean_cents / year_days
    qs = quarters(spec.year)
    personal = np.empty((n, 4))
    team_expected = np.zeros((t, 4))
    for i, q in enumerate(qs):
        personal[:, i] = per_day * (q.end - q.start + 1)
        end = np.where(member_end == OPEN_END, q.end, np.minimum(member_end, q.end))
        days = np.maximum(end - np.maximum(member_start, q.start) + 1, 0)
        np.add.at(team_expected[:, i], member_team, per_day[member_payee] * days)
    personal_target = _round_to(personal * rng.lognormal(0.0, 0.3, (n, 4)), 10_000)
    personal_target[rng.random((n, 4)) < spec.missing_target_share] = 0
    team_target = _round_to(team_expected * rng.lognormal(0.0, 0.2, (t, 4)), 100_000)
    return Organisation(spec, weights, ti_cents, member_payee[order], member_team[order],
                        member_start[order], member_end[order], personal_target, team_target)

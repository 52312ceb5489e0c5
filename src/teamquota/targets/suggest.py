"""Suggest targets from history, as a canonical targets table a person edits before use.

Per payee and period: the mean of the ``lookback`` most recent periods of history before the
period (each partial period scaled to a full one, see :mod:`teamquota.targets.history`),
times ``growth``, rounded half-up to ``round_to``. A payee without any history gets the
median of their team's suggestions and a note saying so. Team targets are the sums of their
members' targets, sub-teams included. Every row carries a ``note`` column saying how its
number was made, so the CSV explains itself.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from teamquota.core.money import ZERO, allocate, exact_div
from teamquota.core.periods import Period, PeriodKind, parse_period, periods_between
from teamquota.core.spreadsheet import write_csv
from teamquota.data.dataset import Dataset, to_table
from teamquota.data.tables import TARGETS
from teamquota.targets.history import Coverage, coverage, scaled, won_by_period

Method = Literal["trailing", "run_rate"]


@dataclass(frozen=True)
class Suggestion:
    payee_id: str
    period: str
    amount: Decimal
    note: str


def _target_periods(kind: PeriodKind, year: int | None, periods: Sequence[str] | None,
                    year_start_month: int) -> list[Period]:
    if periods:
        return [parse_period(label, year_start_month) for label in periods]
    if year is None:
        raise ValueError("give a year or a list of period labels")
    whole = parse_period(str(year), year_start_month)
    return periods_between(kind, whole.start, whole.end, year_start_month)


def _covered_periods(cover: Coverage, kind: PeriodKind, year_start_month: int) -> list[Period]:
    return periods_between(kind, cover.first, cover.last, year_start_month)


def _basis(first_target: Period, history: list[Period], method: Method, lookback: int
           ) -> tuple[list[Period], str]:
    """The history periods all targets are based on, and a note if it had to fall back.

    Targets are set once, at the start of the first target period, as they are in practice:
    every target period of a year gets the same basis (seasonality belongs to the plan's
    target distribution, not here).
    """
    if method == "run_rate":
        return history, ""
    before = [p for p in history if p.end < first_target.start]
    if before:
        return before[-lookback:], ""
    # no history before the targets start (the Maven demo sets 2017 targets from 2017 data)
    return history[:lookback], f"no history before {first_target.label}; "


def _prorate(amount: Decimal, target: Period, cover: Coverage, enabled: bool
             ) -> tuple[Decimal, str]:
    """Shrink a target period that starts before the data does (the demo's 2017-Q1 has
    deals from March only, so its target covers 31 of 90 days)."""
    if not enabled or not target.start < cover.first <= target.end:
        return amount, ""
    days = (target.end - cover.first).days + 1
    return (exact_div(amount * days, Decimal(target.days)),
            f" x {days}/{target.days} days (the data starts {cover.first})")


def _round(amount: Decimal, unit: Decimal) -> Decimal:
    rounded = (amount / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    # a small positive history must not round to a target of 0 (attainment would be undefined)
    return max(rounded, unit) if amount > 0 else rounded


def _members(dataset: Dataset, period: Period) -> dict[str, list[str]]:
    """team_id -> payees with a membership overlapping the period."""
    members: dict[str, list[str]] = {}
    for row in dataset["memberships"].to_pylist():
        end = row["end_date"] or period.end
        if row["start_date"] <= period.end and end >= period.start:
            members.setdefault(row["team_id"], []).append(row["payee_id"])
    return members


def _descendants(dataset: Dataset) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for row in dataset["teams"].to_pylist():
        if row["parent_team_id"]:
            children.setdefault(row["parent_team_id"], []).append(row["team_id"])
    result: dict[str, list[str]] = {}
    for team in dataset["teams"]["team_id"].to_pylist():
        seen, stack = [], [team]
        while stack:  # teams are a tree; the seen-check also stops at a (bad) cycle
            current = stack.pop()
            if current not in seen:
                seen.append(current)
                stack.extend(children.get(current, []))
        result[team] = seen
    return result


def suggest_payee_targets(dataset: Dataset, period: PeriodKind = "quarter",
                          year: int | None = 2017, periods: Sequence[str] | None = None,
                          method: Method = "trailing", lookback: int = 2,
                          growth: Decimal = Decimal("1.10"), round_to: Decimal = Decimal(1000),
                          year_start_month: int = 1, prorate_to_data: bool = False,
                          currency: str = "USD") -> list[Suggestion]:
    targets = _target_periods(period, year, periods, year_start_month)
    cover = coverage(dataset)
    won = won_by_period(dataset, period, year_start_month, currency=currency)
    history = _covered_periods(cover, period, year_start_month) if cover else []
    suggestions: list[Suggestion] = []
    for target in targets:
        basis, fallback = _basis(targets[0], history, method, lookback)
        members = _members(dataset, target)
        member_ids = sorted({p for team in members.values() for p in team})
        own: dict[str, Suggestion] = {}
        for payee in member_ids:
            by_period = won.get(payee)
            if not by_period or not basis or cover is None:
                continue
            values = [scaled(by_period.get(p.label, ZERO), p, cover) for p in basis]
            mean = exact_div(sum(values, ZERO), Decimal(len(values)))
            labels = ", ".join(p.label for p in basis)
            partial = [p.label for p in basis if cover.days_in(p) < p.days]
            scaled_note = f" ({', '.join(partial)} scaled to a full period)" if partial else ""
            amount, prorated = _prorate(mean * growth, target, cover, prorate_to_data)
            own[payee] = Suggestion(payee, target.label, _round(amount, round_to),
                                    f"{fallback}mean won of {labels}{scaled_note} x {growth}"
                                    f"{prorated}")
        for payee in member_ids:
            if payee in own:
                suggestions.append(own[payee])
                continue
            teams = [t for t, ids in members.items() if payee in ids]
            peers = [own[p].amount for t in teams for p in members[t] if p in own]
            if peers:
                median = _round(Decimal(statistics.median(peers)), round_to)
                suggestions.append(Suggestion(payee, target.label, median,
                                              "no won deals in the history: median of team "
                                              f"{', '.join(sorted(teams))}; check by hand"))
            else:
                suggestions.append(Suggestion(payee, target.label, ZERO,
                                              "no history and no team history: set by hand"))
    return suggestions


def suggest_targets(dataset: Dataset, period: PeriodKind = "quarter", year: int | None = 2017,
                    periods: Sequence[str] | None = None, method: Method = "trailing",
                    lookback: int = 2, growth: Decimal = Decimal("1.10"),
                    measure: str = "personal", team_measure: str | None = "team",
                    round_to: Decimal = Decimal(1000), year_start_month: int = 1,
                    prorate_to_data: bool = False, currency: str = "USD") -> pa.Table:
    """Suggested payee (and team) targets in the canonical targets schema plus ``note``.

    ``method="trailing"``: the ``lookback`` most recent history periods before each target
    period; ``"run_rate"``: every period of history. ``team_measure=None`` leaves out team
    rows. ``prorate_to_data`` shrinks a target period that starts before the data does by
    the share of its days the data covers. Rows are sorted by subject type, subject and
    period. History is converted into ``currency``, the plan's (targets are in it, as the
    engine's measures are), at the fx rate of each deal's close date, the engine's rules
    (data/fx.py); a deal no rate converts raises :class:`InputError` (D011).
    """
    suggestions = suggest_payee_targets(dataset, period, year, periods, method, lookback,
                                        growth, round_to, year_start_month, prorate_to_data,
                                        currency)
    rows = [{"subject_type": "payee", "subject_id": s.payee_id, "measure": measure,
             "period": s.period, "amount": s.amount, "note": s.note} for s in suggestions]
    if team_measure is not None:
        rows += _team_rows(dataset, suggestions, team_measure, period, year_start_month)
    rows.sort(key=lambda r: (r["subject_type"], r["subject_id"],
                             parse_period(str(r["period"]), year_start_month).start))
    table = to_table(TARGETS, rows)
    return table.select([*TARGETS.column_names, "note"])


def _team_rows(dataset: Dataset, suggestions: list[Suggestion], measure: str,
               kind: PeriodKind, year_start_month: int) -> list[dict[str, object]]:
    amounts = {(s.payee_id, s.period): s.amount for s in suggestions}
    descendants = _descendants(dataset)
    rows: list[dict[str, object]] = []
    for label in sorted({s.period for s in suggestions}):
        target = parse_period(label, year_start_month)
        members = _members(dataset, target)
        for team, subteams in descendants.items():
            payees = sorted({p for t in subteams for p in members.get(t, [])})
            if not payees:
                continue
            total = sum((amounts.get((p, label), ZERO) for p in payees), ZERO)
            rows.append({"subject_type": "team", "subject_id": team, "measure": measure,
                         "period": label, "amount": total,
                         "note": f"sum of {len(payees)} members' targets"})
    return rows


def allocate_team_targets(team_targets: pa.Table, weights: Mapping[str, Mapping[str, Decimal]],
                          measure: str = "personal", places: int = 2) -> pa.Table:
    """Split each team target row among the team's members by weight, summing exactly.

    ``weights`` is team_id -> payee_id -> weight (e.g. last year's won, or 1 each). Uses
    largest-remainder allocation, so the members' targets add up to the team's to the cent.
    """
    rows = []
    for row in team_targets.filter(pc.equal(team_targets["subject_type"], "team")).to_pylist():
        team_weights = weights.get(row["subject_id"], {})
        payees = sorted(team_weights)
        parts = allocate(row["amount"], [team_weights[p] for p in payees], places)
        rows += [{"subject_type": "payee", "subject_id": payee, "measure": measure,
                  "period": row["period"], "amount": part,
                  "note": f"{row['subject_id']} target {row['amount']} x weight"}
                 for payee, part in zip(payees, parts, strict=True)]
    return to_table(TARGETS, rows).select([*TARGETS.column_names, "note"])


def write_targets_csv(table: pa.Table, path: str | Path) -> Path:
    """Write targets as a CSV a person can edit: plain decimals, a header, one row per line."""
    path = Path(path)
    write_csv((row.values() for row in table.to_pylist()), path, table.column_names)
    return path


"""What changed in a period's payouts, per payee and component, and why where it is known.

Two comparisons: against the previous period (the one ending before this one starts), and
against the last *approved* run of this period when a later run replaced it (the approval
lapsed: ``period.approve``'s audit event names the run). Causes come from what is recorded:
the runs' credits, targets, teams and plan versions (``DjangoStore.inputs``, the ledger's own
``causes.describe`` between two runs), the imports a run read, and the ledger's entries
(manual adjustments, corrections and clawbacks carry their cause). Where none of that
differs the change says "cause unknown" rather than guessing."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from teamquota.core.money import ZERO, fmt_amount
from teamquota.ledger.causes import Inputs, describe
from teamquota.web.comp.access import during
from teamquota.web.comp.models import (
    AttainmentRow,
    AuditEvent,
    CreditRow,
    Membership,
    Payee,
    PayoutLine,
    Period,
    Run,
)
from teamquota.web.comp.services.money import shown

CENT = Decimal("0.01")  # a target as stored (DjangoStore reads it so)
LIMIT = 300  # changes listed per comparison (the count says how many there are)
UNKNOWN = "cause unknown"
Key = tuple[str, str, str]  # payee id, plan id, component


@dataclass
class Change:
    payee: Payee
    plan_id: str
    component: str
    currency: str
    before: Decimal | None
    after: Decimal | None
    causes: list[str] = field(default_factory=list)

    @property
    def delta(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)

    def _text(self, amount: Decimal | None) -> str:
        return "—" if amount is None else shown(amount, self.currency)

    @property
    def before_shown(self) -> str:
        return self._text(self.before)

    @property
    def after_shown(self) -> str:
        return self._text(self.after)

    @property
    def delta_shown(self) -> str:
        text = self._text(self.delta)
        return text if self.delta <= 0 else f"+{text}"


@dataclass
class Comparison:
    title: str
    other: str  # what this period is compared with, e.g. "2016-Q4 (run #3)"
    changes: list[Change]
    count: int  # every change, the list holds at most LIMIT


@dataclass
class _Side:
    sums: dict[Key, Decimal]
    currency: dict[Key, str]
    team: dict[Key, str]
    entries: dict[Key, list[str]]


def _side(lines: object) -> _Side:
    side = _Side(defaultdict(lambda: ZERO), {}, {}, defaultdict(list))
    for (payee, plan_id, component, currency, amount, team, run_id, line_type, source,
         cause) in lines.values_list(  # type: ignore[attr-defined]
            "payee__payee_id", "plan_id", "component_id", "currency", "amount",
            "team__team_id", "run_id", "line_type", "adjusts_period", "cause"):
        key = (payee, plan_id, component)
        side.sums[key] += amount
        side.currency[key] = currency
        if team:
            side.team.setdefault(key, team)
        if run_id is None:
            side.entries[key].append(f"manual adjustment {fmt_amount(amount)}"
                                     + (f": {cause}" if cause else ""))
        elif source:
            side.entries[key].append(f"{line_type} for {source} {fmt_amount(amount)}"
                                     + (f": {cause}" if cause else ""))
    return side


class RunInputs:
    """What one run read for one period, for every key at once: the same
    :class:`~teamquota.ledger.causes.Inputs` as ``DjangoStore.inputs`` (which asks the
    database four times per key, fine for a correction, 300 keys too slow for a page), in
    four queries. ``test_close_workbench`` checks both agree on every key."""

    def __init__(self, run_id: int | None, label: str) -> None:
        self.label = label
        self.credits: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
            lambda: defaultdict(lambda: ZERO))
        self.targets: dict[tuple[str, str, str, str], Decimal | None] = {}
        self.versions: dict[str, str] = {}
        self.teams: dict[Key, set[str]] = defaultdict(set)
        if run_id is None:
            return
        for stype, sid, deal, amount in CreditRow.objects.filter(
                run_id=run_id, period=label).values_list(
                "subject_type", "subject_id", "deal_id", "amount").order_by("pk"):
            self.credits[(stype, sid)][deal] += Decimal(str(amount or ZERO))
        for plan_id, component, stype, sid, target in AttainmentRow.objects.filter(
                run_id=run_id, period=label).values_list(
                "plan_id", "component_id", "subject_type", "subject_id", "target_amount"
                ).order_by("pk"):
            self.targets[(plan_id, component, stype, sid)] = \
                None if target is None else Decimal(str(target)).quantize(CENT)
        for plan_id, number in Run.objects.get(pk=run_id).plan_versions.values_list(
                "plan__plan_id", "number").order_by("-number"):
            self.versions.setdefault(plan_id, f"{plan_id} version {number}")
        for payee, plan_id, component, team in PayoutLine.objects.filter(
                run_id=run_id, period=label, adjusts_period="").values_list(
                "payee__payee_id", "plan_id", "component_id", "team__team_id"):
            if team:
                self.teams[(payee, plan_id, component)].add(team)

    def inputs(self, key: Key, team_id: str | None) -> Inputs:
        payee_id, plan_id, component = key
        subjects = [("payee", payee_id)] + ([("team", team_id)] if team_id else [])
        credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
        targets: dict[str, Decimal | None] = {}
        for stype, sid in subjects:
            for deal, amount in self.credits.get((stype, sid), {}).items():
                credits[deal] += amount
            if (plan_id, component, stype, sid) in self.targets:
                targets[f"{stype} {sid} {self.label}"] = \
                    self.targets[(plan_id, component, stype, sid)]
        return Inputs(dict(credits), targets, self.versions.get(plan_id),
                      frozenset(self.teams.get(key, set())))


def _member_of(period: Period, payee_ids: set[str]) -> dict[str, list[str]]:
    """Each payee's teams (names, sorted) on some day of ``period``."""
    found: dict[str, set[str]] = defaultdict(set)
    for payee, team in Membership.objects.filter(
            during(period), payee__payee_id__in=payee_ids).values_list(
            "payee__payee_id", "team__name"):
        found[payee].add(team)
    return {p: sorted(t) for p, t in found.items()}


def previous_period(period: Period) -> Period | None:
    return (Period.objects.filter(end__lt=period.start, run__isnull=False)
            .order_by("-start").first())


def _targets(inputs: Inputs) -> dict[str, Decimal | None]:
    """The run's targets by subject, without the period (two periods' subjects match)."""
    return {name.rsplit(" ", 1)[0]: value for name, value in inputs.targets.items()}


def _across_periods(old: Inputs, new: Inputs, before: str, now: str) -> list[str]:
    parts = []
    credited = (sum(old.credits.values(), ZERO), sum(new.credits.values(), ZERO))
    if credited[0] != credited[1] or len(old.credits) != len(new.credits):
        parts.append(f"credited deals {fmt_amount(credited[0].quantize(Decimal('0.01')))} "
                     f"({len(old.credits)}) in {before} -> "
                     f"{fmt_amount(credited[1].quantize(Decimal('0.01')))} "
                     f"({len(new.credits)}) in {now}")
    a, b = _targets(old), _targets(new)
    for subject in sorted(set(a) | set(b)):
        if a.get(subject) != b.get(subject):
            was, became = a.get(subject), b.get(subject)
            parts.append(f"target {subject} "
                         f"{'none' if was is None else fmt_amount(was)} -> "
                         f"{'none' if became is None else fmt_amount(became)}")
    if old.teams != new.teams:
        parts.append(f"team membership {', '.join(sorted(old.teams)) or 'none'} -> "
                     f"{', '.join(sorted(new.teams)) or 'none'}")
    if old.plan_version != new.plan_version:
        parts.append(f"plan {old.plan_version or 'none'} -> {new.plan_version or 'none'}")
    return parts


def _changes(old: _Side, new: _Side, why: object) -> tuple[list[Change], int]:
    keys = sorted(k for k in set(old.sums) | set(new.sums)
                  if old.sums.get(k) != new.sums.get(k))
    payees = {p.payee_id: p for p in Payee.objects.filter(payee_id__in={k[0] for k in keys})}
    found = []
    for key in keys[:LIMIT]:
        before, after = old.sums.get(key), new.sums.get(key)
        causes = ["new line" if before is None else "line removed" if after is None else ""]
        causes += why(key)  # type: ignore[operator]
        causes = [c for c in causes if c] or [UNKNOWN]
        found.append(Change(payees[key[0]], key[1], key[2],
                            new.currency.get(key) or old.currency[key], before, after,
                            causes))
    return found, len(keys)


def vs_previous(period: Period) -> Comparison | None:
    prev = previous_period(period)
    if prev is None or period.run_id is None:
        return None
    was, now = RunInputs(prev.run_id, prev.label), RunInputs(period.run_id, period.label)
    old, new = _side(PayoutLine.shown(prev)), _side(PayoutLine.shown(period))
    # the teams each payee was a member of in either period: a move shows on a personal
    # line too (its payout line names no team)
    payees = {k[0] for k in set(old.sums) | set(new.sums)}
    teams_then, teams_now = _member_of(prev, payees), _member_of(period, payees)

    def why(key: Key) -> list[str]:
        parts = _across_periods(was.inputs(key, old.team.get(key)),
                                now.inputs(key, new.team.get(key)), prev.label, period.label)
        before, after = teams_then.get(key[0], []), teams_now.get(key[0], [])
        if before != after and not any(p.startswith("team membership") for p in parts):
            parts.append(f"member of {', '.join(before) or 'no team'} in {prev.label} -> "
                         f"{', '.join(after) or 'no team'} in {period.label}")
        parts += [f"{period.label}: {e}" for e in new.entries.get(key, [])]
        parts += [f"{prev.label} had {e}" for e in old.entries.get(key, [])]
        return parts

    changes, count = _changes(old, new, why)
    return Comparison(f"Changes since {prev.label}", f"{prev.label} (run #{prev.run_id})",
                      changes, count)


_RUN = re.compile(r"\(run #(\d+)\)")


def last_approved_run(period: Period) -> int | None:
    """The run of the period's latest approval (its audit event's details; events written
    before the details named it say it in their summary)."""
    event = (AuditEvent.objects.filter(action="period.approve", object_type="period",
                                       object_id=period.label).order_by("-at", "-id").first())
    if event is None:
        return None
    run = event.details.get("run") if isinstance(event.details, dict) else None
    if run is None:
        found = _RUN.search(event.summary)
        run = int(found.group(1)) if found else None
    return int(run) if run is not None else None


def _imports_since(old: Run, new: Run) -> list[str]:
    before = set(old.imports.values_list("pk", flat=True))
    return [f"{imp.table} import #{imp.pk} ({imp.file_name}) read by run #{new.pk} only"
            for imp in new.imports.exclude(pk__in=before).order_by("pk")]


def vs_approved(period: Period) -> Comparison | None:
    approved = last_approved_run(period)
    if approved is None or approved == period.run_id or period.run_id is None:
        return None
    old_run, new_run = Run.objects.filter(pk=approved).first(), period.run
    if old_run is None or new_run is None:
        return None
    imports = _imports_since(old_run, new_run)
    was, now = RunInputs(old_run.pk, period.label), RunInputs(new_run.pk, period.label)
    old = _side(PayoutLine.objects.filter(run=old_run, period=period.label))
    new = _side(PayoutLine.objects.filter(run=new_run, period=period.label))

    def why(key: Key) -> list[str]:
        said = describe(was.inputs(key, old.team.get(key)), now.inputs(key, new.team.get(key)))
        parts = [] if said.startswith("recalculated with the same") else [said]
        parts += new.entries.get(key, [])
        # an import read since explains a change only together with a deal or target change
        return parts + imports if parts else []

    changes, count = _changes(old, new, why)
    return Comparison(f"Changes since the approved run #{old_run.pk}",
                      f"run #{old_run.pk}, approved before run #{new_run.pk} replaced it",
                      changes, count)

"""Editing the organisation in the app: teams (name, leader from a date, parent) and
effective-dated memberships (join, move from a date, end).

A team's leadership is dated like a membership (:class:`Leadership`): changing the leader
from a day ends the open span the day before and opens the new leader's; removing the
leader ends it. ``Team.leader`` is the open span's payee (the engine and the pages read it).

Each change is checked before anything is written (one payee is never twice in one team at
the same time, a team is never its own ancestor, a move starts from a membership that
exists), written in one transaction, audited, and recorded as an ``edit`` of the table in
the import history: runs read these tables like imported data, so segregation of duties
treats the editor as a data author (they cannot approve the payouts it produces). Nothing
is recalculated here; the next run reads the new organisation. A change reaching into a
locked period becomes an adjustment in the next open period, as a late deal does.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from teamquota.data.limits import (
    DATE_MIN,
    ID_CHARS,
    ID_MAX,
    ID_PATTERN,
    MAX_LENGTHS,
    date_problem,
)
from teamquota.web.comp.models import (
    Import,
    Leadership,
    Membership,
    Payee,
    Period,
    Team,
    User,
    record,
)


def _team_id_ok(team_id: str) -> bool:
    """An id as data.limits allows it, starting with a letter or digit."""
    return bool(ID_PATTERN.fullmatch(team_id)) and re.match("[A-Za-z0-9]", team_id) is not None


class OrgError(Exception):
    """A change that would break the organisation; the message says what and why."""


def _edit(user: User, table: str, summary: str, rows: int) -> Import:
    return Import.objects.create(table=table, mode="edit", file_name=summary[:300],
                                 created_by=user, rows_imported=rows)


def _locked_note(day: date) -> str:
    locked = list(Period.objects.filter(status="locked", end__gte=day)
                  .values_list("label", flat=True))
    if not locked:
        return ""
    return (f"; it reaches into locked {', '.join(locked)}: the next run carries the "
            "difference into the next open period as adjustments")


def _span(start: date, end: date | None) -> str:
    return f"{start} to {end}" if end else f"from {start}"


def _overlapping(payee: Payee, team: Team, start: date, end: date | None,
                 exclude: int | None = None) -> Membership | None:
    found = Membership.objects.filter(payee=payee, team=team).exclude(end_date__lt=start)
    if end is not None:
        found = found.filter(start_date__lte=end)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("start_date").first()


def _no_overlap(payee: Payee, team: Team, start: date, end: date | None,
                exclude: int | None = None) -> None:
    other = _overlapping(payee, team, start, end, exclude)
    if other is not None:
        raise OrgError(f"{payee.name} ({payee.payee_id}) is already in {team.name} "
                       f"{_span(other.start_date, other.end_date)}, which overlaps "
                       f"{_span(start, end)}; one payee is in one team once at a time "
                       "(end or change that membership first)")


def _check_dates(start: date, end: date | None) -> None:
    for label, day in (("from", start), ("to", end)):
        problem = date_problem(day) if day is not None else None
        if problem:  # 0001-01-01 to 9999-12-31 put every insight page into a 500
            raise OrgError(f"{label}: {day} {problem}; leave the end blank for 'ongoing'")
    if end is not None and end < start:
        raise OrgError(f"end date {end} is before start date {start}")


def add_membership(user: User, payee: Payee, team: Team, start: date,
                   end: date | None) -> str:
    """``payee`` joins ``team`` for [start, end] (end None: open)."""
    _check_dates(start, end)
    with transaction.atomic():
        _no_overlap(payee, team, start, end)
        Membership.objects.create(payee=payee, team=team, start_date=start, end_date=end)
        summary = (f"{user.username} added {payee.name} ({payee.payee_id}) to {team.name} "
                   f"{_span(start, end)}")
        imp = _edit(user, "memberships", summary, 1)
        record(user, "membership.add", "payee", payee.payee_id, summary, team=team.team_id,
               start=str(start), end=str(end) if end else None, edit=imp.pk)
    return summary + _locked_note(start)


def move_member(user: User, payee: Payee, source: Team, target: Team, day: date) -> str:
    """From ``day``, ``payee`` is in ``target`` instead of ``source``: the membership in
    ``source`` active on ``day`` ends the day before, and one in ``target`` starts on
    ``day`` (ending when the old one was planned to end)."""
    if source.pk == target.pk:
        raise OrgError(f"{payee.name} is already in {source.name}; pick another team")
    with transaction.atomic():
        current = (Membership.objects.select_for_update()
                   .filter(payee=payee, team=source, start_date__lte=day)
                   .exclude(end_date__lt=day).first())
        if current is None:
            raise OrgError(f"{payee.name} ({payee.payee_id}) is not in {source.name} on "
                           f"{day}, so they cannot move from it then")
        later = (Membership.objects.filter(payee=payee, team=source, start_date__gt=day)
                 .order_by("start_date").first())
        if later is not None:
            raise OrgError(f"{payee.name} has a later membership in {source.name} "
                           f"{_span(later.start_date, later.end_date)}; end or change it "
                           "before moving them")
        planned_end = current.end_date
        _no_overlap(payee, target, day, planned_end)
        if current.start_date == day:  # never really in the source team: re-point it
            current.team = target
            current.save(update_fields=["team"])
            ended = f"its membership from {day} now is in {target.name}"
        else:
            current.end_date = day - timedelta(days=1)
            current.save(update_fields=["end_date"])
            Membership.objects.create(payee=payee, team=target, start_date=day,
                                      end_date=planned_end)
            ended = f"{source.name} membership ends {current.end_date}"
        summary = (f"{user.username} moved {payee.name} ({payee.payee_id}) from "
                   f"{source.name} to {target.name} from {day} ({ended})")
        imp = _edit(user, "memberships", summary, 2)
        record(user, "membership.move", "payee", payee.payee_id, summary,
               source=source.team_id, target=target.team_id, day=str(day), edit=imp.pk)
    return summary + _locked_note(day)


def end_membership(user: User, membership: Membership, end: date | None) -> str:
    """Set (or clear, with None) the last day of ``membership``."""
    _check_dates(membership.start_date, end)
    payee, team = membership.payee, membership.team
    with transaction.atomic():
        _no_overlap(payee, team, membership.start_date, end, exclude=membership.pk)
        before = membership.end_date
        membership.end_date = end
        membership.save(update_fields=["end_date"])
        summary = (f"{user.username} set the end of {payee.name}'s ({payee.payee_id}) "
                   f"membership in {team.name} from {membership.start_date}: "
                   f"{before or 'open'} -> {end or 'open'}")
        imp = _edit(user, "memberships", summary, 1)
        record(user, "membership.end", "payee", payee.payee_id, summary, team=team.team_id,
               before=str(before) if before else None, after=str(end) if end else None,
               edit=imp.pk)
    changed_from = min(d for d in (before, end, date.max) if d is not None)
    return summary + _locked_note(changed_from)


def _leader_name(payee: Payee | None) -> str:
    return payee.name if payee is not None else "nobody"


def latest_leaderships(teams: list[int]) -> dict[int, Leadership]:
    """Each team's latest leadership span (by start), in one query."""
    latest: dict[int, Leadership] = {}
    for span in Leadership.objects.filter(team_id__in=teams).order_by("start_date"):
        latest[span.team_id] = span
    return latest


def leader_change_day(latest: Leadership | None, today: date) -> date:
    """The day a teams import changes a team's leader from (``latest``: its latest
    leadership span): the import's day, or 1900-01-01 (:data:`DATE_MIN`) for a team that
    never had a leader (a first import, a history load: its leader leads in every period,
    as before leadership had dates); never on or before a change already recorded (the
    open span's start, the day after a closed span)."""
    if latest is None:
        return DATE_MIN
    if latest.end_date is None:
        return max(today, latest.start_date)
    return max(today, latest.end_date + timedelta(days=1))


def change_leader(team: Team, leader: Payee | None, day: date,
                  field: str = "leader from") -> str | None:
    """From ``day``, ``leader`` (None: nobody) leads ``team``: the open span ends the day
    before and the new leader's opens (a span that starts on ``day`` is given to the new
    leader, or removed for nobody: its leader never led). Returns what changed, worded for
    the audit, or None when the leader stays. Refused, naming ``field``: a day outside
    data.limits' window, one before the open span's start, one on or before the end of
    the last span. Run inside the caller's transaction; ``Team.leader`` is the caller's."""
    problem = date_problem(day)
    if problem:
        raise OrgError(f"{field}: {day} {problem}")
    latest = (Leadership.objects.select_for_update().filter(team=team)
              .select_related("payee").order_by("start_date").last())
    current = latest if latest is not None and latest.end_date is None else None
    before = current.payee if current is not None else None
    if (before.pk if before else None) == (leader.pk if leader else None):
        return None
    words = (f"leader of {team.name}: {_leader_name(before)} -> {_leader_name(leader)} "
             f"from {day}")
    if current is not None:
        if day < current.start_date:
            raise OrgError(f"{field}: {day} is before {before.name} started leading "
                           f"{team.name} on {current.start_date}; a new leader starts on or "
                           "after that day")
        if day == current.start_date:  # the old leader never led: the span is the new one's
            if leader is None:
                current.delete()
            else:
                current.payee = leader
                current.save(update_fields=["payee"])
            return f"{words} ({before.name} no longer leads it from {day})"
        current.end_date = day - timedelta(days=1)
        current.save(update_fields=["end_date"])
        words += f" ({before.name}'s last day {current.end_date})"
    elif latest is not None and day <= latest.end_date:
        raise OrgError(f"{field}: {day} is not after {latest.payee.name}'s leadership of "
                       f"{team.name} ({_span(latest.start_date, latest.end_date)}); a new "
                       "leader starts after its last day")
    if leader is not None:
        Leadership.objects.create(team=team, payee=leader, start_date=day)
    return words


def _ancestors(team: Team) -> list[int]:
    parents = dict(Team.objects.values_list("id", "parent_id"))
    seen, node = [], team.parent_id
    while node is not None and node not in seen:
        seen.append(node)
        node = parents.get(node)
    return seen


def save_team(user: User, team: Team | None, team_id: str, name: str,
              leader: Payee | None, parent: Team | None,
              leader_from: date | None = None) -> tuple[Team, str]:
    """Create a team (``team`` None) or change its name, leader and parent. A new leader
    (or none) takes over from ``leader_from`` (None: today); see :func:`change_leader`."""
    name = name.strip()
    if not name:
        raise OrgError("a team needs a name")
    if len(name) > MAX_LENGTHS[("teams", "name")]:
        raise OrgError(f"name: {len(name)} characters; a team name has at most "
                       f"{MAX_LENGTHS[('teams', 'name')]}")
    if team is None and not _team_id_ok(team_id):
        raise OrgError(f"team id '{team_id}': {ID_CHARS} (up to {ID_MAX}), "
                       "starting with a letter or digit")
    if team is None and Team.objects.filter(team_id=team_id).exists():
        raise OrgError(f"team id '{team_id}' is taken")
    day = leader_from or timezone.localdate()
    with transaction.atomic():
        if parent is not None and team is not None:
            parent_line = [parent.pk, *_ancestors(parent)]
            if team.pk in parent_line:
                raise OrgError(f"{parent.name} is {team.name} or one of its sub-teams; a "
                               "team cannot be its own parent")
        before: dict[str, Any] = {}
        if team is None:
            team = Team.objects.create(team_id=team_id, name=name, leader=leader,
                                       parent=parent)
            action = "created"
        else:
            before = {"name": team.name, "leader": str(team.leader or "none"),
                      "parent": str(team.parent or "none")}
            team.name, team.leader, team.parent = name, leader, parent
            team.save(update_fields=["name", "leader", "parent"])
            action = "changed"
        leadership = change_leader(team, leader, day)
        if leadership is None and leader_from is not None:  # never a date silently dropped
            raise OrgError(f"leader from: {leader_from} is given but the leader stays "
                           f"{_leader_name(leader)}; change the leader to date a change")
        after = {"name": name, "leader": str(leader or "none"), "parent": str(parent or "none")}
        changes = ", ".join(f"{k} {before[k]} -> {v}" for k, v in after.items()
                            if before and before[k] != v) or ", ".join(
                                f"{k} {v}" for k, v in after.items())
        summary = f"{user.username} {action} team {team.team_id}: {changes}"
        imp = _edit(user, "teams", summary, 1)
        record(user, f"team.{'create' if action == 'created' else 'edit'}", "team",
               team.team_id, summary, before=before, after=after, edit=imp.pk)
        if leadership is not None:  # its own event: who leads from when
            words = f"{user.username} changed the {leadership}"
            record(user, "team.leader", "team", team.team_id, words, day=str(day),
                   before=before.get("leader", "none"), after=after["leader"], edit=imp.pk)
            summary += f"; the {leadership}"
    return team, summary


# --- pickers: the people and teams the organisation and plan pages offer by name ---------
# Up to this many people a page offers a <select>; beyond it a <datalist> the browser filters
# as one types (a select of thousands is unusable). Either way the server checks the id.
PICKER_LIMIT = 300


def people_choices(payees: Any = None) -> list[dict[str, str]]:
    """``payees`` (default: everyone) as picker options, by name: value the payee id, label
    'Name (id)' — two people may share a name, never an id."""
    found = Payee.objects.all() if payees is None else payees
    return [{"id": pid, "label": f"{name} ({pid})"}
            for pid, name in found.order_by("name", "payee_id").values_list("payee_id", "name")]


def team_choices(exclude: Team | None = None) -> list[dict[str, str]]:
    """Every team (but ``exclude``) as picker options, by name: 'North (north)'."""
    teams = Team.objects.all() if exclude is None else Team.objects.exclude(pk=exclude.pk)
    return [{"id": tid, "label": f"{name} ({tid})"}
            for tid, name in teams.order_by("name", "team_id").values_list("team_id", "name")]

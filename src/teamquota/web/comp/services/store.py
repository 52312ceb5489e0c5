"""Write canonical Arrow tables (as the data layer loads them) into the database.

Used by data imports and the demo seed. ``replace`` swaps a whole table, ``upsert`` adds or
updates rows by key; both run inside the caller's transaction, so a failure changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
from django.db import connection
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from teamquota.data.limits import DATE_MIN
from teamquota.data.tables import TABLES
from teamquota.web.comp.models import (
    Deal,
    Import,
    Leadership,
    Membership,
    Payee,
    Target,
    Team,
    record,
)
from teamquota.web.comp.services.bulk import insert_rows
from teamquota.web.comp.services.dataset import store_table
from teamquota.web.comp.services.org import (
    OrgError,
    change_leader,
    latest_leaderships,
    leader_change_day,
)

MODEL_TABLES = ("payees", "teams", "memberships", "deals", "targets")


class StoreError(Exception):
    """Rows that reference something the database does not have (message lists them)."""


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def write_table(name: str, table: pa.Table, mode: str, imp: Import | None) -> int:
    try:
        return _write_table(name, table, mode, imp)
    except (ProtectedError, RestrictedError) as exc:
        attrs = ("team",) if name == "teams" else ("payee", "owner")
        blocked = sorted({_referenced(o, attrs) for o in list(exc.protected_objects)[:500]})
        shown = ", ".join(blocked[:10]) + (" ..." if len(blocked) > 10 else "")
        raise StoreError(f"replacing {name} would delete {shown}, which payout lines or "
                         "deals still refer to; keep them in the file (end a membership "
                         "instead of removing a person) or import with upsert") from None


def _referenced(obj: Any, attrs: tuple[str, ...]) -> str:
    for attr in attrs:
        related = getattr(obj, attr, None)
        if related is not None:
            return str(related)
    return str(obj)


def _write_table(name: str, table: pa.Table, mode: str, imp: Import | None) -> int:
    rows = table.to_pylist()
    if name == "payees":
        _payees(rows, mode)
    elif name == "teams":
        _teams(rows, mode, imp)
    elif name == "memberships":
        _memberships(rows, mode)
    elif name == "deals":
        _deals(rows, mode, imp, [c for c in table.column_names
                                 if c not in TABLES["deals"].column_names])
    elif name == "targets":
        _targets(rows, mode)
    else:
        store_table(name, table)
    return len(rows)


def _payees(rows: list[dict[str, Any]], mode: str) -> None:
    keep = {r["payee_id"] for r in rows}
    if mode == "replace":
        Payee.objects.exclude(payee_id__in=keep).delete()
    existing = {p.payee_id: p for p in Payee.objects.all()}
    new = []
    for r in rows:
        values = {"name": r["name"], "email": _s(r.get("email")), "role": _s(r.get("role")),
                  "currency": _s(r.get("currency")),
                  "target_incentive": r["target_incentive"]}
        if r["payee_id"] in existing:
            payee = existing[r["payee_id"]]
            for k, v in values.items():
                setattr(payee, k, v)
            payee.save()
        else:
            new.append(Payee(payee_id=r["payee_id"], **values))
    Payee.objects.bulk_create(new, batch_size=2000)


def _lookup(model: Any, key: str) -> dict[str, int]:
    return dict(model.objects.values_list(key, "id"))


def _missing(kind: str, ids: set[str]) -> None:
    ids.discard("")
    if ids:
        shown = ", ".join(sorted(ids)[:10])
        raise StoreError(f"unknown {kind}: {shown}" + (" ..." if len(ids) > 10 else ""))


@dataclass(frozen=True)
class LeaderChange:
    team_id: str
    team: str           # its name in the rows
    before: Payee | None
    after: Payee | None
    day: date           # the new leader's first day (the old one's last: the day before)

    def words(self) -> str:
        names = [p.name if p is not None else "nobody" for p in (self.before, self.after)]
        text = f"leader of {self.team} changes from {names[0]} to {names[1]} from {self.day}"
        return text + (" (a team's first leader leads it in every period)"
                       if self.day == DATE_MIN else "")


def leader_changes(rows: list[dict[str, Any]], today: date | None = None
                   ) -> list[LeaderChange]:
    """The teams whose leader ``rows`` change, from the import's day (``today``; a team
    that never had a leader: from 1900-01-01, see services.org.leader_change_day)."""
    today = today or timezone.localdate()
    teams = {t.team_id: t for t in Team.objects.filter(
        team_id__in=[r["team_id"] for r in rows]).select_related("leader")}
    payees = {p.payee_id: p for p in Payee.objects.filter(
        payee_id__in={_s(r.get("leader_id")) for r in rows} - {""})}
    latest = latest_leaderships([t.pk for t in teams.values()])
    changes = []
    for r in rows:
        team = teams.get(r["team_id"])
        before, after = (team.leader if team else None), payees.get(_s(r.get("leader_id")))
        if (before.pk if before else None) != (after.pk if after else None):
            changes.append(LeaderChange(r["team_id"], r["name"], before, after, leader_change_day(
                latest.get(team.pk) if team else None, today)))
    return changes


def _teams(rows: list[dict[str, Any]], mode: str, imp: Import | None = None) -> None:
    payees = _lookup(Payee, "payee_id")
    _missing("leader payee id", {_s(r.get("leader_id")) for r in rows} - set(payees))
    if mode == "replace":
        Team.objects.exclude(team_id__in={r["team_id"] for r in rows}).delete()
    changes = leader_changes(rows)
    for r in rows:
        Team.objects.update_or_create(team_id=r["team_id"], defaults={
            "name": r["name"], "leader_id": payees.get(_s(r.get("leader_id")))})
    teams = _lookup(Team, "team_id")
    _missing("parent team id", {_s(r.get("parent_team_id")) for r in rows} - set(teams))
    for r in rows:
        Team.objects.filter(team_id=r["team_id"]).update(
            parent_id=teams.get(_s(r.get("parent_team_id"))))
    # dated: a team's first leader leads from 1900-01-01 (one insert for a history load);
    # otherwise the old leader's span ends the day before the import's day, the new one opens
    Leadership.objects.bulk_create([
        Leadership(team_id=teams[c.team_id], payee=c.after, start_date=c.day)
        for c in changes if c.day == DATE_MIN and c.after is not None], batch_size=2000)
    for change in changes:
        words = change.words()
        if change.day != DATE_MIN:
            try:
                words = change_leader(Team.objects.get(team_id=change.team_id), change.after,
                                      change.day, field=f"leader of team {change.team_id} "
                                      "from") or words
            except OrgError as exc:
                raise StoreError(str(exc)) from None
        if imp is not None:  # who leads from when, as an organisation edit is audited
            actor = imp.created_by
            record(actor, "team.leader", "team", change.team_id,
                   f"{actor.username if actor else 'the system'} imported {imp.file_name}: "
                   f"{words}", day=str(change.day), import_id=imp.pk)


def _memberships(rows: list[dict[str, Any]], mode: str) -> None:
    payees, teams = _lookup(Payee, "payee_id"), _lookup(Team, "team_id")
    _missing("payee id", {r["payee_id"] for r in rows} - set(payees))
    _missing("team id", {r["team_id"] for r in rows} - set(teams))
    if mode == "replace":
        Membership.objects.all().delete()
    # keyed by (payee, team, start): one read and two bulk writes, not a query per row
    existing = {(m.payee_id, m.team_id, m.start_date): m for m in Membership.objects.all()}
    new, changed = [], []
    for r in rows:
        key = (payees[r["payee_id"]], teams[r["team_id"]], r["start_date"])
        found = existing.get(key)
        if found is None:
            new.append(Membership(payee_id=key[0], team_id=key[1], start_date=key[2],
                                  end_date=r.get("end_date")))
            existing[key] = new[-1]
        elif found.end_date != r.get("end_date"):
            found.end_date = r.get("end_date")
            if found.pk is not None:
                changed.append(found)
    Membership.objects.bulk_create(new, batch_size=2000)
    Membership.objects.bulk_update(changed, ["end_date"], batch_size=2000)


def _deals(rows: list[dict[str, Any]], mode: str, imp: Import | None,
           extra: list[str]) -> None:
    payees = _lookup(Payee, "payee_id")
    _missing("owner payee id", {r["owner_id"] for r in rows} - set(payees))
    if mode == "replace":
        Deal.objects.all().delete()
        _insert_deals(rows, payees, imp, extra)
        return
    else:
        existing = dict(Deal.objects.filter(deal_id__in=[r["deal_id"] for r in rows])
                        .values_list("deal_id", "id"))
    objects, updates = [], []
    for r in rows:
        deal = Deal(deal_id=r["deal_id"], owner_id=payees[r["owner_id"]],
                    account=_s(r.get("account")), product=_s(r.get("product")),
                    amount=r.get("amount"), currency=_s(r.get("currency")),
                    stage=r["stage"], close_date=r.get("close_date"),
                    extra={k: str(r[k]) for k in extra if r.get(k) is not None},
                    changed_by_import=imp)
        if r["deal_id"] in existing:
            deal.id = existing[r["deal_id"]]
            updates.append(deal)
        else:
            objects.append(deal)
    Deal.objects.bulk_create(objects, batch_size=5000)
    Deal.objects.bulk_update(updates, ["owner_id", "account", "product", "amount", "currency",
                                       "stage", "close_date", "extra", "changed_by_import"],
                             batch_size=2000)


def _insert_deals(rows: list[dict[str, Any]], payees: dict[str, int], imp: Import | None,
                  extra: list[str]) -> None:
    """Replace mode at scale (a million deals): straight inserts, no model instances."""
    extra_field = Deal._meta.get_field("extra")
    empty = extra_field.get_db_prep_save({}, connection)
    imp_id = imp.pk if imp else None

    def values():  # noqa: ANN202
        for r in rows:
            more = {k: str(r[k]) for k in extra if r.get(k) is not None}
            yield (r["deal_id"], payees[r["owner_id"]], _s(r.get("account")),
                   _s(r.get("product")), r.get("amount"), _s(r.get("currency")), r["stage"],
                   r.get("close_date"),
                   extra_field.get_db_prep_save(more, connection) if more else empty, imp_id)
    insert_rows(Deal, ["deal_id", "owner", "account", "product", "amount", "currency",
                       "stage", "close_date", "extra", "changed_by_import"], values())


def _targets(rows: list[dict[str, Any]], mode: str) -> None:
    if mode == "replace":
        Target.objects.all().delete()
        Target.objects.bulk_create([Target(**{k: r[k] for k in (
            "subject_type", "subject_id", "measure", "period", "amount")}) for r in rows],
            batch_size=5000)
        return
    for r in rows:
        Target.objects.update_or_create(
            subject_type=r["subject_type"], subject_id=r["subject_id"],
            measure=r["measure"], period=r["period"], defaults={"amount": r["amount"]})

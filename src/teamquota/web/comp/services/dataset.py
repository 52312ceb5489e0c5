"""The database's input data as a :class:`teamquota.data.dataset.Dataset` (Arrow tables)."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from teamquota.data.dataset import Dataset
from teamquota.data.tables import TABLES
from teamquota.web.comp.models import (
    DataTable,
    Deal,
    Leadership,
    Membership,
    Payee,
    Target,
    Team,
)


def _table(name: str, columns: dict[str, list[Any]]) -> pa.Table:
    spec = TABLES[name]
    arrays = {c.name: pa.array(columns[c.name], c.type) for c in spec.columns}
    return pa.table(arrays)


def _rows(queryset: Any, fields: list[str]) -> dict[str, list[Any]]:
    values = list(queryset.values_list(*fields))
    return {f: [row[i] for row in values] for i, f in enumerate(fields)}


def _blank_to_none(values: list[Any]) -> list[Any]:
    return [v if v != "" else None for v in values]


def build_dataset(extra_deals: list[dict[str, Any]] | None = None,
                  payee_ids: set[str] | None = None) -> Dataset:
    """Every table the engine reads, straight from the database (no float on the way).

    ``payee_ids`` limits payees, their memberships and their deals to those people (the
    estimator's slice); teams, leaderships, targets and the optional tables stay whole.
    The leaderships are the app's dated :class:`Leadership` spans (``Team.leader`` is the
    open span's payee), so the engine credits each deal to who led its team on the close
    date.
    """
    payee_qs, member_qs, deal_qs = Payee.objects.all(), Membership.objects.all(), \
        Deal.objects.all()
    if payee_ids is not None:
        payee_qs = payee_qs.filter(payee_id__in=payee_ids)
        member_qs = member_qs.filter(payee__payee_id__in=payee_ids)
        deal_qs = deal_qs.filter(owner__payee_id__in=payee_ids)
    payees = _rows(payee_qs.order_by("payee_id"),
                   ["payee_id", "name", "email", "role", "currency", "target_incentive"])
    for key in ("email", "role", "currency"):
        payees[key] = _blank_to_none(payees[key])
    teams = _rows(Team.objects.order_by("team_id"),
                  ["team_id", "name", "leader__payee_id", "parent__team_id"])
    teams["leader_id"] = teams.pop("leader__payee_id")
    teams["parent_team_id"] = teams.pop("parent__team_id")
    members = _rows(member_qs.order_by("payee__payee_id", "team__team_id", "start_date"),
                    ["payee__payee_id", "team__team_id", "start_date", "end_date"])
    members["payee_id"] = members.pop("payee__payee_id")
    members["team_id"] = members.pop("team__team_id")
    deal_fields = ["deal_id", "owner__payee_id", "account", "product", "amount", "currency",
                   "stage", "close_date"]
    deal_rows = list(deal_qs.order_by("deal_id").values_list(*deal_fields, "extra"))
    extra_names = sorted({k for row in deal_rows[:1000] for k in (row[-1] or {})})
    deals: dict[str, list[Any]] = {f: [r[i] for r in deal_rows] for i, f in
                                   enumerate(deal_fields)}
    deals["owner_id"] = deals.pop("owner__payee_id")
    for name in extra_names:
        deals[name] = [(r[-1] or {}).get(name) for r in deal_rows]
    if extra_deals:
        for row in extra_deals:
            for key in deals:
                deals[key].append(row.get(key))
    for key in ("account", "product", "currency"):
        deals[key] = _blank_to_none(deals[key])
    deal_table = _table("deals", deals)
    for name in extra_names:
        deal_table = deal_table.append_column(name, pa.array(deals[name], pa.string()))
    targets = _rows(Target.objects.order_by("subject_type", "subject_id", "measure", "period"),
                    ["subject_type", "subject_id", "measure", "period", "amount"])
    tables = {
        "payees": _table("payees", payees),
        "teams": _table("teams", teams),
        "memberships": _table("memberships", members),
        "deals": deal_table,
        "targets": _table("targets", targets),
    }
    for stored in DataTable.objects.all():
        tables[stored.name] = pq.read_table(io.BytesIO(bytes(stored.parquet)))
    leads = _rows(Leadership.objects.order_by("team__team_id", "start_date"),
                  ["team__team_id", "payee__payee_id", "start_date", "end_date"])
    leads["team_id"] = leads.pop("team__team_id")
    leads["leader_id"] = leads.pop("payee__payee_id")
    tables["leaderships"] = _table("leaderships", leads)  # the spans, not a stored file
    return Dataset(tables, {name: f"database:{name}" for name in tables})


def store_table(name: str, table: pa.Table) -> None:
    """Keep an optional input table (splits, activities, fx_rates, coverage) as Parquet."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    DataTable.objects.update_or_create(name=name, defaults={
        "parquet": buffer.getvalue(), "rows": table.num_rows})

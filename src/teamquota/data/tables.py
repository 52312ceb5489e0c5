"""The canonical input tables: their columns, types and which columns are required.

Loaders (CSV, Parquet, column maps) produce these; the engine reads only these. Money is
``decimal(18,2)``, shares and rates ``decimal(18,8)``, dates ``date32``. A table may carry
extra string columns (``deals.sector``, ``deals.product_family``) that plan measures can
filter on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(18, 8)
QUANTITY = pa.decimal128(18, 4)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=not c.required)
                          for c in self.columns])


S = pa.string()
DATE = pa.date32()

PAYEES = TableSpec("payees", (
    Column("payee_id", S),
    Column("name", S),
    Column("email", S, False),
    Column("role", S, False, "e.g. AE, SE, leader; plans choose roles with eligible_roles"),
    Column("currency", S, False, "payout currency; default the plan's"),
    Column("target_incentive", MONEY, True, "variable pay at 100% attainment, per year"),
), key=("payee_id",), description="people who can be paid")

TEAMS = TableSpec("teams", (
    Column("team_id", S),
    Column("name", S),
    Column("leader_id", S, False, "payee id of the team's leader, in every period unless "
           "the leaderships table lists the team"),
    Column("parent_team_id", S, False, "team id of the parent team (hierarchy)"),
), key=("team_id",))

MEMBERSHIPS = TableSpec("memberships", (
    Column("payee_id", S),
    Column("team_id", S),
    Column("start_date", DATE),
    Column("end_date", DATE, False, "last day of membership; blank = ongoing"),
), key=("payee_id", "team_id", "start_date"), description="effective-dated team membership")

LEADERSHIPS = TableSpec("leaderships", (
    Column("team_id", S),
    Column("leader_id", S, True, "payee id of the team's leader from start_date"),
    Column("start_date", DATE, True, "first day as the team's leader"),
    Column("end_date", DATE, False, "last day as the team's leader; blank = ongoing"),
), key=("team_id", "start_date"), optional=True,
    description="effective-dated team leadership: one leader a team a day; for the teams it "
    "lists it decides over teams.leader_id")

DEALS = TableSpec("deals", (
    Column("deal_id", S),
    Column("owner_id", S),
    Column("account", S, False),
    Column("product", S, False),
    Column("amount", MONEY, False, "blank only on open deals"),
    Column("currency", S, False, "default: the plan's currency"),
    Column("stage", S),
    Column("close_date", DATE, False, "blank only on open deals"),
), key=("deal_id",))

SPLITS = TableSpec("splits", (
    Column("deal_id", S),
    Column("payee_id", S),
    Column("share", RATE, True, "fraction of the deal credited; a deal's shares sum to 1"),
), key=("deal_id", "payee_id"), optional=True)

ACTIVITIES = TableSpec("activities", (
    Column("payee_id", S),
    Column("type", S, True, "call, meeting, social_message, crm_update, ..."),
    Column("date", DATE),
    Column("account", S, False),
    Column("quantity", QUANTITY, False, "default 1"),
), optional=True)

TARGETS = TableSpec("targets", (
    Column("subject_type", S, True, "payee or team"),
    Column("subject_id", S),
    Column("measure", S, True, "component id (or the component's target.measure)"),
    Column("period", S, True, "period label: 2017, 2017-Q2 or 2017-03"),
    Column("amount", MONEY),
), key=("subject_type", "subject_id", "measure", "period"), optional=True)

FX_RATES = TableSpec("fx_rates", (
    Column("from_currency", S),
    Column("to_currency", S),
    Column("period", S, True, "2017, 2017-Q2, 2017-03 or a day 2017-03-15; "
           "the most specific that contains a deal's close date wins"),
    Column("rate", RATE),
), key=("from_currency", "to_currency", "period"), optional=True)

COVERAGE = TableSpec("coverage", (
    Column("payee_id", S, True, "the overlay payee (e.g. a solutions engineer)"),
    Column("covers_type", S, True, "account, payee or team"),
    Column("covers_id", S),
    Column("start_date", DATE),
    Column("end_date", DATE, False),
    Column("share", RATE, False, "fraction of each covered deal credited; default 1"),
), optional=True, description="overlay credit: who covers which accounts, people or teams")

TABLES: dict[str, TableSpec] = {t.name: t for t in (
    PAYEES, TEAMS, MEMBERSHIPS, LEADERSHIPS, DEALS, SPLITS, ACTIVITIES, TARGETS, FX_RATES,
    COVERAGE)}

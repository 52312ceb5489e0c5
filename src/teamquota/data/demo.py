"""The shipped demo: Maven Analytics' CRM Sales Opportunities as teamquota tables.

Deals come from ``sales_pipeline.csv`` through the ``maven`` column map (which fixes the
'GTXPro' and 'technolgy' spellings and adds sector and series). People and teams come from
``sales_teams.csv``:

* payees: the 35 agents (role ``AE``) and the 6 managers (role ``leader``). The data has no
  pay, so target incentives are a **demo assumption**: AE 20,000.00 and leader 30,000.00 USD
  a year. Emails are synthesised as ``first.last@maventech.example``; ids are name slugs
  (``anna-snelling``).
* teams: one per manager (id = the manager's slug, led by that manager), under its regional
  office team (``central``, ``east``, ``west``), under the company team ``maventech``.
* memberships: each agent in their manager's team from 2017-01-01, open-ended (the data has
  no hire dates or team history). Managers lead through ``teams.leader_id`` and are not
  members of any team.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

from teamquota.core.diagnostics import Diagnostics, InputError
from teamquota.data.columnmap import load_preset
from teamquota.data.dataset import Dataset, to_table
from teamquota.data.dataset_checks import check_dataset
from teamquota.data.loader import load_tables
from teamquota.data.problems import LoadedTable, ProblemLog
from teamquota.data.readers import read_csv
from teamquota.data.summary import summarise
from teamquota.data.tables import TABLES

AE_TARGET_INCENTIVE = Decimal("20000.00")  # demo assumption, USD per year
LEADER_TARGET_INCENTIVE = Decimal("30000.00")  # demo assumption, USD per year
MEMBERSHIP_START = "2017-01-01"
COMPANY_TEAM = ("maventech", "MavenTech")
EMAIL_DOMAIN = "maventech.example"


def demo_folder() -> Path:
    """The folder of the shipped Maven CSVs (the package is installed as plain files)."""
    return Path(str(resources.files("teamquota.data").joinpath("demo", "maven")))


def slug(name: str) -> str:
    """'Mei-Mei Johns' -> 'mei-mei-johns' (the same rule as the column map's ``slug``)."""
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    return "-".join(part for part in out.split("-") if part)


def email(name: str) -> str:
    return ".".join(name.lower().split()) + "@" + EMAIL_DOMAIN


def _people(folder: Path) -> tuple[dict[str, pa.Table], dict[str, list[int]]]:
    raw = read_csv(folder / "sales_teams.csv")
    rows = raw.table.to_pylist()
    lines = raw.lines.tolist()
    payees, payee_lines, teams, team_lines, memberships = [], [], [], [], []
    managers: dict[str, int] = {}
    offices: dict[str, int] = {}
    for row, line in zip(rows, lines, strict=True):
        agent, manager, office = row["sales_agent"], row["manager"], row["regional_office"]
        payees.append({"payee_id": slug(agent), "name": agent, "email": email(agent),
                       "role": "AE", "currency": "USD",
                       "target_incentive": AE_TARGET_INCENTIVE})
        payee_lines.append(line)
        memberships.append({"payee_id": slug(agent), "team_id": slug(manager),
                            "start_date": MEMBERSHIP_START})
        offices.setdefault(office, line)
        if manager not in managers:
            managers[manager] = line
            teams.append({"team_id": slug(manager), "name": f"{manager}'s team",
                          "leader_id": slug(manager), "parent_team_id": slug(office)})
            team_lines.append(line)
    for manager, line in managers.items():
        payees.append({"payee_id": slug(manager), "name": manager, "email": email(manager),
                       "role": "leader", "currency": "USD",
                       "target_incentive": LEADER_TARGET_INCENTIVE})
        payee_lines.append(line)
    for office, line in offices.items():
        teams.append({"team_id": slug(office), "name": f"{office} office",
                      "parent_team_id": COMPANY_TEAM[0]})
        team_lines.append(line)
    teams.append({"team_id": COMPANY_TEAM[0], "name": COMPANY_TEAM[1]})
    team_lines.append(1)
    tables = {"payees": to_table(TABLES["payees"], payees),
              "teams": to_table(TABLES["teams"], teams),
              "memberships": to_table(TABLES["memberships"], memberships)}
    return tables, {"payees": payee_lines, "teams": team_lines, "memberships": lines}


@lru_cache(maxsize=1)
def _load() -> tuple[Dataset, Diagnostics]:
    folder = demo_folder()
    result = load_tables({"deals": folder / "sales_pipeline.csv"}, load_preset("maven"))
    if result.dataset is None:  # the shipped files are fixed: failing here is a bug
        raise InputError(result.diagnostics)
    people, people_lines = _people(folder)
    teams_file = str(folder / "sales_teams.csv")
    dataset = Dataset({**result.dataset.tables, **people},
                      {**result.dataset.sources, **dict.fromkeys(people, teams_file)},
                      {**result.dataset.row_lines, **people_lines})
    log = ProblemLog()
    import numpy as np
    check_dataset({name: LoadedTable(name, dataset.sources[name], table,
                                     np.asarray(dataset.row_lines[name], np.int64))
                   for name, table in dataset.tables.items()}, log, "USD")
    if log.has_errors:
        raise InputError(log.diagnostics(dataset.sources, {}, list(TABLES)))
    diagnostics = Diagnostics([d for d in result.diagnostics
                               if d.code not in ("D032", "D033")])
    diagnostics.extend(summarise(dataset))
    return dataset, diagnostics


def load_demo() -> tuple[Dataset, Diagnostics]:
    """The demo dataset and what loading it reported (its quirks, as info diagnostics)."""
    dataset, diagnostics = _load()
    return (Dataset(dict(dataset.tables), dict(dataset.sources), dict(dataset.row_lines)),
            Diagnostics(list(diagnostics)))


def demo_dataset() -> Dataset:
    """The shipped Maven CRM data as teamquota's canonical tables (see the module doc)."""
    return load_demo()[0]


def demo_quirks() -> Diagnostics:
    """The data's known quirks as the loader reports them (spellings fixed, blanks, ...)."""
    return load_demo()[1]

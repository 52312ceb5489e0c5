"""The shipped Maven demo: exact files, the README's counts, and the quirks reported."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pyarrow.compute as pc
import pytest

from teamquota.data.demo import demo_dataset, demo_folder, demo_quirks, email, slug

# SHA-256 of Maven Analytics' original files (shared data README); CRLF bytes, unchanged
OFFICIAL_SHA256 = {
    "accounts.csv": "e5242324768a563fc632cddfed49a29acbbf2892b8a3c6453cc9650de9ae0358",
    "data_dictionary.csv": "22b34e498d07e3d7f322afdbf81d70a5dc0a389792944e50ca2af86a3597f0af",
    "products.csv": "7c1c8cbbdb6d4c286902e1985eeb529a36366d6a43f43cd4a93c4b1da2a6eb84",
    "sales_pipeline.csv": "825ce8f6c32d4009548b468df3173d55a46fd73f2531f532c5459371dc52adf2",
    "sales_teams.csv": "aeff1272ebe196f5a27e3fc0578aa27abf48ed9ae461aa344fb95990e5ad8bd1",
}


@pytest.mark.parametrize("name", sorted(OFFICIAL_SHA256))
def test_demo_files__are_the_official_maven_bytes(name: str) -> None:
    digest = hashlib.sha256((demo_folder() / name).read_bytes()).hexdigest()
    assert digest == OFFICIAL_SHA256[name]


def _won(deals):  # type: ignore[no-untyped-def]
    return deals.filter(pc.equal(deals["stage"], "Won"))


def test_demo_dataset__counts_match_the_readme() -> None:
    data = demo_dataset()
    deals = data["deals"]
    assert deals.num_rows == 8_800
    stages = dict(zip(*pc.value_counts(deals["stage"]).flatten(), strict=True))
    assert {k.as_py(): v.as_py() for k, v in stages.items()} == {
        "Won": 4_238, "Lost": 2_473, "Engaging": 1_589, "Prospecting": 500}
    assert sum(_won(deals)["amount"].to_pylist(), Decimal(0)) == Decimal("10005534")
    roles = pc.value_counts(data["payees"]["role"]).to_pylist()
    assert sorted((r["values"], r["counts"]) for r in roles) == [("AE", 35), ("leader", 6)]
    # 6 manager teams + 3 offices + 1 company
    assert data["teams"].num_rows == 10
    assert data["memberships"].num_rows == 35


@pytest.mark.parametrize(("manager", "won_deals", "won_value"), [
    ("Dustin Brinkmann", 747, "1094363"),
    ("Melvin Marxen", 882, "2251930"),
    ("Cara Losch", 480, "1130049"),
    ("Rocco Neubert", 691, "1960545"),
    ("Celia Rouche", 610, "1603897"),
    ("Summer Sewald", 828, "1964750"),
])
def test_demo_dataset__won_value_per_manager_team_matches_the_readme(
        manager: str, won_deals: int, won_value: str) -> None:
    data = demo_dataset()
    members = data["memberships"].filter(pc.equal(data["memberships"]["team_id"], slug(manager)))
    won = _won(data["deals"])
    team_won = won.filter(pc.is_in(won["owner_id"], members["payee_id"]))
    assert team_won.num_rows == won_deals
    assert sum(team_won["amount"].to_pylist(), Decimal(0)) == Decimal(won_value)


def test_demo_dataset__teams_form_manager_office_company_tree() -> None:
    teams = {t["team_id"]: t for t in demo_dataset()["teams"].to_pylist()}
    assert teams["dustin-brinkmann"]["leader_id"] == "dustin-brinkmann"
    assert teams["dustin-brinkmann"]["parent_team_id"] == "central"
    assert teams["central"]["parent_team_id"] == "maventech"
    assert teams["maventech"]["parent_team_id"] is None


def test_demo_dataset__payees_have_demo_target_incentives_and_emails() -> None:
    payees = {p["payee_id"]: p for p in demo_dataset()["payees"].to_pylist()}
    assert payees["anna-snelling"]["target_incentive"] == Decimal("20000.00")
    assert payees["anna-snelling"]["email"] == "anna.snelling@maventech.example"
    assert payees["cara-losch"]["role"] == "leader"
    assert payees["cara-losch"]["target_incentive"] == Decimal("30000.00")
    assert slug("Mei-Mei Johns") == "mei-mei-johns"
    assert email("Mei-Mei Johns") == "mei-mei.johns@maventech.example"


def test_demo_dataset__fixes_spellings_and_adds_sector_and_series() -> None:
    deals = demo_dataset()["deals"]
    products = set(pc.unique(deals["product"]).to_pylist())
    assert "GTXPro" not in products and "GTX Pro" in products
    sectors = set(pc.unique(deals["sector"]).drop_null().to_pylist())
    assert "technolgy" not in sectors and "technology" in sectors
    assert set(pc.unique(deals["series"]).to_pylist()) == {"GTX", "MG", "GTK"}
    assert set(pc.unique(deals["currency"]).to_pylist()) == {"USD"}


def test_demo_quirks__are_reported_as_info() -> None:
    quirks = demo_quirks()
    assert not quirks.has_errors
    assert [(d.code, d.severity, d.message) for d in quirks] == [
        ("D031", "info", "column 'currency' is not in the source; set to 'USD' on all "
                         "8,800 rows (column map constant)"),
        ("D030", "info", "column 'product': value map changed 'GTXPro' to 'GTX Pro' on "
                         "1,480 rows"),
        ("D030", "info", "column 'sector': value map changed 'technolgy' to 'technology' "
                         "on 12 rows"),
        ("D032", "info", "column 'account' is blank on 1,425 deals, all of them open"),
        ("D033", "info", "5 team members own no deals: Carl Lin, Carol Thompson, "
                         "Elizabeth Anderson, Mei-Mei Johns, Natalya Ivanova"),
    ]


def test_demo_dataset__row_lines_point_at_the_csv_lines() -> None:
    data = demo_dataset()
    # sales_pipeline.csv line 2 is the first opportunity, 1C1I7A6R
    assert data.row_lines["deals"][0] == 2
    assert data["deals"]["deal_id"][0].as_py() == "1C1I7A6R"
    assert data.row_lines["deals"][-1] == 8_801

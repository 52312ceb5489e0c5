"""Column maps: presets applied to small exports, map validation with file:line, lookups."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from teamquota.core.diagnostics import InputError
from teamquota.data.columnmap import PRESETS, load_map_text, load_preset
from teamquota.data.loader import load, load_table

GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"


def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("payees.csv", "teams.csv", "memberships.csv"):
        shutil.copy(GOOD / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", PRESETS)
def test_load_preset__every_preset_is_valid(name: str) -> None:
    assert load_preset(name).map.map == name


def test_salesforce_preset__maps_an_opportunity_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path, monkeypatch)
    (folder / "opportunities.csv").write_text(
        "Opportunity ID,Opportunity Name,Opportunity Owner,Account Name,Product Name,Amount,"
        "Opportunity Currency,Stage,Close Date,Type,Lead Source\n"
        "0065g00000AbCdE,Acme renewal,ann,Acme,GTX Pro,12500.00,USD,Closed Won,3/31/2017,"
        "Renewal,Web\n"
        "0065g00000AbCdF,Beta new,bob,Beta,MG,800,USD,Closed Lost,04/02/2017,New Business,\n"
        "0065g00000AbCdG,Gamma,ann,Gamma,MG,,USD,Prospecting,,New Business,Partner\n")
    result = load(".", column_map="salesforce")
    assert result.dataset is not None, result.diagnostics.render()
    deals = result.dataset["deals"].to_pylist()
    assert [(d["deal_id"], d["stage"], d["close_date"], d["amount"]) for d in deals] == [
        ("0065g00000AbCdE", "Won", date(2017, 3, 31), Decimal("12500.00")),
        ("0065g00000AbCdF", "Lost", date(2017, 4, 2), Decimal("800.00")),
        ("0065g00000AbCdG", "Prospecting", None, None)]
    assert deals[0]["deal_type"] == "Renewal" and deals[2]["lead_source"] == "Partner"
    infos = [(d.code, d.message) for d in result.diagnostics if d.code in ("D030", "D035")]
    assert infos == [
        ("D035", "source columns not used by the column map: 'Opportunity Name'"),
        ("D030", "column 'stage': value map changed 'Closed Won' to 'Won' on 1 row"),
        ("D030", "column 'stage': value map changed 'Closed Lost' to 'Lost' on 1 row")]


def test_salesforce_preset__a_date_in_another_format_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "opportunities.csv"
    path.write_text("Opportunity ID,Opportunity Owner,Amount,Stage,Close Date\n"
                    "006A,ann,10,Closed Won,2017-03-31\n")
    _, _, diagnostics = load_table("deals", path, column_map="salesforce")
    assert [d.render() for d in diagnostics.errors] == [
        f"{path}:2: error[D004]: column 'close_date': '2017-03-31' is not a date\n"
        "hint: expected a date in the column map's format '%m/%d/%Y'"]


def test_hubspot_preset__maps_a_deals_export(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Deal ID,Deal Name,Deal owner,Associated Company,Amount,Deal Stage,"
                    "Close Date,Pipeline\n"
                    "9876543210,Acme,ann,Acme,1500.5,Closed won,2017-06-30 14:05,Sales\n")
    table, lines, diagnostics = load_table("deals", path, column_map="hubspot")
    assert not diagnostics.has_errors, diagnostics.render()
    row = table.to_pylist()[0]
    assert (row["deal_id"], row["owner_id"], row["amount"], row["stage"], row["close_date"],
            row["pipeline"]) == ("9876543210", "ann", Decimal("1500.50"), "Won",
                                 date(2017, 6, 30), "Sales")
    assert list(lines) == [2]


def test_load_map_text__errors_name_the_map_line() -> None:
    text = ("map: mine\n"
            "tables:\n"
            "  deals:\n"
            "    source: crm.csv\n"
            "    renam: {Id: deal_id}\n"
            "    transforms: {owner_id: slugify}\n"
            "  opportunities:\n"
            "    source: x.csv\n")
    with pytest.raises(InputError) as caught:
        load_map_text(text, "maps/mine.yaml")
    assert caught.value.diagnostics.render() == (
        "maps/mine.yaml:6:18: error[D021]: tables.deals.transforms.owner_id: Input should be "
        "'slug', 'lower', 'upper' or 'percent' (found 'slugify')\n"
        "maps/mine.yaml:5:5: error[D021]: tables.deals.renam: unknown key\n"
        "hint: docs/data.md lists the keys of a column map\n"
        "maps/mine.yaml:7:3: error[D021]: tables.opportunities: Input should be 'payees', "
        "'teams', 'memberships', 'leaderships', 'deals', 'splits', 'activities', 'targets', "
        "'fx_rates' or 'coverage' (found 'opportunities')")


def test_load_map_text__bad_yaml_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        load_map_text("map: x\ntables:\n  deals: [\n", "m.yaml")
    assert caught.value.diagnostics.items[0].code == "D020"
    assert str(caught.value.diagnostics.items[0].source) == "m.yaml:4:1"


MAP = """\
map: crm
tables:
  deals:
    source: crm.csv
    rename:
      Id: deal_id
      Rep: owner_id
      Value: amount
      Status: stage
      Closed: close_date
      Account: account
    transforms:
      owner_id: lower
    constants:
      currency: EUR
    lookups:
      - file: accounts.csv
        on: account
        key: Name
        add: {Industry: sector}
"""


def _crm(tmp_path: Path, map_text: str, accounts: str) -> Path:
    (tmp_path / "map.yaml").write_text(map_text)
    (tmp_path / "crm.csv").write_text("Id,Rep,Value,Status,Closed,Account\n"
                                      "1,ANN,100,Won,2017-01-05,Acme\n"
                                      "2,Bob,200,Won,2017-01-06,Nova\n")
    (tmp_path / "accounts.csv").write_text(accounts)
    return tmp_path / "map.yaml"


def test_column_map__transforms_constants_and_lookup(tmp_path: Path) -> None:
    path = _crm(tmp_path, MAP, "Name,Industry\nAcme,retail\nNova,medical\n")
    table, _, diagnostics = load_table("deals", tmp_path / "crm.csv", column_map=path)
    assert not diagnostics.has_errors, diagnostics.render()
    assert table["owner_id"].to_pylist() == ["ann", "bob"]
    assert table["currency"].to_pylist() == ["EUR", "EUR"]
    assert table["sector"].to_pylist() == ["retail", "medical"]


def test_column_map__unmatched_lookup_is_a_warning(tmp_path: Path) -> None:
    path = _crm(tmp_path, MAP, "Name,Industry\nAcme,retail\n")
    table, _, diagnostics = load_table("deals", tmp_path / "crm.csv", column_map=path)
    assert table["sector"].to_pylist() == ["retail", None]
    assert [d.render() for d in diagnostics if d.code == "D034"] == [
        f"{tmp_path / 'crm.csv'}: warning[D034]: column 'account': 1 value(s) on 1 rows have "
        "no row in accounts.csv: 'Nova'\n"
        "hint: the columns this lookup adds are blank on those rows"]


def test_column_map__repeated_lookup_key_is_an_error(tmp_path: Path) -> None:
    path = _crm(tmp_path, MAP, "Name,Industry\nAcme,retail\nNova,medical\nAcme,tech\n")
    table, _, diagnostics = load_table("deals", tmp_path / "crm.csv", column_map=path)
    assert table.num_rows == 0
    assert [d.render() for d in diagnostics.errors] == [
        f"{tmp_path / 'accounts.csv'}:4: error[D023]: lookup key Name 'Acme' is on more than "
        "one row (lines 2, 4)\nhint: a lookup needs one row per key"]


def test_column_map__renaming_a_missing_column_names_the_map_line(tmp_path: Path) -> None:
    path = _crm(tmp_path, MAP.replace("Status: stage", "Phase: stage"),
                "Name,Industry\nAcme,retail\nNova,medical\n")
    _, _, diagnostics = load_table("deals", tmp_path / "crm.csv", column_map=path)
    assert [d.render() for d in diagnostics.errors] == [
        f"{path}:9:7: error[D022]: column map renames 'Phase', but crm.csv has no such column\n"
        "hint: columns in the file: Id, Rep, Value, Status, Closed, Account"]


def test_load__a_map_file_is_a_dataset_config(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path, monkeypatch)
    _crm(tmp_path, MAP.replace("owner_id: lower", "owner_id: lower\n    values:\n"
                               "      owner_id: {bob: bob}"),
         "Name,Industry\nAcme,retail\nNova,medical\n")
    result = load("map.yaml")
    assert result.dataset is not None, result.diagnostics.render()
    assert result.dataset["deals"]["amount"].to_pylist() == [Decimal("100.00"),
                                                             Decimal("200.00")]


def test_column_map__float_money_in_parquet_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"Opportunity ID": ["006A"], "Opportunity Owner": ["ann"],
                             "Amount": [0.1], "Stage": ["Closed Won"],
                             "Close Date": ["3/1/2017"]}), tmp_path / "opportunities.parquet")
    _, _, diagnostics = load_table("deals", tmp_path / "opportunities.parquet",
                                   column_map="salesforce")
    assert [d.message for d in diagnostics.errors] == [
        "column 'Amount' is stored as double, which cannot hold 'amount' exactly; store it "
        "as decimal or text"]


def test_load_map_text__duplicate_key_names_both_lines() -> None:
    with pytest.raises(InputError) as caught:
        load_map_text("map: x\ntables:\n  deals:\n    source: a.csv\n    source: b.csv\n",
                      "m.yaml")
    assert caught.value.diagnostics.render() == (
        "m.yaml:5:5: error[D021]: tables.deals.source: key 'source' appears twice in the "
        "same mapping\n"
        "hint: remove one of them (the first is on line 4): YAML would silently keep only "
        "the last")


def test_load_map_text__runaway_nesting_is_d020_not_a_crash() -> None:
    with pytest.raises(InputError) as caught:
        load_map_text("map: " + "[" * 3000 + "]" * 3000 + "\n", "m.yaml")
    assert caught.value.diagnostics.render() == (
        "m.yaml:1:1: error[D020]: the YAML is nested too deeply to read\n"
        "hint: a column map needs a few levels of nesting; look for runaway brackets")


def test_load_map_text__alias_bomb_is_d020() -> None:
    # a6 would expand to 10**6 values; the limit is 100,000
    lines = ["a0: &a0 [x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(InputError) as caught:
        load_map_text("\n".join(lines) + "\n", "m.yaml")
    assert [d.code for d in caught.value.diagnostics] == ["D020"]

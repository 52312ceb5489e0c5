"""The connectors for real CRM exports, one behaviour at a time: header case, report
footers, thousands separators, over-precise amounts, encodings, preset detection, and
Salesforce's rates turned the right way round."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from teamquota.data.columnmap import load_map_text
from teamquota.data.loader import LoadOptions, load, load_table

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"
DEALS_HEADER = "deal_id,owner_id,account,product,amount,currency,stage,close_date\n"


def _errors(diagnostics: object) -> list[str]:
    return [d.render() for d in diagnostics.errors]  # type: ignore[attr-defined]


def _messages(diagnostics: object, code: str) -> list[str]:
    return [d.message for d in diagnostics if d.code == code]  # type: ignore[attr-defined]


def test_hubspot_preset__headers_match_in_any_case_and_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(" RECORD ID ,DEAL OWNER,amount,deal stage,CLOSE DATE\n"
                    "7,Ann Lee,10,CLOSED WON,2017-03-31\n")
    table, _, diagnostics = load_table("deals", path, column_map="hubspot")
    assert _errors(diagnostics) == []
    assert table.select(["deal_id", "owner_id", "stage"]).to_pylist() == [
        {"deal_id": "7", "owner_id": "ann-lee", "stage": "Won"}]


def test_hubspot_preset__record_id_and_deal_id_together_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal ID,Deal owner,Amount,Deal Stage,Close Date\n"
                    "7,7,ann,10,Closed won,2017-03-31\n")
    _, _, diagnostics = load_table("deals", path, column_map="hubspot")
    assert _errors(diagnostics) == [
        "<preset hubspot>:13:7: error[D022]: column map renames both 'Record ID' and "
        "'Deal ID' to 'deal_id', and deals.csv has both\n"
        "hint: keep one of the two columns in the export"]


def test_salesforce_preset__a_row_after_the_footer_is_not_taken_for_footer(
        tmp_path: Path) -> None:
    path = tmp_path / "opportunities.csv"
    path.write_text("Opportunity ID,Opportunity Owner,Amount,Stage,Close Date\n"
                    "006A,ann,\"1,000.00\",Closed Won,3/31/2017\n"
                    "\n"
                    "\"Confidential Information - Do Not Distribute\"\n"
                    "006B,ann,5,Closed Won,3/31/2017\n")
    _, _, diagnostics = load_table("deals", path, column_map="salesforce")
    # the last line has all five fields, so no footer starts at the blank line 3; the
    # one-field line 4 is then a line of the wrong width, as in any CSV
    assert _messages(diagnostics, "D043") == []
    assert _errors(diagnostics) == [
        f"{path}:4: error[D013]: line has 1 field, the header has 5: "
        "'Confidential Information - Do Not Distribute'\n"
        "hint: put values that contain commas or line breaks in double quotes"]


def test_salesforce_preset__the_footer_is_reported_not_dropped_silently(
        tmp_path: Path) -> None:
    path = tmp_path / "opportunities.csv"
    path.write_text("Opportunity ID,Opportunity Owner,Amount,Stage,Close Date\n"
                    "006A,ann,\"1,000.00\",Closed Won,12/31/2017\n"
                    "\n\n\"Pipeline\"\n"
                    "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n")
    table, lines, diagnostics = load_table("deals", path, column_map="salesforce")
    assert _errors(diagnostics) == []
    assert table["amount"].to_pylist() == [Decimal("1000.00")]
    assert table["close_date"].to_pylist() == [date(2017, 12, 31)] and list(lines) == [2]
    assert _messages(diagnostics, "D043") == [
        "report footer not read: 2 lines after the blank line 3: 'Pipeline', 'Copyright (c) "
        "2000-2026 salesforce.com, inc. All rights reserved.' (column map footer)"]


def test_thousands__only_groups_of_three_digits_lose_their_separator(tmp_path: Path) -> None:
    path = tmp_path / "opportunities.csv"
    path.write_text("Opportunity ID,Opportunity Owner,Amount,Stage,Close Date\n"
                    "006A,ann,\"1,234,567.50\",Closed Won,3/31/2017\n"
                    "006B,ann,\"1,20.00\",Closed Won,3/31/2017\n")
    _, _, diagnostics = load_table("deals", path, column_map="salesforce")
    assert _messages(diagnostics, "D045") == [
        "column 'amount': thousands separator ',' removed on 1 row (column map thousands)"]
    assert _errors(diagnostics) == [
        f"{path}:3: error[D003]: column 'amount': '1,20.00' is not a decimal number\n"
        "hint: digits with '.' as decimal separator and no thousands separators, e.g. "
        "12500.00"]


@pytest.mark.parametrize(("mode", "expected"), [
    # 1000.125 and 250.5050 are ties at the third place: half-up goes away from zero,
    # half-even to the even cent (1000.12, 250.50); 2000.0050 likewise (2000.01 / 2000.00)
    ("half_up", ["1000.13", "250.51", "2000.01", "7.00"]),
    ("half_even", ["1000.12", "250.50", "2000.00", "7.00"]),
])
def test_round__rounds_over_precise_amounts_and_counts_them(
        tmp_path: Path, mode: str, expected: list[str]) -> None:
    (tmp_path / "map.yaml").write_text(
        f"map: m\nround: {mode}\ntables:\n  deals:\n    source: d.csv\n")
    (tmp_path / "d.csv").write_text(DEALS_HEADER + "A,ann,,,1000.125,USD,Won,2017-01-01\n"
                                    "B,ann,,,250.5050,USD,Won,2017-01-01\n"
                                    "C,ann,,,2000.0050,USD,Won,2017-01-01\n"
                                    "D,ann,,,7.000,USD,Won,2017-01-01\n")
    table, _, diagnostics = load_table("deals", tmp_path / "d.csv",
                                       column_map=tmp_path / "map.yaml")
    assert _errors(diagnostics) == []
    assert [str(a) for a in table["amount"].to_pylist()] == expected
    how = mode.replace("_", "-")
    assert _messages(diagnostics, "D044") == [
        f"column 'amount': 3 amounts rounded {how} to 2 places (column map round: {mode}): "
        f"'1000.125' -> '{expected[0]}' (line 2), '250.5050' -> '{expected[1]}' (line 3), "
        f"'2000.0050' -> '{expected[2]}' (line 4)"]  # 7.000 is 7.00 exactly: not rounded


def test_round__a_currency_without_cents_rounds_to_whole_units(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(
        "map: m\nround: half_up\ntables:\n  deals:\n    source: d.csv\n")
    (tmp_path / "d.csv").write_text(DEALS_HEADER + "A,ann,,,1234.5,JPY,Won,2017-01-01\n")
    table, _, diagnostics = load_table("deals", tmp_path / "d.csv",
                                       column_map=tmp_path / "map.yaml")
    assert table["amount"].to_pylist() == [Decimal("1235.00")]  # JPY has 0 places
    assert _messages(diagnostics, "D044") == [
        "column 'amount': 1 amount rounded half-up to 0 places (column map round: half_up): "
        "'1234.5' -> '1235' (line 2)"]


def _canonical(tmp_path: Path, deals: bytes) -> Path:
    for name in ("payees.csv", "teams.csv", "memberships.csv"):
        shutil.copy(GOOD / name, tmp_path / name)
    (tmp_path / "deals.csv").write_bytes(deals)
    return tmp_path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_encoding__a_byte_order_mark_decides(tmp_path: Path, encoding: str) -> None:
    text = DEALS_HEADER + "D1,ann,Société,GTX,1.00,USD,Won,2017-03-01\n"
    folder = _canonical(tmp_path, text.encode(encoding))  # utf-16 writes a BOM first
    result = load(folder, options=LoadOptions(encoding="cp1252"))  # a BOM wins
    assert result.dataset is not None, result.diagnostics.render()
    assert result.dataset["deals"]["account"].to_pylist() == ["Société"]
    assert list(result.dataset.row_lines["deals"]) == [2]


@pytest.mark.parametrize(("encoding", "account"), [("cp1252", "Acme – Müller"),
                                                    ("latin-1", "Acme \x96 Müller")])
def test_encoding__a_stated_one_reads_the_file(tmp_path: Path, encoding: str,
                                               account: str) -> None:
    # 0x96 is an en dash in cp1252 and a C1 control in latin-1: the stated encoding decides
    data = DEALS_HEADER.encode() + b"D1,ann,Acme \x96 M\xfcller,GTX,1.00,USD,Won,2017-03-01\n"
    result = load(_canonical(tmp_path, data), options=LoadOptions(encoding=encoding))
    assert result.dataset is not None, result.diagnostics.render()
    assert result.dataset["deals"]["account"].to_pylist() == [account]


def test_encoding__a_byte_the_stated_one_lacks_is_located(tmp_path: Path) -> None:
    # 0x81 has no character in cp1252; line 3, after 'D2,ann,A' (8 bytes)
    data = (DEALS_HEADER.encode() + b"D1,ann,Acme,GTX,1.00,USD,Won,2017-03-01\n"
            + b"D2,ann,A\x81,GTX,1.00,USD,Won,2017-03-01\n")
    folder = _canonical(tmp_path, data)
    result = load(folder, options=LoadOptions(encoding="cp1252"))
    offset = len(DEALS_HEADER) + 40 + 9
    assert _errors(result.diagnostics) == [
        f"{folder / 'deals.csv'}:3: error[D000]: not cp1252 text: byte 0x81 (byte 9 of the "
        f"line, byte {offset} of the file) is not valid cp1252; state the file's encoding: "
        "--encoding cp1252 (or latin-1, ...) on the command line or 'encoding: cp1252' in the "
        "column map; or save the file as UTF-8"]


def test_detect__two_presets_for_one_folder_is_a_choice(tmp_path: Path) -> None:
    shutil.copytree(EXPORTS / "salesforce_report", tmp_path / "x")
    shutil.copy(EXPORTS / "salesforce_api" / "Opportunity.csv", tmp_path / "x")
    result = load(tmp_path / "x")
    assert _errors(result.diagnostics) == [
        f"{tmp_path / 'x'}: error[D041]: more than one way to read this folder: salesforce "
        "(opportunities.csv), salesforce-api (Opportunity.csv)\n"
        "hint: choose one with --map salesforce or --map salesforce-api"]
    chosen = load(tmp_path / "x", column_map="salesforce")
    assert chosen.dataset is not None and chosen.dataset["deals"].num_rows == 12


def test_detect__an_export_without_the_columns_names_what_each_preset_needs(
        tmp_path: Path) -> None:
    (tmp_path / "Opportunity.csv").write_text("Id,OwnerId,Amount,CloseDate\n1,a,1,2017-01-01\n")
    result = load(tmp_path)
    assert _errors(result.diagnostics) == [
        f"{tmp_path}: error[D041]: no column map preset reads this folder's export: "
        "salesforce-api: Opportunity.csv lacks 'StageName'\n"
        "hint: export those columns, or give --map FILE with a column map of your own "
        "(docs/data.md)"]


def test_detect__map_none_reads_canonical_files_only(tmp_path: Path) -> None:
    shutil.copytree(EXPORTS / "hubspot", tmp_path / "x")
    result = load(tmp_path / "x", column_map="none")
    assert [d.message for d in result.diagnostics.errors][:1] == [
        "missing required column 'deal_id'; the file has: Record ID, Deal Name, Deal Stage, "
        "Close Date, Deal Owner, Amount, Pipeline, Associated Company"]


def test_salesforce_rates__are_inverted_into_the_corporate_currency() -> None:
    result = load(EXPORTS / "salesforce_api", EXPORTS / "salesforce_api" / "org-map.yaml")
    assert result.dataset is not None, result.diagnostics.render()
    rates = {(r["from_currency"], r["to_currency"], r["period"]): r["rate"]
             for r in result.dataset["fx_rates"].to_pylist()}
    # EUR 0.8 per USD until NextStartDate 2017-04-01: 1 EUR = 1 / 0.8 = 1.25 USD in March;
    # from April 0.625 per USD: 1 / 0.625 = 1.6; GBP 0.5: 2; CHF 0.75: 1.333... -> 8 places
    assert rates[("EUR", "USD", "2017-03")] == Decimal("1.25")
    assert rates[("EUR", "USD", "2017-04")] == Decimal("1.6")
    assert rates[("GBP", "USD", "2199-12")] == Decimal("2")  # open-ended: to 2199-12-31
    assert rates[("CHF", "USD", "1900-01")] == Decimal("1.33333333")
    assert not any(k[0] == "USD" for k in rates)  # the corporate currency converts nothing


def test_salesforce_rates__a_range_not_on_month_bounds_is_days_then_months() -> None:
    from teamquota.data.salesforce import _spans

    assert _spans(date(2017, 3, 30), date(2017, 5, 2)) == [
        "2017-03-30", "2017-03-31", "2017-04", "2017-05-01", "2017-05-02"]


def test_salesforce_rates__without_dated_rates_currency_type_holds_for_every_year(
        tmp_path: Path) -> None:
    folder = tmp_path / "x"
    shutil.copytree(EXPORTS / "salesforce_api", folder)
    (folder / "DatedConversionRate.csv").unlink()
    result = load(folder, folder / "org-map.yaml")
    assert result.dataset is not None, result.diagnostics.render()
    eur = {r["period"]: r["rate"] for r in result.dataset["fx_rates"].to_pylist()
           if r["from_currency"] == "EUR"}
    assert len(eur) == 301 and eur["2017"] == Decimal("1.6")  # 1 / 0.625, 1900..2200


def test_salesforce_api__splits_users_and_roles_become_the_canonical_tables() -> None:
    result = load(EXPORTS / "salesforce_api", EXPORTS / "salesforce_api" / "org-map.yaml")
    assert result.dataset is not None
    data = result.dataset
    assert data["splits"].select(["deal_id", "payee_id", "share"]).to_pylist()[:2] == [
        {"deal_id": "006Hs00000Opp07AAA", "payee_id": "005Hs00000AnnL1AAA",
         "share": Decimal("0.6")},  # SplitPercentage 60.00 -> 0.60
        {"deal_id": "006Hs00000Opp07AAA", "payee_id": "005Hs00000BobS2AAA",
         "share": Decimal("0.4")}]
    assert data["payees"].select(["payee_id", "name", "target_incentive"]).to_pylist()[0] == {
        "payee_id": "005Hs00000AnnL1AAA", "name": "Ann Lee",
        "target_incentive": Decimal("20000.00")}
    assert data["teams"]["parent_team_id"].to_pylist() == [
        None, "00EHs00000VPSa0AAA", "00EHs00000VPSa0AAA"]
    assert data["memberships"]["team_id"].to_pylist() == [
        "00EHs00000East1AAA", "00EHs00000East1AAA", "00EHs00000West1AAA"]
    deals = {d["deal_id"][-6:-3]: d for d in data["deals"].to_pylist()}
    assert deals["p08"]["stage"] == "Won" and deals["p11"]["stage"] == "Lost"  # IsWon/IsClosed
    assert deals["p01"]["deal_name"] == "Acme renewal – 2017"  # cp1252's en dash


def test_extends__a_map_starts_from_a_preset_and_is_checked_like_one() -> None:
    loaded = load_map_text("map: mine\nextends: hubspot\nround: half_even\n"
                           "tables:\n  deals:\n    thousands: ','\n", "mine.yaml")
    deals = loaded.table("deals")
    assert loaded.map.round == "half_even" and deals is not None
    assert deals.source == "deals.csv" and deals.thousands == ","  # the preset's + its own
    with pytest.raises(Exception) as caught:
        load_map_text("map: mine\nextends: hubspot\ntables:\n  deals:\n    footers: true\n",
                      "mine.yaml")
    assert "mine.yaml:5:5: error[D021]: tables.deals.footers: unknown key" in str(
        caught.value.diagnostics.render())  # type: ignore[attr-defined]


def test_extends__a_day_first_report_export_loads_with_its_format(tmp_path: Path) -> None:
    (tmp_path / "ours.yaml").write_text('map: ours\nextends: salesforce\ntables:\n  deals:\n'
                                        '    dates: {close_date: "%d/%m/%Y"}\n')
    (tmp_path / "opportunities.csv").write_text(
        "Opportunity ID,Opportunity Owner,Amount,Stage,Close Date\n"
        "006A,Ann Lee,\"1,000.00\",Closed Won,31/12/2017\n")
    table, _, diagnostics = load_table("deals", tmp_path / "opportunities.csv",
                                       column_map=tmp_path / "ours.yaml")
    assert _errors(diagnostics) == []
    assert table.select(["owner_id", "amount", "close_date"]).to_pylist() == [
        {"owner_id": "ann-lee", "amount": Decimal("1000.00"), "close_date": date(2017, 12, 31)}]


def test_stage_flags__one_flag_column_alone_is_reported_not_used(tmp_path: Path) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_text("Id,OwnerId,StageName,CloseDate,Amount,IsWon\n"
                    "006A,005A,Signed,2017-03-31,10,true\n")
    table, _, diagnostics = load_table("deals", path, column_map="salesforce-api")
    assert table["stage"].to_pylist() == ["Signed"]  # not decided by IsWon alone
    assert ("column map stage_flags needs both 'IsWon' and 'IsClosed'; Opportunity.csv has "
            "only 'IsWon', which is not used") in _messages(diagnostics, "D035")


def test_load__an_unknown_preset_name_lists_the_presets(tmp_path: Path) -> None:
    result = load(tmp_path, column_map="salesforce_api")
    assert [d.render() for d in result.diagnostics] == [
        "error[D021]: unknown column map preset 'salesforce_api'\n"
        "hint: presets: salesforce, salesforce-api, hubspot, maven; or give a column map "
        "file (.yaml)"]


def test_load__a_folder_without_deals_names_the_exports_presets_read(tmp_path: Path) -> None:
    _canonical(tmp_path, b"")
    (tmp_path / "deals.csv").unlink()
    result = load(tmp_path)
    assert [d.render() for d in result.diagnostics.errors] == [
        f"{tmp_path}: error[D000]: no deals.csv or deals.parquet in this folder\n"
        "hint: the deals table is required; docs/data.md lists its columns; or an export a "
        "preset reads: opportunities.csv (salesforce), Opportunity.csv (salesforce-api), "
        "deals.csv (hubspot), sales_pipeline.csv (maven)"]


def test_detect__an_export_under_the_crms_own_file_name_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    shutil.copytree(EXPORTS / "hubspot", folder)
    (folder / "deals.csv").rename(folder / "hubspot-crm-exports-all-deals-2017-12-31.csv")
    result = load(folder)
    assert result.dataset is not None, result.diagnostics.render()
    assert result.dataset["deals"].num_rows == 12
    assert _messages(result.diagnostics, "D042") == [
        "column map 'hubspot' chosen: hubspot-crm-exports-all-deals-2017-12-31.csv has its "
        "columns 'Deal owner', 'Amount', 'Deal Stage', 'Close Date'"]
    assert result.dataset.sources["deals"] == str(
        folder / "hubspot-crm-exports-all-deals-2017-12-31.csv")


def test_map__a_named_preset_finds_its_export_by_header(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    shutil.copytree(EXPORTS / "salesforce_report", folder)
    (folder / "opportunities.csv").rename(folder / "report1514764800000.csv")
    result = load(folder, column_map="salesforce")
    assert result.dataset is not None, result.diagnostics.render()
    assert _messages(result.diagnostics, "D042") == [
        "column map 'salesforce' reads its deals from report1514764800000.csv (no "
        "opportunities.csv): it has the columns 'Opportunity ID', 'Opportunity Owner', "
        "'Amount', 'Stage', 'Close Date'"]
    shutil.copy(folder / "report1514764800000.csv", folder / "report2.csv")
    assert _errors(load(folder, column_map="salesforce").diagnostics) == [
        f"{folder}: error[D041]: no opportunities.csv, and more than one file has the columns "
        "of column map 'salesforce': report1514764800000.csv, report2.csv\n"
        "hint: name the deals export opportunities.csv, or keep one of the files in the "
        "folder"]


def test_salesforce_preset__a_multi_currency_report_export_keeps_each_deals_currency(
        tmp_path: Path) -> None:
    # as Salesforce exports it: the code of each currency field in a column beside it
    path = tmp_path / "opportunities.csv"
    path.write_text("Opportunity Name,Opportunity ID,Opportunity Owner,Amount Currency,Amount,"
                    "Amount (Converted) Currency,Amount (Converted),Stage,Close Date\n"
                    "JPY TEST,006A,Ann Lee,JPY,\"10,000\",USD,83.86,Closed Won,3/31/2017\n"
                    "USD TEST,006B,Ann Lee,USD,\"10,000.00\",USD,\"10,000.00\",Closed Won,"
                    "3/31/2017\n")
    table, _, diagnostics = load_table("deals", path, column_map="salesforce")
    assert _errors(diagnostics) == []
    assert table.select(["currency", "amount"]).to_pylist() == [
        {"currency": "JPY", "amount": Decimal("10000.00")},
        {"currency": "USD", "amount": Decimal("10000.00")}]
    assert _messages(diagnostics, "D035")[0] == (
        "source columns not used by the column map: 'Opportunity Name', 'Amount (Converted) "
        "Currency', 'Amount (Converted)'")


def test_encoding__a_utf8_file_stays_utf8_when_another_encoding_is_stated(
        tmp_path: Path) -> None:
    # 'é' in UTF-8 is 0xc3 0xa9; read as cp1252 it would be 'Ã©'
    text = DEALS_HEADER + "D1,ann,Société,GTX,1.00,USD,Won,2017-03-01\n"
    result = load(_canonical(tmp_path, text.encode("utf-8")),
                  options=LoadOptions(encoding="cp1252"))
    assert result.dataset is not None, result.diagnostics.render()
    assert result.dataset["deals"]["account"].to_pylist() == ["Société"]


def test_salesforce_api__a_deleted_opportunity_is_refused_not_paid(tmp_path: Path) -> None:
    # Data Loader's Export All writes deleted records too, with IsDeleted true
    path = tmp_path / "Opportunity.csv"
    path.write_text("Id,OwnerId,StageName,CloseDate,Amount,IsDeleted\n"
                    "006A,005A,Closed Won,2017-03-31,10,false\n"
                    "006B,005A,Closed Won,2017-03-31,20,TRUE\n")
    table, _, diagnostics = load_table("deals", path, column_map="salesforce-api",
                                       on_error="reject")
    assert table["deal_id"].to_pylist() == ["006A"]
    assert [d.render() for d in diagnostics if d.code == "D048"] == [
        f"{path}:3: warning[D048]: deal_id '006B': IsDeleted is 'TRUE', which the column map "
        "refuses (refuse_if: IsDeleted: 'true')\n"
        "hint: a record deleted in the CRM must not be paid: export without deleted records "
        "(Data Loader's Export, not Export All), or remove the row"]

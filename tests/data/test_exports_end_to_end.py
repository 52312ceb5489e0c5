"""Real CRM export folders -> ``teamquota calc`` -> payouts, one test per export kind.

The fixtures under tests/fixtures/exports/ reproduce each vendor's documented format, and
all three are paid by ``commission-2017.yaml``: 10% of a payee's won deals in a quarter,
in USD, each line rounded half-up to the cent. Before these connectors none of the three
loaded with the shipped presets.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from teamquota.cli.app import app

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"
PLAN = str(EXPORTS / "commission-2017.yaml")
runner = CliRunner()


def calc(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any] | str]:
    result = runner.invoke(app, ["calc", PLAN, *args, "--out", str(tmp_path / "out"),
                                 "--format", "json"])
    try:
        return result.exit_code, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.exit_code, result.stdout + result.stderr


def paid(summary: dict[str, Any] | str) -> dict[tuple[str, str], str]:
    """(payee, period) -> total, for the totals that are not 0.00."""
    assert isinstance(summary, dict), summary
    return {(t["payee_id"], t["period"]): t["amount"] for t in summary["totals"]
            if t["amount"] != "0.00"}


@pytest.mark.parametrize("how", [(), ("--map", "salesforce")], ids=["detected", "--map"])
def test_calc__a_salesforce_report_export_pays_by_hand(tmp_path: Path,
                                                       how: tuple[str, ...]) -> None:
    # report labels, 'Ann Lee' slugged to ann-lee, "1,200.00" and M/D/YYYY, a footer
    code, summary = calc(tmp_path, "--data", str(EXPORTS / "salesforce_report"), *how)
    assert code == 0, summary
    assert paid(summary) == {
        ("ann-lee", "2017-Q1"): "1370.00",    # (1,200.00 + 12,500.00) x 10%
        ("bob-stone", "2017-Q1"): "305.05",   # 3,050.50 x 10%
        ("cara-diaz", "2017-Q1"): "80.00",    # 800.00 x 10%
        ("bob-stone", "2017-Q2"): "329.57",   # (950.00 + 2,345.67) x 10% = 329.567
        ("cara-diaz", "2017-Q2"): "1000.00",  # 10,000.00 x 10% (the lost 500.00 is not)
        ("cara-diaz", "2017-Q4"): "0.73",     # 7.25 x 10% = 0.725, half-up
    }
    codes = [d["code"] for d in summary["diagnostics"]] if isinstance(summary, dict) else []
    assert "E999" not in codes


def test_calc__a_hubspot_export_pays_by_hand(tmp_path: Path) -> None:
    # Record ID, 'Deal Owner' (the preset says 'Deal owner'), stages in any case,
    # '2017-03-31 14:05' and '2017-04-02' dates, an owner id (31415926) and a name
    code, summary = calc(tmp_path, "--data", str(EXPORTS / "hubspot"))
    assert code == 0, summary
    assert paid(summary) == {
        ("ann-lee", "2017-Q1"): "350.05",   # (1,000 + 2,500.50) x 10% = 350.05
        ("31415926", "2017-Q1"): "400.00",  # 4,000 x 10%
        ("ann-lee", "2017-Q2"): "10.00",    # 100 (closed 2017-04-01 00:00) x 10%
        ("31415926", "2017-Q2"): "200.00",  # (333.33 + 1,666.67) x 10%; lost 250 is not
        ("ann-lee", "2017-Q4"): "10.00",    # 99.99 x 10% = 9.999, half-up
    }


def test_calc__salesforce_data_loader_exports_of_a_multi_currency_org_pay_by_hand(
        tmp_path: Path) -> None:
    # org-map.yaml: the salesforce-api preset + encoding cp1252 + round: half_up.
    # Rates (DatedConversionRate, units per 1 USD): EUR 0.8 until 2017-03-31, then 0.625;
    # GBP 0.5. A EUR deal is worth amount / rate USD: x 1.25 in Q1, x 1.6 from April.
    folder = EXPORTS / "salesforce_api"
    code, summary = calc(tmp_path, "--data", str(folder), "--map",
                         str(folder / "org-map.yaml"))
    assert code == 0, summary
    assert paid(summary) == {
        # 1000.125 -> 1000.13 (half-up) + EUR 800.00 x 1.25 = 1000.00 + 60% of 5,000 split
        # = 3,000.00: 5,000.13 x 10% = 500.013
        ("005Hs00000AnnL1AAA", "2017-Q1"): "500.01",
        # GBP 250.5050 -> 250.51 x 2 = 501.02 + 40% of 5,000 = 2,000.00: 250.102
        ("005Hs00000BobS2AAA", "2017-Q1"): "250.10",
        # 'Signed' with IsWon true is Won: 100.00 x 10%
        ("005Hs00000AnnL1AAA", "2017-Q2"): "10.00",
        # EUR 500.0000 x 1.6 = 800.00 x 10%
        ("005Hs00000BobS2AAA", "2017-Q2"): "80.00",
        # 2000.0050 -> 2000.01 + EUR 40.00 x 1.6 = 64.00: 2,064.01 x 10% = 206.401;
        # 'Dead' (IsClosed, not IsWon) is Lost and pays nothing
        ("005Hs00000CarD3AAA", "2017-Q2"): "206.40",
        # 12.5 closed 2017-12-31T00:00:00.000Z
        ("005Hs00000AnnL1AAA", "2017-Q4"): "1.25",
    }
    # the load says what it rounded and which rates it inverted (text output, on stderr)
    result = runner.invoke(app, ["calc", PLAN, "--data", str(folder), "--map",
                                 str(folder / "org-map.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "D044" in line or "D046" in line]
    assert notes == [
        f"{folder}/Opportunity.csv: info[D044]: column 'amount': 3 amounts rounded half-up "
        "to 2 places (column map round: half_up): '1000.125' -> '1000.13' (line 2), "
        "'250.5050' -> '250.51' (line 5), '2000.0050' -> '2000.01' (line 6)",
        f"{folder}/DatedConversionRate.csv: info[D046]: Salesforce rates are units per 1 "
        "USD; inverted into USD: EUR 0.800000 -> 1.25, EUR 0.625000 -> 1.6, GBP 0.500000 -> "
        "2, CHF 0.750000 -> 1.33333333; rounded half-even to 8 places: CHF"]


def test_calc__over_precise_amounts_are_refused_without_a_rounding_rule(
        tmp_path: Path) -> None:
    folder = EXPORTS / "salesforce_api"
    result = runner.invoke(app, ["calc", PLAN, "--data", str(folder), "--map",
                                 "salesforce-api", "--encoding", "cp1252", "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 1
    hint = ("hint: the column holds decimal(18,2) and nothing is rounded unless the column "
            "map says how: round: half_up (or half_even) rounds such amounts to the "
            "currency's places, counted in the load (docs/data.md)")
    errors = [line for line in result.stderr.splitlines() if "error[" in line]
    assert errors == [
        f"{folder}/Opportunity.csv:2: error[D012]: column 'amount': '1000.125' has more than "
        "2 decimal places",
        f"{folder}/Opportunity.csv:5: error[D012]: column 'amount': '250.5050' has more than "
        "2 decimal places",
        f"{folder}/Opportunity.csv:6: error[D012]: column 'amount': '2000.0050' has more "
        "than 2 decimal places"]
    assert result.stderr.count(hint) == 3


def test_calc__a_cp1252_export_without_an_encoding_is_located(tmp_path: Path) -> None:
    folder = EXPORTS / "salesforce_api"
    result = runner.invoke(app, ["calc", PLAN, "--data", str(folder), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 1
    # line 2 is '"006Hs00000Opp01AAA","001Hs00000Acc01AAA","Acme renewal ' (56 bytes), then
    # cp1252's en dash 0x96; the header line is 110 bytes and its CRLF 2: 112 + 57 = 169
    assert (f"{folder}/Opportunity.csv:2: error[D000]: not UTF-8 text: byte 0x96 (byte 57 "
            "of the line, byte 169 of the file) is not valid UTF-8; state the file's "
            "encoding: --encoding cp1252 (or latin-1, ...) on the command line or 'encoding: "
            "cp1252' in the column map; or save the file as UTF-8") in result.stderr


def test_calc__an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calc", PLAN, "--data", str(EXPORTS / "hubspot"),
                                 "--encoding", "klingon", "--out", str(tmp_path / "out")])
    assert result.exit_code != 0  # C004: a value not of its form (docs/diagnostics.md)
    assert ("--encoding: unknown text encoding 'klingon'; e.g. utf-8, cp1252, latin-1, "
            "utf-16") in result.stderr


def test_targets_suggest__takes_map_encoding_and_on_error(tmp_path: Path) -> None:
    folder = tmp_path / "hubspot"
    shutil.copytree(EXPORTS / "hubspot", folder)
    result = runner.invoke(app, ["targets", "suggest", "--data", str(folder), "--map",
                                 "hubspot", "--encoding", "utf-8", "--on-error", "reject",
                                 "--year", "2018", "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)["targets"]
    assert {r["subject_id"] for r in rows if r["subject_type"] == "payee"} == {
        "ann-lee", "31415926"}


def test_calc__data_can_be_the_column_map_file_beside_the_exports(tmp_path: Path) -> None:
    folder = EXPORTS / "salesforce_api"
    code, summary = calc(tmp_path, "--data", str(folder / "org-map.yaml"))
    assert code == 0, summary
    # the same payouts as with --data FOLDER --map org-map.yaml (above)
    assert paid(summary)[("005Hs00000CarD3AAA", "2017-Q2")] == "206.40"
    assert len(paid(summary)) == 6


def test_explain__a_payee_of_a_hubspot_export_has_a_statement() -> None:
    result = runner.invoke(app, ["explain", "ann-lee", "--plan", PLAN, "--data",
                                 str(EXPORTS / "hubspot"), "--map", "hubspot", "--period",
                                 "2017-Q1"])
    assert result.exit_code == 0, result.stdout + result.stderr
    # 1,000 + 2,500.50 won in Q1 at 10%
    assert "total: 350.05 USD" in result.stdout

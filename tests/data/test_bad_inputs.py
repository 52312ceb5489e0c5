# ruff: noqa: E501  (expected diagnostics are compared whole, one line each)
"""The bad-input corpus: each file in tests/fixtures/bad_inputs replaces one table of the
good dataset beside it, and the load must fail with exactly these diagnostics (errors only;
the good dataset's info diagnostics are not part of the comparison)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from teamquota.data.loader import LoadOptions, load

CORPUS = Path(__file__).parents[1] / "fixtures" / "bad_inputs"

EXPECTED = {
    "deals__bad_currency.csv": """\
deals.csv:2: error[D010]: column 'currency': 'usd' is not a currency code
hint: expected an ISO 4217 code of three capital letters, e.g. USD""",
    "deals__bad_date.csv": """\
deals.csv:2: error[D004]: column 'close_date': '2017-02-30' is not a date
hint: expected an ISO date YYYY-MM-DD, e.g. 2017-03-31
deals.csv:3: error[D004]: column 'close_date': '15/04/2017' is not a date
hint: expected an ISO date YYYY-MM-DD, e.g. 2017-03-31""",
    "deals__blank_close_date_on_won.csv": """\
deals.csv:2: error[D002]: column 'close_date' is blank, but a Won deal needs it
hint: close_date may be blank only on open deals (stages other than Won, Lost)""",
    "deals__duplicate_id.csv": """\
deals.csv:2: error[D006]: duplicate deal_id 'D1' (repeated on line 4)
hint: each deal_id may appear only once; remove or merge the repeated rows
deals.csv:4: error[D006]: duplicate deal_id 'D1' (first on line 2)
hint: each deal_id may appear only once; remove or merge the repeated rows""",
    "deals__many_problems.csv": """\
deals.csv:2: error[D003]: column 'amount': '12,5O0.00' is not a decimal number
hint: digits with '.' as decimal separator and no thousands separators, e.g. 12500.00
deals.csv:2: error[D006]: duplicate deal_id 'D1' (repeated on line 4)
hint: each deal_id may appear only once; remove or merge the repeated rows
deals.csv:3: error[D004]: column 'close_date': '2017-13-02' is not a date
hint: expected an ISO date YYYY-MM-DD, e.g. 2017-03-31
deals.csv:3: error[D005]: column 'amount': '-250.50' is negative; expected 0 or more
hint: to reverse a paid deal, set its stage to Lost (or remove its row) and post again with teamquota ledger post: the difference becomes a clawback
deals.csv:3: error[D010]: column 'currency': 'usd' is not a currency code
hint: expected an ISO 4217 code of three capital letters, e.g. USD
deals.csv:3: error[D007]: column 'owner_id': 'zoe' is not a payee_id in payees.csv
hint: add it to payees.csv or correct the id (ids are case-sensitive)
deals.csv:4: error[D002]: column 'close_date' is blank, but a Won deal needs it
hint: close_date may be blank only on open deals (stages other than Won, Lost)
deals.csv:4: error[D006]: duplicate deal_id 'D1' (first on line 2)
hint: each deal_id may appear only once; remove or merge the repeated rows
deals.csv:6: error[D002]: column 'deal_id' is blank; a value is required
hint: every deals row needs deal_id
deals.csv:7: error[D012]: column 'amount': '75.123' has more than 2 decimal places
hint: the column holds decimal(18,2); round in the source system, not here
deals.csv:9: error[D013]: line has 3 fields, the header has 8: 'D6,ann,Acme'
hint: put values that contain commas or line breaks in double quotes""",
    "deals__missing_column.csv": """\
deals.csv:1: error[D001]: missing required column 'close_date'; the file has: deal_id, owner_id, account, product, amount, currency, stage
hint: rename the column in the file, or map it with a column map""",
    "deals__negative_amount.csv": """\
deals.csv:2: error[D005]: column 'amount': '-500.00' is negative; expected 0 or more
hint: to reverse a paid deal, set its stage to Lost (or remove its row) and post again with teamquota ledger post: the difference becomes a clawback""",
    "deals__no_fx_rate.csv": """\
deals.csv:2: error[D011]: column 'currency': deal 'D1' closed 2017-03-15 in EUR, but fx_rates has no rate from EUR to USD for that day, month, quarter or year
hint: add an fx_rates row from_currency, to_currency USD, a period that contains the close date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD) and a rate""",
    "deals__non_numeric_amount.csv": """\
deals.csv:2: error[D003]: column 'amount': '12,5O0.00' is not a decimal number
hint: digits with '.' as decimal separator and no thousands separators, e.g. 12500.00""",
    "deals__too_many_decimals.csv": """\
deals.csv:2: error[D012]: column 'amount': '1000.005' has more than 2 decimal places
hint: the column holds decimal(18,2); round in the source system, not here""",
    "deals__unknown_owner.csv": """\
deals.csv:3: error[D007]: column 'owner_id': 'zoe' is not a payee_id in payees.csv
hint: add it to payees.csv or correct the id (ids are case-sensitive)""",
    "deals__wrong_field_count.csv": """\
deals.csv:3: error[D013]: line has 9 fields, the header has 8: 'D2,bob,Beta, Inc.,MG Special,250.50,USD,Lost,2017-04-02'
hint: put values that contain commas or line breaks in double quotes""",
    "memberships__end_before_start.csv": """\
memberships.csv:2: error[D015]: end_date 2017-06-30 is before start_date 2017-07-01
hint: end_date is the last day (inclusive); leave it blank for an ongoing row""",
    "memberships__overlap.csv": """\
memberships.csv:4: error[D008]: payee 'ann' joins team 'east' on 2017-06-01, but is already a member (until 2017-06-30) by line 2
hint: end the earlier membership (end_date) before the next one starts""",
    "memberships__unknown_team.csv": """\
memberships.csv:3: error[D007]: column 'team_id': 'west' is not a team_id in teams.csv
hint: add it to teams.csv or correct the id (ids are case-sensitive)""",
    "payees__blank_required.csv": """\
payees.csv:3: error[D002]: column 'name' is blank; a value is required
hint: every payees row needs name
payees.csv:4: error[D002]: column 'target_incentive' is blank; a value is required
hint: every payees row needs target_incentive""",
    "splits__shares_do_not_sum_to_one.csv": """\
splits.csv:2: error[D009]: deal 'D1': split shares add up to 0.9, not 1 (lines 2, 3)
hint: give each deal's splits shares that add up to exactly 1, e.g. 0.6 + 0.4
splits.csv:3: error[D009]: deal 'D1': split shares add up to 0.9, not 1 (lines 2, 3)
hint: give each deal's splits shares that add up to exactly 1, e.g. 0.6 + 0.4""",
    "splits__unknown_payee_and_deal.csv": """\
splits.csv:3: error[D007]: column 'payee_id': 'kim' is not a payee_id in payees.csv
hint: add it to payees.csv or correct the id (ids are case-sensitive)
splits.csv:4: error[D007]: column 'deal_id': 'D9' is not a deal_id in deals.csv
hint: add it to deals.csv or correct the id (ids are case-sensitive)""",
    "targets__bad_subject_type_and_period.csv": """\
targets.csv:3: error[D016]: column 'subject_type': 'person' is not allowed
hint: expected one of: payee, team
targets.csv:4: error[D016]: column 'period': '2017-Q5' is not a period label
hint: expected YYYY, YYYY-Qn or YYYY-MM, e.g. 2017-Q2""",
    "teams__parent_cycle.csv": """\
teams.csv:2: error[D017]: team 'east' is its own ancestor: 'east' -> 'north' -> 'east'
hint: parent_team_id must point up the hierarchy; leave it blank on the top team
teams.csv:3: error[D017]: team 'north' is its own ancestor: 'north' -> 'east' -> 'north'
hint: parent_team_id must point up the hierarchy; leave it blank on the top team""",
    "deals__repeated_header_column.csv": """\
deals.csv:1: error[D018]: column 'amount' appears 2 times in the header (fields 3, 6)
hint: rename or remove one of them""",
}


def _load_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_file: str | None,
               on_error: str = "fail"):  # type: ignore[no-untyped-def]
    for good in (CORPUS / "good").iterdir():
        shutil.copy(good, tmp_path / good.name)
    if bad_file:
        shutil.copy(CORPUS / bad_file, tmp_path / f"{bad_file.split('__')[0]}.csv")
    monkeypatch.chdir(tmp_path)  # so diagnostics name 'deals.csv', not a temporary path
    return load(".", options=LoadOptions(on_error=on_error, currency="USD"))  # type: ignore[arg-type]


def test_corpus__every_bad_file_has_an_expected_text() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.csv")) == sorted(EXPECTED)


def test_corpus__the_good_dataset_loads_without_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _load_with(tmp_path, monkeypatch, None)
    assert result.dataset is not None
    assert not result.diagnostics.has_errors
    assert result.dataset["deals"].num_rows == 3


@pytest.mark.parametrize("bad_file", sorted(EXPECTED))
def test_corpus__bad_file_gives_exact_diagnostics_and_no_data(
        bad_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _load_with(tmp_path, monkeypatch, bad_file)
    assert result.dataset is None
    errors = "\n".join(d.render() for d in result.diagnostics if d.severity == "error")
    assert errors == EXPECTED[bad_file]

# ruff: noqa: E501  (expected diagnostics are compared whole, one line each)
"""The optional leaderships table: a team's leaders over time, checked like memberships
(ids, dates, references, order) plus one leader a team a day (D037), and a teams.leader_id
that the table overrules (D038, a warning)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from teamquota.data.loader import load_dataset

GOOD = Path(__file__).parents[1] / "fixtures" / "bad_inputs" / "good"
HEADER = "team_id,leader_id,start_date,end_date\n"


def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leaderships: str,
            teams: str | None = None) -> Path:
    for good in GOOD.iterdir():  # teams.csv: east, led by lea
        shutil.copy(good, tmp_path / good.name)
    (tmp_path / "leaderships.csv").write_text(HEADER + leaderships, encoding="utf-8")
    if teams is not None:
        (tmp_path / "teams.csv").write_text("team_id,name,leader_id,parent_team_id\n" + teams,
                                            encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _problems(diagnostics, codes=("D037", "D038")) -> str:  # noqa: ANN001
    return "\n".join(d.render() for d in diagnostics if d.code in codes
                     or d.severity == "error")


def test_leaderships__a_leader_from_the_day_after_the_last_ends_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # lea's last day 2017-09-30, bob's first 2017-10-01: one leader each day
    _folder(tmp_path, monkeypatch, "east,lea,2017-01-01,2017-09-30\neast,bob,2017-10-01,\n",
            teams="east,East,bob,\n")
    dataset, diagnostics = load_dataset(".")
    assert dataset is not None, diagnostics.render()
    assert _problems(diagnostics) == ""
    assert dataset["leaderships"].to_pylist() == [
        {"team_id": "east", "leader_id": "lea", "start_date": date(2017, 1, 1),
         "end_date": date(2017, 9, 30)},
        {"team_id": "east", "leader_id": "bob", "start_date": date(2017, 10, 1),
         "end_date": None}]


def test_leaderships__a_leader_starting_on_the_last_day_of_another_is_D037(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # bob would lead east on 2017-09-30, lea's last day; ann from 2018-01-01 overlaps bob's
    # ongoing span
    _folder(tmp_path, monkeypatch, "east,lea,2017-01-01,2017-09-30\neast,bob,2017-09-30,\n"
            "east,ann,2018-01-01,\n", teams="east,East,,\n")
    dataset, diagnostics = load_dataset(".")
    assert dataset is None
    assert _problems(diagnostics) == (
        "leaderships.csv:3: error[D037]: team 'east': leader 'bob' starts on 2017-09-30, "
        "but 'lea' already leads it (until 2017-09-30) by line 2\n"
        "hint: a team has one leader a day: end the earlier leadership (end_date) the day "
        "before the next one starts\n"
        "leaderships.csv:4: error[D037]: team 'east': leader 'ann' starts on 2018-01-01, "
        "but 'bob' already leads it (ongoing) by line 3\n"
        "hint: a team has one leader a day: end the earlier leadership (end_date) the day "
        "before the next one starts")


def test_leaderships__a_teams_leader_other_than_the_ongoing_one_is_a_D038_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # teams.csv still names lea; leaderships.csv hands east to bob from 2017-10-01
    _folder(tmp_path, monkeypatch, "east,lea,2017-01-01,2017-09-30\neast,bob,2017-10-01,\n")
    dataset, diagnostics = load_dataset(".")
    assert dataset is not None, diagnostics.render()  # a warning: the load goes on
    assert _problems(diagnostics) == (
        "teams.csv:2: warning[D038]: team 'east': leader_id 'lea' is not its ongoing leader "
        "in leaderships.csv: 'bob' leads it from 2017-10-01 (line 3)\n"
        "hint: the leaderships table decides who leads a team on each day; set leader_id to "
        "the ongoing leader, or leave it blank")


def test_leaderships__a_teams_leader_after_the_last_span_ended_is_a_D038_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path, monkeypatch, "east,lea,2017-01-01,2017-09-30\n")
    dataset, diagnostics = load_dataset(".")
    assert dataset is not None, diagnostics.render()
    assert _problems(diagnostics) == (
        "teams.csv:2: warning[D038]: team 'east': leader_id 'lea' is not its ongoing leader "
        "in leaderships.csv: no one leads it after 2017-09-30 (line 2)\n"
        "hint: the leaderships table decides who leads a team on each day; set leader_id to "
        "the ongoing leader, or leave it blank")


def test_leaderships__a_blank_teams_leader_or_the_ongoing_one_gives_no_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spans = "east,lea,2017-01-01,2017-09-30\neast,bob,2017-10-01,\n"
    for teams in ("east,East,,\n", "east,East,bob,\n"):
        _folder(tmp_path, monkeypatch, spans, teams=teams)
        dataset, diagnostics = load_dataset(".")
        assert dataset is not None, diagnostics.render()
        assert _problems(diagnostics) == "", teams


def test_leaderships__rows_are_checked_like_memberships(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path, monkeypatch,
            "west,lea,2017-01-01,\n"            # 2: unknown team
            "east,zoe,2017-01-01,2017-03-31\n"  # 3: unknown leader
            "east,bob,2017-06-30,2017-06-01\n"  # 4: ends before it starts
            "east,ann,2200-01-01,\n"            # 5: outside the dates
            "east,,2017-07-01,\n"               # 6: no leader
            "east,zoe,2017-01-01,2017-03-31\n",  # 7: line 3 again
            teams="east,East,,\n")
    dataset, diagnostics = load_dataset(".")
    assert dataset is None
    assert _problems(diagnostics, ()) == (
        "leaderships.csv:2: error[D007]: column 'team_id': 'west' is not a team_id in teams.csv\n"
        "hint: add it to teams.csv or correct the id (ids are case-sensitive)\n"
        "leaderships.csv:3: error[D006]: duplicate (team_id, start_date) ('east', '2017-01-01') (repeated on line 7)\n"
        "hint: each team_id + start_date may appear only once; remove or merge the repeated rows\n"
        "leaderships.csv:3: error[D007]: column 'leader_id': 'zoe' is not a payee_id in payees.csv\n"
        "hint: add it to payees.csv or correct the id (ids are case-sensitive)\n"
        "leaderships.csv:4: error[D015]: end_date 2017-06-01 is before start_date 2017-06-30\n"
        "hint: end_date is the last day (inclusive); leave it blank for an ongoing row\n"
        "leaderships.csv:5: error[D019]: column 'start_date': 2200-01-01 is outside the supported dates 1900-01-01..2199-12-31\n"
        "hint: use a date in the window; leave an end date blank for 'ongoing'\n"
        "leaderships.csv:6: error[D002]: column 'leader_id' is blank; a value is required\n"
        "hint: every leaderships row needs leader_id\n"
        "leaderships.csv:7: error[D006]: duplicate (team_id, start_date) ('east', '2017-01-01') (first on line 3)\n"
        "hint: each team_id + start_date may appear only once; remove or merge the repeated rows\n"
        "leaderships.csv:7: error[D007]: column 'leader_id': 'zoe' is not a payee_id in payees.csv\n"
        "hint: add it to payees.csv or correct the id (ids are case-sensitive)\n"
        "leaderships.csv:7: error[D037]: team 'east': leader 'zoe' starts on 2017-01-01, but 'zoe' already leads it (until 2017-03-31) by line 3\n"
        "hint: a team has one leader a day: end the earlier leadership (end_date) the day before the next one starts")

"""The work-allocation page: the leader's numbers go through the form to HiGHS and back.

The hand-checked cases swap the team's program (built from history) for the two-rep,
two-duty program of ``tests/insights/test_allocate.py``, whose optimum is known by hand:
Rita earns 1 per call and 3 per meeting, Rob 2 and 2.5; every unit takes an hour.
Who may open the page is in ``test_permissions.py``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from teamquota.insights.allocate import AllocationProblem, Duty
from teamquota.web.comp.services import insights_allocation
from tests.web.world import World

URL = "/teams/north/allocate/"


@pytest.fixture
def by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    value = pd.DataFrame({"calls": [1.0, 2.0], "meetings": [3.0, 2.5]}, index=["rita", "rob"])
    problem = AllocationProblem(reps=["rita", "rob"],
                                duties=[Duty("calls", 8, 1.0), Duty("meetings", 4, 1.0)],
                                available={"rita": 15.0, "rob": 15.0}, value=value)
    monkeypatch.setattr(insights_allocation, "_build",
                        lambda team_id: insights_allocation.Baseline("activities", problem))


def _form(**changes: str) -> dict[str, str]:
    # targets: calls, meetings; hours: Rita, Rob; limits blank
    data = {"target-0": "8", "target-1": "4", "avail-0": "10", "avail-1": "10"}
    data.update(changes)
    return data


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert found, f"no #{element_id}"
    return found.group(1)


def _row(html: str, rep: str) -> list[str]:
    found = re.search(rf'<tr data-rep="{rep}">(.*?)</tr>', html, re.S)
    assert found, f"no plan row for {rep}"
    return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))


def test_it_prefills_the_form_with_the_programs_numbers(client, world: World, by_hand):
    client.force_login(world.lea)
    html = client.get(URL).content.decode()
    assert 'name="target-0" value="8"' in html and 'name="target-1" value="4"' in html
    # each rep's hours start at the program's 15; limits start blank
    assert html.count('value="15"') == 2
    assert 'name="umax-0-1" step="any"' in html
    assert "Proposed weekly plan" not in html


def test_it_solves_the_leaders_numbers_as_worked_out_by_hand(client, world: World, by_hand):
    client.force_login(world.lea)
    html = client.post(URL, _form()).content.decode()
    # 20 hours for 12 units of targets: Rita's edge is meetings (3 vs 1, +2), Rob's smaller
    # (2.5 vs 2, +0.5), so Rita does 10 meetings (30) and Rob the 8 calls (16) and 2
    # meetings (5): 51.
    assert _row(html, "rita") == ["0.0", "10.0", "10.0", "30", "17"]
    assert _row(html, "rob") == ["8.0", "2.0", "10.0", "21", "22"]
    # even split: each 4 calls + 2 meetings, then 4 spare hours in the target mix
    # (8/12 calls, 4/12 meetings): Rita 6.667 + 3.333 x 3 = 16.67, Rob 13.33 + 8.33 = 21.67
    assert _text(html, "alloc-bookings") == "51"
    assert _text(html, "alloc-even") == "38"
    assert _text(html, "alloc-lift") == "+33.0%"  # 51 / 38.33 - 1
    # one more call makes Rob swap a meeting (2.5) for a call (2): -0.50; an hour is worth
    # each rep's best use: Rita 3, Rob 2.5
    assert "the calls target (8/week) binds; each extra unit costs 0.50 in bookings" in html
    assert "Rita Rep uses all 10 hours; an extra hour is worth 3.00" in html
    assert "Rob Rep uses all 10 hours; an extra hour is worth 2.50" in html
    assert 'data-chart="figure" data-source="allocation-data"' in html


def test_it_uses_a_per_person_maximum_from_the_form(client, world: World, by_hand):
    client.force_login(world.lea)
    # Rita may do at most 6 meetings: her other 4 hours go to calls (4), Rob then needs
    # 4 calls (8) and spends 6 hours on meetings (15): 18 + 4 + 8 + 15 = 45
    html = client.post(URL, _form(**{"umax-0-1": "6"})).content.decode()
    assert _row(html, "rita")[:3] == ["4.0", "6.0", "10.0"]
    assert _text(html, "alloc-bookings") == "45"
    # a 7th meeting for Rita replaces one of her calls (+3 - 1) and Rob then does one more
    # call instead of a meeting (+2 - 2.5): +1.50
    assert ("<td>Rita Rep: meetings</td><td>Rita Rep meetings is at its maximum of 6; each "
            "unit more would add 1.50</td>") in html


def test_it_explains_targets_that_cannot_be_met(client, world: World, by_hand):
    client.force_login(world.lea)
    # meetings at most 3 each = 6, but the target is 10: short by 4; calls (8) still fit
    response = client.post(URL, _form(**{"target-1": "10", "umax-0-1": "3",
                                         "umax-1-1": "3"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The targets cannot all be met with these hours and limits." in html
    assert ("targets cannot all be met: meetings: needs 10 units/week, at most 6 fit "
            "(short by 4)") in html
    assert re.search(r'data-short="target meetings">4.0<', html)
    assert "alloc-bookings" not in html


def test_it_shows_bad_numbers_at_their_field(client, world: World, by_hand):
    client.force_login(world.lea)
    html = client.post(URL, _form(**{
        "avail-0": "-1", "avail-1": "ten", "minh-1": "12", "target-0": "nan",
        "umin-1-0": "5", "umax-1-0": "2"})).content.decode()
    errors = re.findall(r'class="diag field-error">([^<]*)<', html)
    assert errors == ["Enter a number.",                                  # target calls
                      "Ensure this value is greater than or equal to 0.",  # Rita's hours
                      "Enter a number.",                                  # Rob's hours
                      "the minimum (5) is above the maximum (2)"]         # Rob's calls
    assert 'id="form-errors"' in html and "Proposed weekly plan" not in html
    # what was typed stays in the field
    assert 'name="avail-1" value="ten"' in html


def test_it_refuses_more_hours_than_a_week_has(client, world: World, by_hand):
    client.force_login(world.lea)
    html = client.post(URL, _form(**{"avail-0": "200", "minh-1": "12"})).content.decode()
    assert re.findall(r'class="diag field-error">([^<]*)<', html) == [
        "Ensure this value is less than or equal to 168.0.",
        "the minimum (12 h) is above the available hours (10 h)"]


def test_it_answers_htmx_with_the_form_and_result_only(client, world: World, by_hand):
    client.force_login(world.lea)
    html = client.post(URL, _form(), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="allocation">')
    assert "<html" not in html and _text(html, "alloc-bookings") == "51"


def test_it_starts_from_the_teams_open_deals_when_there_is_no_activity_log(client,
                                                                          world: World):
    client.force_login(world.lea)
    html = client.get(URL).content.decode()
    # North's one open deal (Rita's OPEN1, product GTX) must be carried by someone
    assert '<label for="id_target-0">open GTX</label>' in html
    assert 'name="target-1"' not in html
    # the CLI's defaults: 40 hours each, and at least half an even share of the hours the
    # open deals need: 0.5 x 0.5 h x 1 deal / 2 reps = 0.125 -> shown as 0.12
    assert html.count('value="40"') == 2 and html.count('value="0.12"') == 2
    data = dict(re.findall(r'<input type="number" name="([^"]+)" value="([^"]*)"', html))
    html = client.post(URL, data).content.decode()
    assert "Proposed weekly plan" in html
    # the team carries exactly the one open deal
    totals = re.search(r'<tr class="total"><td>Team</td><td class="num">([^<]*)<', html)
    assert totals and totals.group(1) == "1.0"


def test_it_says_a_parent_team_allocates_in_its_sub_teams(client, world: World):
    client.force_login(world.otto)
    html = client.get("/teams/company/allocate/").content.decode()
    assert 'id="no-allocation"' in html and "<form" not in html.split("<main>")[1]


def test_it_starts_from_weekly_activity_targets_when_there_is_an_activity_log(
        client, world: World):
    from datetime import date

    from teamquota.data.dataset import to_table
    from teamquota.data.tables import ACTIVITIES
    from teamquota.web.comp.services.dataset import store_table
    # two weeks of activity (2 to 16 January): Rita 10 calls, Rob 4 meetings
    store_table("activities", to_table(ACTIVITIES, [
        {"payee_id": "rita", "type": "call", "date": date(2017, 1, 2), "account": "Acct 0",
         "quantity": 10},
        {"payee_id": "rob", "type": "meeting", "date": date(2017, 1, 16), "account": "Acct 2",
         "quantity": 4}]))
    client.force_login(world.lea)
    html = client.get(URL).content.decode()
    # targets 10% above the team's weekly volume, whole units: calls 10 / 2 weeks = 5 ->
    # 5.5 -> 6; meetings 4 / 2 = 2 -> 2.2 -> 3; 15 hours each
    assert '<label for="id_target-0">call</label>' in html
    assert 'name="target-0" value="6"' in html and 'name="target-1" value="3"' in html
    assert html.count('value="15"') == 2
    # at most 1.5x a rep's own weekly volume (the team median for a type they never did):
    # calls 1.5 x 5 = 7.5 for both, meetings 1.5 x 2 = 3 for both
    for cell in ("umax-0-0", "umax-1-0"):
        assert f'name="{cell}" value="7.5"' in html
    for cell in ("umax-0-1", "umax-1-1"):
        assert f'name="{cell}" value="3"' in html
    data = dict(re.findall(r'<input type="number" name="([^"]+)" value="([^"]*)"', html))
    html = client.post(URL, data).content.decode()
    # 6 calls and 3 meetings fit within the limits and 30 hours: a plan, no shortfall
    assert "Proposed weekly plan" in html and 'id="infeasible"' not in html


def test_it_names_the_resource_that_limits_an_infeasible_plan(client, world: World, by_hand):
    client.force_login(world.lea)
    # 30 calls of an hour with 10 + 10 hours: 20 fit; both reps' hours bind (dual 1 each)
    html = client.post(URL, _form(**{"target-0": "30", "target-1": "0"})).content.decode()
    resources = re.findall(r"<li>([^<]*)</li>", html.split('id="binding-resources"')[1])
    assert resources[0] == ("team hours: all 2 reps use all their available hours (20 "
                            "h/week in all; each extra hour would cut the shortfall by up "
                            "to 1.00)")


def test_it_keeps_a_rep_without_deals_with_the_reason_and_shows_the_range(
        client, world: World, monkeypatch: pytest.MonkeyPatch):
    from teamquota.insights.allocation_inputs import NO_DEALS_VALUE
    # Rob has no closed deals: valued at the team's rate (2 per call), spanning 1 to 3
    # (x0.5, x1.5); Rita 1 per call. 8 calls, 10 h each: Rob takes all 8 (16); even split
    # 4 + 4 -> Rob 8. Range: Rob's 8 calls at 1 and 3 -> 8 to 24
    value = pd.DataFrame({"calls": [1.0, 2.0]}, index=["rita", "rob"])
    problem = AllocationProblem(reps=["rita", "rob"], duties=[Duty("calls", 8, 1.0,
                                                                   max_total=8)],
                                available={"rita": 10.0, "rob": 10.0}, value=value,
                                value_low=value * 0.5,
                                value_high=value * 1.5,
                                reasons={"rob": NO_DEALS_VALUE})
    monkeypatch.setattr(insights_allocation, "_build",
                        lambda team_id: insights_allocation.Baseline("activities", problem))
    client.force_login(world.lea)
    html = client.post(URL, {"target-0": "8", "avail-0": "10", "avail-1": "10"}
                       ).content.decode()
    from django.utils.html import escape
    assert f'<span class="muted" data-note="rob">{escape(NO_DEALS_VALUE)}</span>' in html
    assert _row(html, "rob") == ["8.0", "8.0", "16", "8 – 24", "8"]
    assert _text(html, "alloc-range") == "8 – 24"

"""The organisation and plan-assignment pages offer people and teams by name (issue 15,
item 6); the server still checks every id it is sent, so a tampered form gets a clear
message, never a 500 and never a change."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from teamquota.web.comp.models import Membership, Payee, PlanAssignment, Target, Team
from teamquota.web.comp.services import org


def _options(text: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the <select name=...> options (the first one on the page)."""
    select = re.search(rf'<select (?:id="[^"]*" )?name="{name}"[^>]*>(.*?)</select>', text,
                       re.S)
    assert select, f"no select named {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


@pytest.fixture
def otto(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.otto)
    return client


def test_it_offers_the_new_teams_leader_and_parent_by_name(otto):
    text = otto.get("/org/").content.decode()
    # people by name, then id; 'no leader' first (world: Lea, Rita, Rob, Sam, Sue)
    assert _options(text, "leader_id") == [
        ("", "no leader"), ("lea", "Lea Leader (lea)"), ("rita", "Rita Rep (rita)"),
        ("rob", "Rob Rep (rob)"), ("sam", "Sam Leader (sam)"), ("sue", "Sue (sue)")]
    assert _options(text, "parent_id") == [
        ("", "none (a top team)"), ("company", "Company (company)"), ("north", "North (north)"),
        ("south", "South (south)")]
    assert 'list="people"' not in text  # five people: a select


def test_it_selects_the_teams_leader_and_parent_and_never_offers_the_team_itself(otto):
    text = otto.get("/org/teams/north/").content.decode()
    assert '<option value="lea" selected>Lea Leader (lea)</option>' in text
    assert '<option value="company" selected>Company (company)</option>' in text
    assert ("north", "North (north)") not in _options(text, "parent_id")
    assert ("north", "North (north)") not in _options(text, "to_team")


def test_it_offers_only_the_teams_members_to_move_and_everyone_to_add(otto):
    text = otto.get("/org/teams/north/").content.decode()
    # moving: the team's members, as suggestions of a text box (a datalist), so a member
    # can be typed by id too
    move = text[text.index("Move a member"):text.index("Add someone")]
    assert '<input type="text" name="payee_id" list="members" required' in move
    assert re.findall(r'<option value="([^"]*)">([^<]*)</option>',
                      move[move.index('<datalist id="members">'):move.index("</datalist>")]) == [
        ("rita", "Rita Rep (rita)"), ("rob", "Rob Rep (rob)")]
    add = text[text.index("Add someone"):]
    assert len(_options(add, "payee_id")) == 1 + 5
    assert _options(text, "subject") == [("north", "the team (north)"),
                                         ("rita", "Rita Rep (rita)"), ("rob", "Rob Rep (rob)")]


def test_it_suggests_known_measures_and_periods_for_a_target(otto):
    text = otto.get("/org/teams/north/").content.decode()
    assert '<datalist id="measures"><option value="personal"><option value="team">' in text
    assert '<input type="text" name="period" list="periods"' in text


def test_it_switches_to_a_datalist_when_there_are_many_people(otto, monkeypatch):
    monkeypatch.setattr(org, "PICKER_LIMIT", 4)  # five people > 4
    text = otto.get("/org/teams/north/").content.decode()
    assert ('<input type="text" id="team-leader" name="leader_id" list="people" value="lea"'
            in text)
    assert '<datalist id="people">' in text and \
        '<option value="sue">Sue (sue)</option>' in text


@pytest.mark.parametrize(("path", "form", "message"), [
    ("/org/", {"team_id": "west", "name": "West", "leader_id": "ghost"},
     "leader: no payee has the id &#x27;ghost&#x27;"),
    ("/org/", {"team_id": "west", "name": "West", "parent_id": "atlantis"},
     "parent team: no team has the id &#x27;atlantis&#x27;"),
    ("/org/teams/north/add/", {"payee_id": "ghost", "start_date": "2017-06-01"},
     "payee: no payee has the id &#x27;ghost&#x27;"),
    ("/org/teams/north/move/", {"payee_id": "rita", "to_team": "atlantis", "day": "2017-06-01"},
     "to team: no team has the id &#x27;atlantis&#x27;"),
    ("/org/teams/north/targets/", {"subject": "sue", "measure": "personal",
                                   "period": "2017-Q1", "amount": "10.00"},
     "for: Sue (sue) is not a member of North; set their target from their team&#x27;s page"),
])
def test_it_refuses_a_tampered_picker_value_by_name(otto, path, form, message):
    before = (Team.objects.count(), Membership.objects.count(),
              list(Target.objects.values_list("subject_id", "amount").order_by("id")))
    response = otto.post(path, form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Team.objects.count(), Membership.objects.count(),
            list(Target.objects.values_list("subject_id", "amount").order_by("id"))) == before


def test_it_sets_a_members_target_picked_by_name(otto):
    otto.post("/org/teams/north/targets/", {"subject": "rob", "measure": "personal",
                                            "period": "2017-Q2", "amount": "2500.00"})
    assert str(Target.objects.get(subject_id="rob", period="2017-Q2").amount) == "2500.00"


def test_it_assigns_a_plan_to_the_people_picked(otto, world):
    text = otto.get("/plans/ae_test/assign/").content.decode()
    assert ('<select name="payee_ids" multiple size="12" id="assign-people">'
            '<option value="lea">Lea Leader (lea)</option>') in text
    response = otto.post("/plans/ae_test/assign/", {"payee_ids": ["lea", "sam"],
                                                    "start_date": "2017-04-01"})
    assert response.status_code == 302
    assert sorted(PlanAssignment.objects.filter(start_date="2017-04-01")
                  .values_list("payee__payee_id", flat=True)) == ["lea", "sam"]


def test_it_joins_picked_and_pasted_ids_once_each(otto):
    otto.post("/plans/ae_test/assign/", {"payee_ids": ["lea"], "pasted_ids": "sam, lea\n",
                                         "start_date": "2017-04-01"})
    # lea picked and pasted: one assignment; sam pasted
    assert sorted(PlanAssignment.objects.filter(start_date="2017-04-01")
                  .values_list("payee__payee_id", flat=True)) == ["lea", "sam"]


def test_it_refuses_a_tampered_person_and_keeps_the_choice(otto):
    response = otto.post("/plans/ae_test/assign/", {"payee_ids": ["lea", "ghost"],
                                                    "start_date": "2017-04-01"})
    text = response.content.decode()
    assert response.status_code == 200 and "unknown payee id &#x27;ghost&#x27;" in text
    assert '<option value="lea" selected>Lea Leader (lea)</option>' in text
    assert not PlanAssignment.objects.filter(start_date="2017-04-01").exists()


def test_it_asks_for_a_person_when_none_is_picked(otto):
    text = otto.post("/plans/ae_test/assign/", {"start_date": "2017-04-01"}).content.decode()
    assert "choose at least one person (or paste their payee ids)" in text
    assert Payee.objects.count() == 5

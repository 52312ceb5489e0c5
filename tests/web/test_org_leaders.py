"""Changing a team's leader from a date (the organisation page and a teams import): the old
leader's span ends the day before, the new one's opens, ``Team.leader`` follows the open
span; a day before the open span's start is a located error and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from teamquota.web.comp.models import AuditEvent, Import, Leadership, Payee, Team

HISTORY = date(1900, 1, 1)


def _spans(team: str) -> list[tuple[str, date, date | None]]:
    return list(Leadership.objects.filter(team__team_id=team).order_by("start_date")
                .values_list("payee__payee_id", "start_date", "end_date"))


def _edit(client, team: str = "north", **fields: str):  # noqa: ANN001, ANN202
    form = {"name": Team.objects.get(team_id=team).name, "parent_id": "company", **fields}
    return client.post(f"/org/teams/{team}/", form)


def test_it_changes_a_leader_from_a_date(client, world):
    client.force_login(world.otto)
    response = _edit(client, leader_id="sam", leader_from="2017-10-01")
    assert response.status_code == 302
    assert _spans("north") == [("lea", HISTORY, date(2017, 9, 30)),
                               ("sam", date(2017, 10, 1), None)]
    assert Team.objects.get(team_id="north").leader == world.sam.payee
    event = AuditEvent.objects.get(action="team.leader")
    assert (event.actor, event.details["day"]) == (world.otto, "2017-10-01")
    assert event.summary == ("otto changed the leader of North: Lea Leader -> Sam Leader "
                             "from 2017-10-01 (Lea Leader's last day 2017-09-30)")
    # the name/leader/parent edit is audited as before, and is a data edit of teams
    assert AuditEvent.objects.get(action="team.edit").summary == (
        "otto changed team north: leader Lea Leader -> Sam Leader")
    assert Import.objects.filter(table="teams", mode="edit").count() == 1


def test_it_changes_a_leader_from_today_by_default(client, world):
    today = timezone.localdate()
    client.force_login(world.otto)
    _edit(client, leader_id="sam")
    assert _spans("north") == [("lea", HISTORY, today - timedelta(days=1)),
                               ("sam", today, None)]


def test_it_refuses_a_day_before_the_current_leaders_start_naming_the_field(client, world):
    client.force_login(world.otto)
    _edit(client, leader_id="sam", leader_from="2017-10-01")
    text = _edit(client, leader_id="lea", leader_from="2017-09-30").content.decode()
    # one day before Sam's first day (2017-10-01): refused, nothing written
    assert ("leader from: 2017-09-30 is before Sam Leader started leading North on "
            "2017-10-01; a new leader starts on or after that day") in text
    assert _spans("north") == [("lea", HISTORY, date(2017, 9, 30)),
                               ("sam", date(2017, 10, 1), None)]
    assert Team.objects.get(team_id="north").leader == world.sam.payee
    assert AuditEvent.objects.filter(action="team.leader").count() == 1
    for bad, words in (("1899-12-31", "leader from: 1899-12-31 is outside the supported dates "
                                      "1900-01-01..2199-12-31"),
                       ("1.10.2017", "leader from: &#x27;1.10.2017&#x27; is not a date; write "
                                     "YYYY-MM-DD")):
        assert words in _edit(client, leader_id="lea", leader_from=bad).content.decode()
    assert Team.objects.get(team_id="north").leader == world.sam.payee


def test_it_refuses_a_leader_date_when_the_leader_stays(client, world):
    client.force_login(world.otto)
    text = _edit(client, leader_id="lea", leader_from="2017-10-01").content.decode()
    assert ("leader from: 2017-10-01 is given but the leader stays Lea Leader; change the "
            "leader to date a change") in text
    assert _spans("north") == [("lea", HISTORY, None)]
    assert not AuditEvent.objects.filter(action__startswith="team.").exists()


def test_it_gives_a_span_starting_that_day_to_the_new_leader(client, world):
    """A change on the open span's first day: the old leader never led, the span is the
    new leader's (exactly at the edge: 2017-10-01 is accepted, 2017-09-30 is not)."""
    client.force_login(world.otto)
    _edit(client, leader_id="sam", leader_from="2017-10-01")
    assert _edit(client, leader_id="rita", leader_from="2017-10-01").status_code == 302
    assert _spans("north") == [("lea", HISTORY, date(2017, 9, 30)),
                               ("rita", date(2017, 10, 1), None)]


def test_it_ends_the_span_when_the_leader_is_removed(client, world):
    client.force_login(world.otto)
    _edit(client, leader_id="", leader_from="2017-10-01")
    assert _spans("north") == [("lea", HISTORY, date(2017, 9, 30))]
    assert Team.objects.get(team_id="north").leader is None
    assert AuditEvent.objects.get(action="team.leader").summary == (
        "otto changed the leader of North: Lea Leader -> nobody from 2017-10-01 "
        "(Lea Leader's last day 2017-09-30)")
    # a new leader starts after the last day, not on it
    text = _edit(client, leader_id="sam", leader_from="2017-09-30").content.decode()
    assert ("leader from: 2017-09-30 is not after Lea Leader&#x27;s leadership of North "
            "(1900-01-01 to 2017-09-30); a new leader starts after its last day") in text
    _edit(client, leader_id="sam", leader_from="2017-10-01")
    assert _spans("north") == [("lea", HISTORY, date(2017, 9, 30)),
                               ("sam", date(2017, 10, 1), None)]


def test_it_shows_the_leaders_with_their_dates(client, world):
    client.force_login(world.otto)
    _edit(client, leader_id="sam", leader_from="2017-10-01")
    text = client.get("/org/teams/north/").content.decode()
    assert "<td>1900-01-01</td><td>2017-09-30</td>" in text
    assert "<td>2017-10-01</td><td>open</td>" in text


def test_it_creates_a_team_led_from_the_given_day(client, world):
    client.force_login(world.otto)
    client.post("/org/", {"team_id": "west", "name": "West", "leader_id": "sam",
                          "parent_id": "company", "leader_from": "2017-04-01"})
    assert _spans("west") == [("sam", date(2017, 4, 1), None)]


def _upload(client, text: str) -> str:  # noqa: ANN001
    response = client.post("/imports/upload/", {
        "table": "teams", "preset": "",
        "file": SimpleUploadedFile("teams.csv", text.encode(), content_type="text/csv")})
    assert response.status_code == 302, response.content
    return response["Location"]


TEAMS = ("team_id,name,leader_id,parent_team_id\ncompany,Company,,\n"
         "north,North,{north},company\nsouth,South,sam,company\n")


def test_it_changes_a_leader_by_import_from_the_imports_day(client, world):
    today = timezone.localdate()
    client.force_login(world.otto)
    location = _upload(client, TEAMS.format(north="rita"))
    text = client.get(location + "?mode=upsert").content.decode()
    assert f"leader of North changes from Lea Leader to Rita Rep from {today}" in text
    assert "leader of South" not in text  # Sam stays
    client.post(location + "apply/", {"mode": "upsert"})
    assert _spans("north") == [("lea", HISTORY, today - timedelta(days=1)),
                               ("rita", today, None)]
    assert _spans("south") == [("sam", HISTORY, None)]
    assert Team.objects.get(team_id="north").leader == world.rita.payee
    event = AuditEvent.objects.get(action="team.leader")
    assert (event.actor, event.details["day"]) == (world.otto, str(today))
    assert event.summary == (f"otto imported teams.csv: leader of North: Lea Leader -> Rita "
                             f"Rep from {today} (Lea Leader's last day "
                             f"{today - timedelta(days=1)})")


def test_it_gives_a_first_import_its_leaders_for_every_period(client, db):
    """No previous leader (an empty database, a history load): from 1900-01-01."""
    from tests.web.world import _user
    Payee.objects.create(payee_id="lea", name="Lea Leader", target_incentive=1)
    Payee.objects.create(payee_id="sam", name="Sam Leader", target_incentive=1)
    client.force_login(_user("otto", "sales_ops"))
    location = _upload(client, TEAMS.format(north="lea"))
    text = client.get(location).content.decode()
    assert ("leader of North changes from nobody to Lea Leader from 1900-01-01 (a team&#x27;s "
            "first leader leads it in every period)") in text
    client.post(location + "apply/", {"mode": "replace"})
    assert _spans("north") == [("lea", HISTORY, None)]
    assert _spans("south") == [("sam", HISTORY, None)]
    assert _spans("company") == []
    assert sorted(AuditEvent.objects.filter(action="team.leader")
                  .values_list("object_id", "details__day")) == [("north", "1900-01-01"),
                                                                  ("south", "1900-01-01")]

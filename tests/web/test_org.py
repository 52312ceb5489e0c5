"""The organisation page (sales ops): teams and effective-dated memberships — validated
(no overlaps, no cycles), audited, counted as data authorship, effective at the next run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.web.comp.access import approval_refusal
from teamquota.web.comp.models import (
    AuditEvent,
    CreditRow,
    Deal,
    Import,
    Membership,
    Period,
    Team,
)
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate


def _spans(payee: str) -> list[tuple[str, date, date | None]]:
    return list(Membership.objects.filter(payee__payee_id=payee).order_by("start_date")
                .values_list("team__team_id", "start_date", "end_date"))


def test_it_moves_a_rep_to_another_team_from_a_date(client, world):
    client.force_login(world.otto)
    response = client.post("/org/teams/north/move/", {"payee_id": "rita", "to_team": "south",
                                                      "day": "2017-03-01"})
    assert response.status_code == 302
    assert _spans("rita") == [("north", date(2017, 1, 1), date(2017, 2, 28)),
                              ("south", date(2017, 3, 1), None)]
    event = AuditEvent.objects.get(action="membership.move")
    assert event.actor == world.otto
    assert event.summary == ("otto moved Rita Rep (rita) from North to South from 2017-03-01 "
                             "(North membership ends 2017-02-28)")
    edit = Import.objects.get(table="memberships", mode="edit")
    assert (edit.created_by, edit.file_name) == (world.otto, event.summary)


def test_it_takes_effect_at_the_next_run(client, world):
    Deal.objects.create(deal_id="MARCH", owner=world.rita.payee, amount=Decimal("700.00"),
                        stage="Won", close_date=date(2017, 3, 5))
    client.force_login(world.otto)
    client.post("/org/teams/north/move/", {"payee_id": "rita", "to_team": "south",
                                           "day": "2017-03-01"})
    before = CreditRow.objects.filter(run=world.run, subject_type="team")
    assert not before.filter(deal_id="MARCH").exists()  # the old run is untouched
    run = start_run(world.otto, "after the move", calculator=fake_calculate)
    teams = dict(CreditRow.objects.filter(run=run, subject_type="team", payee_id="rita")
                 .values_list("deal_id", "subject_id"))
    # DEAL-1 (Feb 10) and DEAL-2 (Feb 11) stay North's; MARCH closes after the move
    assert teams == {"DEAL-1": "north", "DEAL-2": "north", "MARCH": "south"}


def test_it_refuses_overlapping_memberships_and_says_why(client, world):
    client.force_login(world.otto)
    text = client.post("/org/teams/north/add/", {"payee_id": "rob", "start_date": "2017-06-01",
                                                 "end_date": ""}).content.decode()
    assert ("Rob Rep (rob) is already in North from 2017-01-01, which overlaps from "
            "2017-06-01; one payee is in one team once at a time") in text
    text = client.post("/org/teams/south/move/", {"payee_id": "rita", "to_team": "north",
                                                  "day": "2017-03-01"}).content.decode()
    assert "Rita Rep (rita) is not in South on 2017-03-01, so they cannot move from it" in text
    assert _spans("rob") == [("north", date(2017, 1, 1), None)]
    assert not AuditEvent.objects.filter(action__startswith="membership").exists()
    assert not Import.objects.filter(mode="edit").exists()


def test_it_names_the_bad_field(client, world):
    client.force_login(world.otto)
    text = client.post("/org/teams/north/add/", {"payee_id": "rob", "start_date": "1.3.2017"}
                       ).content.decode()
    assert "from: &#x27;1.3.2017&#x27; is not a date; write YYYY-MM-DD" in text
    text = client.post("/org/teams/north/add/", {"payee_id": "nobody",
                                                 "start_date": "2017-03-01"}).content.decode()
    assert "payee: no payee has the id &#x27;nobody&#x27;" in text


def test_it_ends_a_membership_and_warns_when_that_reaches_a_locked_period(client, world):
    Period.objects.filter(label="2017-Q1").update(status="locked")
    membership = Membership.objects.get(payee__payee_id="rob")
    client.force_login(world.otto)
    page = client.post(f"/org/memberships/{membership.pk}/end/", {"end_date": "2017-02-15"},
                       follow=True).content.decode()
    assert _spans("rob") == [("north", date(2017, 1, 1), date(2017, 2, 15))]
    assert ("it reaches into locked 2017-Q1: the next run carries the difference into the "
            "next open period as adjustments") in page
    assert AuditEvent.objects.get(action="membership.end").summary == (
        "otto set the end of Rob Rep's (rob) membership in North from 2017-01-01: "
        "open -> 2017-02-15")


def test_it_creates_and_edits_teams_without_cycles(client, world):
    client.force_login(world.otto)
    client.post("/org/", {"team_id": "west", "name": "West", "leader_id": "sam",
                          "parent_id": "company"})
    west = Team.objects.get(team_id="west")
    assert (west.leader, west.parent) == (world.sam.payee, world.company)
    text = client.post("/org/teams/company/", {"name": "Company", "parent_id": "west"}
                       ).content.decode()
    assert "West is Company or one of its sub-teams; a team cannot be its own parent" in text
    client.post("/org/teams/west/", {"name": "West coast", "leader_id": "lea",
                                     "parent_id": "company"})
    assert AuditEvent.objects.get(action="team.edit").summary == (
        "otto changed team west: name West -> West coast, leader Sam Leader -> Lea Leader")


def test_it_stops_the_editor_approving_the_payouts_of_the_changed_organisation(client, world):
    client.force_login(world.otto)
    client.post("/org/teams/north/move/", {"payee_id": "rita", "to_team": "south",
                                           "day": "2017-03-01"})
    world.otto.role_names = "sales_ops,finance"
    world.otto.save()
    run = start_run(world.otto, "after the move", calculator=fake_calculate)
    assert "segregation of duties" in approval_refusal(world.otto, run)
    assert approval_refusal(world.fiona, run) is None


def test_it_sets_a_target_audited_with_before_and_after(client, world):
    from teamquota.web.comp.models import Target
    client.force_login(world.otto)
    client.post("/org/teams/north/targets/", {"subject": "rita", "measure": "personal",
                                              "period": "2017-Q1", "amount": "3,250.50"})
    client.post("/org/teams/north/targets/", {"subject": "north", "measure": "team",
                                              "period": "2017-Q2", "amount": "6000"})
    assert Target.objects.get(subject_id="rita", period="2017-Q1").amount == Decimal("3250.50")
    assert Target.objects.get(subject_id="north", period="2017-Q2").amount == Decimal("6000")
    assert list(AuditEvent.objects.filter(action="target.set").order_by("id")
                .values_list("summary", flat=True)) == [
        "otto set the personal target of payee rita for 2017-Q1: 3000.00 -> 3250.50",
        "otto set the team target of team north for 2017-Q2: none -> 6000.00"]
    assert Import.objects.filter(table="targets", mode="edit").count() == 2


def test_it_refuses_a_bad_target_naming_the_field(client, world):
    from teamquota.web.comp.models import Target
    client.force_login(world.otto)
    for data, message in (
            ({"amount": "12.345"}, "amount: &#x27;12.345&#x27; must be zero or more, with at "
                                   "most two decimals"),
            ({"amount": "-5"}, "amount: &#x27;-5&#x27; must be zero or more"),
            ({"amount": "lots"}, "amount: &#x27;lots&#x27; is not a number"),
            ({"period": "Q3 2017"}, "period: not a period label: &#x27;Q3 2017&#x27;; expected "
                                    "YYYY, YYYY-Qn or YYYY-MM"),
            ({"subject": "nobody"}, "payee: no payee has the id &#x27;nobody&#x27;")):
        form = {"subject": "rita", "measure": "personal", "period": "2017-Q1",
                "amount": "10.00", **data}
        text = client.post("/org/teams/north/targets/", form).content.decode()
        assert message in text, (data, message)
    assert Target.objects.get(subject_id="rita", period="2017-Q1").amount == Decimal("3000")
    assert not AuditEvent.objects.filter(action="target.set").exists()

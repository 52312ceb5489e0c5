"""The audit log names who an entry is about (issue 15): 'Rita Rep (rita)' where the
payee or team is known, the id alone where it is not; counts read '1 payee', not
'1 payees'."""

from __future__ import annotations

from teamquota.web.comp.models import AuditEvent, record


def test_it_names_a_payee_and_a_team_an_entry_is_about(client, world):
    record(world.otto, "membership.add", "payee", "rita", "otto added rita to north")
    record(world.otto, "team.leader", "team", "north", "leader of North changes")
    record(world.otto, "membership.end", "payee", "gone-person", "otto ended gone-person")
    client.force_login(world.otto)
    page = client.get("/audit/").content.decode()
    assert "<code>membership.add</code> payee Rita Rep (rita)</td>" in page
    assert "<code>team.leader</code> team North (north)</td>" in page
    assert "<code>membership.end</code> payee gone-person</td>" in page  # no such payee


def test_it_says_one_payee_and_names_them_when_a_plan_is_assigned(client, world):
    client.force_login(world.otto)
    response = client.post("/plans/ae_test/assign/", {"payee_ids": "lea",
                                                      "start_date": "2017-04-01"},
                           follow=True)
    assert "Assigned ae_test to 1 payee" in response.content.decode()
    event = AuditEvent.objects.get(action="plan.assign")
    assert event.summary == ("otto assigned ae_test to Lea Leader (lea) from 2017-04-01 to "
                             "open end")


def test_it_keeps_the_audit_log_for_those_who_may_see_it(client, world):
    client.force_login(world.rita)
    assert client.get("/audit/").status_code in (403, 404)
    client.logout()
    assert client.get("/audit/").status_code == 302

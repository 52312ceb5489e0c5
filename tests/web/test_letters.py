"""Plan letters: what a letter says (world.py's plan for Rita), its PDF, sending it for
acceptance, the payee's own acceptance, a new version asking again, and ops' status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from teamquota.web.comp.models import (
    AuditEvent,
    LetterAcceptance,
    Membership,
    Payee,
    PlanAssignment,
    PlanLetter,
    PlanVersion,
    Target,
    User,
)
from teamquota.web.comp.services.letters import content_hash, letter_pdf
from tests.web.world import PLAN_YAML, World


def _send(client, world: World, version: int = 1):  # noqa: ANN001, ANN202
    client.force_login(world.otto)
    return client.post("/plans/ae_test/letters/send/", {"version": str(version)})


def _letter(payee_id: str, version: int = 1) -> PlanLetter:
    return PlanLetter.objects.get(payee__payee_id=payee_id, version__number=version)


def test_it_words_each_rule_and_ritas_numbers(client, world):
    _send(client, world)
    c = _letter("rita").content
    assert (c["plan"], c["version"], c["payee"]["name"]) == ("ae_test", 1, "Rita Rep")
    assert (c["ti"], c["ti_shown"], c["ti_currency"]) == ("20000.00", "20,000.00", "USD")
    assert c["effective"] == [{"start": "2017-01-01", "end": ""}]  # her PlanAssignment
    personal, team = c["components"]
    # the plan page's words (views.plans.describe) ...
    assert personal["facts"] == ["scope: payee", "weight: 40% of target incentive",
                                 "measure: sum of amount of deals where stage = Won",
                                 "curve capped at 250%"]
    assert team["facts"] == ["scope: team", "weight: 60% of target incentive",
                             "measure: sum of amount of deals where stage = Won",
                             "curve capped at 200%", "gate: pays only if the team reaches 80%"]
    # ... and the statement's rule for the curve (engine.pay), as README's example shows it
    assert personal["rule"] == ("0.4 of target incentive on personal attainment; "
                                "curve 50%->0%, 100%->100%, 150%->200%, cap 250%")
    assert team["rule"] == ("0.6 of target incentive on team attainment; "
                            "curve 80%->50%, 100%->100%, 130%->160%, cap 200%")
    assert personal["points"] == [["50%", "0%"], ["100%", "100%"], ["150%", "200%"]]
    assert personal["cap"] == "250%"
    # drawn: 0 until the first point, the points, then the last slope (2) up to the cap:
    # 200% + 2 x (x - 150%) = 250% at x = 175%, flat to 200%
    chart = personal["chart"]
    assert [Decimal(x) for x in chart["x"]] == [0, 50, 50, 100, 150, 175, 200]
    assert [Decimal(y) for y in chart["y"]] == [0, 0, 0, 100, 200, 250, 250]
    # her own target and North's (she is a member), world.py's 2017-Q1 targets
    assert c["targets"] == [
        {"period": "2017-Q1", "component": "personal", "whose": "yours",
         "amount": "3000.00", "shown": "3,000.00"},
        {"period": "2017-Q1", "component": "team", "whose": "team North",
         "amount": "5000.00", "shown": "5,000.00"}]
    sue = _letter("sue").content["targets"]
    assert [(t["whose"], t["shown"]) for t in sue] == [("yours", "5,000.00"),
                                                      ("team South", "5,000.00")]


def test_it_shows_the_letter_with_its_curves_drawn(client, world):
    _send(client, world)
    letter = _letter("rita")
    client.force_login(world.rita)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    assert "Plan letter — Rita Rep" in page and "20,000.00 USD" in page
    assert page.count('data-chart="curve"') == 2 and "comp/plotly" in page
    assert "gate: pays only if the team reaches 80%" in page
    assert "from 2017-01-01 to open end" in page
    assert "Accept this plan letter" in page


def test_it_writes_the_letter_as_a_pdf(client, world):
    _send(client, world)
    letter = _letter("rita")
    body = letter_pdf(letter, compress=False)
    assert body.startswith(b"%PDF")
    assert b"Plan letter - Rita Rep" in body and b"20,000.00 USD" in body
    assert b"curve 50%->0%, 100%->100%, 150%->200%, cap 250%" in body
    client.force_login(world.rita)
    response = client.get(f"/letters/{letter.pk}/letter.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="plan-letter-ae_test-v1-rita.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("name,written", [
    ("Zoë Ørsted", b"Zo\xeb \xd8rsted"),  # latin-1: written as it is
    ("Łukasz Dąbrowski", b"Lukasz Dabrowski"),  # accents outside latin-1 dropped
    ("山田 花子 — Ünal", b"?? ?? - \xdcnal"),  # no letters to keep: '?'
])
def test_it_writes_any_name_into_the_pdf(client, world, name, written):
    Payee.objects.filter(payee_id="rita").update(name=name)
    _send(client, world)
    body = letter_pdf(_letter("rita"), compress=False)
    assert body.startswith(b"%PDF") and written in body


def test_it_lets_only_the_payee_accept(client, world):
    _send(client, world)
    letter = _letter("rita")
    url = f"/letters/{letter.pk}/accept/"
    # ops, finance and her own leader see the letter but may not accept it for her;
    # another team's people do not see it at all
    for user, status in ((world.otto, 403), (world.fiona, 403), (world.lea, 403),
                         (world.sue, 404), (world.sam, 404)):
        client.force_login(user)
        assert client.post(url).status_code == status, user.username
    assert not LetterAcceptance.objects.exists()
    client.force_login(world.rita)
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # twice: still one record, one audit event
    acceptance = LetterAcceptance.objects.get()
    assert (acceptance.accepted_by, acceptance.version.number) == (world.rita, 1)
    assert acceptance.content_hash == letter.content_hash == content_hash(letter.content)
    events = AuditEvent.objects.filter(action="plan.accept")
    assert [(e.object_type, e.object_id, e.details["payee"], e.details["version"])
            for e in events] == [("plan_letter", str(letter.pk), "rita", letter.version_id)]
    assert client.get(url).status_code == 405  # accepting is a POST
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    assert "Accepted</strong> by rita" in page and "Accept this plan letter" not in page


def test_it_audits_the_letters_sent_once(client, world):
    assert _send(client, world).status_code == 302
    event = AuditEvent.objects.get(action="plan.letters_sent")
    version = PlanVersion.objects.get(plan__plan_id="ae_test", number=1)
    assert (event.object_type, event.object_id) == ("plan_version", str(version.pk))
    assert event.details["payees"] == ["rita", "rob", "sue"]  # by name: Rita, Rob, Sue
    assert event.summary == ("otto sent the letters of ae_test v1 to 3 payees: Rita Rep (rita), "
                             "Rob Rep (rob), Sue (sue)")
    _send(client, world)  # again: nobody new, nothing written, nothing audited
    assert PlanLetter.objects.count() == 3
    assert AuditEvent.objects.filter(action="plan.letters_sent").count() == 1
    # a payee assigned later gets theirs on the next send, the others keep their letter
    lea = Payee.objects.get(payee_id="lea")
    PlanAssignment.objects.create(plan=world.plan, payee=lea, start_date="2017-04-01")
    _send(client, world)
    assert AuditEvent.objects.filter(action="plan.letters_sent").first().details["payees"] \
        == ["lea"]
    assert PlanLetter.objects.count() == 4


def test_it_keeps_a_sent_letter_as_sent(client, world):
    _send(client, world)
    letter = _letter("rita")
    before = letter.content_hash
    Payee.objects.filter(payee_id="rita").update(target_incentive=Decimal("99999.00"))
    client.force_login(world.rita)
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    assert "20,000.00 USD" in page and "99,999.00" not in page
    letter.refresh_from_db()
    assert letter.content_hash == before == content_hash(letter.content)


def test_it_asks_again_for_a_new_version(client, world):
    _send(client, world)
    client.force_login(world.rita)
    client.post(f"/letters/{_letter('rita').pk}/accept/")
    PlanVersion.objects.create(plan=world.plan, number=2, created_by=world.otto,
                               yaml_text=PLAN_YAML.replace("weight: 0.4", "weight: 0.5")
                               .replace("weight: 0.6", "weight: 0.5"))
    _send(client, world, version=2)
    v2 = _letter("rita", 2)
    assert v2.content["components"][0]["facts"][1] == "weight: 50% of target incentive"
    assert not LetterAcceptance.objects.filter(letter=v2).exists()
    assert LetterAcceptance.objects.filter(letter=_letter("rita", 1)).exists()  # on record
    client.force_login(world.rita)
    page = client.get("/letters/").content.decode().split("<h1>")[1]
    assert page.index("awaits your acceptance") < page.index("accepted 20")  # v2 first
    old = client.get(f"/letters/{_letter('rita').pk}/").content.decode()
    assert "Version 1 was replaced by version 2" in old
    client.force_login(world.otto)
    v2_status = client.get("/plans/ae_test/letters/").content.decode()
    assert "version 2" in v2_status
    # v1's acceptance does not count for v2: nobody has accepted v2 yet
    assert client.get("/plans/ae_test/letters/").context["counts"] == {
        "sent": 3, "accepted": 0, "waiting": 3, "not_sent": 0}
    assert client.get("/plans/ae_test/letters/?version=1").context["counts"] == {
        "sent": 3, "accepted": 1, "waiting": 2, "not_sent": 0}
    # nor accepted: Rob's v1 letter, never accepted, would count for nothing now
    client.force_login(User.objects.create_user(username="rob", payee=Payee.objects.get(
        payee_id="rob")))
    response = client.post(f"/letters/{_letter('rob').pk}/accept/", follow=True)
    assert "version 1 was replaced by version 2; accept the letter of version 2 instead" in \
        response.content.decode()
    assert not LetterAcceptance.objects.filter(letter__payee__payee_id="rob").exists()
    client.force_login(world.otto)
    # an old version's letters are not sent any more
    _send(client, world, version=1)
    assert PlanLetter.objects.count() == 6


def test_it_shows_ops_who_has_not_accepted(client, world):
    client.force_login(world.otto)
    before = client.get("/plans/ae_test/letters/")
    assert before.context["counts"] == {"sent": 0, "accepted": 0, "waiting": 0, "not_sent": 3}
    assert "Send the letters of version 1" in before.content.decode()
    _send(client, world)
    client.force_login(world.sue)
    client.post(f"/letters/{_letter('sue').pk}/accept/")
    client.force_login(world.fiona)  # finance reads the status too, without a send button
    response = client.get("/plans/ae_test/letters/")
    rows = [(r.payee.payee_id, r.state) for r in response.context["rows"]]
    assert rows == [("rita", "not yet accepted"), ("rob", "not yet accepted"),
                    ("sue", "accepted")]
    assert response.context["counts"] == {"sent": 3, "accepted": 1, "waiting": 2,
                                          "not_sent": 0}
    assert "Send the letters" not in response.content.decode()
    listing = client.get("/letters/").content.decode()
    assert "Letters by plan" in listing


def test_it_refuses_bad_versions_and_roles(client, world):
    client.force_login(world.otto)
    assert client.get("/plans/ae_test/letters/?version=x").status_code == 404
    assert client.get("/plans/ae_test/letters/?version=9").status_code == 404
    for bad in ("%C2%B2", "99999999999999999999999", "-1", "1.0"):  # '²' isdigit, int() fails
        assert client.get(f"/plans/ae_test/letters/?version={bad}").status_code == 404, bad
    assert client.get("/letters/99999999999999999999999/").status_code == 404
    assert client.post("/plans/ae_test/letters/send/", {"version": "9"}).status_code == 404
    assert client.get("/plans/nosuch/letters/").status_code == 404
    assert client.get("/letters/999999/").status_code == 404
    client.force_login(world.fiona)
    assert client.post("/plans/ae_test/letters/send/").status_code == 403
    assert not PlanLetter.objects.exists()


def test_a_leader_reads_a_members_letter_but_not_another_teams(client, world):
    _send(client, world)
    client.force_login(world.lea)
    assert client.get(f"/letters/{_letter('rita').pk}/").status_code == 200
    assert client.get(f"/letters/{_letter('sue').pk}/").status_code == 404
    page = client.get(f"/letters/{_letter('rita').pk}/").content.decode()
    assert "Only Rita Rep can accept it" in page


def test_it_lists_the_targets_of_the_periods_the_assignment_pays(client, world):
    # an assignment pays the periods that END within its dates: to 2017-05-15 pays 2017-Q1
    # (ends 03-31), not 2016-Q4 (ends before it starts) nor 2017-Q2 (ends 06-30)
    PlanAssignment.objects.filter(payee__payee_id="rita").update(end_date=date(2017, 5, 15))
    for period in ("2016-Q4", "2017-Q2"):
        Target.objects.create(subject_type="payee", subject_id="rita", measure="personal",
                              period=period, amount=Decimal("1.00"))
    # South's target counts once she is a member on one day of the quarter (its last)
    Membership.objects.create(payee=Payee.objects.get(payee_id="rita"), team=world.south,
                              start_date=date(2017, 3, 31))
    _send(client, world)
    assert [(t["period"], t["whose"], t["shown"]) for t in _letter("rita").content["targets"]] \
        == [("2017-Q1", "yours", "3,000.00"), ("2017-Q1", "team North", "5,000.00"),
            ("2017-Q1", "team South", "5,000.00")]
    assert _letter("rita").content["effective"] == [{"start": "2017-01-01",
                                                     "end": "2017-05-15"}]

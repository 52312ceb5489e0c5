"""Notifications: each audit event notifies exactly the users it concerns and may see,
as their preferences say; e-mail leaves after the step commits and never fails it.

The world (tests/web/world.py): North (Lea) has Rita and Rob, South (Sam) has Sue; the
first run calculated 2017-Q1 with a line each for Rita, Rob and Sue; Fiona is finance,
Otto sales ops. Rob has no login in the world: tests that need it make one.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from teamquota.web.comp.models import (
    AuditEvent,
    Notification,
    NotificationPreference,
    PayoutLine,
    Period,
    PlanVersion,
    User,
    record,
)
from teamquota.web.comp.services import close, notify_events
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.test_accessibility import Fields
from tests.web.world import PASSWORD, World


def _to(kind: str) -> dict[str, list[str]]:
    """Who got a notice of ``kind``: username -> titles."""
    found: dict[str, list[str]] = {}
    for n in Notification.objects.filter(kind=kind).select_related("recipient") \
            .order_by("recipient__username", "id"):
        found.setdefault(n.recipient.username, []).append(n.title)
    return found


def _rob(world: World) -> User:
    rob = PayoutLine.objects.filter(payee__payee_id="rob").first().payee
    return User.objects.create_user(username="rob", password=PASSWORD, role_names="rep",
                                    payee=rob)


def _review_both(client, world: World) -> None:  # noqa: ANN001
    for leader, team in ((world.lea, "north"), (world.sam, "south")):
        client.force_login(leader)
        client.post(f"/periods/2017-Q1/review/{team}/")


def _approve(client, world: World) -> Period:  # noqa: ANN001
    """Both leaders review, finance signs off each team (the close workbench's step, when
    it exists) and approves 2017-Q1, through the close service."""
    _review_both(client, world)
    period = Period.objects.get(label="2017-Q1")
    signoff = getattr(close, "signoff", None)
    if signoff is not None:
        for team in (world.north, world.south):
            signoff(world.fiona, period, team)
    close.approve(world.fiona, Period.objects.get(label="2017-Q1"))
    return Period.objects.get(label="2017-Q1")


def test_it_tells_every_paid_payee_and_nobody_else_when_a_period_is_approved(
        client, world, django_capture_on_commit_callbacks):  # noqa: ANN001
    _rob(world)
    with django_capture_on_commit_callbacks(execute=True):
        period = _approve(client, world)
    assert period.status == "approved"
    # lines in 2017-Q1: Rita 150.00, Rob 200.00, Sue 400.00 -> three payees, three logins;
    # Lea and Sam lead but have no line, Fiona and Otto are no payees
    assert _to("statement_published") == {
        "rita": ["Your 2017-Q1 statement is published"],
        "rob": ["Your 2017-Q1 statement is published"],
        "sue": ["Your 2017-Q1 statement is published"]}
    sent = sorted(m.to[0] for m in mail.outbox if "statement is published" in m.subject)
    assert sent == ["rita@example.com", "rob@example.com", "sue@example.com"]


def test_it_never_tells_sue_about_ritas_statement(client, world,
                                                  django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        _approve(client, world)
    sues = list(Notification.objects.filter(recipient=world.sue))
    assert [n.link for n in sues] == ["/statements/sue/?period=2017-Q1"]
    for n in sues:
        assert "rita" not in f"{n.title} {n.body} {n.link}".lower()
    sues_mail = [m for m in mail.outbox if m.to == ["sue@example.com"]]
    assert len(sues_mail) == 1 and "rita" not in sues_mail[0].body.lower()
    client.force_login(world.sue)
    page = client.get("/inbox/").content.decode()
    assert "/statements/sue/?period=2017-Q1" not in page  # links go through Open (POST)
    assert "Rita" not in page and "rita" not in page


def test_it_asks_each_teams_leaders_to_review_when_a_run_leaves_a_period_calculated(world):
    # the world's run calculated 2017-Q1: North (Lea) and South (Sam) are to review
    assert _to("review_due") == {"lea": ["Review North for 2017-Q1"],
                                 "sam": ["Review South for 2017-Q1"]}
    # the same numbers again (same fingerprint): nobody is asked twice
    start_run(world.otto, "again", calculator=fake_calculate)
    assert Period.objects.get(label="2017-Q1").status == "calculated"
    assert _to("review_due") == {"lea": ["Review North for 2017-Q1"],
                                 "sam": ["Review South for 2017-Q1"]}


def test_it_tells_finance_once_the_last_team_is_reviewed(client, world):
    fred = User.objects.create_user(username="fred", password=PASSWORD, role_names="finance",
                                    email="fred@example.com")
    client.force_login(world.lea)
    client.post("/periods/2017-Q1/review/north/")
    assert _to("approval_needed") == {}  # South is still to review
    client.force_login(world.sam)
    client.post("/periods/2017-Q1/review/south/")
    sign_off = "2017-Q1 is ready for finance's sign-off"
    assert _to("approval_needed") == {"fiona": [sign_off], "fred": [sign_off]}
    client.post("/periods/2017-Q1/review/south/")  # reviewed again: no second notice
    assert Notification.objects.filter(kind="approval_needed").count() == 2
    assert fred.notifications.get().link == "/periods/2017-Q1/"


def test_it_tells_finance_the_period_is_ready_for_approval_once_every_team_is_signed_off(
        client, world):  # noqa: ANN001
    from teamquota.web.comp.models import Team
    from teamquota.web.comp.services import close
    period = Period.objects.get(label="2017-Q1")
    close.review(world.lea, period, Team.objects.get(team_id="north"))
    close.review(world.sam, period, Team.objects.get(team_id="south"))
    ready = "2017-Q1 is ready for approval"
    close.signoff(world.fiona, period, Team.objects.get(team_id="north"))
    assert ready not in _to("approval_needed").get("fiona", [])  # South not signed off yet
    close.signoff(world.fiona, period, Team.objects.get(team_id="south"), "checked")
    assert _to("approval_needed")["fiona"].count(ready) == 1


def test_it_tells_the_leaders_and_finance_of_a_new_question_but_not_the_other_team(
        client, world):  # noqa: ANN001
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "Why only 150.00?"})
    assert set(_to("question_raised")) == {"lea", "fiona"}  # not Sam (South), not Rita
    assert _to("question_raised")["lea"] == ["Rita Rep asked about a 2017-Q1 line"]


def test_it_tells_the_raiser_when_someone_else_answers(client, world):
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    response = client.post(f"/lines/{line.pk}/dispute/", {"text": "Why only 150.00?"})
    dispute_url = response["Location"]
    client.post(dispute_url, {"text": "And the open deal?"})  # her own reply: no notice
    assert _to("question_answered") == {}
    client.force_login(world.lea)
    client.post(dispute_url, {"text": "It closes in Q2.", "status": "answered"})
    assert _to("question_answered") == {"rita": ["Your question was answered"]}
    notice = world.rita.notifications.get(kind="question_answered")
    assert notice.body.startswith("lea replied to your question on the ")
    assert notice.link == dispute_url


def test_it_sends_rejected_numbers_back_to_that_teams_leader_with_the_reason(world):
    record(world.fiona, "period.reject", "period", "2017-Q1", "fiona rejected North",
           team="north", reason="Rob's DEAL-3 closed in April")
    assert _to("rejected") == {"lea": ["North's 2017-Q1 numbers were sent back"]}
    assert world.lea.notifications.get(kind="rejected").body.endswith(
        "Rob's DEAL-3 closed in April")


def test_it_asks_each_listed_payee_to_accept_their_plan_letter(world):
    version = PlanVersion.objects.get(plan=world.plan, number=1)
    record(world.otto, "plan.letters_sent", "plan_version", version.pk, "letters sent",
           payees=["rita", "sue"], plan="ae_test", number=1)
    assert _to("plan_to_accept") == {
        "rita": ["Your plan letter for Test plan (version 1) is ready"],
        "sue": ["Your plan letter for Test plan (version 1) is ready"]}
    assert world.sue.notifications.get(kind="plan_to_accept").link == "/letters/"


def test_it_keeps_the_inbox_notice_when_email_is_turned_off(
        client, world, django_capture_on_commit_callbacks):  # noqa: ANN001
    NotificationPreference.objects.create(user=world.rita, kind="statement_published",
                                          in_app=True, email=False)
    NotificationPreference.objects.create(user=world.sue, kind="statement_published",
                                          in_app=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        _approve(client, world)
    assert sorted(m.to[0] for m in mail.outbox if "statement" in m.subject) == [
        "sue@example.com"]  # Rita: e-mail off; Sue: inbox off, e-mail on
    assert _to("statement_published") == {"rita": ["Your 2017-Q1 statement is published"]}


def test_it_does_not_send_email_for_a_new_question_by_default(
        client, world, django_capture_on_commit_callbacks):  # noqa: ANN001
    world.lea.email = "lea@example.com"
    world.lea.save()
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/lines/{line.pk}/dispute/", {"text": "Why?"})
    assert "lea" in _to("question_raised") and mail.outbox == []


def test_it_sends_no_email_before_the_step_commits(client, world,
                                                   django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _approve(client, world)
    assert mail.outbox == []  # queued for after the commit, not sent in the transaction
    for callback in callbacks:
        callback()
    assert len([m for m in mail.outbox if "statement is published" in m.subject]) == 2


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # noqa: ANN001, ANN201
        raise ConnectionRefusedError("smtp.example.com:587 refused the connection")


def test_it_approves_even_when_the_mail_server_refuses(
        client, world, settings, caplog, django_capture_on_commit_callbacks):  # noqa: ANN001
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        period = _approve(client, world)  # raises nothing
    assert period.status == "approved"
    assert set(_to("statement_published")) == {"rita", "sue"}
    assert "could not send the e-mail" in caplog.text and "refused" in caplog.text


def test_it_approves_even_when_a_notification_handler_breaks(client, world, monkeypatch,
                                                             caplog):  # noqa: ANN001
    def broken(event: AuditEvent) -> None:
        raise RuntimeError("a bug in a handler")
    monkeypatch.setitem(notify_events.HANDLERS, "period.approve", broken)
    with caplog.at_level(logging.ERROR):
        period = _approve(client, world)
    assert period.status == "approved" and _to("statement_published") == {}
    assert "notifications for period.approve failed" in caplog.text


def test_it_marks_one_notice_read_and_counts_the_unread_in_the_navigation(client, world):
    # Lea has one notice from the world's run (review North); add two more
    for title in ("First", "Second"):
        Notification.objects.create(recipient=world.lea, kind="rejected", title=title,
                                    link="/periods/2017-Q1/")
    client.force_login(world.lea)
    assert "Inbox (3)" in client.get("/periods/").content.decode()
    first = world.lea.notifications.get(title="First")
    response = client.post(f"/inbox/{first.pk}/read/", {"open": "1"})
    assert response["Location"] == "/periods/2017-Q1/"  # Open marks read and goes there
    first.refresh_from_db()
    assert first.read_at is not None
    assert "Inbox (2)" in client.get("/periods/").content.decode()
    unread = client.get("/inbox/?show=unread").content.decode()
    assert "Second" in unread and "First" not in unread
    response = client.post("/inbox/read-all/", follow=True)
    assert "2 notices marked read" in response.content.decode()
    assert "Inbox (0)" in response.content.decode()


def test_it_never_follows_a_link_outside_the_app(client, world):
    notice = Notification.objects.create(recipient=world.rita, kind="rejected", title="x",
                                         link="//evil.example.com/")
    client.force_login(world.rita)
    assert client.post(f"/inbox/{notice.pk}/read/", {"open": "1"})["Location"] == "/inbox/"


def test_it_shows_only_the_users_own_notices(client, world):
    Notification.objects.create(recipient=world.sue, kind="rejected", title="Sue's own notice")
    mine = Notification.objects.create(recipient=world.rita, kind="rejected", title="Rita's")
    client.force_login(world.rita)
    page = client.get("/inbox/").content.decode()
    assert "Rita&#x27;s" in page and "Sue&#x27;s own notice" not in page
    client.force_login(world.sue)
    assert client.post(f"/inbox/{mine.pk}/read/").status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_it_refuses_an_unknown_inbox_filter_with_a_message(client, world):
    client.force_login(world.rita)
    response = client.get("/inbox/?show=everything%3Cscript%3E")
    assert response.status_code == 200
    assert "unknown filter" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_it_shows_the_defaults_and_saves_the_choices(client, world):
    client.force_login(world.rita)
    page = client.get("/account/notifications/").content.decode()
    # in-app on for all 7 kinds; e-mail on for 6 (not for a new question)
    assert page.count('-in_app" checked') == 7 and page.count('-email" checked') == 6
    for kind in ("statement_published", "question_raised"):
        for channel in ("in_app", "email"):
            assert f'<label for="{kind}-{channel}" class="sr-only">' in page  # each box named
    client.post("/account/notifications/", {"statement_published-in_app": "on",
                                            "review_due-email": "on", "bogus": "on"})
    prefs = {p.kind: (p.in_app, p.email)
             for p in NotificationPreference.objects.filter(user=world.rita)}
    assert prefs["statement_published"] == (True, False)
    assert prefs["review_due"] == (False, True)
    assert prefs["question_answered"] == (False, False)
    assert len(prefs) == 7


@pytest.mark.parametrize("action", ["period.approve", "period.review", "period.reject",
                                    "dispute.raise", "dispute.reply", "plan.letters_sent"])
def test_it_ignores_an_event_about_nothing_it_knows(world, action):
    before = Notification.objects.count()
    record(world.otto, action, "x", "no-such-object", "nothing", team="nope", payees="x")
    assert Notification.objects.count() == before


def test_it_labels_every_field_of_the_inbox_and_the_preferences(client, world):
    Notification.objects.create(recipient=world.otto, kind="rejected", title="x", link="/")
    for user in world.personas().values():
        if user is None:
            continue
        client.force_login(user)
        for path in ("/inbox/", "/account/notifications/"):
            response = client.get(path)
            assert response.status_code == 200
            fields = Fields()
            fields.feed(response.content.decode())
            assert fields.unlabelled() == [], (user.username, path)
            if path == "/account/notifications/":
                assert len(fields.fields) == 14  # 7 kinds x (inbox, e-mail)


def test_it_links_the_email_to_the_app_when_the_base_url_is_set(
        client, world, settings, django_capture_on_commit_callbacks):  # noqa: ANN001
    settings.TEAMQUOTA_BASE_URL = "https://comp.example.com/"
    with django_capture_on_commit_callbacks(execute=True):
        _approve(client, world)
    ritas = next(m for m in mail.outbox if m.to == ["rita@example.com"])
    assert ritas.subject == "Your 2017-Q1 statement is published"
    assert "https://comp.example.com/statements/rita/?period=2017-Q1" in ritas.body
    assert ritas.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize("env,backend,tls,ssl", [
    ({}, "console", False, False),
    ({"TEAMQUOTA_EMAIL_HOST": "smtp.example.com"}, "smtp", True, False),
    ({"TEAMQUOTA_EMAIL_HOST": "smtp.example.com", "TEAMQUOTA_EMAIL_PORT": "465"}, "smtp",
     False, True),
])
def test_it_prints_mail_unless_an_smtp_server_is_configured(tmp_path, env, backend, tls, ssl):  # noqa: ANN001, E501
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TEAMQUOTA_EMAIL")}
    code = ("import json, teamquota.web.settings as s; print(json.dumps([s.EMAIL_BACKEND, "
            "s.EMAIL_HOST, s.EMAIL_USE_TLS and bool(s.EMAIL_HOST), s.EMAIL_USE_SSL]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**clean, "TEAMQUOTA_HOME": str(tmp_path), **env})
    got = json.loads(out.stdout)
    assert got[0] == f"django.core.mail.backends.{backend}.EmailBackend"
    assert got[2:] == [tls, ssl]


def test_it_leaves_no_notice_and_sends_no_mail_when_the_step_rolls_back(
        world, django_capture_on_commit_callbacks):  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(RuntimeError), transaction.atomic():
        record(world.fiona, "period.approve", "period", "2017-Q1", "fiona approved")
        assert set(_to("statement_published")) == {"rita", "sue"}  # inside: made
        raise RuntimeError("the approval failed after its audit event")
    assert _to("statement_published") == {} and callbacks == [] and mail.outbox == []


def test_it_sends_a_name_with_a_line_break_on_one_subject_line(world):
    from teamquota.web.comp.services.notify import send_email_task
    assert send_email_task.call("rita@example.com", "Sue\nBcc: x@evil.example", "body")
    assert mail.outbox[0].subject == "Sue Bcc: x@evil.example"
    assert mail.outbox[0].to == ["rita@example.com"] and mail.outbox[0].bcc == []

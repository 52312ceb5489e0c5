"""Passwords: everyone changes their own; sales ops set a one-time password that must be
replaced at the next sign-in (no mail server); both audited; finance is out of reach."""

from __future__ import annotations

import re

from teamquota.web.comp.models import AuditEvent, User
from tests.web.world import PASSWORD

NEW = "a much longer passphrase 7"


def _change(client, old: str, new: str):  # noqa: ANN001, ANN202
    return client.post("/account/password/", {"old_password": old, "new_password1": new,
                                              "new_password2": new})


def test_it_lets_a_rep_change_their_password_and_audits_it(client, world):
    client.force_login(world.rita)
    assert _change(client, PASSWORD, NEW).status_code == 302
    world.rita.refresh_from_db()
    assert world.rita.check_password(NEW)
    assert client.get("/statements/rita/").status_code == 200  # still signed in here
    event = AuditEvent.objects.get(action="user.password_change")
    assert (event.actor, event.summary) == (world.rita, "rita changed their password")


def test_it_refuses_a_wrong_old_password_or_a_weak_new_one(client, world):
    client.force_login(world.rita)
    text = _change(client, "not it", NEW).content.decode()
    assert "Your old password was entered incorrectly" in text
    text = _change(client, PASSWORD, "rita").content.decode()
    assert "This password is too short. It must contain at least 10 characters." in text
    world.rita.refresh_from_db()
    assert world.rita.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def _reset(client, world, user: User) -> str:  # noqa: ANN001
    client.force_login(world.otto)
    response = client.post(f"/users/{user.pk}/password/", follow=True)
    return response.content.decode()


def test_it_lets_sales_ops_set_a_one_time_password_that_must_be_changed(client, world):
    text = _reset(client, world, world.rita)
    temporary = re.search(r"rita can sign in once with (\S+) \(shown only now\)", text)
    assert temporary, text
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor, event.summary) == (world.otto, "otto set a one-time password for rita")
    assert temporary.group(1) not in str(event.details) + event.summary

    client.logout()
    signed_in = client.post("/login/", {"username": "rita", "password": temporary.group(1)})
    assert signed_in.status_code == 302
    for url in ("/statements/rita/", "/teams/north/"):
        assert client.get(url)["Location"] == "/account/password/", url
    api = client.get("/api/results/")  # the API answers JSON (docs/api.md), not a redirect
    assert (api.status_code, api.json()) == (403, {
        "error": "choose a new password first, on the password page (/account/password/)"})
    page = client.get("/account/password/").content.decode()
    assert "Your password was set by sales ops; choose your own to continue." in page
    assert _change(client, temporary.group(1), NEW).status_code == 302
    assert client.get("/statements/rita/").status_code == 200
    world.rita.refresh_from_db()
    assert not world.rita.must_change_password and world.rita.check_password(NEW)


def test_it_signs_out_the_sessions_of_a_user_whose_password_was_reset(client, world):
    from django.test import Client
    rita = Client()
    rita.force_login(world.rita)
    assert rita.get("/statements/rita/").status_code == 200
    _reset(client, world, world.rita)
    assert rita.get("/statements/rita/")["Location"].startswith("/login/")


def test_it_refuses_to_let_sales_ops_set_a_finance_password(client, world):
    # whoever knew it could approve payouts of the plans and data they changed themselves
    text = _reset(client, world, world.fiona)
    assert "fiona is in finance: sales ops may not set a finance password" in text
    world.fiona.refresh_from_db()
    assert world.fiona.check_password(PASSWORD) and not world.fiona.must_change_password
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


def test_it_makes_a_new_login_choose_its_own_password(client, world):
    client.force_login(world.otto)
    text = client.post("/users/", {"username": "nina", "roles": ["sales_ops"]}).content.decode()
    password = re.search(r"then chooses their own: <code>([^<]+)</code>", text).group(1)
    client.logout()
    client.post("/login/", {"username": "nina", "password": password})
    assert client.get("/periods/")["Location"] == "/account/password/"


def test_it_refuses_api_tokens_of_a_user_who_must_change_the_password(client, world):
    from teamquota.web.comp.models import ApiToken
    _, token = ApiToken.issue(world.rita, "payroll")
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/results/", **api).status_code == 200
    User.objects.filter(pk=world.rita.pk).update(must_change_password=True)
    response = client.get("/api/results/", **api)
    assert response.status_code == 403
    assert response.json() == {"error": "the token's user must first choose a new password "
                                        "(sign in on the web)"}


def test_it_marks_only_the_menu_item_of_the_page_active(client, world):
    client.force_login(world.rita)
    tokens = client.get("/account/tokens/").content.decode()
    assert tokens.count('class="active"') == 1 and 'class="active">API</a>' in tokens
    password = client.get("/account/password/").content.decode()  # same /account/ prefix
    assert 'class="active"' not in password


def test_it_revokes_api_tokens_when_a_user_changes_their_password(client, world):
    from teamquota.web.comp.models import ApiToken
    _, token = ApiToken.issue(world.rita, "payroll")
    client.force_login(world.rita)
    assert _change(client, PASSWORD, NEW).status_code == 302
    assert not ApiToken.objects.filter(user=world.rita).exists()
    client.logout()
    response = client.get("/api/results/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_it_revokes_api_tokens_when_sales_ops_reset_a_password(client, world):
    from teamquota.web.comp.models import ApiToken
    _, token = ApiToken.issue(world.rita, "payroll")
    _reset(client, world, world.rita)
    assert not ApiToken.objects.filter(user=world.rita).exists()
    world.rita.refresh_from_db()
    assert world.rita.password_set_by == world.otto


def test_it_records_that_the_user_chose_their_own_password(client, world):
    _reset(client, world, world.rita)
    User.objects.filter(pk=world.rita.pk).update(must_change_password=False)
    world.rita.set_password(PASSWORD)
    world.rita.save()
    client.force_login(world.rita)
    _change(client, PASSWORD, NEW)
    world.rita.refresh_from_db()
    assert world.rita.password_set_by == world.rita


def test_it_refuses_a_password_of_only_spaces(client, world):
    client.force_login(world.rita)
    for blank in (" " * 10, "\t" * 12, " \u3000" * 6):
        text = _change(client, PASSWORD, blank).content.decode()
        assert "This password is only spaces: use letters, digits or symbols." in text
    world.rita.refresh_from_db()
    assert world.rita.check_password(PASSWORD)

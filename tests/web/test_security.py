"""Security basics: Argon2, CSRF on forms, login throttling, production settings."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client

from tests.web.world import PASSWORD


def test_it_hashes_passwords_with_argon2_by_default(settings):  # noqa: ANN001
    # the autouse fixture swaps in MD5 for speed; put the project's hashers back
    from teamquota.web import settings as project
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    assert identify_hasher(make_password("s3cret-pass")).algorithm == "argon2"


def test_it_refuses_a_post_without_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.fiona)
    assert client.post("/periods/2017-Q1/approve/").status_code == 403


def test_it_locks_a_username_after_repeated_failures(client, world):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/login/", {"username": "rita", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password(client, world):
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.rita.pk)


def _production(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "TEAMQUOTA_ENV": "production", **env}
    full.pop("TEAMQUOTA_TESTING", None)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, timeout=60)


def test_it_needs_a_secret_key_in_production():
    result = _production({"TEAMQUOTA_SECRET_KEY": ""},
                         "import teamquota.web.settings")
    assert "TEAMQUOTA_SECRET_KEY must be set" in result.stderr


def test_it_turns_debug_off_and_cookies_secure_in_production():
    result = _production({"TEAMQUOTA_SECRET_KEY": "k" * 50, "TEAMQUOTA_DEBUG": "1"},
                         "import teamquota.web.settings as s; print(s.DEBUG, "
                         "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    assert result.stdout.split() == ["False", "True", "True", "31536000"]

"""Security basics: Argon2, CSRF on forms, login throttling, production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client

import teamquota.web
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
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests set it in this process
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


def test_it_sends_the_security_headers_on_every_page(client, world):
    client.force_login(world.rita)
    for url in ("/login/", "/statements/rita/", "/teams/north/", "/statements/sue/"):
        response = client.get(url)
        csp = dict(d.strip().split(" ", 1) for d in
                   response["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'", url
        assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|"
                    r"\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)


def test_it_keeps_no_inline_script_or_style_in_any_template():
    # script-src 'self' would refuse them in the browser (test_browser checks it live)
    root = Path(teamquota.web.__file__).parent
    found = [f"{path.relative_to(root)}:{n}: {line.strip()[:80]}"
             for path in sorted(root.rglob("templates/**/*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if INLINE.search(line)]
    assert found == []


def test_it_passes_the_deployment_checks_in_production():
    for redirect in ("1", "0"):  # 0: TLS and the HTTP redirect live in the proxy
        result = _production(
            {"TEAMQUOTA_SECRET_KEY": "k" * 20 + "-Zq8#x" * 8, "TEAMQUOTA_SSL_REDIRECT": redirect,
             "TEAMQUOTA_ALLOWED_HOSTS": "comp.example.com"},
            "import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['manage', 'check', '--deploy', '--fail-level', "
            "'WARNING'])")
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout


def test_it_throttles_by_the_client_address_a_trusted_proxy_saw(client, world, settings):  # noqa: ANN001, E501
    settings.TRUSTED_PROXIES = 1
    settings.LOGIN_MAX_FAILURES = 1  # an address is locked after 4 failures (4 x 1)
    for name in ("a", "b", "c", "d"):  # 4 usernames from one client, a spoofed left part
        client.post("/login/", {"username": name, "password": "x"},
                    HTTP_X_FORWARDED_FOR=f"10.9.9.{name}, 203.0.113.7")
    locked = client.post("/login/", {"username": "rita", "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="203.0.113.7").content.decode()
    assert "Too many failed sign-ins" in locked
    other = client.post("/login/", {"username": "rita", "password": PASSWORD},
                        HTTP_X_FORWARDED_FOR="198.51.100.2")  # same proxy, another client
    assert other.status_code == 302


def test_it_ends_the_session_in_every_worker_on_sign_out(world):
    from django.contrib.sessions.models import Session
    rita = Client()
    rita.post("/login/", {"username": "rita", "password": PASSWORD})
    assert rita.get("/statements/rita/").status_code == 200  # this "worker" has seen it
    # signing out in another gunicorn worker deletes the session row; that worker's
    # memory is not ours, so only the database can tell this one the session ended
    Session.objects.filter(session_key=rita.cookies["sessionid"].value).delete()
    assert rita.get("/statements/rita/")["Location"].startswith("/login/")


def test_it_counts_every_spelling_of_a_username_against_the_same_login(client, world):
    # issue 13: 'rep ', ' rep', 'rep\t' and full-width 'ｒｅｐ' each got 5 more guesses
    spellings = ["rita ", " rita", "rita\t", "ｒｉｔａ", "RITA"]
    for name in spellings[:settings.LOGIN_MAX_FAILURES]:
        client.post("/login/", {"username": name, "password": "wrong"})
    for name in ["rita", *spellings]:
        response = client.post("/login/", {"username": name, "password": PASSWORD})
        assert "Too many failed sign-ins" in response.content.decode(), repr(name)
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_any_spelling_of_the_username(world):
    for name in (" rita", "RITA", "ｒｉｔａ"):
        rita = Client()
        assert rita.post("/login/", {"username": name, "password": PASSWORD}).status_code == 302
        assert rita.session["_auth_user_id"] == str(world.rita.pk), repr(name)


def test_it_keeps_the_failure_count_when_a_password_is_left_blank(client, world):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        client.post("/login/", {"username": "rita", "password": "wrong"})
    client.post("/login/", {"username": "rita", "password": ""})  # used to clear the count
    client.post("/login/", {"username": "rita", "password": "wrong"})
    response = client.post("/login/", {"username": "rita", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_never_lets_parallel_tries_exceed_the_limit(monkeypatch):
    import threading
    import time

    from django.contrib.auth.backends import ModelBackend
    from django.db import connection

    from tests.web.world import build_world
    build_world(calculate=False)
    tried: list[str] = []
    real = ModelBackend.authenticate

    def slow(self, request, username=None, password=None, **kwargs):  # noqa: ANN001, ANN202
        tried.append(username)
        time.sleep(0.3)  # every thread is past the lock check before any failure lands
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", slow)
    start = threading.Barrier(12)

    def guess(n: int) -> None:
        try:
            start.wait()
            Client().post("/login/", {"username": "rita", "password": f"guess{n}"},
                          REMOTE_ADDR=f"10.0.0.{n}")
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 <= len(tried) <= settings.LOGIN_MAX_FAILURES


def test_it_signs_out_an_idle_session(world):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # TEAMQUOTA_SESSION_IDLE_MINUTES
    rita = Client()
    rita.post("/login/", {"username": "rita", "password": PASSWORD})
    key = rita.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1))
    assert rita.get("/statements/rita/").status_code == 200  # activity: 30 minutes again
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left > timedelta(minutes=29)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1))  # 30 minutes without a request
    assert rita.get("/statements/rita/")["Location"].startswith("/login/")


def test_it_reads_the_idle_timeout_from_the_environment():
    result = _production({"TEAMQUOTA_SECRET_KEY": "k" * 50,
                          "TEAMQUOTA_SESSION_IDLE_MINUTES": "5"},
                         "import teamquota.web.settings as s; print(s.SESSION_COOKIE_AGE, "
                         "s.SESSION_SAVE_EVERY_REQUEST)")
    assert result.stdout.split() == ["300", "True"]


def test_it_keeps_the_csrf_cookie_from_scripts(client, world):
    response = Client().get("/login/")
    assert response.cookies["csrftoken"]["httponly"] is True
    # so htmx and app.js must take the token from the page, never from document.cookie
    static = Path(teamquota.web.__file__).parent / "comp" / "static"
    assert [p.name for p in static.rglob("*.js") if p.name != "htmx.min.js"
            and "document.cookie" in p.read_text()] == []
    page = client.get("/login/")
    assert page.status_code == 200
    client.force_login(world.rita)
    assert 'hx-headers=\'{"X-CSRFToken": "' in client.get("/statements/rita/").content.decode()


def test_it_counts_an_over_long_username_instead_of_failing(client, world):
    response = client.post("/login/", {"username": "r" * 400, "password": "x"},
                           REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200
    from teamquota.web.comp.models import LoginFailure
    assert LoginFailure.objects.get().username == "r" * 150

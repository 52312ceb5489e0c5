"""Django for the web tests (pytest-django): settings from the environment, a throwaway
TEAMQUOTA_HOME, runs inline, and PostgreSQL when TEAMQUOTA_TEST_DATABASE_URL is set.

Personas (healthchecks style): ``rita`` a rep in North, ``lea`` North's leader, ``sue`` a
rep in South, ``sam`` South's leader, ``fiona`` finance, ``otto`` sales ops, and ``anon``.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teamquota.web.settings")
os.environ["TEAMQUOTA_HOME"] = tempfile.mkdtemp(prefix="tq-web-tests-")
os.environ["TEAMQUOTA_TESTING"] = "1"
os.environ["TEAMQUOTA_RUNS_INLINE"] = "1"
os.environ.setdefault("TEAMQUOTA_ENV", "development")
os.environ["TEAMQUOTA_DEBUG"] = "0"

import django  # noqa: E402
import pytest  # noqa: E402

django.setup()

from tests.web.world import World, build_world  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # noqa: ANN001
    # Argon2 is the production hasher (tested in test_security); MD5 keeps fixtures fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():  # noqa: ANN202
    # ids are reused after a test's rollback, so cached numbers must not outlive a test
    from django.core.cache import cache
    cache.clear()


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    return build_world()

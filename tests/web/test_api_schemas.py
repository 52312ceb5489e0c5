"""The JSON Schemas published at stable URLs: no sign-in, JSON, cacheable, the same
documents the library generates; the middleware lets them through and still guards /api/."""

from __future__ import annotations

import pytest

from teamquota.data.columnmap import column_map_json_schema
from teamquota.plan.schema import plan_json_schema
from teamquota.web.comp.models import User

SCHEMAS = [("/schemas/plan.json", plan_json_schema),
           ("/schemas/column-map.json", column_map_json_schema)]


@pytest.mark.parametrize("url,generate", SCHEMAS)
def test_it_publishes_the_schema_to_anyone_as_cacheable_json(client, db, url, generate):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == generate()
    assert response.json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 66
    assert "Content-Security-Policy" in response  # the security headers still apply


@pytest.mark.parametrize("url,generate", SCHEMAS)
def test_it_answers_304_to_a_cache_that_has_it(client, db, url, generate):
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)


def test_it_ids_each_schema_stably(client, db):
    assert client.get("/schemas/plan.json").json()["$id"] == "urn:teamquota:schema:plan:v1"
    assert client.get("/schemas/column-map.json").json()["$id"] == \
        "urn:teamquota:schema:column-map:v1"


def test_it_serves_the_schemas_to_a_user_who_must_change_the_password(client, world):
    User.objects.filter(pk=world.rita.pk).update(must_change_password=True)
    client.force_login(User.objects.get(pk=world.rita.pk))
    assert client.get("/schemas/plan.json").status_code == 200
    assert client.get("/statements/rita/")["Location"] == "/account/password/"


def test_it_still_guards_the_api_next_to_the_schemas(client, world):
    assert client.get("/api/results/").status_code == 401
    assert client.post("/schemas/plan.json").status_code == 405


def test_a_login_required_middleware_lets_the_schemas_through_and_the_api_answer_json(
        client, world, settings):
    # Django's LoginRequiredMiddleware, as a deployment might add it: the schemas stay
    # public, the API still answers its own JSON 401 (not a redirect to the login page)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE,
                           "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    assert client.get("/schemas/plan.json").status_code == 200
    assert client.get("/schemas/column-map.json").status_code == 200
    response = client.get("/api/results/")
    assert (response.status_code, response["Content-Type"]) == (401, "application/json")
    assert client.get("/statements/")["Location"].startswith("/login/")

"""The API's contract: a generated OpenAPI document with a schema for every answer, paging
that cannot loop, and JSON — one error shape — for every answer under /api/."""

from __future__ import annotations

import re

import pytest

from teamquota.web.comp.models import ApiToken, PayoutLine

ERROR_KEYS = {"error", "code", "details"}


def _auth(user) -> dict[str, str]:  # noqa: ANN001
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def _is_error(response, status: int) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert set(body) <= ERROR_KEYS, body
    return body


def _spec(client) -> dict:  # noqa: ANN001
    return client.get("/api/openapi.json").json()


def test_it_declares_a_json_schema_for_every_answer_of_every_operation(client):
    spec = _spec(client)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (path, method)
            for code in ("401", "403", "422", "500"):
                assert code in responses, (path, method, code)
            for code, response in responses.items():
                content = response.get("content")
                assert content, (path, method, code)
                if code.startswith(("4", "5")):
                    assert content["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, (path, method, code)


def test_it_names_each_operation_for_generated_clients(client):
    ids = sorted(op["operationId"] for item in _spec(client)["paths"].values()
                 for op in item.values())
    assert ids == ["import_upload", "payroll", "period", "period_approve", "period_lock",
                   "period_reject", "period_review", "period_signoff", "results", "run",
                   "run_start", "runs", "statement"]


def test_it_describes_every_field_a_line_and_a_statement_return(client, world):
    spec = _spec(client)
    schemas = spec["components"]["schemas"]
    body = client.get("/api/statements/rita/?period=2017-Q1", **_auth(world.rita)).json()
    assert set(body) == set(schemas["Statement"]["properties"])
    assert set(body["lines"][0]) == set(schemas["Line"]["properties"])
    assert set(body["deals"][0]) == set(schemas["DealCredit"]["properties"])


def test_it_writes_money_as_two_place_strings_matching_its_pattern(client, world):
    spec = _spec(client)
    pattern = spec["components"]["schemas"]["Line"]["properties"]["amount"]["pattern"]
    body = client.get("/api/results/?period=2017-Q1", **_auth(world.fiona)).json()
    amounts = [ln["amount"] for ln in body["lines"]] + [t["amount"] for t in body["totals"]]
    # the fake engine: 10% of Won: rita 150.00, rob 200.00, sue 400.00
    assert sorted(amounts) == ["150.00", "150.00", "200.00", "200.00", "400.00", "400.00"]
    assert all(re.fullmatch(pattern, a) for a in amounts)


@pytest.mark.parametrize("limit", ["0", "-1", "10001", "x", "١"])
def test_it_refuses_a_limit_outside_1_to_10000_with_a_located_json_error(client, world,
                                                                         limit):
    response = client.get(f"/api/results/?period=2017-Q1&limit={limit}", **_auth(world.fiona))
    body = _is_error(response, 422)
    assert body["details"][0]["loc"] == ["query", "limit"]
    assert body["error"].startswith("invalid request: query.limit: ")


def test_it_walks_every_page_once_and_stops(client, world):
    auth = _auth(world.fiona)
    url, seen, pages = "/api/results/?period=2017-Q1&limit=1", [], 0
    while url is not None:
        body = client.get(url, **auth).json()
        seen.extend(ln["id"] for ln in body["lines"])
        url, pages = body["next"], pages + 1
        assert pages <= 3
    # three lines (rita, rob, sue), one a page, the last page says there is no next
    assert body["count"] == 3 == len(seen) == len(set(seen)) == pages
    assert seen == list(PayoutLine.objects.filter(period="2017-Q1").order_by(
        "payee__payee_id", "id").values_list("id", flat=True))


def test_it_gives_no_next_link_when_the_page_holds_the_rest(client, world):
    body = client.get("/api/results/?period=2017-Q1&limit=3", **_auth(world.fiona)).json()
    assert (len(body["lines"]), body["count"], body["next"]) == (3, 3, None)


def test_it_keeps_the_query_in_the_next_link(client, world):
    body = client.get("/api/results/?period=2017-Q1&limit=2", **_auth(world.fiona)).json()
    assert body["next"] == "/api/results/?period=2017-Q1&limit=2&offset=2"


@pytest.mark.parametrize("path", ["/api/nope", "/api/runs/abc/", "/api/statements/",
                                  "/api/openapi.yaml"])
def test_it_answers_an_unknown_api_path_in_json(client, world, path):
    body = _is_error(client.get(path, **_auth(world.fiona)), 404)
    assert "not" in body["error"] or "no " in body["error"]


def test_it_finds_no_run_past_the_databases_ids(client, world):
    body = _is_error(client.get("/api/runs/99999999999999999999999/", **_auth(world.fiona)),
                     404)
    assert body == {"error": "no run #99999999999999999999999 that you may see"}


def test_it_answers_an_unknown_api_path_in_json_with_debug_on(client, world, settings):
    settings.DEBUG = True  # `teamquota serve --dev`: Django's own 404 page would be HTML
    body = _is_error(client.get("/api/nope/", **_auth(world.fiona)), 404)
    assert body == {"error": "no API operation at /api/nope/ (see /api/openapi.json)"}
    _is_error(client.get("/api/runs/abc/", **_auth(world.fiona)), 404)
    _is_error(client.get("/api/", **_auth(world.fiona)), 404)


def test_it_answers_a_wrong_method_in_json_with_allow(client, world):
    response = client.delete("/api/results/", **_auth(world.fiona))
    _is_error(response, 405)
    assert response["Allow"] == "GET"


def test_it_answers_anonymous_in_json(client, world):
    response = client.get("/api/results/")
    body = _is_error(response, 401)
    assert body == {"error": "authentication required (Authorization: Bearer <token>)"}
    assert response["WWW-Authenticate"] == 'Bearer realm="teamquota"'


def test_it_answers_a_missing_object_in_json(client, world):
    body = _is_error(client.get(f"/api/runs/{world.run.pk + 1}/", **_auth(world.fiona)), 404)
    assert body == {"error": f"no run #{world.run.pk + 1} that you may see"}
    body = _is_error(client.get("/api/results/?period=1999-Q1", **_auth(world.fiona)), 404)
    assert body == {"error": "no results for period 1999-Q1"}


def test_it_answers_a_crash_in_json_without_a_traceback(client, world, monkeypatch):
    from teamquota.web.comp.api import reads

    def boom(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("secret detail")
    monkeypatch.setattr(reads, "statement_data", boom)
    response = client.get("/api/statements/rita/?period=2017-Q1", **_auth(world.rita))
    body = _is_error(response, 500)
    assert "secret" not in response.content.decode() and "Traceback" not in body["error"]


def test_it_answers_a_nul_byte_in_json(client, world):
    body = _is_error(client.get("/api/results/?period=2017%00", **_auth(world.fiona)), 400)
    assert body["code"] == "D028"


def test_it_answers_a_path_without_its_slash_in_json_naming_it(client, world):
    body = _is_error(client.get("/api/results", **_auth(world.fiona)), 404)
    assert body == {"error": "no API operation at /api/results (did you mean /api/results/?)"}
    body = _is_error(client.post("/api/runs", **_auth(world.otto)), 404)
    assert body["error"] == "no API operation at /api/runs (did you mean /api/runs/?)"


def test_it_answers_a_post_to_the_openapi_document_in_json_even_without_csrf(world):
    from django.test import Client
    _is_error(Client(enforce_csrf_checks=True).post("/api/openapi.json"), 405)


def test_it_answers_a_body_too_large_in_json(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/api/runs/", '{"note": "' + "x" * 200 + '"}',
                           content_type="application/json", **_auth(world.otto))
    _is_error(response, 413)


def test_it_answers_a_broken_multipart_body_in_json(client, world):
    response = client.post("/api/imports/", b"--x\r\nbroken",
                           content_type="multipart/form-data; boundary=", **_auth(world.otto))
    assert response.status_code in (400, 422)
    _is_error(response, response.status_code)


def test_the_docs_list_every_operation(client):
    from pathlib import Path
    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    operations = [f"`{method.upper()} {path}`" for path, item in _spec(client)["paths"].items()
                  for method in item]
    assert len(operations) == 13
    assert [op for op in operations if op not in text] == []


def test_it_keeps_pages_html_for_an_unknown_page(client, world):
    client.force_login(world.rita)
    response = client.get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

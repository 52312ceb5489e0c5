"""The JSON API: token auth, the same access rules as the pages, money as strings."""

from __future__ import annotations

from teamquota.web.comp.models import ApiToken


def _token(user) -> str:  # noqa: ANN001
    return ApiToken.issue(user, "test")[1]


def test_it_serves_a_statement_to_its_payee_by_token(client, world):
    token = _token(world.rita)
    response = client.get("/api/statements/rita/?period=2017-Q1",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    # 10% of Won 1500.00 = 150.00, as a string so no client rounds through a float
    assert body["total"] == "150.00"
    assert [(ln["component_id"], ln["amount"]) for ln in body["lines"]] == [
        ("personal", "150.00")]
    assert sorted(d["deal_id"] for d in body["deals"]) == ["DEAL-1", "DEAL-2"]


def test_it_hides_other_payees_from_a_token(client, world):
    token = _token(world.rita)
    assert client.get("/api/statements/sue/", HTTP_AUTHORIZATION=f"Bearer {token}"
                      ).status_code == 404


def test_it_filters_results_to_what_the_user_may_see(client, world):
    lea = client.get("/api/results/?period=2017-Q1",
                     HTTP_AUTHORIZATION=f"Bearer {_token(world.lea)}").json()
    assert [(t["payee_id"], t["amount"]) for t in lea["totals"]] == [
        ("rita", "150.00"), ("rob", "200.00")]
    fiona = client.get("/api/results/?period=2017-Q1",
                       HTTP_AUTHORIZATION=f"Bearer {_token(world.fiona)}").json()
    assert len(fiona["totals"]) == 3


def test_it_rejects_a_wrong_token(client, world):
    response = client.get("/api/results/", HTTP_AUTHORIZATION="Bearer tq_nope")
    assert (response.status_code, response.json()) == (401, {"error": "invalid API token"})


def test_it_describes_the_api_in_openapi(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/statements/{payee_id}/", "/api/results/",
                                  "/api/runs/", "/api/runs/{run_id}/", "/api/imports/",
                                  "/api/periods/{label}/",
                                  "/api/periods/{label}/review/{team_id}/",
                                  "/api/periods/{label}/signoff/{team_id}/",
                                  "/api/periods/{label}/reject/{team_id}/",
                                  "/api/periods/{label}/approve/",
                                  "/api/periods/{label}/lock/",
                                  "/api/periods/{label}/payroll.csv"}


def test_it_lists_runs_only_for_finance_and_sales_ops(client, world):
    assert client.get("/api/runs/", HTTP_AUTHORIZATION=f"Bearer {_token(world.rita)}"
                      ).json() == {"runs": []}
    runs = client.get("/api/runs/", HTTP_AUTHORIZATION=f"Bearer {_token(world.fiona)}"
                      ).json()["runs"]
    assert [(r["id"], r["status"]) for r in runs] == [(world.run.pk, "done")]


def test_it_stores_only_a_digest_of_the_token(world):
    token_obj, token = ApiToken.issue(world.rita, "x")
    assert token not in (token_obj.digest, token_obj.prefix)
    assert token.startswith("tq_" + token_obj.prefix)


def test_it_pages_results_with_a_next_link(client, world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.fiona)}"}
    first = client.get("/api/results/?period=2017-Q1&limit=2", **auth).json()
    assert [ln["payee_id"] for ln in first["lines"]] == ["rita", "rob"]
    second = client.get(first["next"], **auth).json()
    assert [ln["payee_id"] for ln in second["lines"]] == ["sue"]
    assert second["next"] is None


def test_it_totals_each_payee_once_however_many_lines(client, world):
    from decimal import Decimal

    from teamquota.web.comp.models import Payee, PayoutLine
    rita = Payee.objects.get(payee_id="rita")
    first = PayoutLine.objects.filter(payee=rita, period="2017-Q1").first()
    PayoutLine.objects.create(run=first.run, period="2017-Q1", payee=rita,
                              plan_id=first.plan_id, component_id="extra",
                              line_type="manual", amount=Decimal("0.10"), currency="USD")
    body = client.get("/api/results/?period=2017-Q1",
                      HTTP_AUTHORIZATION=f"Bearer {_token(world.lea)}").json()
    # rita: 150.00 + 0.10 = 150.10 in one row (it was a row per line)
    assert [(t["payee_id"], t["currency"], t["amount"]) for t in body["totals"]] == [
        ("rita", "USD", "150.10"), ("rob", "USD", "200.00")]

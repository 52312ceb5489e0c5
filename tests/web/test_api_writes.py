"""The API's writes: imports (dry run and apply), runs, the period's approval and lock, its
payroll file. Each is the page's service: the same roles, the same segregation of duties,
the same audit events; a refused call changes nothing. Token calls need no CSRF token;
session calls do."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import teamquota
from teamquota.web.comp.models import (
    ApiToken,
    AuditEvent,
    Deal,
    Import,
    Period,
    Run,
    User,
)
from teamquota.web.comp.services import close
from tests.web.fakes import fake_calculate

CLEAN_DEALS = ("deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
               "DEAL-1,rita,Acme,GTX,1100.00,USD,Won,2017-02-10\n"
               "NEW-1,sue,Beta,GTX,10.00,,Won,2017-03-01\n")
BAD_DEALS = ("deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
             "N1,rita,Acme,GTX,100.00,USD,Won,2017-02-01\n"       # line 2: good
             "N3,rita,Acme,GTX,abc,USD,Won,2017-02-01\n")         # line 3: not a number


def _token(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def _state() -> tuple:
    """Everything a write could change."""
    return (sorted(Deal.objects.values_list("deal_id", "amount")), Import.objects.count(),
            Run.objects.count(), sorted(Period.objects.values_list("label", "status")),
            AuditEvent.objects.count())


def _upload(client: Client, text: str, headers: dict[str, str], **fields: str):  # noqa: ANN202
    data = {"table": "deals", "mode": "upsert",
            "file": SimpleUploadedFile("deals.csv", text.encode(), content_type="text/csv"),
            **fields}
    return client.post("/api/imports/", data, **headers)


@pytest.fixture(autouse=True)
def _fake_engine(monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setattr(teamquota, "calculate",
                        lambda plan, data, progress=None: fake_calculate(plan, data))


# --- imports --------------------------------------------------------------------------

def test_it_checks_an_upload_in_a_dry_run_and_changes_nothing(client, world):
    before = _state()
    response = _upload(client, CLEAN_DEALS, _token(world.otto), dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["applied"], body["import_id"]) == (True, False, None)
    assert (body["rows"], body["kept"], body["rejected"], body["errors"]) == (2, 2, 0, 0)
    assert {m["column"]: m["state"] for m in body["mapping"]}["owner_id"] == "mapped"
    assert _state() == before


def test_it_imports_a_clean_file_as_the_page_does(client, world):
    response = _upload(client, CLEAN_DEALS, _token(world.otto))
    assert response.status_code == 201, response.content
    body = response.json()
    imp = Import.objects.get()
    assert (body["applied"], body["import_id"], body["kept"]) == (True, imp.pk, 2)
    assert Deal.objects.get(deal_id="DEAL-1").amount == Decimal("1100.00")
    assert Deal.objects.count() == 6  # DEAL-1..4 and OPEN1, + NEW-1 (DEAL-1 updated)
    event = AuditEvent.objects.get(action="import")
    assert event.summary == ("otto imported deals.csv into deals (upsert): 2 rows, "
                             "0 rejected; 1 deal added, 1 changed; 4 kept: DEAL-1: account "
                             "Acct 0 -> Acme, amount 1000.00 -> 1100.00, currency blank -> USD")


def test_it_imports_nothing_from_a_bad_file_and_locates_each_problem(client, world):
    before = _state()
    response = _upload(client, BAD_DEALS, _token(world.otto))
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("nothing was imported: 1 problem; first: deals.csv:3")
    assert body["code"] == "D003"
    assert [(d["loc"], d["code"]) for d in body["details"]] == [(["body", "file"], "D003")]
    assert "deals.csv:3" in body["details"][0]["message"]
    assert _state() == before


def test_it_dry_runs_a_bad_file_with_every_problem_and_changes_nothing(client, world):
    before = _state()
    body = _upload(client, BAD_DEALS, _token(world.otto), dry_run="1").json()
    assert (body["errors"], body["kept"]) == (1, 0)
    assert [(d["code"], d["source"]) for d in body["diagnostics"]
            if d["severity"] == "error"] == [("D003", "deals.csv:3")]
    assert _state() == before


def test_it_keeps_the_good_rows_when_asked_to_reject_the_bad(client, world):
    body = _upload(client, BAD_DEALS, _token(world.otto), on_error="reject").json()
    assert (body["applied"], body["kept"], body["rejected"]) == (True, 1, 1)
    assert Deal.objects.filter(deal_id__in=["N1", "N3"]).get().deal_id == "N1"


@pytest.mark.parametrize("fields,loc", [
    ({"table": "nope"}, ["form", "table"]),
    ({"mode": "merge"}, ["form", "mode"]),
    ({"on_error": "ignore"}, ["form", "on_error"]),
    ({"preset": "sap"}, ["form", "preset"]),
    ({"dry_run": "perhaps"}, ["form", "dry_run"]),
])
def test_it_refuses_a_bad_form_field_by_name(client, world, fields, loc):
    before = _state()
    response = _upload(client, CLEAN_DEALS, _token(world.otto), **fields)
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == loc
    assert _state() == before


def test_it_refuses_an_upload_without_a_file(client, world):
    response = client.post("/api/imports/", {"table": "deals"}, **_token(world.otto))
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["file", "file"]


@pytest.mark.parametrize("who", ["rita", "lea", "fiona"])
def test_it_refuses_imports_to_other_roles_whatever_the_body(client, world, who):
    before = _state()
    response = _upload(client, CLEAN_DEALS, _token(getattr(world, who)))
    assert response.status_code == 403
    assert response.json() == {"error": "your role does not give access to this operation "
                                        "(only sales ops)", "code": "role"}
    assert client.post("/api/imports/", {}, **_token(getattr(world, who))).status_code == 403
    assert _state() == before


def test_it_asks_anonymous_to_authenticate_for_an_import(client, world):
    before = _state()
    assert _upload(client, CLEAN_DEALS, {}).status_code == 401
    assert _state() == before


# --- runs ------------------------------------------------------------------------------

def test_it_starts_a_run_and_reports_it_at_the_runs_endpoint(client, world):
    auth = _token(world.otto)
    response = client.post("/api/runs/", json.dumps({"note": "month end"}),
                           content_type="application/json", **auth)
    assert response.status_code == 202, response.content
    run = Run.objects.get(note="month end")
    assert response.json()["id"] == run.pk and run.started_by == world.otto
    status = client.get(f"/api/runs/{run.pk}/", **auth).json()
    assert (status["id"], status["status"], status["started_by"]) == (run.pk, "done", "otto")
    assert AuditEvent.objects.filter(action="run.start").get().summary == \
        f"otto started run #{run.pk}"


def test_it_starts_a_run_without_a_body(client, world):
    # as `curl -X POST`: no body, no content type
    response = client.generic("POST", "/api/runs/", **_token(world.otto))
    assert response.status_code == 202, response.content
    assert Run.objects.count() == 2


def test_it_refuses_a_form_body_where_json_is_expected(client, world):
    before = _state()
    response = client.post("/api/runs/", {"note": "x"}, **_token(world.otto))
    assert response.status_code == 415
    assert response.json()["details"] == [{"loc": ["body"], "message": "expected JSON"}]
    assert _state() == before


@pytest.mark.parametrize("who", ["rita", "lea", "fiona"])
def test_it_refuses_runs_to_other_roles(client, world, who):
    before = _state()
    response = client.post("/api/runs/", "{}", content_type="application/json",
                           **_token(getattr(world, who)))
    assert response.status_code == 403
    assert _state() == before


def test_it_refuses_a_bad_run_body_by_name(client, world):
    before = _state()
    response = client.post("/api/runs/", json.dumps({"note": "x" * 301}),
                           content_type="application/json", **_token(world.otto))
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "body", "note"]
    response = client.post("/api/runs/", "{not json", content_type="application/json",
                           **_token(world.otto))
    assert response.json() == {"error": "Cannot parse request body"}
    assert response.status_code == 400
    for body, loc in (("[1]", ["body", "body"]), ('{"nope": 1}', ["body", "body", "nope"])):
        response = client.post("/api/runs/", body, content_type="application/json",
                               **_token(world.otto))
        assert (response.status_code, response.json()["details"][0]["loc"]) == (422, loc)
    assert _state() == before


def test_it_hides_a_run_from_a_rep(client, world):
    response = client.get(f"/api/runs/{world.run.pk}/", **_token(world.rita))
    assert response.status_code == 404


def test_it_asks_anonymous_to_authenticate_for_a_run(client, world):
    before = _state()
    assert client.post("/api/runs/").status_code == 401
    assert _state() == before


# --- approve, lock, payroll --------------------------------------------------------------

def _reviewed(world) -> Period:  # noqa: ANN001
    """Each leader reviewed, and finance signed off each team (on the period page: the
    API has no sign-off), so the API may approve."""
    period = Period.objects.get(label="2017-Q1")
    close.review(world.lea, period, world.north)
    close.review(world.sam, Period.objects.get(label="2017-Q1"), world.south)
    for team in (world.north, world.south):
        close.signoff(world.fiona, Period.objects.get(label="2017-Q1"), team)
    return Period.objects.get(label="2017-Q1")


def test_it_lets_each_leader_review_their_team_until_the_period_is_reviewed(client, world):
    lea = client.post("/api/periods/2017-Q1/review/north/", **_token(world.lea))
    assert (lea.status_code, lea.json()["status"]) == (200, "calculated")  # South waits
    sam = client.post("/api/periods/2017-Q1/review/south/", **_token(world.sam))
    assert (sam.status_code, sam.json()["status"]) == (200, "reviewed")
    assert AuditEvent.objects.filter(action="period.review").count() == 2
    status = client.get("/api/periods/2017-Q1/", **_token(world.rita)).json()
    assert (status["label"], status["status"], status["run"]) == (
        "2017-Q1", "reviewed", world.run.pk)


def test_it_hides_another_leaders_team_from_a_review(client, world):
    before = _state()
    response = client.post("/api/periods/2017-Q1/review/south/", **_token(world.lea))
    assert (response.status_code, response.json()) == (
        404, {"error": "no team south that you may see"})
    assert _state() == before


def test_it_refuses_a_review_by_a_leader_who_did_not_lead_the_team_then(client, world):
    from datetime import date

    from teamquota.web.comp.models import Leadership
    Leadership.objects.filter(payee__payee_id="lea").update(end_date=date(2016, 12, 31))
    before = _state()
    response = client.post("/api/periods/2017-Q1/review/north/", **_token(world.lea))
    assert (response.status_code, response.json()) == (
        403, {"error": "you do not lead North in 2017-Q1", "code": "scope"})
    assert _state() == before


@pytest.mark.parametrize("who", ["rita", "fiona", "otto"])
def test_it_refuses_a_review_to_other_roles(client, world, who):
    before = _state()
    response = client.post("/api/periods/2017-Q1/review/north/", **_token(getattr(world, who)))
    assert (response.status_code, response.json()["code"]) == (403, "role")
    assert client.post("/api/periods/2017-Q1/review/north/").status_code == 401
    assert _state() == before


def test_it_refuses_a_review_of_an_approved_period(client, world):
    _reviewed(world)
    assert client.post("/api/periods/2017-Q1/approve/", **_token(world.fiona)).status_code \
        == 200
    before = _state()
    response = client.post("/api/periods/2017-Q1/review/north/", **_token(world.lea))
    assert (response.status_code, response.json()) == (409, {
        "error": "2017-Q1 is approved; only calculated periods are reviewed", "code": "state"})
    assert _state() == before


def test_it_approves_locks_and_exports_a_period_for_finance(client, world):
    _reviewed(world)
    auth = _token(world.fiona)
    approved = client.post("/api/periods/2017-Q1/approve/", **auth)
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_by"]) == ("approved", "fiona")
    locked = client.post("/api/periods/2017-Q1/lock/", **auth)
    assert (locked.status_code, locked.json()["status"]) == (200, "locked")
    payroll = client.get("/api/periods/2017-Q1/payroll.csv", **auth)
    assert payroll.status_code == 200
    assert payroll["Content-Type"] == "text/csv; charset=utf-8"
    page = Client()
    page.force_login(world.fiona)
    # the same file as the Periods page's export
    assert payroll.content == page.get("/periods/2017-Q1/payroll.csv").content
    text = payroll.content.decode()
    # rita 150.00, rob 200.00, sue 400.00 (10% of Won)
    assert all(amount in text for amount in ("150.00", "200.00", "400.00"))
    assert [e.action for e in AuditEvent.objects.filter(
        action__in=["period.approve", "period.lock", "payroll.export"]).order_by("id")] == [
        "period.approve", "period.lock", "payroll.export", "payroll.export"]


def test_it_refuses_approval_to_whoever_changed_the_plan(client, world):
    _reviewed(world)
    world.otto.role_names = "sales_ops,finance"
    world.otto.save()
    before = _state()
    response = client.post("/api/periods/2017-Q1/approve/", **_token(world.otto))
    assert response.status_code == 403
    assert response.json() == {"error": "segregation of duties: you saved plan ae_test "
                                        "version 1 that this run read; someone else in "
                                        "finance must approve it", "code": "sod"}
    assert _state() == before


def test_it_refuses_approval_to_a_login_the_plans_author_created(client, world):
    _reviewed(world)
    User.objects.filter(pk=world.fiona.pk).update(created_by=world.otto)
    before = _state()
    response = client.post("/api/periods/2017-Q1/approve/", **_token(world.fiona))
    assert response.status_code == 403
    assert response.json()["error"] == ("segregation of duties: otto saved plan ae_test "
                                        "version 1 that this run read, and created your "
                                        "account")
    assert _state() == before


def test_it_refuses_approval_before_every_leader_reviewed(client, world):
    before = _state()
    response = client.post("/api/periods/2017-Q1/approve/", **_token(world.fiona))
    assert response.status_code == 409
    assert response.json() == {"error": "2017-Q1 must be reviewed by every leader before "
                                        "approval; waiting for: North, South",
                               "code": "state"}
    assert _state() == before


def test_it_refuses_approval_before_finance_signed_off_every_team(client, world):
    close.review(world.lea, Period.objects.get(label="2017-Q1"), world.north)
    close.review(world.sam, Period.objects.get(label="2017-Q1"), world.south)
    close.signoff(world.fiona, Period.objects.get(label="2017-Q1"), world.south)
    before = _state()
    response = client.post("/api/periods/2017-Q1/approve/", **_token(world.fiona))
    assert (response.status_code, response.json()) == (409, {
        "error": "finance must sign off every team of 2017-Q1 before approval; waiting "
                 "for: North", "code": "state"})
    assert _state() == before


def test_finance_signs_off_and_rejects_teams_through_the_api_as_on_the_page(client, world):
    from teamquota.web.comp.models import AuditEvent, TeamDecision
    close.review(world.lea, Period.objects.get(label="2017-Q1"), world.north)
    close.review(world.sam, Period.objects.get(label="2017-Q1"), world.south)
    auth = _token(world.fiona)
    body = {"content_type": "application/json"}
    # South is sent back: a reason is required, and its leader's review is withdrawn
    empty = client.post("/api/periods/2017-Q1/reject/south/", "{}", **body, **auth)
    assert (empty.status_code, empty.json()["code"]) == (409, "state")
    assert "needs a reason" in empty.json()["error"]
    sent = client.post("/api/periods/2017-Q1/reject/south/",
                       json.dumps({"text": "Sue's deal is in Q2"}), **body, **auth)
    assert (sent.status_code, sent.json()["status"]) == (200, "calculated")
    assert AuditEvent.objects.filter(action="period.reject").get().details == {
        "team": "south", "reason": "Sue's deal is in Q2"}
    refused = client.post("/api/periods/2017-Q1/signoff/south/", "{}", **body, **auth)
    assert "must be reviewed by its leader" in refused.json()["error"]
    # North signed off with a comment; South reviewed again and signed off: approval opens
    north = client.post("/api/periods/2017-Q1/signoff/north/",
                        json.dumps({"text": "checked"}), **body, **auth)
    assert north.status_code == 200
    close.review(world.sam, Period.objects.get(label="2017-Q1"), world.south)
    assert client.post("/api/periods/2017-Q1/signoff/south/", "{}", **body,
                       **auth).status_code == 200
    assert TeamDecision.objects.filter(decision="signoff", text="checked",
                                       team=world.north).count() == 1
    approved = client.post("/api/periods/2017-Q1/approve/", **auth)
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    # a team the API does not know, and a leader who is not finance
    assert client.post("/api/periods/2017-Q1/signoff/nosuchteam/", "{}", **body,
                       **auth).status_code == 404
    assert client.post("/api/periods/2017-Q1/signoff/north/", "{}", **body,
                       **_token(world.lea)).status_code == 403


def test_it_refuses_to_lock_or_export_an_unapproved_period(client, world):
    _reviewed(world)
    before = _state()
    auth = _token(world.fiona)
    locked = client.post("/api/periods/2017-Q1/lock/", **auth)
    assert (locked.status_code, locked.json()["error"]) == (
        409, "2017-Q1 must be approved before it is locked")
    payroll = client.get("/api/periods/2017-Q1/payroll.csv", **auth)
    assert (payroll.status_code, payroll.json()["error"]) == (
        409, "2017-Q1 is not approved yet; payroll exports only approved or locked periods")
    assert _state() == before


@pytest.mark.parametrize("who", ["rita", "lea", "otto"])
@pytest.mark.parametrize("method,url", [("post", "/api/periods/2017-Q1/approve/"),
                                        ("post", "/api/periods/2017-Q1/lock/"),
                                        ("get", "/api/periods/2017-Q1/payroll.csv")])
def test_it_refuses_the_close_to_other_roles(client, world, who, method, url):
    _reviewed(world)
    before = _state()
    response = getattr(client, method)(url, **_token(getattr(world, who)))
    assert (response.status_code, response.json()["code"]) == (403, "role")
    assert _state() == before


@pytest.mark.parametrize("method,url", [("post", "/api/periods/2017-Q1/approve/"),
                                        ("post", "/api/periods/2017-Q1/lock/"),
                                        ("get", "/api/periods/2017-Q1/payroll.csv")])
def test_it_asks_anonymous_to_authenticate_for_the_close(client, world, method, url):
    before = _state()
    assert getattr(client, method)(url).status_code == 401
    assert _state() == before


def test_it_finds_no_unknown_period(client, world):
    auth = _token(world.fiona)
    for response in (client.post("/api/periods/1999-Q1/approve/", **auth),
                     client.post("/api/periods/1999-Q1/lock/", **auth),
                     client.get("/api/periods/1999-Q1/payroll.csv", **auth)):
        assert (response.status_code, response.json()) == (404, {"error": "no period 1999-Q1"})


def test_it_refuses_a_period_label_longer_than_any_by_name(client, world):
    response = client.post("/api/periods/2017-Q1-and-more/approve/", **_token(world.fiona))
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["path", "label"]


# --- CSRF ----------------------------------------------------------------------------------

def test_a_token_call_needs_no_csrf_token(world):
    api = Client(enforce_csrf_checks=True)
    response = api.post("/api/runs/", "{}", content_type="application/json",
                        **_token(world.otto))
    assert response.status_code == 202


def test_a_session_call_must_carry_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.otto)
    before = _state()
    refused = browser.post("/api/runs/", "{}", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"
    assert _state() == before
    browser.get("/runs/")  # the page sets the CSRF cookie; its token is in the cookie jar
    token = browser.cookies["csrftoken"].value
    allowed = browser.post("/api/runs/", "{}", content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 202, allowed.content


def test_a_session_read_needs_no_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    assert browser.get("/api/results/?period=2017-Q1").status_code == 200


def test_it_refuses_an_unreadable_file_and_locates_it(client, world):
    before = _state()
    response = client.post("/api/imports/", {
        "table": "deals", "dry_run": "true",
        "file": SimpleUploadedFile("deals.parquet", b"not parquet at all")}, **_token(world.otto))
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("nothing would be imported: deals.parquet")
    assert body["details"][0]["loc"] == ["body", "file"]
    assert "/" not in body["error"].split("deals.parquet", 1)[0]  # no server path
    assert _state() == before


def test_it_refuses_an_upload_over_the_size_limit(client, world, settings):
    settings.TEAMQUOTA_MAX_DATA_UPLOAD = 10
    before = _state()
    response = _upload(client, CLEAN_DEALS, _token(world.otto))
    assert response.status_code == 413
    assert response.json()["code"] == "D027"
    assert _state() == before


# --- a full disk (D050) ----------------------------------------------------------------------

def _disk_full(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
    from django.db import OperationalError
    raise OperationalError("database or disk is full")


def test_a_run_started_on_a_full_disk_is_a_507_and_changes_nothing(client, world,
                                                                     monkeypatch):
    monkeypatch.setattr(Run.objects, "create", _disk_full)
    before = _state()
    response = client.generic("POST", "/api/runs/", **_token(world.otto))
    assert response.status_code == 507
    assert response.json() == {
        "error": "error[D050]: the server's disk is full, so the run could not be started; "
                 "nothing was changed. hint: ask the administrator to free space, then run "
                 "the calculation again", "code": "D050"}
    assert _state() == before


def test_a_lock_on_a_full_disk_is_a_507_and_leaves_the_period_approved(client, world,
                                                                        monkeypatch):
    from teamquota.web.comp.models import PeriodSnapshot
    _reviewed(world)
    auth = _token(world.fiona)
    assert client.post("/api/periods/2017-Q1/approve/", **auth).status_code == 200
    monkeypatch.setattr(PeriodSnapshot.objects, "create", _disk_full)
    before = _state()
    response = client.post("/api/periods/2017-Q1/lock/", **auth)
    assert (response.status_code, response.json()["code"]) == (507, "D050")
    assert response.json()["error"].startswith("error[D050]: the server's disk is full, so "
                                               "2017-Q1 could not be locked")
    assert _state() == before

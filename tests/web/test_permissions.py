"""The permission matrix: every URL of the app x every persona, including direct-URL
attempts on other reps' statements and other teams' dashboards.

Expected outcomes: a status code, ``login`` (anonymous -> sign-in page) or ``redirect``
(302 elsewhere). Unsafe requests run inside a rolled-back savepoint, so each persona meets
the same state. ``test_it_covers_every_url`` fails when a URL is added without a row here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import get_resolver

from teamquota.web.comp.models import (
    Dispute,
    DisputeMessage,
    Import,
    LeaderRating,
    Membership,
    PayoutLine,
)
from teamquota.web.comp.services import imports as import_service
from tests.web.world import World

PERSONAS = ("anon", "rita", "lea", "sue", "sam", "fiona", "otto")
R, L, NF, F, OK = "redirect", "login", 404, 403, 200


def row(ok: object = OK, **overrides: object) -> dict[str, object]:
    """Everyone signed in gets ``ok``; anonymous gets the login page; then overrides."""
    expected = {p: ok for p in PERSONAS}
    expected["anon"] = L
    expected.update(overrides)
    return expected


def only(ok: object, *personas: str, others: object = F) -> dict[str, object]:
    expected = row(others)
    expected.update({p: ok for p in personas})
    return expected


Url = Callable[[dict[str, object]], str]
# (method, url pattern name, url maker, expected per persona)
MATRIX: list[tuple[str, str, Url, dict[str, object]]] = [
    ("get", "home", lambda o: "/", row(R)),
    ("get", "login", lambda o: "/login/", row(R, anon=OK)),
    ("post", "logout", lambda o: "/logout/", row(L)),
    ("get", "teams", lambda o: "/teams/", row(OK, rita=R, sue=R, lea=R, sam=R)),
    ("get", "team", lambda o: "/teams/north/", row(OK, sue=NF, sam=NF)),
    ("get", "team", lambda o: "/teams/south/", row(OK, rita=NF, lea=NF)),
    ("get", "team", lambda o: "/teams/company/", row(OK, rita=NF, lea=NF, sue=NF, sam=NF)),
    ("get", "team", lambda o: "/teams/nosuchteam/", row(NF)),
    ("get", "team", lambda o: "/teams/north/?period=2017-Q1", row(OK, sue=NF, sam=NF)),
    ("get", "team", lambda o: "/teams/north/?period=1999-Q1", row(NF)),
    ("get", "team_insights", lambda o: "/teams/north/insights/",
     only(OK, "lea", "otto") | {"sam": NF}),
    ("get", "team_insights", lambda o: "/teams/south/insights/",
     only(OK, "sam", "otto") | {"lea": NF}),
    ("get", "team_insights", lambda o: "/teams/company/insights/",
     only(OK, "otto") | {"lea": NF, "sam": NF}),
    ("get", "team_insights", lambda o: "/teams/nosuchteam/insights/",
     only(NF, "lea", "sam", "otto")),
    ("get", "team_conflicts", lambda o: "/teams/north/conflicts/",
     only(OK, "lea", "otto") | {"sam": NF}),
    ("get", "team_conflicts", lambda o: "/teams/south/conflicts/",
     only(OK, "sam", "otto") | {"lea": NF}),
    ("get", "team_conflicts", lambda o: "/teams/company/conflicts/",
     only(OK, "otto") | {"lea": NF, "sam": NF}),
    ("get", "team_conflicts", lambda o: "/teams/nosuchteam/conflicts/",
     only(NF, "lea", "sam", "otto")),
    ("post", "team_rating", lambda o: "/teams/north/ratings/",
     only(R, "lea", "otto") | {"sam": NF}),
    ("post", "team_rating_delete", lambda o: f"/teams/north/ratings/{o['rating']}/delete/",
     only(R, "lea", "otto") | {"sam": NF}),
    ("get", "team_allocate", lambda o: "/teams/north/allocate/",
     only(OK, "lea", "otto") | {"sam": NF}),
    ("get", "team_allocate", lambda o: "/teams/company/allocate/",
     only(OK, "otto") | {"lea": NF, "sam": NF}),
    ("get", "team_allocate", lambda o: "/teams/nosuchteam/allocate/",
     only(NF, "lea", "sam", "otto")),
    ("get", "team_simulate", lambda o: "/teams/north/simulate/",
     only(OK, "lea", "otto") | {"sam": NF}),
    ("get", "team_simulate", lambda o: "/teams/company/simulate/",
     only(OK, "otto") | {"lea": NF, "sam": NF}),
    ("get", "team_simulate", lambda o: "/teams/nosuchteam/simulate/",
     only(NF, "lea", "sam", "otto")),
    ("post", "team_allocate", lambda o: "/teams/south/allocate/",
     only(OK, "sam", "otto") | {"lea": NF}),
    ("get", "statements", lambda o: "/statements/", row(OK, rita=R, sue=R)),
    ("get", "statement", lambda o: "/statements/rita/", row(OK, sue=NF, sam=NF)),
    ("get", "statement", lambda o: "/statements/rob/", row(OK, rita=NF, sue=NF, sam=NF)),
    ("get", "statement", lambda o: "/statements/sue/", row(OK, rita=NF, lea=NF)),
    ("get", "statement", lambda o: "/statements/lea/", row(OK, rita=NF, sue=NF, sam=NF)),
    # a named period: scope by that period's memberships (tests/web/test_scope_dates.py)
    ("get", "statement", lambda o: "/statements/rita/?period=2017-Q1",
     row(OK, sue=NF, sam=NF)),
    ("get", "statement", lambda o: "/statements/sue/?period=2017-Q1",
     row(OK, rita=NF, lea=NF)),
    ("get", "statement", lambda o: "/statements/rita/?period=1999-Q1", row(NF)),
    ("get", "estimator", lambda o: "/estimator/", row(OK)),
    ("get", "periods", lambda o: "/periods/", row(OK)),
    ("get", "period", lambda o: "/periods/2017-Q1/", row(OK)),
    ("get", "period", lambda o: "/periods/1999-Q1/", row(NF)),
    ("post", "period_review", lambda o: "/periods/2017-Q1/review/north/",
     only(R, "lea", others=F) | {"sam": NF}),
    ("post", "period_review", lambda o: "/periods/2017-Q1/review/south/",
     only(R, "sam", others=F) | {"lea": NF}),
    ("post", "period_approve", lambda o: "/periods/2017-Q1/approve/", only(R, "fiona")),
    ("post", "period_lock", lambda o: "/periods/2017-Q1/lock/", only(R, "fiona")),
    ("get", "payroll", lambda o: "/periods/2017-Q1/payroll.csv", only(R, "fiona")),
    ("get", "audit", lambda o: "/audit/", only(OK, "fiona", "otto")),
    ("get", "plans", lambda o: "/plans/", row(OK)),
    ("get", "plan_new", lambda o: "/plans/new/", only(OK, "otto")),
    ("get", "plan", lambda o: "/plans/ae_test/", row(OK)),
    ("get", "plan", lambda o: "/plans/other_plan/", row(NF)),
    ("get", "plan_edit", lambda o: "/plans/ae_test/edit/", only(OK, "otto")),
    ("get", "plan_assign", lambda o: "/plans/ae_test/assign/", only(OK, "otto")),
    ("get", "runs", lambda o: "/runs/", only(OK, "fiona", "otto")),
    ("post", "run_start", lambda o: "/runs/start/", only(R, "otto")),
    ("get", "run_compare", lambda o: f"/runs/compare/?a={o['run']}&b={o['run']}",
     only(OK, "fiona", "otto")),
    ("get", "run", lambda o: f"/runs/{o['run']}/", only(OK, "fiona", "otto")),
    ("get", "imports", lambda o: "/imports/", only(OK, "otto")),
    ("post", "import_upload", lambda o: "/imports/upload/", only(R, "otto")),
    ("get", "import_preview", lambda o: f"/imports/staged/{o['staged']}/", only(OK, "otto")),
    ("post", "import_apply", lambda o: f"/imports/staged/{o['staged']}/apply/",
     only(R, "otto")),
    ("get", "import", lambda o: f"/imports/{o['import']}/", only(OK, "otto")),
    ("get", "import_rejects", lambda o: f"/imports/{o['import']}/rejects.csv",
     only(OK, "otto")),
    ("post", "dispute_raise", lambda o: f"/lines/{o['rita_line']}/dispute/",
     row(F, rita=R, sue=NF, sam=NF)),
    ("post", "dispute_raise", lambda o: f"/lines/{o['sue_line']}/dispute/",
     row(F, sue=R, rita=NF, lea=NF)),
    ("get", "disputes", lambda o: "/disputes/", row(OK)),
    ("get", "dispute", lambda o: f"/disputes/{o['dispute']}/", row(OK, sue=NF, sam=NF)),
    ("post", "dispute_adjust", lambda o: f"/disputes/{o['dispute']}/adjust/",
     only(R, "otto")),
    ("get", "org", lambda o: "/org/", only(OK, "otto")),
    ("get", "org_team", lambda o: "/org/teams/north/", only(OK, "otto")),
    ("get", "org_team", lambda o: "/org/teams/nosuchteam/", only(NF, "otto")),
    ("post", "membership_add", lambda o: "/org/teams/north/add/", only(OK, "otto")),
    ("post", "membership_move", lambda o: "/org/teams/north/move/", only(OK, "otto")),
    ("post", "membership_end", lambda o: f"/org/memberships/{o['rob_membership']}/end/",
     only(R, "otto")),
    ("post", "target_set", lambda o: "/org/teams/north/targets/", only(OK, "otto")),
    ("post", "target_set", lambda o: "/org/teams/nosuchteam/targets/", only(NF, "otto")),
    ("get", "users", lambda o: "/users/", only(OK, "otto")),
    ("post", "user_deactivate", lambda o: f"/users/{o['rita_user']}/deactivate/",
     only(R, "otto")),
    ("post", "user_password_reset", lambda o: f"/users/{o['rita_user']}/password/",
     only(R, "otto")),
    ("get", "password_change", lambda o: "/account/password/", row(OK)),
    ("get", "api_tokens", lambda o: "/account/tokens/", row(OK)),
    ("get", "api_openapi", lambda o: "/api/openapi.json", row(OK, anon=OK)),
    ("get", "api_statement", lambda o: "/api/statements/rita/",
     row(OK, anon=401, sue=NF, sam=NF)),
    ("get", "api_statement", lambda o: "/api/statements/rob/",
     row(OK, anon=401, rita=NF, sue=NF, sam=NF)),
    ("get", "api_statement", lambda o: "/api/statements/rita/?period=2017-Q1",
     row(OK, anon=401, sue=NF, sam=NF)),
    ("get", "api_statement", lambda o: "/api/statements/rita/?period=1999-Q1",
     row(NF, anon=401)),
    ("get", "api_results", lambda o: "/api/results/", row(OK, anon=401)),
    ("get", "api_runs", lambda o: "/api/runs/", row(OK, anon=401)),
    ("get", "api_run", lambda o: f"/api/runs/{o['run']}/", row(NF, anon=401, fiona=OK,
                                                              otto=OK)),
    # the API's writes (tests/web/test_api_writes.py): no file is a 422 for sales ops, the
    # world's 2017-Q1 is calculated (not reviewed, not approved): 409 for finance; a run
    # takes a JSON body (a form one is 415)
    ("post", "api_imports", lambda o: "/api/imports/", only(422, "otto") | {"anon": 401}),
    ("post", "api_run_start", lambda o: "/api/runs/", only(415, "otto") | {"anon": 401}),
    ("post", "api_period_approve", lambda o: "/api/periods/2017-Q1/approve/",
     only(409, "fiona") | {"anon": 401}),
    ("post", "api_period_lock", lambda o: "/api/periods/2017-Q1/lock/",
     only(409, "fiona") | {"anon": 401}),
    ("get", "api_payroll", lambda o: "/api/periods/2017-Q1/payroll.csv",
     only(409, "fiona") | {"anon": 401}),
    ("get", "api_period", lambda o: "/api/periods/2017-Q1/", row(OK, anon=401)),
    ("post", "api_period_review", lambda o: "/api/periods/2017-Q1/review/north/",
     only(OK, "lea") | {"anon": 401, "sam": NF}),
    ("get", "api_not_found", lambda o: "/api/nope/", row(NF, anon=NF)),
    ("get", "schema_plan", lambda o: "/schemas/plan.json", row(OK, anon=OK)),
    ("get", "schema_column_map", lambda o: "/schemas/column-map.json", row(OK, anon=OK)),
    # --- close workbench ---
    # the register, changes and outliers are on the period page for finance and sales ops
    # only (others see the reviews); the confirmations and sign-offs are finance's
    ("get", "period", lambda o: "/periods/2017-Q1/?sort=nope&team=x&q=%3D1", row(OK)),
    ("get", "period_register_csv", lambda o: "/periods/2017-Q1/register.csv?team=south",
     only(OK, "fiona", "otto")),
    ("get", "period_register_csv", lambda o: "/periods/1999-Q1/register.csv",
     only(NF, "fiona", "otto")),
    ("get", "period_approve", lambda o: "/periods/2017-Q1/approve/", only(OK, "fiona")),
    ("get", "period_approve", lambda o: "/periods/1999-Q1/approve/", only(NF, "fiona")),
    ("get", "period_lock", lambda o: "/periods/2017-Q1/lock/", only(OK, "fiona")),
    ("post", "period_signoff", lambda o: "/periods/2017-Q1/signoff/north/", only(R, "fiona")),
    ("post", "period_signoff", lambda o: "/periods/2017-Q1/signoff/nosuchteam/",
     only(NF, "fiona")),
    ("post", "period_reject", lambda o: "/periods/2017-Q1/reject/south/", only(R, "fiona")),
    ("post", "period_reject", lambda o: "/periods/1999-Q1/reject/south/", only(NF, "fiona")),
    # the matrix posts a form: finance passes the role check, then the API wants JSON (415)
    ("post", "api_period_signoff", lambda o: "/api/periods/2017-Q1/signoff/north/",
     only(415, "fiona") | {"anon": 401}),
    ("post", "api_period_reject", lambda o: "/api/periods/2017-Q1/reject/north/",
     only(415, "fiona") | {"anon": 401}),
    # --- end close workbench ---
    # --- plan letters and statement downloads ---
    ("get", "letters", lambda o: "/letters/", row(OK)),
    # a letter's page and PDF: the payee, their leader, finance and sales ops; only the
    # payee accepts (tests/web/test_letters.py)
    ("get", "letter", lambda o: f"/letters/{o.get('rita_letter', 'N')}/",
     row(OK, sue=NF, sam=NF)),
    ("get", "letter", lambda o: f"/letters/{o.get('sue_letter', 'N')}/",
     row(OK, rita=NF, lea=NF)),
    ("get", "letter_pdf", lambda o: f"/letters/{o.get('rita_letter', 'N')}/letter.pdf",
     row(OK, sue=NF, sam=NF)),
    ("post", "letter_accept", lambda o: f"/letters/{o.get('rita_letter', 'N')}/accept/",
     row(F, rita=R, sue=NF, sam=NF)),
    ("get", "letters_status", lambda o: "/plans/ae_test/letters/", only(OK, "fiona", "otto")),
    ("get", "letters_status", lambda o: "/plans/other_plan/letters/",
     only(NF, "fiona", "otto")),
    ("post", "letters_send", lambda o: "/plans/ae_test/letters/send/", only(R, "otto")),
    ("get", "statement_pdf", lambda o: "/statements/rita/statement.pdf",
     row(OK, sue=NF, sam=NF)),
    ("get", "statement_pdf", lambda o: "/statements/sue/statement.pdf?period=2017-Q1",
     row(OK, rita=NF, lea=NF)),
    ("get", "statement_pdf", lambda o: "/statements/rita/statement.pdf?period=1999-Q1",
     row(NF)),
    ("get", "statement_csv", lambda o: "/statements/rita/statement.csv?period=2017-Q1",
     row(OK, sue=NF, sam=NF)),
    ("get", "statement_csv", lambda o: "/statements/sue/statement.csv",
     row(OK, rita=NF, lea=NF)),
    ("get", "statement_csv", lambda o: "/statements/rob/statement.csv",
     row(OK, rita=NF, sue=NF, sam=NF)),
    # --- end plan letters and statement downloads ---
    # --- notifications ---
    # everyone has their own inbox; Rita's notice is a 404 for everyone else, sales ops too
    ("get", "inbox", lambda o: "/inbox/", row(OK)),
    ("get", "inbox", lambda o: "/inbox/?show=unread", row(OK)),
    ("post", "notification_read", lambda o: f"/inbox/{o.get('rita_notice', 'N')}/read/",
     row(NF, rita=R)),
    ("post", "notifications_read_all", lambda o: "/inbox/read-all/", row(R)),
    ("get", "notification_prefs", lambda o: "/account/notifications/", row(OK)),
    ("post", "notification_prefs", lambda o: "/account/notifications/", row(R)),
    # --- end notifications ---
    # --- rep and leader views ---
    # --- end rep and leader views ---
]

POST_DATA = {"import_upload": "upload", "dispute_raise": {"text": "Why so low?"},
             "dispute_adjust": {"amount": "25.00", "reason": "missed deal"},
             "import_apply": {"mode": "upsert"},
             "team_rating": {"rep": "rita", "skill": "overall", "rating": "4"},
             # --- close workbench ---
             "period_signoff": {"comment": "checked"},
             "period_reject": {"reason": "DEAL-4 is not Sue's"},
             # --- end close workbench ---
             # --- plan letters and statement downloads ---
             # --- end plan letters and statement downloads ---
             # --- notifications ---
             "notification_prefs": {"statement_published-in_app": "on"},
             # --- end notifications ---
             # --- rep and leader views ---
             # --- end rep and leader views ---
             }


@pytest.fixture
def objects(world: World) -> dict[str, object]:
    rita_line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    sue_line = PayoutLine.objects.get(run=world.run, payee__payee_id="sue")
    dispute = Dispute.objects.create(line=rita_line, payee=rita_line.payee,
                                     raised_by=world.rita)
    DisputeMessage.objects.create(dispute=dispute, author=world.rita, text="Why?")
    imp = Import.objects.create(table="deals", file_name="deals.csv", created_by=world.otto,
                                reject_csv="line,reason\n3,D003: bad\n")
    upload = io.BytesIO(b"payee_id,name,target_incentive\nzed,Zed,100.00\n")
    upload.name = "payees.csv"
    upload.chunks = lambda: [upload.getvalue()]  # type: ignore[attr-defined]
    upload.size = len(upload.getvalue())  # type: ignore[attr-defined]
    staged = import_service.stage(upload, "payees", "", world.otto)
    rating = LeaderRating.objects.create(payee=rita_line.payee, skill="overall",
                                         rating=Decimal("3"), recorded_by=world.lea)
    rob_membership = Membership.objects.get(payee__payee_id="rob").pk
    extra: dict[str, object] = {}
    # --- close workbench ---
    # --- end close workbench ---
    # --- plan letters and statement downloads ---
    from teamquota.web.comp.services.letters import send_letters
    from teamquota.web.comp.views.letters import letter_content
    sent = {ln.payee.payee_id: ln.pk for ln in
            send_letters(world.otto, world.plan.current, letter_content)}
    extra.update(rita_letter=sent["rita"], sue_letter=sent["sue"])
    # --- end plan letters and statement downloads ---
    # --- notifications ---
    from teamquota.web.comp.models import Notification
    extra["rita_notice"] = Notification.objects.create(
        recipient=world.rita, kind="statement_published", title="Your 2017-Q1 statement",
        link="/statements/rita/?period=2017-Q1").pk
    # --- end notifications ---
    # --- rep and leader views ---
    # --- end rep and leader views ---
    return {"run": world.run.pk, "rita_user": world.rita.pk, "rita_line": rita_line.pk,
            "sue_line": sue_line.pk, "dispute": dispute.pk, "import": imp.pk, "staged": staged.key,
            "rating": rating.pk, "rob_membership": rob_membership, **extra}


def _request(client, method: str, name: str, url: str):  # noqa: ANN001, ANN202
    if method == "get":
        return client.get(url)
    data = POST_DATA.get(name, {})
    if data == "upload":
        data = {"table": "payees", "preset": "",
                "file": io.BytesIO(b"payee_id,name,target_incentive\nx,X,1.00\n")}
        data["file"].name = "payees.csv"
    return client.post(url, data)


def _outcome(response) -> object:  # noqa: ANN001
    if response.status_code == 302:
        return L if response["Location"].startswith("/login/") else R
    return response.status_code


@pytest.mark.parametrize("method,name,url,expected", MATRIX,
                         ids=[f"{m}:{f(dict.fromkeys(('rating', 'run', 'rita_user', 'rita_line', 'sue_line', 'dispute', 'import', 'staged', 'rob_membership'), 'N'))}"  # noqa: E501
                              for m, _, f, _e in MATRIX])
def test_it_gives_each_persona_exactly_its_access(client, world, objects, method, name, url,
                                                  expected):
    got = {}
    for persona, user in world.personas().items():
        client.logout()
        if user is not None:
            client.force_login(user)
        with transaction.atomic():
            got[persona] = _outcome(_request(client, method, name, url(objects)))
            transaction.set_rollback(True)
    assert got == expected


def test_it_covers_every_url():
    names = {p.name for p in get_resolver().url_patterns[0].url_patterns}
    assert names == {name for _, name, _, _ in MATRIX}

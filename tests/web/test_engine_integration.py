"""The web with the real engine: a run through ``teamquota.calculate`` on the test world,
its lines on the statement and its gate on the dashboard, and the estimator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from teamquota.web.comp.models import PayoutLine, Target
from teamquota.web.comp.services.runs import start_run


@pytest.fixture
def real_run(world):  # noqa: ANN001, ANN201
    # Targets chosen so the arithmetic is round: Rita Won 1500.00 of 1500.00 = 100%,
    # North Won 1500.00 + 2000.00 = 3500.00 of 3500.00 = 100%.
    Target.objects.filter(subject_id="rita").update(amount=Decimal("1500.00"))
    Target.objects.filter(subject_id="north").update(amount=Decimal("3500.00"))
    run = start_run(world.otto, "real engine")
    assert run.status == "done", run.diagnostics
    return run


def test_it_pays_the_hybrid_plan_through_the_engine(world, real_run):
    lines = {ln.component_id: ln.amount for ln in PayoutLine.objects.filter(
        run=real_run, payee__payee_id="rita", period="2017-Q1")}
    # TI 20,000.00 a year = 5,000.00 a quarter; curve(100%) = 100%
    # personal 5,000.00 x 0.4 x 1.0 = 2,000.00; team 5,000.00 x 0.6 x 1.0 = 3,000.00
    assert lines == {"personal": Decimal("2000.00"), "team": Decimal("3000.00")}


def test_it_shows_the_gate_on_the_team_dashboard(client, world, real_run):
    client.force_login(world.sam)
    text = client.get("/teams/south/?period=2017-Q1").content.decode()
    # South: Sue Won 4000.00 of target 5000.00 = 80.0%, exactly the gate
    assert "team at 80.0%: gate of 80% met, team pays" in text
    client.force_login(world.lea)
    text = client.get("/teams/north/?period=2017-Q1").content.decode()
    assert "team at 100.0%: gate of 80% met, team pays" in text


def test_it_estimates_what_closing_an_open_deal_would_pay(client, world, real_run):
    client.force_login(world.rita)
    page = client.get("/estimator/").content.decode()
    assert "OPEN1" in page
    response = client.post("/estimator/", {"deal": ["OPEN1"], "amount_OPEN1": "750.00"})
    text = response.content.decode()
    # personal: (1500.00 + 750.00) / 1500.00 = 150% -> curve 200% -> 5,000 x 0.4 x 2 = 4,000
    # team: (3500.00 + 750.00) / 3500.00 = 121.43% -> 1 + 0.2143/0.3 x 0.6 = 142.857..%
    #       -> 5,000 x 0.6 x 1.428571.. = 4,285.71; total 8,285.71 (now 5,000.00)
    assert "8,285.71" in text and "5,000.00" in text
    assert "3,285.71" in text
    assert "team at 121.4%: gate of 80% met, team pays" in text  # team first, with its gate
    assert text.index("team at 121.4%") < text.index("8,285.71")


def test_it_shows_a_recoverable_draw_and_its_balance(client, world):
    from teamquota.web.comp.models import PlanVersion
    from tests.web.world import PLAN_YAML
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "draw: {amount: 3000, kind: recoverable}\n")
    run = start_run(world.otto, "draw")
    assert run.status == "done", run.diagnostics
    client.force_login(world.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    # Rita earns 0.00 in Q1 (personal 1500/3000 = 50% -> 0; North 3500/5000 = 70% < gate)
    # so the draw advances 3,000.00 - 0.00 = 3,000.00, owed back from later earnings
    assert "advance 3,000.00; balance owed 3,000.00" in text
    assert "Draw balance" in text
    history = text[text.index("<h2>History</h2>"):]
    assert '<td class="num">3,000.00</td><td class="num">3,000.00</td>' in history


def test_it_reports_the_engines_stages_as_progress(world, monkeypatch):
    from teamquota.web.comp.services import runs
    seen: list[str] = []
    original = runs._progress
    monkeypatch.setattr(runs, "_progress", lambda run, text: (seen.append(text),
                                                              original(run, text)))
    start_run(world.otto, "progress")
    assert seen[0] == "reading data"
    assert "plan ae_test v1 (1 of 1): check" in seen
    assert seen[-1] == "saving results"


def test_it_points_each_line_at_the_deals_behind_it(client, world, real_run):
    client.force_login(world.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    # personal: Rita's DEAL-1 and DEAL-2; team North: DEAL-1, DEAL-2 (Rita) and DEAL-3 (Rob)
    assert "2 deals, listed below" in text
    assert "3 team deals (2 yours)</a>" in text


def test_it_keeps_a_plan_paid_to_three_places_and_refuses_four(world, real_run):
    from teamquota.web.comp.models import PlanVersion
    from tests.web.world import PLAN_YAML
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "rounding: {places: 3}\n")
    run = start_run(world.otto, "three places")
    # the app stores 3 places: 2,000.000 and 3,000.000 are kept as paid (not rounded again)
    assert run.status == "done", run.diagnostics
    lines = {ln.component_id: ln.amount for ln in PayoutLine.objects.filter(
        run=run, payee__payee_id="rita", period="2017-Q1")}
    assert lines == {"personal": Decimal("2000.000"), "team": Decimal("3000.000")}
    before = PayoutLine.objects.count()
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "rounding: {places: 4}\n")
    run = start_run(world.otto, "four places")
    # saving 4 places would round them a second time, silently: refused, nothing stored
    assert run.status == "failed"
    assert [d["code"] for d in run.diagnostics] == ["E052"]
    assert "pays lines to 4 decimal places" in run.diagnostics[0]["message"]
    assert PayoutLine.objects.count() == before


def test_it_refuses_a_deal_no_rate_converts_on_import_and_on_a_run(client, world):
    """Issue 12: a 5,000.00 EUR deal in a USD plan with no rate was paid as 5,000 USD."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from teamquota.web.comp.models import Deal, Payee
    client.force_login(world.otto)
    upload = client.post("/imports/upload/", {
        "table": "deals", "preset": "", "file": SimpleUploadedFile(
            "deals.csv", b"deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
            b"EUR-1,rita,Acme,GTX,5000.00,EUR,Won,2017-02-01\n", content_type="text/csv")})
    text = client.get(upload["Location"] + "?mode=upsert").content.decode()
    assert "deals.csv:2" in text and "[D011]" in text
    # the same deal reaching the database another way (an fx table replaced later): the
    # run refuses it with the same code, naming the deal, and publishes nothing
    Deal.objects.create(deal_id="EUR-1", owner=Payee.objects.get(payee_id="rita"),
                        product="GTX", amount=Decimal("5000.00"), currency="EUR",
                        stage="Won", close_date=date(2017, 2, 1))
    run = start_run(world.otto, "eur deal")
    assert run.status == "failed"
    assert [d["code"] for d in run.diagnostics] == ["D011"]
    assert "EUR-1" in run.diagnostics[0]["message"]
    assert not PayoutLine.objects.filter(run=run).exists()


def test_it_refuses_new_fx_rates_that_leave_a_deal_unconverted(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(table: str, text: str) -> str:
        response = client.post("/imports/upload/", {
            "table": table, "preset": "", "file": SimpleUploadedFile(
                f"{table}.csv", text.encode(), content_type="text/csv")})
        return response["Location"]
    client.force_login(world.otto)
    header = "from_currency,to_currency,period,rate\n"
    client.post(upload("fx_rates", header + "EUR,USD,2017,1.1\n") + "apply/",
                {"mode": "replace"})
    deals = upload("deals", "deal_id,owner_id,account,product,amount,currency,stage,"
                            "close_date\nEUR-1,rita,Acme,GTX,5000.00,EUR,Won,2017-02-01\n")
    client.post(deals + "apply/", {"mode": "upsert"})
    run = start_run(world.otto, "eur at the year's rate")
    assert run.status == "done", run.diagnostics
    # Rita: 1,500.00 + 5,000.00 EUR x 1.1 = 7,000.00 USD of target 3,000.00
    assert PayoutLine.objects.filter(run=run, payee__payee_id="rita",
                                     component_id="personal").exists()
    text = client.get(upload("fx_rates", header + "GBP,USD,2017,1.3\n")
                      + "?mode=replace").content.decode()
    assert "[D011]" in text and "deals in the database" in text


def test_it_pays_a_huge_deal_against_the_smallest_target(world):
    """A deal of 15 significant digits (what SQLite holds exactly) over a one-cent target:
    an attainment of 15 digits before the point, which the results keep (it overflowed
    decimal(24,12) and failed the run)."""
    from datetime import date

    from teamquota.web.comp.models import AttainmentRow, Deal, Payee
    Deal.objects.create(deal_id="HUGE", owner=Payee.objects.get(payee_id="rita"),
                        product="GTX", amount=Decimal("9999999999998.50"), stage="Won",
                        close_date=date(2017, 2, 1))
    Target.objects.filter(subject_id="rita").update(amount=Decimal("0.01"))
    run = start_run(world.otto, "huge")
    assert run.status == "done", run.diagnostics
    row = AttainmentRow.objects.get(run=run, subject_id="rita", component_id="personal")
    # (1,000.00 + 500.00 + 9,999,999,999,998.50) / 0.01 = 10,000,000,001,498.50 / 0.01
    #   = 1,000,000,000,149,850
    assert row.attainment == Decimal("1000000000149850")
    personal = PayoutLine.objects.get(run=run, payee__payee_id="rita", component_id="personal")
    # the curve's cap 250%: 5,000.00 x 0.4 x 2.5 = 5,000.00
    assert personal.amount == Decimal("5000.00")

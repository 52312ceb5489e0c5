"""Amounts keep the places the engine paid them to: a KWD line of 10.006 is 10.006 in the
database, on the statement, in the totals, the payroll file and the API; a JPY line of 1000
is shown as 1,000 (a currency's places, docs/web.md "Money"); a USD line is as before.
On SQLite and, with TEAMQUOTA_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from teamquota.web.comp.exact_sum import ExactSum
from teamquota.web.comp.models import (
    ApiToken,
    Deal,
    Dispute,
    Payee,
    PayoutLine,
    Period,
    Plan,
    PlanAssignment,
    PlanVersion,
    Run,
    User,
)
from teamquota.web.comp.services.payroll import payroll_csv
from teamquota.web.comp.services.runs import start_run

PLAN = """\
plan: {plan}
name: {plan}
period: quarter
currency: {currency}
components:
  - id: commission
    scope: payee
    measure: {{sum: amount, where: {{stage: Won}}}}
    payout: {{rate: 0.1}}
"""


def _one_payee_run(currency: str, deal: str, extra: str = "") -> tuple[Run, User, User]:
    """One payee paid 10% of one Won deal in ``currency``; the real engine runs it."""
    otto = User.objects.create_user(username="otto", password="x", role_names="sales_ops")
    payee = Payee.objects.create(payee_id="kareem", name="Kareem", currency=currency,
                                 email="kareem@example.com",
                                 target_incentive=Decimal("20000.00"))
    kareem = User.objects.create_user(username="kareem", password="x", role_names="rep",
                                      payee=payee)
    Deal.objects.create(deal_id="K-1", owner=payee, account="Acme", product="GTX",
                        amount=Decimal(deal), currency=currency, stage="Won",
                        close_date=date(2017, 2, 10))
    plan = Plan.objects.create(plan_id="p_" + currency.lower(), name=currency)
    PlanVersion.objects.create(plan=plan, number=1, created_by=otto, yaml_text=PLAN.format(
        plan=plan.plan_id, currency=currency) + extra)
    PlanAssignment.objects.create(plan=plan, payee=payee, start_date=date(2017, 1, 1),
                                  created_by=otto)
    run = start_run(otto, currency)
    return run, otto, kareem


def _api(client, user, path: str) -> dict:  # noqa: ANN001
    token = ApiToken.issue(user, "test")[1]
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_a_kwd_line_keeps_its_third_place_everywhere(client):
    # commission 10% of 100.06 KWD = 10.006 KWD (3 places, the dinar's fils: not 10.01)
    run, otto, kareem = _one_payee_run("KWD", "100.06")
    assert run.status == "done", run.diagnostics
    line = PayoutLine.objects.get(run=run)
    line.refresh_from_db()
    assert (line.amount, line.currency) == (Decimal("10.006"), "KWD")
    assert str(line.amount) == "10.006"
    q1 = Period.objects.get(label="2017-Q1")
    # the period total: the one line, 10.006, summed exactly (ExactSum on SQLite)
    total = PayoutLine.shown(q1).aggregate(t=ExactSum("amount"))["t"]
    assert total == Decimal("10.006")
    client.force_login(kareem)
    text = client.get("/statements/kareem/?period=2017-Q1").content.decode()
    assert "10.006" in text and "10.01<" not in text and "10.01 " not in text
    client.force_login(otto)
    periods = client.get("/periods/").content.decode()
    assert "10.006" in periods
    assert "10.006" in client.get("/periods/2017-Q1/").content.decode()
    # the payroll file: the amount cell as paid
    rows = payroll_csv(q1).splitlines()
    assert rows[1].split(",")[6:8] == ["KWD", "10.006"]
    api = _api(client, kareem, "/api/statements/kareem/?period=2017-Q1")
    assert api["total"] == "10.006" and api["currency"] == "KWD"
    assert [ln["amount"] for ln in api["lines"]] == ["10.006"]
    results = _api(client, otto.__class__.objects.create_user(
        username="fiona", password="x", role_names="finance"), "/api/results/?period=2017-Q1")
    assert [t["amount"] for t in results["totals"]] == ["10.006"]
    assert [ln["amount"] for ln in results["lines"]] == ["10.006"]


@pytest.mark.django_db
def test_a_jpy_line_is_shown_in_whole_yen(client):
    # commission 10% of 10,000.00 JPY = 1,000 JPY (no minor unit): shown 1,000, not 1,000.00
    run, otto, kareem = _one_payee_run("JPY", "10000.00")
    assert run.status == "done", run.diagnostics
    line = PayoutLine.objects.get(run=run)
    assert line.amount == Decimal("1000")
    client.force_login(kareem)
    text = client.get("/statements/kareem/?period=2017-Q1").content.decode()
    # the line's amount cell and the total (the engine's own wording of its arithmetic,
    # "10.00% = 1,000.00", is the engine's and not reformatted by the web)
    assert '<td class="num">1,000</td>' in text and "1,000 JPY" in text
    assert '<td class="num">1,000.00</td>' not in text and "1,000.00 JPY" not in text
    rows = payroll_csv(Period.objects.get(label="2017-Q1")).splitlines()
    assert rows[1].split(",")[6:8] == ["JPY", "1000"]
    api = _api(client, kareem, "/api/statements/kareem/?period=2017-Q1")
    assert (api["total"], [ln["amount"] for ln in api["lines"]]) == ("1000", ["1000"])


@pytest.mark.django_db
def test_a_usd_line_reads_back_as_cents(client):
    # the widened column keeps a cent amount as it was: 10% of 100.06 USD = 10.01 (half up),
    # read back as Decimal('10.01'), not '10.010', so every page and file is unchanged
    run, otto, kareem = _one_payee_run("USD", "100.06")
    assert run.status == "done", run.diagnostics
    line = PayoutLine.objects.get(run=run)
    assert str(line.amount) == "10.01"
    assert [str(a) for a in PayoutLine.objects.values_list("amount", flat=True)] == ["10.01"]
    rows = payroll_csv(Period.objects.get(label="2017-Q1")).splitlines()
    assert rows[1].split(",")[6:8] == ["USD", "10.01"]
    api = _api(client, kareem, "/api/statements/kareem/?period=2017-Q1")
    assert (api["total"], [ln["amount"] for ln in api["lines"]]) == ("10.01", ["10.01"])


@pytest.mark.django_db
def test_a_plan_paid_to_more_than_three_places_is_refused_with_its_reason():
    # rounding.places 4: the web keeps 3 places (see docs/web.md "Money"); nothing stored
    run, _, _ = _one_payee_run("USD", "100.06", "rounding: {places: 4}\n")
    assert run.status == "failed"
    assert [d["code"] for d in run.diagnostics] == ["E052"]
    assert "pays lines to 4 decimal places" in run.diagnostics[0]["message"]
    assert "at most 3" in run.diagnostics[0]["message"]
    assert not PayoutLine.objects.exists()


def _dispute(client, currency: str) -> tuple[Dispute, User]:  # noqa: ANN001
    run, otto, kareem = _one_payee_run(currency, "100.06")
    assert run.status == "done", run.diagnostics
    line = PayoutLine.objects.get(run=run)
    client.force_login(kareem)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "K-2 is missing"})
    return Dispute.objects.get(), otto


@pytest.mark.django_db
def test_a_manual_kwd_adjustment_of_five_fils_round_trips(client):
    dispute, otto = _dispute(client, "KWD")
    client.force_login(otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "0.005", "reason": "K-2"})
    manual = PayoutLine.objects.get(line_type="manual")
    manual.refresh_from_db()
    assert (manual.amount, manual.currency) == (Decimal("0.005"), "KWD")
    # 10.006 + 0.005 = 10.011 KWD for the period
    q1 = Period.objects.get(label="2017-Q1")
    assert PayoutLine.shown(q1).aggregate(t=ExactSum("amount"))["t"] == Decimal("10.011")
    assert "0.005" in manual.explanation
    client.force_login(otto)
    assert "10.011" in client.get("/periods/").content.decode()


@pytest.mark.django_db
def test_a_kwd_adjustment_beyond_three_places_is_refused_with_the_currency_places(client):
    dispute, otto = _dispute(client, "KWD")
    client.force_login(otto)
    response = client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "0.0005"},
                           follow=True)
    assert response.status_code == 200
    assert "at most 3 decimals" in response.content.decode()
    assert not PayoutLine.objects.filter(line_type="manual").exists()


@pytest.mark.django_db
def test_a_usd_adjustment_keeps_its_two_place_limit(client):
    dispute, otto = _dispute(client, "USD")
    client.force_login(otto)
    response = client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "0.005"},
                           follow=True)
    assert "at most 2 decimals" in response.content.decode()
    assert not PayoutLine.objects.filter(line_type="manual").exists()


@pytest.mark.django_db
def test_three_place_totals_are_exact_on_every_database():
    payee = Payee.objects.create(payee_id="k", name="K", currency="KWD")
    run = Run.objects.create(status="done")
    amounts = ["999999999999.999", "999999999999.999", "999999999999.999", "0.001", "-0.007"]
    PayoutLine.objects.bulk_create(
        PayoutLine(run=run, period="2017-Q1", payee=payee, component_id="c",
                   line_type="commission", amount=Decimal(a), currency="KWD") for a in amounts)
    # 3 x 999,999,999,999.999 + 0.001 - 0.007 = 2,999,999,999,999.997 - 0.006 = ...991
    total = PayoutLine.objects.aggregate(t=ExactSum("amount"))["t"]
    assert total == Decimal("2999999999999.991")
    # 1,000 lines of 0.001: exactly 1 (floats would drift)
    PayoutLine.objects.bulk_create(
        PayoutLine(run=run, period="2017-Q2", payee=payee, component_id="c",
                   line_type="commission", amount=Decimal("0.001"), currency="KWD")
        for _ in range(1000))
    assert PayoutLine.objects.filter(period="2017-Q2").aggregate(
        t=ExactSum("amount"))["t"] == Decimal("1")
    stored = sorted(PayoutLine.objects.filter(period="2017-Q1")
                    .values_list("amount", flat=True))
    assert stored == sorted(Decimal(a) for a in amounts)


BEFORE, AFTER = [("comp", "0010_leadership")], [("comp", "0011_payout_amount_places")]


@pytest.mark.django_db(transaction=True)
def test_migration__two_place_amounts_are_unchanged():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Payee_, Run_, Line = (apps.get_model("comp", n) for n in ("Payee", "Run", "PayoutLine"))
    rita = Payee_.objects.create(payee_id="rita", name="Rita", target_incentive=Decimal("1"))
    run = Run_.objects.create(status="done")
    # the largest amount the web keeps (13 digits before the point), a clawback, a cent
    amounts = ["9999999999999.99", "-1234.56", "0.01", "10.00"]
    for a in amounts:
        Line.objects.create(run=run, period="2017-Q1", payee=rita, component_id="c",
                            line_type="commission", amount=Decimal(a), currency="USD")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Line = apps.get_model("comp", "PayoutLine")
    assert Line._meta.get_field("amount").decimal_places == 3
    got = list(Line.objects.order_by("pk").values_list("amount", flat=True))
    assert got == [Decimal(a) for a in amounts]
    # leave the schema as later tests expect it
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_kwd_clawback_is_recovered_in_fils():
    from django.db import transaction

    from teamquota.ledger import book
    from teamquota.web.comp.services.ledger_store import DjangoStore
    run, otto, _ = _one_payee_run("KWD", "100.06", "clawback: {instalments: 2}\n")
    assert run.status == "done", run.diagnostics
    with transaction.atomic():
        snapshot = book.lock(DjangoStore(), "2017-Q1", "otto", require_approved=False)
    assert snapshot.total == {"KWD": Decimal("10.006")}
    assert ",KWD,10.006," in snapshot.payroll_csv
    # the deal drops to 100.01: 10% = 10.001; Q1 paid 10.006 -> -0.005 to claw back over 2
    # instalments in fils (0.001): -0.003 now (the leftover fil to the first), -0.002 later
    Deal.objects.filter(deal_id="K-1").update(amount=Decimal("100.01"))
    rerun = start_run(otto, "lower")
    assert rerun.status == "done", rerun.diagnostics
    claw = PayoutLine.objects.get(run=rerun, line_type="clawback")
    assert (claw.period, claw.adjusts_period, claw.amount) == ("2017-Q2", "2017-Q1",
                                                               Decimal("-0.003"))
    assert "paid 10.006, recalculated 10.001" in claw.explanation
    assert "(-0.003 of -0.005 outstanding)" in claw.explanation


@pytest.mark.django_db
def test_a_plan_paid_to_more_than_three_places_is_refused_at_upload(client):
    otto = User.objects.create_user(username="otto", password="x", role_names="sales_ops")
    client.force_login(otto)
    text = PLAN.format(plan="p_six", currency="USD") + "rounding: {places: 6}\n"
    page = client.post("/plans/new/", {"yaml_text": text}).content.decode()
    assert "E052" in page and "stores payouts to at most 3 decimal places" in page
    assert not Plan.objects.filter(plan_id="p_six").exists()
    three = PLAN.format(plan="p_three", currency="USD") + "rounding: {places: 3}\n"
    assert client.post("/plans/new/", {"yaml_text": three}).status_code == 302
    assert Plan.objects.filter(plan_id="p_three").exists()


def test_the_column_holds_every_currency_the_engine_knows():
    from teamquota.core.money import MINOR_UNITS
    from teamquota.web.comp.models.results import PAYOUT_PLACES
    assert max(MINOR_UNITS.values()) == PAYOUT_PLACES == PayoutLine._meta.get_field(
        "amount").decimal_places


@pytest.mark.django_db
def test_a_three_place_amount_is_held_below_ten_to_the_twelve():
    from teamquota.web.comp.services.runs import payout_limit
    # 15 significant digits on SQLite: 13 before the point with cents, 12 with fils
    assert (payout_limit(2), payout_limit(3)) == (Decimal(10) ** 13, Decimal(10) ** 12)
    payee = Payee.objects.create(payee_id="k", name="K", currency="KWD")
    run = Run.objects.create(status="done")
    largest = Decimal("999999999999.999")  # 12 + 3 = 15 digits: exact on both databases
    cents = Decimal("9999999999999.99")  # 13 + 2 = 15
    for amount in (largest, cents, -largest):
        PayoutLine.objects.create(run=run, period="2017-Q1", payee=payee, component_id="c",
                                  line_type="commission", amount=amount, currency="KWD")
    assert sorted(PayoutLine.objects.values_list("amount", flat=True)) == sorted(
        [largest, cents, -largest])


def test_a_run_refuses_a_fils_amount_of_thirteen_digits():
    import pyarrow as pa

    from teamquota.core.diagnostics import InputError
    from teamquota.engine.results import payouts_schema
    from teamquota.web.comp.services.runs import _check_size
    schema = payouts_schema(3)
    row = {"period": "2017-Q1", "payee_id": "k", "component_id": "c", "line_type": "x",
           "currency": "KWD"}
    ok = pa.Table.from_pylist([{**row, "amount": Decimal("999999999999.999")},
                               {**row, "amount": Decimal("9999999999999.990")}], schema)
    _check_size("p v1", ok)  # type: ignore[arg-type]
    bad = pa.Table.from_pylist([{**row, "amount": Decimal("1000000000000.001")}], schema)
    with pytest.raises(InputError) as found:
        _check_size("p v1", bad)  # type: ignore[arg-type]
    (diagnostic,) = list(found.value.diagnostics)
    message = diagnostic.message
    assert diagnostic.code == "E053"
    assert ("stores amounts below 1,000,000,000,000 exactly (12 digits before the point "
            "paid to 3 places)") in message


@pytest.mark.django_db
def test_a_kwd_adjustment_is_listed_at_its_places_and_a_usd_one_as_before(client):
    dispute, otto = _dispute(client, "KWD")
    client.force_login(otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "-1.250", "reason": "K-2"})
    text = client.get("/periods/2017-Q1/").content.decode()
    # the entry as booked: -1.250 KWD (3 places), the period 10.006 - 1.250 = 8.756
    assert '<td class="num">-1.250</td>' in text and "8.756" in text
    assert "10.006 KWD" in client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "10.006" in client.get("/disputes/").content.decode()


@pytest.mark.django_db
def test_a_jpy_adjustment_is_in_whole_yen(client):
    # the plan pays JPY in yen (no minor unit): 100.5 is refused, -100 is listed as -100
    dispute, otto = _dispute(client, "JPY")
    client.force_login(otto)
    refused = client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "100.5"},
                          follow=True).content.decode()
    assert "no decimals (the line is paid in JPY to 0 places)" in refused
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "-100", "reason": "K-2"})
    assert PayoutLine.objects.get(line_type="manual").amount == Decimal("-100")
    text = client.get("/periods/2017-Q1/").content.decode()
    # 10% of 100.06 JPY = 10.006 -> 10 (whole yen, half up); 10 - 100 = -90
    assert '<td class="num">-100</td>' in text and "-90" in text


@pytest.mark.django_db
def test_the_estimator_shows_a_kwd_payout_at_its_places(client):
    run, _, kareem = _one_payee_run("KWD", "100.06")
    assert run.status == "done", run.diagnostics
    Deal.objects.create(deal_id="K-OPEN", owner=kareem.payee, product="GTX", currency="KWD",
                        stage="Engaging")
    client.force_login(kareem)
    text = client.post("/estimator/", {"deal": ["K-OPEN"], "amount_K-OPEN": "0.06"}
                       ).content.decode()
    # 10% of (100.06 + 0.06) = 10.012 KWD, now 10.006: 0.006 more (not 10.01 / 0.01)
    assert "10.012" in text and "10.006" in text and "0.006" in text

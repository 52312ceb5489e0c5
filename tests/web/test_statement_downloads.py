"""Statement downloads: the page's lines, inputs, rule, arithmetic and total as CSV and
PDF, with the statement page's access rules (world.py: Rita 150.00 with the fake engine)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from teamquota.web.comp.models import Payee, PayoutLine, Period
from teamquota.web.comp.services.statement_export import statement_pdf
from teamquota.web.comp.views.statement import statement_data

HEADER = ("period,payee_id,payee_name,component_id,team_id,line_type,deal_id,measure_value,"
          "target_amount,attainment,rule,explanation,cause,amount,currency\r\n")


def test_it_writes_the_statement_csv_as_the_page_shows_it(client, world):
    client.force_login(world.rita)
    page = client.get("/statements/rita/?period=2017-Q1").content.decode()
    assert "150.00" in page and "Won 1500.00 x 10% = 150.00" in page
    response = client.get("/statements/rita/statement.csv?period=2017-Q1")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statement-rita-2017-Q1.csv"' in response["Content-Disposition"]
    # Rita's Won deals 1000.00 + 500.00 = 1500 against her target 3000.00: attainment 0.5;
    # the fake engine pays 10%: 150.00, the only line, so the total is 150.00 too
    assert response.content.decode() == HEADER + (
        "2017-Q1,rita,Rita Rep,personal,,commission,,1500,3000.00,0.5,10% of Won,"
        "Won 1500.00 x 10% = 150.00,,150.00,USD\r\n"
        "2017-Q1,rita,Rita Rep,total,,,,,,,,sum of 1 line,,150.00,USD\r\n")


def test_it_downloads_the_latest_visible_period_without_one(client, world):
    client.force_login(world.rita)
    body = client.get("/statements/rita/statement.csv").content.decode()
    assert body.splitlines()[1].startswith("2017-Q1,rita,")


def test_it_keeps_the_csv_safe_from_formulas_and_negative_amounts_numbers(client, world):
    rita = Payee.objects.get(payee_id="rita")
    Payee.objects.filter(pk=rita.pk).update(name="=HYPERLINK(\"http://x\")")
    PayoutLine.objects.create(run=None, period="2017-Q1", payee=rita, component_id="manual",
                              line_type="manual", amount=Decimal("-25.00"), currency="USD",
                              rule="@SUM(A1)", explanation="+1 -1", cause="-dispute #1")
    client.force_login(world.rita)
    lines = client.get("/statements/rita/statement.csv?period=2017-Q1").content.decode() \
        .splitlines()
    # every text cell a spreadsheet would run gets a quote; -25.00 stays a number, and the
    # total is 150.00 - 25.00 = 125.00 (lines in the page's order: plan, then component)
    assert lines[1] == ("2017-Q1,rita,\"'=HYPERLINK(\"\"http://x\"\")\",manual,,manual,,,,,"
                        "'@SUM(A1),'+1 -1,'-dispute #1,-25.00,USD")
    assert lines[3].endswith(",total,,,,,,,,sum of 2 lines,,125.00,USD")


@pytest.mark.parametrize("currency,amount,written", [
    ("KWD", "10.006", "10.006"),  # three places, as paid
    ("JPY", "1000", "1000"),  # none
    ("USD", "150.5", "150.50"),  # cents
])
def test_it_writes_amounts_at_their_currencys_places(client, world, currency, amount,
                                                      written):
    PayoutLine.objects.filter(payee__payee_id="rita").update(currency=currency,
                                                             amount=Decimal(amount))
    Payee.objects.filter(payee_id="rita").update(currency=currency)
    client.force_login(world.rita)
    lines = client.get("/statements/rita/statement.csv?period=2017-Q1").content.decode() \
        .splitlines()
    assert lines[1].endswith(f",{written},{currency}")
    assert lines[2].endswith(f",total,,,,,,,,sum of 1 line,,{written},{currency}")


def test_it_writes_the_statement_pdf(client, world):
    payee = Payee.objects.get(payee_id="rita")
    period = Period.objects.get(label="2017-Q1")
    body = statement_pdf(payee, period, statement_data(payee, period), compress=False)
    assert body.startswith(b"%PDF")
    assert b"Statement - Rita Rep" in body and b"Won 1500.00 x 10% = 150.00" in body
    assert b"Total for 2017-Q1: 150.00 USD" in body
    assert b"DEAL-1" in body and b"DEAL-2" in body  # the deals behind the numbers
    client.force_login(world.rita)
    response = client.get("/statements/rita/statement.pdf?period=2017-Q1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_it_writes_a_name_outside_latin1_into_the_statement_pdf(client, world):
    Payee.objects.filter(payee_id="rita").update(name="Łukasz Dąbrowski")
    payee = Payee.objects.get(payee_id="rita")
    period = Period.objects.get(label="2017-Q1")
    body = statement_pdf(payee, period, statement_data(payee, period), compress=False)
    assert b"Statement - Lukasz Dabrowski" in body  # core fonts are latin-1: accents dropped


def test_it_answers_as_the_statement_page_does(client, world):
    client.force_login(world.rita)
    for url in ("/statements/sue/statement.csv?period=2017-Q1",
                "/statements/sue/statement.pdf", "/statements/rob/statement.csv",
                "/statements/rita/statement.csv?period=1999-Q1",
                "/statements/rita/statement.csv?period=not-a-period",
                "/statements/nobody/statement.pdf"):
        assert client.get(url).status_code == 404, url
    client.force_login(world.lea)  # her member's, not another team's
    assert client.get("/statements/rita/statement.csv").status_code == 200
    assert client.get("/statements/sue/statement.csv").status_code == 404
    client.force_login(world.fiona)
    assert client.get("/statements/sue/statement.pdf").status_code == 200
    client.logout()
    assert client.get("/statements/rita/statement.csv").status_code == 302


def test_the_statement_page_links_its_downloads(client, world):
    client.force_login(world.rita)
    page = client.get("/statements/rita/?period=2017-Q1").content.decode()
    assert 'href="/statements/rita/statement.pdf?period=2017-Q1"' in page
    assert 'href="/statements/rita/statement.csv?period=2017-Q1"' in page

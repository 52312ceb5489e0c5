"""The rep statement: lines, totals, deals, and who may open it."""

from __future__ import annotations

from decimal import Decimal

from teamquota.web.comp.models import PayoutLine


def test_it_shows_the_reps_lines_and_total(client, world):
    client.force_login(world.rita)
    response = client.get("/statements/rita/?period=2017-Q1")
    assert response.status_code == 200
    text = response.content.decode()
    # Rita: Won 1000.00 + 500.00 = 1500.00; 10% = 150.00
    assert "Won 1500.00 x 10% = 150.00" in text
    assert "150.00 USD" in text
    assert "DEAL-1" in text and "DEAL-2" in text and "DEAL-3" not in text


def test_it_stores_the_runs_payouts_as_decimal_rows(world):
    lines = {ln.payee.payee_id: ln.amount for ln in PayoutLine.objects.filter(run=world.run)}
    # 10% of Won: Rita 1500.00 -> 150.00, Rob 2000.00 -> 200.00, Sue 4000.00 -> 400.00
    assert lines == {"rita": Decimal("150.00"), "rob": Decimal("200.00"),
                     "sue": Decimal("400.00")}


def test_it_lets_a_leader_open_a_members_statement(client, world):
    client.force_login(world.lea)
    assert client.get("/statements/rob/").status_code == 200


def test_it_hides_another_reps_statement_as_not_found(client, world):
    client.force_login(world.rita)
    assert client.get("/statements/rob/").status_code == 404
    assert client.get("/statements/sue/").status_code == 404


def test_it_hides_another_teams_statements_from_a_leader(client, world):
    client.force_login(world.sam)
    assert client.get("/statements/rita/").status_code == 404
    assert client.get("/statements/sue/").status_code == 200

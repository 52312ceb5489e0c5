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


def test_it_says_why_a_leader_on_no_plan_has_no_lines(client, world):
    # the world's plan is assigned to the reps only (as the demo's pays AEs only): Lea's
    # statement showed her target incentive and an empty table, with no word why
    client.force_login(world.lea)
    text = client.get("/statements/lea/?period=2017-Q1").content.decode()
    assert "No plan pays Lea Leader in 2017-Q1" in text


def test_it_shows_a_leaders_own_lines(client, world):
    from datetime import date

    from teamquota.web.comp.models import Payee, PlanAssignment, PlanVersion, Target
    from teamquota.web.comp.services.runs import start_run
    from tests.web.world import PLAN_YAML

    # Lea on the plan, credited as North's leader (crediting: leaders) on DEAL-1..3:
    # 1000.00 + 500.00 + 2000.00 = 3500.00 against a 3000.00 target = 116.7%
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "crediting: {leaders: true}\n")
    PlanAssignment.objects.create(plan=world.plan, payee=Payee.objects.get(payee_id="lea"),
                                  start_date=date(2017, 1, 1), created_by=world.otto)
    Target.objects.create(subject_type="payee", subject_id="lea", measure="personal",
                          period="2017-Q1", amount=Decimal("3000.00"))
    run = start_run(world.otto, "leaders")
    assert run.status == "done", run.diagnostics
    client.force_login(world.lea)
    text = client.get("/statements/lea/?period=2017-Q1").content.decode()
    # curve at 7/6: 1 + (7/6 - 1) / 0.5 = 4/3; 5000.00 x 0.4 x 4/3 = 2,666.67
    assert "2,666.67" in text and "No plan pays" not in text
    assert "your attainment 116.7% pays 1.33 x" in text  # her "you are here"
    assert PayoutLine.objects.get(run=run, payee__payee_id="lea").amount == Decimal("2666.67")


def test_it_quotes_the_runs_warning_for_a_leader_on_a_plan_without_a_target(client, world):
    from datetime import date

    from teamquota.web.comp.models import Payee, PlanAssignment
    from teamquota.web.comp.services.runs import start_run

    PlanAssignment.objects.create(plan=world.plan, payee=Payee.objects.get(payee_id="lea"),
                                  start_date=date(2017, 1, 1), created_by=world.otto)
    assert start_run(world.otto, "lea on the plan").status == "done"
    client.force_login(world.lea)
    text = client.get("/statements/lea/?period=2017-Q1").content.decode()
    # on the plan, but no personal target: the engine's E010, said on her statement
    assert ("no target for payee &#x27;lea&#x27;, component &#x27;personal&#x27;, period "
            "2017-Q1: no personal line") in text
    assert "No plan pays" not in text

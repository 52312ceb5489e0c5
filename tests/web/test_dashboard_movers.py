"""The team dashboard's member rows for a period in which a member moved: each row is what
the team was credited through that member (while a member of it, as the engine credits
teams), so the rows add up to the team's credited amount.

Rita moves from North to South on 2017-08-15 (North's last day 2017-08-14). Q3 deals (Won):
Rita 1,000.00 on 2017-08-14 (North) and 300.00 on 2017-08-15 (South), Sue 200.00 on
2017-09-01 (South). Rob has no Q3 deal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.engine.results import Results
from teamquota.web.comp.models import Deal, Membership
from teamquota.web.comp.services.runs import start_run
from tests.web.fakes import fake_calculate
from tests.web.world import World, build_world


def _moved_world(calculator=fake_calculate) -> World:  # noqa: ANN001
    world = build_world(calculate=False)
    rita = world.rita.payee
    Membership.objects.filter(payee=rita).update(end_date=date(2017, 8, 14))
    Membership.objects.create(payee=rita, team=world.south, start_date=date(2017, 8, 15))
    for deal_id, owner, amount, day in (("OLD", rita, "1000.00", date(2017, 8, 14)),
                                        ("NEW", rita, "300.00", date(2017, 8, 15)),
                                        ("SUE", world.sue.payee, "200.00", date(2017, 9, 1))):
        Deal.objects.create(deal_id=deal_id, owner=owner, product="GTX", stage="Won",
                            amount=Decimal(amount), close_date=day)
    world.run = start_run(world.otto, "move", calculator=calculator)
    assert world.run.status == "done", world.run.diagnostics
    return world


def _rows(client, team: str) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    page = client.get(f"/teams/{team}/?period=2017-Q3")
    assert page.status_code == 200
    return {r["payee"].payee_id: (r["amount"], r["share"]) for r in page.context["members"]}


def test_it_shows_a_movers_credit_in_each_team_while_a_member_of_it(client, db):
    world = _moved_world()
    client.force_login(world.otto)
    # North: Rita's 1,000.00 (08-14, her last day there); Rob nothing -> 1,000.00
    assert _rows(client, "north") == {"rita": ("1,000.00", "100.0%"),
                                      "rob": ("0.00", "0.0%")}
    page = client.get("/teams/north/?period=2017-Q3")
    assert page.context["credited"] == "1,000.00"
    # South: Rita's 300.00 (08-15, her first day) + Sue's 200.00 = 500.00; 300/500 = 60.0%
    assert _rows(client, "south") == {"rita": ("300.00", "60.0%"), "sue": ("200.00", "40.0%")}
    page = client.get("/teams/south/?period=2017-Q3")
    assert page.context["credited"] == "500.00"
    assert page.context["others"] is None  # the rows add up to the team's credit
    text = page.content.decode()
    assert "Credited to South while a member" in text
    assert "2017-08-15 to open" in text  # the membership that counted in the period


def test_it_shows_a_member_who_left_and_came_back_once(client, db):
    """Rob leaves North on 2017-07-31 and is back from 2017-09-01 (two memberships in Q3):
    one row, both spans named; his deal of 2017-08-10 (between them) is no North credit."""
    world = _moved_world()
    rob = Membership.objects.get(payee__payee_id="rob")
    rob.end_date = date(2017, 7, 31)
    rob.save()
    Membership.objects.create(payee=rob.payee, team=world.north, start_date=date(2017, 9, 1))
    Deal.objects.create(deal_id="AWAY", owner=rob.payee, product="GTX", stage="Won",
                        amount=Decimal("400.00"), close_date=date(2017, 8, 10))
    Deal.objects.create(deal_id="BACK", owner=rob.payee, product="GTX", stage="Won",
                        amount=Decimal("600.00"), close_date=date(2017, 9, 2))
    start_run(world.otto, "rob", calculator=fake_calculate)
    client.force_login(world.otto)
    # North: Rita 1,000.00 + Rob 600.00 (BACK; AWAY closed while he was away) = 1,600.00
    assert _rows(client, "north") == {"rita": ("1,000.00", "62.5%"),
                                      "rob": ("600.00", "37.5%")}
    text = client.get("/teams/north/?period=2017-Q3").content.decode()
    assert "2017-01-01 to 2017-07-31, 2017-09-01 to open" in text


def _with_rollup(plan, data, periods=None):  # noqa: ANN001, ANN202
    """The fake engine, plus each team credit rolled up to Company (as the engine's
    roll-up does): Company's credit comes through its sub-teams' members."""
    import pyarrow as pa

    from teamquota.engine.results import CREDITS
    results = fake_calculate(plan, data, periods)
    rows = results.credits.to_pylist()
    rows += [{**r, "subject_id": "company", "rule": "rollup"} for r in rows
             if r["subject_type"] == "team"]
    return Results(pa.Table.from_pylist(rows, CREDITS), results.attainment, results.payouts,
                   plan_id=results.plan_id)


def test_it_names_credit_through_sub_teams_apart_from_the_members(client, db):
    world = _moved_world(_with_rollup)
    Membership.objects.create(payee=world.sam.payee, team=world.company,
                              start_date=date(2017, 1, 1))  # Company's one direct member
    start_run(world.otto, "rollup", calculator=_with_rollup)
    client.force_login(world.otto)
    page = client.get("/teams/company/?period=2017-Q3")
    # Company: 1,000.00 (North) + 500.00 (South) = 1,500.00, all through sub-teams
    assert page.context["credited"] == "1,500.00"
    assert [(r["payee"].payee_id, r["amount"]) for r in page.context["members"]] == [
        ("sam", "0.00")]
    assert page.context["others"] == {"amount": "1,500.00", "share": "100.0%",
                                      "label": "Through sub-teams"}
    assert "Through sub-teams" in page.content.decode()

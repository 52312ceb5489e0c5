"""The plan-fit page: the team's history replayed under each design, paid by the engine.

The hand-checked history: Rita, Rob (North) and Sue (South) each win 1,000.00 in each of
January, February and March 2017 (three full months), so every bootstrap quarter gives
every seat 3,000.00 against a target of 3,000.00 (its rep's mean per quarter): 100% for
everyone, whatever the draw. Who may open the page is in ``test_permissions.py``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import Deal, Payee, PlanAssignment
from tests.web.world import World

URL = "/teams/company/simulate/"


def _even_history() -> None:
    Deal.objects.all().delete()
    for payee in ("rita", "rob", "sue"):
        owner = Payee.objects.get(payee_id=payee)
        # the first and last days make January and March full months of data
        for month, day in ((1, 1), (2, 15), (3, 31)):
            Deal.objects.create(deal_id=f"{payee}-{month}", owner=owner, account="A",
                                product="GTX", amount=Decimal("1000.00"), stage="Won",
                                close_date=date(2017, month, day))


def _design(html: str, design: str) -> list[str]:
    found = re.search(rf'<tr data-design="{re.escape(design)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {design}"
    return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))


def test_it_answers_at_once_and_fetches_the_replay_with_htmx(client, world: World):
    client.force_login(world.otto)
    html = client.get(URL).content.decode()
    assert 'id="simulation-pending"' in html
    assert 'hx-get="/teams/company/simulate/?part=results"' in html


def test_it_pays_every_design_as_worked_out_by_hand(client, world: World):
    _even_history()
    PlanAssignment.objects.all().delete()  # no current plan: targets are mean-won estimates
    client.force_login(world.otto)
    html = client.get(URL + "?part=results", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="simulation">')
    # every seat at 100%: the personal curve and the team curve both pay 1.0 x TI 20,000
    # x 3/12 = 5,000 per seat; 3 seats = 15,000 per quarter, every quarter (P95 the same).
    # The pool rate makes a team at target pay its seats' TI: 15,000 / 9,000 = 1.6667 ->
    # North 1.6667 x 6,000 = 10,000.20, South 5,000.10 -> 15,000.30, shown 15,000.
    # Equal pay: Gini 0; the bottom quartile (1 seat of 3) gets 1/3; nobody goes unpaid.
    # The team line (team components) pays every quarter: 0%; individual has none: —.
    for design in ("individual", "hybrid 70/30", "hybrid 40/60", "team only", "team pool",
                   "team pool + guard"):
        assert _design(html, design) == ["15,000", "15,000", "0.00", "33%", "0%", "0%",
                                         "—" if design == "individual" else "0%"]
    assert "current" not in html.split('id="designs"')[1].split("</table>")[0]
    # every team design passes the checks; the most team-oriented one is recommended
    assert "Recommended: team pool + guard" in html
    assert "it does not model how people change what they do when the plan changes" in html
    for chart in ("sim-costs", "sim-fairness", "sim-threshold"):
        assert f'data-source="{chart}"' in html
    # the second visit is served whole from the cache
    html = client.get(URL).content.decode()
    assert "simulation-pending" not in html and "<html" in html
    assert _design(html, "team only")[0] == "15,000"


def test_it_says_when_the_history_is_too_short(client, world: World):
    client.force_login(world.lea)
    # the world's deals all close in February 2017, which the data covers only in part
    html = client.get("/teams/north/simulate/?part=results").content.decode()
    assert ("it needs at least 3 full months with closed deals, and this team&#x27;s data has 0"
            in html)


def test_it_replays_the_current_plan_on_its_real_targets_after_the_back_test(
        client, world: World):
    # The world's plan (ae_test, 40% personal / 60% team gated at 80%) is everyone's; its
    # 2017-Q1 targets: Rita 3,000, Rob 2,000, Sue 5,000; North and South 5,000 each.
    # Each wins 3,000 in Q1 -> the engine pays (TI 20,000 -> 5,000 a quarter):
    #   personal 0.4 x 5,000 x curve: Rita 1.0 -> 2,000; Rob 1.5 -> 2.0 -> 4,000;
    #   Sue 0.6 -> 0.2 -> 400;
    #   team: North 6,000 / 5,000 = 1.2 -> 1 + 0.2 / 0.3 x 0.6 = 1.4 -> 0.6 x 5,000 x 1.4
    #   = 4,200 each for Rita and Rob; South 60% < the 80% gate -> 0.
    # 2,000 + 4,000 + 400 + 4,200 + 4,200 = 14,800.00 over 6 amounts; the team line paid
    # nothing in 1 of 2 team-quarters (South).
    _even_history()
    client.force_login(world.otto)
    html = client.get(URL + "?part=results", HTTP_HX_REQUEST="true").content.decode()
    notes = re.findall(r"<li>([^<]*)</li>", html.split('id="simulation-notes"')[1])
    assert notes[:2] == [
        "back-test: replaying 2017-Q1 to 2017-Q1 pays the engine&#x27;s 6 payout amounts "
        "(payee x period x component) to the cent, 14,800.00 in all",
        "in the actual periods the current plan&#x27;s team line paid nothing in 1 of 2 "
        "team-periods (50%)"]
    row = re.search(r'<tr data-design="current \(ae_test\)" class="current">(.*?)</tr>',
                    html, re.S)
    assert row and '<strong id="current-plan">current</strong>' in row.group(1)
    assert "team gate 80%" in html

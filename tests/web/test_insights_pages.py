"""Leader-only insight pages: team insights (watchlist, strengths) and pipeline conflicts.

Numbers are checked by hand on the world of ``tests/web/world.py`` (2017-Q1, all Won):
Rita 1000.00 + 500.00 against a 3000.00 target, Rob 2000.00 against 2000.00, Sue 4000.00
against 5000.00. Who may open which page is in ``test_permissions.py``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import Deal, Membership, Payee, Target
from tests.web.world import World


def _cell(html: str, attr: str, payee: str) -> str:
    found = re.search(rf'{attr}="{payee}">([^<]*)<', html)
    assert found, f"no {attr} cell for {payee}"
    return found.group(1)


def test_it_shows_each_reps_attainment_against_the_peers_median(client, world: World):
    client.force_login(world.lea)
    html = client.get("/teams/north/insights/").content.decode()
    # Rita: 1500.00 / 3000.00 = 50.0% in the one period; Rob: 2000.00 / 2000.00 = 100.0%
    assert _cell(html, "data-mean", "rita") == "50.0%"
    assert _cell(html, "data-mean", "rob") == "100.0%"
    # Sue is in South: not on North's page
    assert 'data-mean="sue"' not in html
    # one period only: nothing to compare a rep's level or drop with, so every rep is
    # shown as "no data" with the reason, and no one is flagged
    assert "No one in this team is flagged." in html
    assert _cell(html, "data-status", "rita") == "no data"
    assert "no data: the data holds 1 period (need 2 to compare)" in html


def test_it_shows_a_member_without_deals_with_the_reason(client, world: World):
    # a second quarter (targets and deals for all three) and Nia in North with nothing
    # logged: over 2017-Q1..Q2 Nia has no deals and no activities -> "no data", listed
    # (not silently left out); the others are judged (2 periods each)
    nia = Payee.objects.create(payee_id="nia", name="Nia New", role="AE", currency="USD")
    Membership.objects.create(payee=nia, team=world.north, start_date=date(2017, 1, 1))
    for i, (sid, amount) in enumerate((("rita", "3000.00"), ("rob", "2000.00"),
                                       ("sue", "5000.00"))):
        Target.objects.create(subject_type="payee", subject_id=sid, measure="personal",
                              period="2017-Q2", amount=Decimal(amount))
        Deal.objects.create(deal_id=f"Q2-{sid}", owner=Payee.objects.get(payee_id=sid),
                            account=f"Acct {i}", product="GTX", amount=Decimal(amount),
                            stage="Won", close_date=date(2017, 5, 10))
    client.force_login(world.lea)
    html = client.get("/teams/north/insights/").content.decode()
    assert _cell(html, "data-status", "nia") == "no data"
    assert "no data: no deals and no activities logged in the last 2 periods" in html
    assert 'data-status="rita"' not in html   # judged, so not in the reasons table
    # Rita: (50% + 100%) / 2 = 75.0% mean attainment
    assert _cell(html, "data-mean", "rita") == "75.0%"


def test_it_shows_the_typical_won_deal_as_the_geometric_mean(client, world: World):
    client.force_login(world.lea)
    html = client.get("/teams/north/insights/").content.decode()
    # Rita's won deals 1000 and 500: exp(mean(log)) = sqrt(1000 x 500) = 707.1 -> "707"
    assert _cell(html, "data-size-raw", "rita") == "707"
    assert _cell(html, "data-size-raw", "rob") == "2,000"
    assert 'data-chart="strengths"' in html and 'data-chart="watch"' in html


def test_it_shows_sub_teams_to_sales_ops_on_the_parent_team(client, world: World):
    client.force_login(world.otto)
    html = client.get("/teams/company/insights/").content.decode()
    # company has no members of its own; north and south are its sub-teams
    for payee in ("rita", "rob", "sue"):
        assert f'data-mean="{payee}"' in html


def test_it_splits_conflicts_into_same_team_and_cross_team(client, world: World):
    # Acct 0 already has Rita's DEAL-1 (2017-02-10); Rob and Sue work it in the same quarter
    for deal_id, payee in (("SHARED-ROB", "rob"), ("SHARED-SUE", "sue")):
        Deal.objects.create(deal_id=deal_id, owner=Payee.objects.get(payee_id=payee),
                            account="Acct 0", product="GTX", amount=Decimal("100.00"),
                            stage="Won", close_date=date(2017, 3, 1))
    client.force_login(world.lea)
    html = client.get("/teams/north/conflicts/").content.decode()
    # pairs on Acct 0 in 2017-Q1: Rita-Rob (both North), Rita-Sue and Rob-Sue (North-South)
    # North: 3 conflicts, 1 within the team, 2 across; share 1/3 = 33.3%
    assert re.search(r'id="conflicts-total">3<', html)
    assert re.search(r'id="conflicts-same">1<', html)
    assert re.search(r'id="conflicts-cross">2<', html)
    assert re.search(r'id="conflicts-share">33.3%<', html)
    client.force_login(world.sam)
    html = client.get("/teams/south/conflicts/").content.decode()
    # South: the two cross pairs count for South as well; none within South
    assert re.search(r'id="conflicts-total">2<', html)
    assert re.search(r'id="conflicts-same">0<', html)


def test_it_links_the_insights_from_the_dashboard_only_for_those_who_may_open_them(
        client, world: World):
    links = ('id="insights-link"', 'id="allocate-link"', 'id="simulate-link"')
    client.force_login(world.lea)
    html = client.get("/teams/north/").content.decode()
    assert all(link in html for link in links)
    for persona in (world.rita, world.fiona):
        client.force_login(persona)
        html = client.get("/teams/north/").content.decode()
        assert not any(link in html for link in links)

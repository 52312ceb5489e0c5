"""Team summaries stored with a run: the dashboard's per-day credit and the statement's
team deal count come from them, and equal what the credit rows add up to."""

from __future__ import annotations

import re
from decimal import Decimal

from teamquota.web.comp.models import TeamSummary
from teamquota.web.comp.services.summaries import store_team_summaries


def test_it_sums_each_teams_credit_per_day_when_the_run_is_stored(world):
    north = TeamSummary.objects.get(run=world.run, period="2017-Q1", team_id="north")
    # Rita 1000.00 (Feb 10) + 500.00 (Feb 11), Rob 2000.00 (Feb 12): 3 deals, 3500.00
    assert north.credited == Decimal("3500")
    assert [(d, Decimal(a)) for d, a in north.days] == [
        ("2017-02-10", Decimal("1000")), ("2017-02-11", Decimal("500")),
        ("2017-02-12", Decimal("2000"))]
    assert north.deals == 3
    south = TeamSummary.objects.get(run=world.run, period="2017-Q1", team_id="south")
    assert (south.credited, south.deals) == (Decimal("4000"), 1)  # Sue's DEAL-4


def test_it_shows_the_same_dashboard_with_or_without_summaries(client, world):
    from django.core.cache import cache

    def page() -> str:  # the CSRF token is masked afresh on every page
        html = client.get("/teams/north/").content.decode()
        return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "",
                      html)
    client.force_login(world.lea)
    with_summary = page()
    TeamSummary.objects.all().delete()  # as a run stored before summaries existed
    cache.clear()
    assert page() == with_summary
    assert "3,500.00" in with_summary  # credited to North: 1000.00 + 500.00 + 2000.00
    assert store_team_summaries(world.run) == 2  # north and south in 2017-Q1

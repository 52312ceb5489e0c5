"""The team dashboard: progress, pace, members (or not, per plan), gate below threshold."""

from __future__ import annotations

from teamquota.web.comp.models import PlanVersion
from tests.web.world import PLAN_YAML


def test_it_shows_members_contributions_to_a_teammate(client, world):
    client.force_login(world.rita)
    text = client.get("/teams/north/?period=2017-Q1").content.decode()
    # North credited 1,500.00 (Rita) + 2,000.00 (Rob) = 3,500.00 of 5,000.00 = 70.0%
    assert "3,500.00" in text and "70.0%" in text
    assert "Rob Rep" in text and "57.1%" in text  # 2000 / 3500
    assert "team at 70.0%: team pays from 80%" in text


def test_it_hides_members_numbers_when_the_plan_shows_totals_only(client, world):
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "team_visibility: totals_only\n")
    client.force_login(world.rita)
    text = client.get("/teams/north/?period=2017-Q1").content.decode()
    assert "team totals only (2 members)" in text
    assert "Rob Rep" not in text and "2,000.00" not in text


def test_it_still_shows_members_to_the_leader_with_totals_only(client, world):
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "team_visibility: totals_only\n")
    client.force_login(world.lea)
    assert "Rob Rep" in client.get("/teams/north/?period=2017-Q1").content.decode()


def test_it_serves_plotly_and_htmx_from_the_app(client, world):
    client.force_login(world.rita)
    page = client.get("/teams/north/").content.decode()
    assert '<script src="/static/comp/plotly.min.js">' in page
    response = client.get("/static/comp/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in page
    assert client.get("/static/django_htmx/htmx-2.min.js").status_code == 200


def test_it_never_serves_a_leaders_cached_view_to_a_rep(client, world):
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "team_visibility: totals_only\n")
    client.force_login(world.lea)
    assert "Rob Rep" in client.get("/teams/north/?period=2017-Q1").content.decode()
    client.force_login(world.rita)  # same team, run and period: a different cache entry
    text = client.get("/teams/north/?period=2017-Q1").content.decode()
    assert "Rob Rep" not in text and "team totals only (2 members)" in text

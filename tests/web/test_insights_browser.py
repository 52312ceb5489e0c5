"""The leader's insight pages in a real browser (Playwright on Debian's Chromium, the
fixtures of ``test_browser.py``): a leader proposes a work allocation with htmx and sees
the plan and its chart, under the Content-Security-Policy (nothing refused)."""

from __future__ import annotations

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    _page,
    _shot,
    browser,
    demo,
    no_csp_refusals,
)

pytestmark = pytest.mark.browser


def test_it_proposes_a_work_allocation_for_a_leader(browser, live_server, demo):  # noqa: ANN001, F811, E501
    from teamquota.web.comp.models import Team, User
    leader = User.objects.get(username="leader").payee
    team = Team.objects.get(leader=leader)
    page = _page(browser, live_server, demo, "leader")
    page.goto(f"{live_server.url}/teams/{team.team_id}/")
    page.click("#allocate-link")
    page.wait_for_selector("#targets")
    assert "Work allocation" in page.locator("h1").inner_text()
    # the demo has no activity log: the duties are the team's open deals per product
    assert page.locator("#targets tbody tr").count() >= 1
    reps = page.locator("#hours tbody tr").count()
    # a number the server refuses is shown at its field, without leaving the page (the
    # browser itself already refuses negatives: the inputs carry min="0")
    page.fill("#id_avail-0", "10")
    page.fill("#id_minh-0", "12")
    page.click("#propose")
    page.wait_for_selector(".field-error")
    assert page.locator(".field-error").first.inner_text() == (
        "the minimum (12 h) is above the available hours (10 h)")
    assert page.locator("#plan").count() == 0
    page.fill("#id_minh-0", "")
    page.click("#propose")
    page.wait_for_selector("#plan")  # htmx swapped the result in
    assert page.locator("#plan tbody tr[data-rep]").count() == reps
    assert page.locator("#alloc-bookings").inner_text() not in ("", "—")
    # charts.js drew the chart after the swap (htmx drops script elements from swapped
    # content, so the chart's data sits in a hidden div)
    page.wait_for_selector("#allocation .chart .main-svg")
    # last: Playwright's screenshot leaves style="" on inputs, which a later htmx swap
    # would copy back under the Content-Security-Policy
    _shot(page, "leader-allocation")


def test_it_loads_the_plan_fit_replay_with_htmx(browser, live_server, demo):  # noqa: ANN001, F811
    from teamquota.web.comp.models import Team, User
    team = Team.objects.get(leader=User.objects.get(username="leader2").payee)
    page = _page(browser, live_server, demo, "leader2")
    page.goto(f"{live_server.url}/teams/{team.team_id}/")
    page.click("#simulate-link")
    assert page.locator("#simulation-pending").count() == 1  # the page answered at once
    page.wait_for_selector("#designs", timeout=120_000)  # the replay ran, htmx swapped it in
    assert page.locator("#designs tbody tr").count() == 6
    assert "does not model how people change" in page.locator("#caveat").inner_text()
    page.wait_for_selector("#simulation .chart .main-svg")
    _shot(page, "leader-plan-fit")

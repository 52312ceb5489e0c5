"""The leader's insight pages in a real browser (Playwright on Debian's Chromium, the
fixtures of ``test_browser.py``): a leader proposes a work allocation with htmx and sees
the plan and its chart, under the Content-Security-Policy (nothing refused); the charts
draw without a console error or warning (plotly.js warns "Invalid color specifier" and
draws black when it cannot parse a colour) and without a negative tick on a bookings or
hours axis; on a phone the allocation table scrolls in its own box."""

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
PHONE = {"width": 390, "height": 844}
# tick labels of every axis of the charts inside ``root`` (plotly writes minus as U+2212)
TICKS = """(root) => Array.from(document.querySelectorAll(root + ' .xtick text, ' + root +
  ' .ytick text, ' + root + ' .y2tick text')).map(t => t.textContent)"""


def _console(page) -> list[str]:  # noqa: ANN001
    """Collect the page's console errors and warnings, and uncaught exceptions."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


def _negative(ticks: list[str]) -> list[str]:
    return [t for t in ticks if t.strip().startswith(("-", "\u2212"))]


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
    # every member is in the plan, deals or not
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
    seen = _console(page)
    page.goto(f"{live_server.url}/teams/{team.team_id}/")
    page.click("#simulate-link")
    assert page.locator("#simulation-pending").count() == 1  # the page answered at once
    page.wait_for_selector("#designs", timeout=120_000)  # the replay ran, htmx swapped it in
    # the six designs and the demo's own plan, marked current, after a passed back-test
    assert page.locator("#designs tbody tr").count() == 7
    assert page.locator("#designs tr.current #current-plan").inner_text() == "current"
    assert page.locator("#simulation-notes li").first.inner_text().startswith(
        "back-test: replaying 2017-Q2 to 2017-Q4 pays the engine's")
    assert "does not model how people change" in page.locator("#caveat").inner_text()
    page.wait_for_selector("#simulation .chart .main-svg")
    assert seen == []
    _shot(page, "leader-plan-fit")


def test_it_draws_the_strengths_chart_without_console_errors(browser, live_server, demo):  # noqa: ANN001, F811, E501
    from teamquota.web.comp.models import Team, User
    # leader2 leads celia-rouche, where Carol Thompson has no deals at all
    team = Team.objects.get(leader=User.objects.get(username="leader2").payee)
    page = _page(browser, live_server, demo, "leader2")
    seen = _console(page)
    page.goto(f"{live_server.url}/teams/{team.team_id}/insights/")
    page.wait_for_selector("#strengths-table")
    assert page.locator("#strengths-table [data-note=carol-thompson]").inner_text() == (
        "no closed deals: nothing to measure (team rate for reference)")
    page.wait_for_selector(".chart[data-chart=strengths] .main-svg")
    page.wait_for_timeout(300)  # plotly warns while it draws the error bars
    assert seen == []
    assert _negative(page.evaluate(TICKS, ".chart[data-chart=strengths]")) == []


def test_it_draws_the_allocation_chart_from_zero_and_fits_a_phone(browser, live_server, demo):  # noqa: ANN001, F811, E501
    from teamquota.web.comp.models import Team, User
    leader = User.objects.get(username="leader").payee
    team = Team.objects.get(leader=leader)
    page = _page(browser, live_server, demo, "leader")
    seen = _console(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/teams/{team.team_id}/allocate/")
    page.click("#propose")
    page.wait_for_selector("#allocation .chart .main-svg")
    ticks = page.evaluate(TICKS, "#allocation")
    assert ticks and _negative(ticks) == [], ticks
    assert seen == []
    # the plan table scrolls in its own box: the page itself does not scroll sideways
    box = page.locator("#plan").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("getComputedStyle(document.querySelector('#plan')).overflowX"
                         ) == "auto"
    _shot(page, "leader-allocation-phone")


def test_it_draws_the_watchlist_chart_with_coloured_error_bars_from_zero(
        browser, live_server, demo):  # noqa: ANN001, F811
    # the markers are coloured per rep (flagged red): the error bars get one colour of their
    # own, or plotly.js warns "Invalid color specifier" and draws them black
    from teamquota.web.comp.models import Team, User
    team = Team.objects.get(leader=User.objects.get(username="leader2").payee)
    page = _page(browser, live_server, demo, "leader2")
    seen = _console(page)
    page.goto(f"{live_server.url}/teams/{team.team_id}/insights/")
    page.wait_for_selector(".chart[data-chart=watch] .main-svg")
    page.wait_for_timeout(300)  # plotly warns while it draws the error bars
    assert seen == []
    bars = page.locator(".chart[data-chart=watch] .errorbar path").first
    assert bars.evaluate("p => getComputedStyle(p).stroke") == "rgb(82, 96, 109)"  # #52606d
    assert _negative(page.evaluate(TICKS, ".chart[data-chart=watch]")) == []
    y_ticks = page.locator(".chart[data-chart=watch] .ytick text").all_text_contents()
    assert y_ticks[0] == "0%"  # the attainment axis starts at zero

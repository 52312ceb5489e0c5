"""A leader's day in a real browser, at 1440x900 and at 390x844 (the fixtures of
``test_browser.py``, as ``test_mobile.py`` uses them): the team dashboard shows each
member's attainment and pay and the trend against its gate and target lines on an axis from
0; the leader marks the team reviewed for a period and answers a rep's question. At 390 px
no page scrolls sideways. Screenshots: test-artifacts/web/leader-*.png. The first
dashboard load's browser timings are written to test-artifacts/web/leader-timing-*.json
(recorded, never asserted: docs/performance.md "Web pages")."""

from __future__ import annotations

import json

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)
from tests.web.walks import SIZES, assert_fits, docs_shot, sign_in

pytestmark = pytest.mark.browser

# the navigation's timings and each asset's download, in ms from the navigation's start
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {response_end: n.responseEnd, dom_content_loaded: n.domContentLoadedEventEnd,
          load: n.loadEventEnd, now: performance.now(),
          resources: performance.getEntriesByType('resource').map(
            r => [r.name.split('/').pop(), Math.round(r.duration)])};
}"""


def _dispute_for(member, by):  # noqa: ANN001, ANN202
    """A question a rep raised on their 2017-Q3 personal line (as the statement page's
    form does: the dispute, its first message, the audit event)."""
    from teamquota.web.comp.models import Dispute, DisputeMessage, PayoutLine, record
    line = PayoutLine.objects.filter(payee=member, period="2017-Q3").order_by("id").first()
    dispute = Dispute.objects.create(line=line, payee=member, raised_by=by)
    DisputeMessage.objects.create(dispute=dispute, author=by,
                                  text="Why is my Q3 personal line lower than Q2?")
    record(by, "dispute.raise", "dispute", dispute.pk,
           f"{by.username} questioned line {line.pk} ({line.component_id}, {line.period})")
    return dispute


@pytest.mark.parametrize("size", ["1440", "390"])
def test_a_leader_reads_the_team_reviews_the_period_and_answers_a_question(
        browser, live_server, demo, size):  # noqa: ANN001, F811
    from teamquota.web.comp.models import DisputeMessage, Team, User
    leader, rep = User.objects.get(username="leader"), User.objects.get(username="rep")
    team = Team.objects.get(leader=leader.payee)
    dispute = _dispute_for(rep.payee, rep)

    page = sign_in(browser, live_server, demo, "leader", SIZES[size])
    # signing in landed on this dashboard already: empty the browser's cache, so the
    # timing below is a first visit's (every asset downloaded)
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.goto(f"{live_server.url}/teams/{team.team_id}/?period=2017-Q3")
    page.wait_for_selector("[data-chart=trend] .main-svg")
    timing = page.evaluate(TIMING)  # 'now': just after the trend chart was drawn
    assert_fits(page, SIZES[size])
    # each member's attainment and pay, by name
    head = page.locator("#members-table thead").text_content()
    assert "Attainment" in head and "Paid for the period" in head
    row = page.locator("#members-table tbody tr", has_text=rep.payee.name)
    cells = row.locator("td").all_inner_texts()
    assert cells[1].endswith("%") and cells[2] not in ("", "—", "private")
    assert page.locator("#pay-private").count() == 0  # a leader sees every member's pay
    # the trend: gate and target lines, labelled, on an axis from 0%
    trend = page.locator("[data-chart=trend]")
    notes = trend.locator(".annotation-text").all_text_contents()
    assert any(n.startswith("gate ") for n in notes) and "target 100%" in notes
    assert trend.locator(".ytick text").first.text_content() == "0%"
    # the text alternative: the chart's name and its hidden table name the lines too
    assert trend.get_attribute("aria-label") == (
        "Team attainment by period (%), with gate 80% and target 100% lines")
    assert "target 100%" in page.locator("#trend-data-figures").text_content()
    page.screenshot(path=str(SHOTS / f"leader-dashboard-full-{size}.png"), full_page=True)
    docs_shot(SHOTS / f"leader-dashboard-full-{size}.png", f"leader-{size}.png")
    trend.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"leader-dashboard-{size}.png"))
    page.reload()  # the same page again: assets from the browser's cache
    page.wait_for_selector("[data-chart=trend] .main-svg")
    (SHOTS / f"leader-timing-{size}.json").write_text(json.dumps(
        {"first": timing, "again": page.evaluate(TIMING)}, indent=2))

    # review the team's numbers for the period
    page.goto(f"{live_server.url}/periods/2017-Q3/")
    with page.expect_navigation():
        page.locator(f"form[action$='/review/{team.team_id}/'] button").click()
    assert "reviewed" in page.locator(".messages").inner_text()
    assert_fits(page, SIZES[size])
    page.screenshot(path=str(SHOTS / f"leader-review-{size}.png"))

    # answer the rep's question from the disputes page
    page.goto(f"{live_server.url}/disputes/")
    assert_fits(page, SIZES[size])
    with page.expect_navigation():
        page.locator(f"a[href$='/disputes/{dispute.pk}/']").first.click()
    assert "Why is my Q3 personal line lower than Q2?" in page.content()
    page.fill("#reply-text", "Q3 had fewer won deals; see the deal list on your statement.")
    with page.expect_navigation():
        page.click("button:has-text('Reply')")
    assert "Q3 had fewer won deals" in page.content()
    assert_fits(page, SIZES[size])
    page.screenshot(path=str(SHOTS / f"leader-dispute-{size}.png"))
    assert DisputeMessage.objects.filter(dispute=dispute, author=leader).count() == 1
    page.context.close()

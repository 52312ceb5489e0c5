"""A rep asks a question in a real browser (Playwright on Debian's Chromium, the fixtures of
``test_browser.py``) on the shipped demo: the rep opens their statement and sees "you are
here" on their payout curves, questions a line; their leader finds it in the inbox (open,
expected of them) and answers; the period is recalculated with one of the rep's deals
changed; the question still shows on the statement, now on the rerun's line, and links to
it — at 1440x900 and at 390x844 (where nothing scrolls the page sideways). Screenshots go
to test-artifacts/web/; with TEAMQUOTA_DOCS_SHOTS=1 the statement's, one per width, is
copied to docs/img/web/statement-1440.png and statement-390.png (committed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)
from tests.web.walks import PHONE, WIDE, assert_fits, docs_shot, sign_in

pytestmark = pytest.mark.browser



def _sees_the_curves(page, viewport) -> None:  # noqa: ANN001
    page.wait_for_selector("figure .chart .main-svg")  # Plotly drew them (served locally)
    captions = page.locator("figure figcaption").all_inner_texts()
    assert any(" pays " in c and "x (" in c for c in captions), captions  # said in words
    assert page.locator("figure .chart[role=img]").count() >= 2  # named for screen readers
    assert_fits(page, viewport)
    shot = SHOTS / f"statement-{viewport['width']}.png"
    # the top of the statement: totals, year to date, pace and the curves
    page.screenshot(path=str(shot), full_page=True, clip={
        "x": 0, "y": 0, "width": viewport["width"],
        "height": 1100 if viewport["width"] > 600 else 2300})


def _rep_asks(chromium, live_server, passwords) -> int:  # noqa: ANN001
    from teamquota.web.comp.models import Dispute, User
    rep = User.objects.get(username="rep").payee
    page = sign_in(chromium, live_server, passwords, "rep", WIDE)
    assert page.url.endswith(f"/statements/{rep.payee_id}/")
    _sees_the_curves(page, WIDE)
    page.click("table.lines tbody tr >> nth=0 >> summary:has-text('Question this line')")
    page.fill("table.lines tbody tr >> nth=0 >> textarea[name=text]",
              "My Q4 deals look short: is the last one in?")
    page.click("table.lines tbody tr >> nth=0 >> button:has-text('Send')")
    page.wait_for_load_state("load")
    dispute = Dispute.objects.get(payee=rep)
    assert page.url.endswith(f"/disputes/{dispute.pk}/")
    assert "Open" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "ask-raised-1440.png"))
    page.context.close()
    return dispute.pk


def _leader_answers(chromium, live_server, passwords, pk: int) -> None:  # noqa: ANN001
    from teamquota.web.comp.models import Dispute, User
    leader = User.objects.get(username="leader").payee
    page = sign_in(chromium, live_server, passwords, "leader", WIDE)
    page.goto(f"{live_server.url}/disputes/")
    row = page.locator(f"tr:has(a:text-is('#{pk}'))")
    assert "Open" in row.inner_text() and leader.name in row.inner_text()  # expected of them
    assert "0 days" in row.inner_text()
    page.screenshot(path=str(SHOTS / "ask-inbox-1440.png"))
    row.locator("a").first.click()
    page.wait_for_load_state("load")
    page.fill("textarea[name=text]", "Yes: it closed on the last day; see the deals below.")
    page.select_option("select[name=status]", "answered")
    page.click("button:has-text('Reply')")
    page.wait_for_load_state("load")
    assert Dispute.objects.get(pk=pk).status == "answered"
    page.context.close()


def _rerun_with_a_bigger_deal(pk: int) -> None:
    import teamquota
    from teamquota.web.comp.models import Deal, Dispute, Period, User
    from teamquota.web.comp.services.runs import start_run
    dispute = Dispute.objects.select_related("payee").get(pk=pk)
    period = Period.objects.get(label=dispute.period)
    deal = (Deal.objects.filter(owner=dispute.payee, stage="Won", close_date__gte=period.start,
                                close_date__lte=period.end).order_by("deal_id").first())
    Deal.objects.filter(pk=deal.pk).update(amount=deal.amount + Decimal("1500.00"))
    run = start_run(User.objects.get(username="ops"), "rerun: a deal corrected",
                    calculator=teamquota.calculate)
    assert run.status == "done", run.diagnostics
    assert Period.objects.get(label=dispute.period).run_id == run.pk


def _rep_follows(chromium, live_server, passwords, pk: int, viewport) -> None:  # noqa: ANN001
    from teamquota.web.comp.models import Dispute
    dispute = Dispute.objects.select_related("line").get(pk=pk)
    now = dispute.current_line()
    assert now is not None and now.pk != dispute.line_id  # a line of the rerun
    page = sign_in(chromium, live_server, passwords, "rep", viewport)
    _sees_the_curves(page, viewport)
    row = page.locator(f"#line-{now.pk}")  # the rerun's line carries the question
    assert f"question #{pk}" in row.inner_text() and "Answered" in row.inner_text()
    page.goto(f"{live_server.url}/disputes/{pk}/")
    assert_fits(page, viewport)
    card = page.locator("#dispute-line").inner_text()
    # the corrected deal raised the rep's personal attainment, so the line pays more now
    assert now.amount > dispute.line.amount
    assert f"now {now.amount:,.2f} USD" in card and "when raised" in card
    page.screenshot(path=str(SHOTS / f"ask-followed-{viewport['width']}.png"), full_page=True)
    page.click("a:has-text('see the line on the statement')")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"#line-{now.pk}")
    assert page.locator(f"#line-{now.pk}").is_visible()
    assert_fits(page, viewport)
    page.goto(f"{live_server.url}/disputes/")
    assert_fits(page, viewport)
    assert "Answered" in page.locator(f"tr:has(a:text-is('#{pk}'))").inner_text()
    page.context.close()


def test_a_rep_asks_a_leader_answers_and_the_question_follows_a_rerun(browser, live_server, demo):  # noqa: ANN001, F811, E501
    pk = _rep_asks(browser, live_server, demo)
    _leader_answers(browser, live_server, demo, pk)
    _rerun_with_a_bigger_deal(pk)
    _rep_follows(browser, live_server, demo, pk, WIDE)
    _rep_follows(browser, live_server, demo, pk, PHONE)
    for w in (WIDE["width"], PHONE["width"]):
        shot = SHOTS / f"statement-{w}.png"
        assert shot.stat().st_size < 300_000  # small enough for the docs
        docs_shot(shot, f"statement-{w}.png")

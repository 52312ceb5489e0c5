"""A rep's walk in a real browser (Playwright on Debian's Chromium, the fixtures of
``test_browser.py``) on the shipped demo: sales ops sends the plan letters, the rep signs
in, reads their statement, opens their plan letter, accepts it and downloads the statement
as PDF and CSV — at 1440x900 and at 390x844 (where nothing scrolls the page sideways).
Screenshots go to test-artifacts/web/; with TEAMQUOTA_DOCS_SHOTS=1 the letter's, one per
width, is copied to docs/img/web/rep-1440.png and rep-390.png (committed)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)
from tests.web.walks import PHONE, WIDE, assert_fits, docs_shot, sign_in

pytestmark = pytest.mark.browser



def _download(page, link: str) -> bytes:  # noqa: ANN001
    with page.expect_download() as info:
        page.click(f"a:has-text('{link}')")
    return Path(info.value.path()).read_bytes()


def _ops_sends_the_letters(chromium, live_server, passwords) -> None:  # noqa: ANN001
    from teamquota.web.comp.models import Plan
    plan = Plan.objects.order_by("plan_id").first().plan_id
    page = sign_in(chromium, live_server, passwords, "ops", WIDE)
    page.goto(f"{live_server.url}/plans/{plan}/")
    page.click("a:has-text('Plan letters')")
    page.click("button:has-text('Send the letters')")
    page.wait_for_load_state("load")
    assert "Sent " in page.locator(".messages").inner_text()
    assert page.locator("text=not yet accepted").count() >= 1
    page.screenshot(path=str(SHOTS / "ops-letters-status.png"))
    status = page.url
    page.context.close()
    page = sign_in(chromium, live_server, passwords, "ops", PHONE)
    for url in (status, f"{live_server.url}/letters/"):  # ops' pages fit a phone too
        page.goto(url)
        assert_fits(page, PHONE)
    page.context.close()


def _rep_walks(chromium, live_server, passwords, viewport, *, accepts: bool) -> None:  # noqa: ANN001
    from teamquota.web.comp.models import LetterAcceptance, User
    rep = User.objects.get(username="rep").payee
    w = viewport["width"]
    page = sign_in(chromium, live_server, passwords, "rep", viewport)
    assert page.url.endswith(f"/statements/{rep.payee_id}/")  # a rep lands on their statement
    assert_fits(page, viewport)
    total_text = page.locator(".kpi .value").first.inner_text()  # '6,946.76 USD'
    page.screenshot(path=str(SHOTS / f"rep-statement-{w}.png"))
    csv_body = _download(page, "Download CSV").decode("utf-8")
    pdf_body = _download(page, "Download PDF")
    assert pdf_body.startswith(b"%PDF")
    rows = list(csv.reader(io.StringIO(csv_body)))
    total = next(r for r in rows if r[3] == "total")
    amount, currency = total_text.split()
    assert (Decimal(total[13]), total[14]) == (Decimal(amount.replace(",", "")), currency)

    page.goto(f"{live_server.url}/letters/")
    assert_fits(page, viewport)
    page.click("table a >> nth=0")
    page.wait_for_load_state("load")
    assert_fits(page, viewport)
    assert f"Plan letter — {rep.name}" in page.locator("h1").inner_text()
    page.wait_for_selector(".chart .main-svg")  # the curves are drawn
    if accepts:
        page.click("button:has-text('Accept this plan letter')")
        page.wait_for_load_state("load")
    assert "Accepted by rep" in page.locator("main").inner_text()
    assert LetterAcceptance.objects.filter(letter__payee=rep).count() == 1
    assert_fits(page, viewport)
    page.screenshot(path=str(SHOTS / f"rep-letter-{w}.png"))
    page.screenshot(path=str(SHOTS / f"rep-letter-full-{w}.png"), full_page=True)
    assert _download(page, "Download PDF").startswith(b"%PDF")
    page.context.close()


def test_a_rep_reads_accepts_and_downloads(browser, live_server, demo):  # noqa: ANN001, F811
    _ops_sends_the_letters(browser, live_server, demo)
    _rep_walks(browser, live_server, demo, WIDE, accepts=True)
    _rep_walks(browser, live_server, demo, PHONE, accepts=False)  # accepted already
    for w in (WIDE["width"], PHONE["width"]):
        shot = SHOTS / f"rep-letter-full-{w}.png"
        assert shot.stat().st_size < 300_000  # small enough for the docs
        docs_shot(shot, f"rep-{w}.png")

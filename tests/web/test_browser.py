"""Real-browser tests (Playwright for Python on Debian's Chromium) on the shipped demo:
each role signs in and sees its pages, a bad CSV gets its report, a period is reviewed,
approved, locked and exported. Screenshots go to test-artifacts/web/ (gitignored)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TEAMQUOTA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CSP_REFUSALS: list[str] = []  # what Chromium refused under the Content-Security-Policy
BAD_DEALS = ("deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
             "X1,corliss-cosme,Acme,GTX Pro,12,5O0.00,USD,Won,2017-12-01\n"
             "X2,nobody,Acme,GTX Pro,100.00,USD,Won,2017-12-01\n"
             "X3,corliss-cosme,Acme,GTX Pro,abc,USD,Won,2017-12-32\n")


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (not by the server) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def no_csp_refusals():  # noqa: ANN201
    """Every page works under ``script-src 'self'``: Chromium refuses nothing."""
    CSP_REFUSALS.clear()
    yield
    assert CSP_REFUSALS == []


@pytest.fixture
def demo(transactional_db, settings):  # noqa: ANN001, ANN201
    from teamquota.web.comp.services.demo import seed
    users = seed(echo=lambda _: None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {username: password for _, username, password, _ in users}


def _page(browser, live_server, demo, username):  # noqa: ANN001, ANN202
    page = browser.new_context(viewport={"width": 1280, "height": 900},
                               accept_downloads=True).new_page()
    page.on("console", lambda m: CSP_REFUSALS.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo[username])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _shot(page, name: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_it_shows_each_role_its_pages(browser, live_server, demo, settings):  # noqa: ANN001
    settings.TEAMQUOTA_RUNS_INLINE = False  # the run page polls a background run
    from teamquota.web.comp.models import User
    rep = User.objects.get(username="rep").payee
    other = User.objects.get(username="rep2").payee

    page = _page(browser, live_server, demo, "rep")
    assert page.url.endswith(f"/statements/{rep.payee_id}/")
    assert page.locator("h1").inner_text() == f"Statement — {rep.name}"
    assert page.locator("table.lines tbody tr").count() >= 2
    _shot(page, "rep-statement")
    page.goto(f"{live_server.url}/statements/{other.payee_id}/")
    assert "Not found" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/teams/")
    page.wait_for_selector(".chart .main-svg")  # Plotly drew the charts (served locally)
    assert "team at" in page.locator(".gate").first.inner_text()
    _shot(page, "rep-team-dashboard")
    page.goto(f"{live_server.url}/estimator/")
    boxes = page.locator("input[name=deal]")
    assert boxes.count() > 0
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button:has-text(\"Estimate\")")
    assert "Your pay for 2017-Q4" in page.content()
    assert page.locator(".gate").count() >= 1  # the team's gate, shown first
    _shot(page, "rep-estimator")
    page.context.close()

    page = _page(browser, live_server, demo, "leader")
    page.wait_for_selector(".chart .main-svg")
    assert "Members" in page.content()
    _shot(page, "leader-dashboard")
    page.context.close()

    page = _page(browser, live_server, demo, "ops")
    assert page.url.endswith("/runs/")
    page.click("text=Start a run")
    page.wait_for_selector("#run-status .badge.done", timeout=60_000)  # htmx polled it
    assert "2017-Q4" in page.locator("#run-status").inner_text()
    _shot(page, "ops-run")
    page.goto(f"{live_server.url}/plans/ae_hybrid_2017/")
    page.wait_for_selector(".chart .main-svg")
    _shot(page, "ops-plan")
    page.context.close()


def test_it_reports_every_bad_row_of_an_uploaded_csv(browser, live_server, demo, tmp_path):  # noqa: ANN001, E501
    bad = tmp_path / "deals.csv"
    bad.write_text(BAD_DEALS)
    page = _page(browser, live_server, demo, "ops")
    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=table]", "deals")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=Upload and check")
    page.select_option("select[name=mode]", "upsert")
    page.wait_for_load_state("networkidle")
    report = page.locator(".diag").all_inner_texts()
    text = "\n".join(report)
    assert "deals.csv:2" in text and "D013" in text
    assert "deals.csv:3" in text and "D007" in text
    assert "deals.csv:4" in text and "D003" in text and "D004" in text
    assert "an all-or-nothing import would change nothing" in page.content()
    _shot(page, "ops-import-report")
    page.context.close()


def test_it_closes_a_period_through_the_browser(browser, live_server, demo, tmp_path):  # noqa: ANN001, E501
    from teamquota.web.comp.models import Period, User
    from teamquota.web.comp.services import close
    leader = User.objects.get(username="leader")
    period = Period.objects.get(label="2017-Q2")
    for team in close.teams_to_review(period):  # the other leaders review off-screen
        if team.leader_id != leader.payee_id:
            other = User.objects.filter(payee=team.leader).first() or User.objects.create(
                username=f"lead-{team.team_id}", role_names="leader", payee=team.leader)
            close.review(other, period, team)

    page = _page(browser, live_server, demo, "leader")
    page.goto(f"{live_server.url}/periods/2017-Q2/")
    page.click("text=Mark")
    assert "reviewed for 2017-Q2" in page.content()
    page.context.close()

    finance = User.objects.get(username="finance")  # signs off each team off-screen (the
    for team in close.teams_to_review(period):    # finance walk clicks it: test_browser_finance)
        close.signoff(finance, Period.objects.get(label="2017-Q2"), team)
    page = _page(browser, live_server, demo, "finance")
    page.goto(f"{live_server.url}/periods/2017-Q2/")
    page.click("text=Approve 2017-Q2…")
    page.click("text=Confirm: approve 2017-Q2")  # the confirmation posts the hash back
    page.click("text=Lock 2017-Q2…")
    page.click("text=Confirm: lock 2017-Q2")
    assert "Locked" in page.locator("h1").inner_text()
    _shot(page, "finance-period-locked")
    with page.expect_download() as download:
        page.click("text=Payroll export (CSV)")
    target = tmp_path / "payroll.csv"
    download.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0] == "period,payee_id,payee_name,email,plan,component,currency,amount,status,run"
    assert len(lines) == 1 + 35 * 2  # 35 AEs x (personal, team)
    shutil.copy(target, SHOTS / "payroll-2017-Q2.csv")
    page.context.close()


def test_it_resets_a_password_and_moves_a_rep_through_the_browser(browser, live_server, demo):  # noqa: ANN001, E501
    import re

    from teamquota.web.comp.models import Membership, User
    rep = User.objects.get(username="rep").payee
    other_team = Membership.objects.filter(payee=User.objects.get(username="rep2").payee) \
        .select_related("team").first().team
    team = Membership.objects.filter(payee=rep).select_related("team").first().team

    page = _page(browser, live_server, demo, "ops")
    page.goto(f"{live_server.url}/users/")
    row = page.locator("tr").filter(has=page.locator("td", has_text=re.compile(r"^rep$")))
    row.locator("button:has-text('Set one-time password')").click()
    once = re.search(r"rep can sign in once with (\S+) \(shown only now\)",
                     page.locator(".messages").inner_text()).group(1)
    page.goto(f"{live_server.url}/org/teams/{team.team_id}/")
    page.fill("form[action$='/move/'] input[name=payee_id]", rep.payee_id)
    page.select_option("select[name=to_team]", other_team.team_id)
    page.fill("input[name=day]", "2017-12-01")
    page.click("button:has-text('Move')")
    assert f"moved {rep.name} ({rep.payee_id}) from {team.name} to {other_team.name}" \
        in page.locator(".messages").inner_text()
    _shot(page, "ops-organisation-move")
    page.context.close()

    page = _page(browser, live_server, {**demo, "rep": once}, "rep")
    assert page.url.endswith("/account/password/")  # nothing else until it is changed
    assert "choose your own to continue" in page.content()
    _shot(page, "rep-forced-password-change")
    page.fill("input[name=old_password]", once)
    page.fill("input[name=new_password1]", "a long new passphrase 42")
    page.fill("input[name=new_password2]", "a long new passphrase 42")
    page.click("button:has-text('Change password')")
    assert page.url.endswith(f"/statements/{rep.payee_id}/")
    page.context.close()


def test_it_shows_a_name_with_markup_as_text_in_the_charts(browser, live_server, demo):  # noqa: ANN001, E501
    """A payee named like a link is drawn as text: Plotly renders some HTML in chart
    labels, so labels from data are escaped (core.markup.chart_label)."""
    from django.core.cache import cache

    from teamquota.web.comp.models import Membership, Payee, Team, User
    leader = User.objects.get(username="leader").payee
    team = Team.objects.filter(leader=leader).first()
    member = Membership.objects.filter(team=team).exclude(payee=leader).first().payee
    Payee.objects.filter(pk=member.pk).update(name='<a href="http://evil.example/">Evil</a>')
    cache.clear()
    page = _page(browser, live_server, demo, "leader")
    page.goto(f"{live_server.url}/teams/{team.team_id}/?period=2017-Q4")
    page.wait_for_selector(".js-plotly-plot")
    _shot(page, "chart-markup-name")
    assert page.locator(".js-plotly-plot a").count() == 0
    assert page.locator("a[href*='evil.example']").count() == 0
    # drawn as the characters of the name, markup included
    texts = page.locator(".js-plotly-plot text").all_text_contents()
    assert '<a href="http://evil.example/">Evil</a>' in texts

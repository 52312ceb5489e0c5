"""Finance's close walk in a real browser (Playwright on Debian's Chromium, the fixtures of
``test_browser.py``), at 1440x900 and at 390x844: on the shipped demo's 2017-Q3, after every
leader reviewed (through the service, off-screen), finance opens the close workbench, sorts
and filters the payout register, downloads it as CSV, signs off each team with a comment,
confirms the approval (line count, total, hash), confirms the lock and exports payroll. At
390 px nothing scrolls the page sideways. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)
from tests.web.walks import SIZES, assert_fits, docs_shot, sign_in

pytestmark = pytest.mark.browser

LABEL = "2017-Q3"  # the demo has 2017-Q2 before it: the changes since it are shown


def _leaders_review() -> int:
    """Every team's leader reviews 2017-Q3 (a login made for a leader who has none); the
    number of teams."""
    from teamquota.web.comp.models import Period, User
    from teamquota.web.comp.services import close
    period = Period.objects.get(label=LABEL)
    teams = close.teams_to_review(period)
    for team in teams:
        leader = User.objects.filter(payee=team.leader).first() or User.objects.create(
            username=f"lead-{team.team_id}", role_names="leader", payee=team.leader)
        close.review(leader, Period.objects.get(label=LABEL), team)
    assert Period.objects.get(label=LABEL).status == "reviewed"
    return len(teams)


def _row_totals(page) -> list[float]:  # noqa: ANN001
    # the last cell of each register row: for ordering only (never money arithmetic)
    cells = page.locator("table.register tbody tr td:last-child").all_inner_texts()
    return [float(c.replace(",", "")) for c in cells]


@pytest.mark.parametrize("size", list(SIZES))
def test_finance_closes_a_period_on_the_workbench(browser, live_server, demo, tmp_path,  # noqa: ANN001, F811, E501
                                                   size):
    from teamquota.web.comp.models import PayoutLine, Period, TeamDecision
    teams = _leaders_review()
    phone = size == "390"
    page = sign_in(browser, live_server, demo, "finance", SIZES[size])
    page.goto(f"{live_server.url}/periods/{LABEL}/", wait_until="load")
    assert "Payout register" in page.content()
    assert_fits(page, SIZES[size])
    # the workbench's top (teams, outliers, disputes, the register's start): docs/web.md
    # shows it (docs/img/web/finance-1440.png and finance-390.png, with TEAMQUOTA_DOCS_SHOTS=1)
    page.screenshot(path=str(SHOTS / f"finance-workbench-{size}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": SIZES[size]["width"],
                          "height": 1500 if phone else 1400})
    docs_shot(SHOTS / f"finance-workbench-{size}.png", f"finance-{size}.png")

    # sort: Total once (ascending), then again (descending), on the server
    page.click("table.register thead a:text-is('Total')")
    assert "sort=total" in page.url
    ascending = _row_totals(page)
    assert ascending == sorted(ascending) and len(ascending) >= 35
    page.click("table.register thead a:text-is('Total')")
    assert "sort=-total" in page.url
    assert _row_totals(page) == sorted(ascending, reverse=True)

    # filter: one team, then a payee search inside it
    team = page.locator("#reg-team option").nth(1)
    team_name, team_id = team.inner_text(), team.get_attribute("value")
    page.select_option("#reg-team", team_id)
    page.click("form.toolbar button:text-is('Filter')")
    names = page.locator("table.register tbody tr td:nth-child(2)").all_inner_texts()
    assert names and all(team_name in n for n in names)
    first = page.locator("table.register tbody tr td:first-child a").first.inner_text()
    page.fill("#reg-q", first)
    page.click("form.toolbar button:text-is('Filter')")
    assert page.locator("table.register tbody tr").count() >= 1
    assert_fits(page, SIZES[size])

    # the register as CSV, filters kept: header, the payee's row(s), one USD total
    with page.expect_download() as download:
        page.click("text=Register (CSV)")
    target = tmp_path / "register.csv"
    download.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("payee_id,payee_name,teams,currency,")
    assert lines[-1].startswith("total,,,USD,")
    assert any(first in line for line in lines[1:-1])

    # sign off every team with a comment
    page.goto(f"{live_server.url}/periods/{LABEL}/", wait_until="load")
    for i in range(teams):
        form = page.locator("form[action*='/signoff/']").first
        form.locator("textarea[name=comment]").fill(f"checked against the CRM ({i + 1})")
        form.locator("button").click()
        assert f"signed off for {LABEL}" in page.content()
    assert TeamDecision.objects.filter(decision="signoff").count() == teams

    # the approval's confirmation: what exactly is approved, then confirm (posts the hash)
    period = Period.objects.get(label=LABEL)
    page.click(f"text=Approve {LABEL}…")
    assert page.locator("#confirm-lines").inner_text() == str(
        PayoutLine.shown(period).count())
    assert period.fingerprint[:12] in page.content()
    assert_fits(page, SIZES[size])
    page.screenshot(path=str(SHOTS / f"finance-approve-confirm-{size}.png"), full_page=True)
    page.click(f"text=Confirm: approve {LABEL}")
    assert f"{LABEL} approved" in page.content()

    page.click(f"text=Lock {LABEL}…")
    assert "Confirm: lock" in page.content()
    assert_fits(page, SIZES[size])
    page.click(f"text=Confirm: lock {LABEL}")
    assert "Locked" in page.locator("h1").inner_text()
    assert_fits(page, SIZES[size])
    page.screenshot(path=str(SHOTS / f"finance-locked-{size}.png"), full_page=not phone)

    with page.expect_download() as download:
        page.click("text=Payroll export (CSV)")
    payroll = tmp_path / "payroll.csv"
    download.value.save_as(payroll)
    assert payroll.read_text().splitlines()[0] == (
        "period,payee_id,payee_name,email,plan,component,currency,amount,status,run")
    page.context.close()

"""Every role's main pages fit a phone (Playwright on Debian's Chromium, the fixtures of
``test_browser.py``): at 390x844 nothing scrolls the page sideways (wide tables scroll in
their own box), the sign-out button is on screen and a statement's explanations wrap."""

from __future__ import annotations

import pytest

from tests.web.test_browser import (  # noqa: F401 - fixtures
    SHOTS,
    browser,
    demo,
    no_csp_refusals,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# what sticks out of the page (for the failure message): the widest offenders
OVERFLOW = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5 && getComputedStyle(el).position !== 'fixed') {
      let p = el.parentElement, clipped = false;
      for (; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
      }
      if (!clipped) out.push(el.tagName.toLowerCase() + (el.className ? '.' +
        String(el.className).split(' ').join('.') : '') + ' ' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""


def _inside(page, selector: str) -> bool:  # noqa: ANN001
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _pages(role: str) -> list[str]:
    from teamquota.web.comp.models import Plan, Team, User
    user = User.objects.get(username=role)
    plan = Plan.objects.order_by("plan_id").first().plan_id
    common = ["/", "/teams/", "/periods/", "/periods/2017-Q4/", "/disputes/", "/plans/",
              f"/plans/{plan}/", "/account/password/", "/account/tokens/", "/inbox/",
              "/account/notifications/", "/letters/"]
    if role == "rep":
        return [*common, f"/statements/{user.payee.payee_id}/", "/estimator/", "/statements/"]
    if role == "leader":
        team = Team.objects.get(leader=user.payee).team_id
        return [*common, "/statements/", f"/teams/{team}/", f"/teams/{team}/insights/",
                f"/teams/{team}/conflicts/", f"/teams/{team}/allocate/",
                f"/teams/{team}/simulate/"]
    if role == "finance":
        return [*common, "/statements/", "/runs/", "/audit/"]
    return [*common, "/statements/", "/runs/", "/imports/", "/org/", "/users/", "/audit/",
            f"/plans/{plan}/edit/"]


def test_it_fits_every_page_of_every_role_on_a_phone(browser, live_server, demo):  # noqa: ANN001, F811, E501
    from teamquota.web.comp.models import User
    rep = User.objects.get(username="rep").payee
    problems: list[str] = []
    seen = 0
    for role in ("rep", "leader", "finance", "ops"):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        # the plan-fit replay takes long: its page is checked, its results are not fetched
        context.route("**/simulate/?part=results*", lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", demo[role])
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        for path in _pages(role):
            page.goto(f"{live_server.url}{path}", wait_until="load")
            seen += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{role} {path}: {width} px wide {page.evaluate(OVERFLOW)}")
            if not _inside(page, "header.top button:has-text('Sign out')"):
                problems.append(f"{role} {path}: sign-out is off-screen")
        if role == "rep":
            page.goto(f"{live_server.url}/statements/{rep.payee_id}/", wait_until="load")
            assert page.locator(".explain").count() >= 2
            for i in range(page.locator(".explain").count()):
                if not _inside(page, f":nth-match(.explain, {i + 1})"):
                    problems.append(f"rep statement: explanation {i + 1} is off-screen")
            page.screenshot(path=str(SHOTS / "phone-rep-statement.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 390, "height": 2400})
        if role == "ops":
            page.goto(f"{live_server.url}/runs/", wait_until="load")
            page.screenshot(path=str(SHOTS / "phone-ops-runs.png"))
        context.close()
    assert seen >= 40
    assert problems == [], "\n".join(problems)


@pytest.fixture
def small_world(transactional_db):  # noqa: ANN001, ANN201
    from tests.web.world import build_world
    return build_world()


NAV_WIDTHS = (360, 390)


@pytest.mark.parametrize("width", NAV_WIDTHS)
def test_it_folds_the_navigation_behind_a_menu_button_on_a_phone(browser, live_server,  # noqa: ANN001, F811, E501
                                                                 small_world, width):
    from tests.web.test_browser import CSP_REFUSALS
    from tests.web.world import PASSWORD
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.on("console", lambda m: CSP_REFUSALS.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "lea")  # one unread notice: review North
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/periods/", wait_until="load")
    button = page.locator("header.top .nav-toggle")
    nav = page.locator("#site-nav")
    # folded: the button shows the unread count, the items are hidden, sign-out is on screen
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert "1 unread" in button.inner_text()
    assert not nav.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out = page.locator("header.top button:has-text('Sign out')").bounding_box()
    assert sign_out is not None and sign_out["x"] + sign_out["width"] <= width
    # keyboard: Enter opens it, every item fits the screen, Escape closes it on the button
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and nav.is_visible()
    links = nav.locator("a")
    assert links.count() == 9  # Dashboard .. Inbox (1), as test_nav.py lists for Lea
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"phone-nav-open-{width}.png"))
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    # a tap opens it too, and its Inbox item leads to the inbox
    button.click()
    nav.locator("a", has_text="Inbox (1)").click()
    page.wait_for_url("**/inbox/")
    assert "Review North for 2017-Q1" in page.content()
    context.close()


def test_it_keeps_the_navigation_open_on_a_desktop(browser, live_server, small_world):  # noqa: ANN001, F811, E501
    from tests.web.world import PASSWORD
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/periods/", wait_until="load")
    assert not page.locator("header.top .nav-toggle").is_visible()
    assert page.locator("#site-nav").is_visible()
    assert page.locator("#site-nav a", has_text="Inbox (0)").is_visible()
    context.close()


def test_it_keeps_the_phone_navigation_open_without_javascript(browser, live_server,  # noqa: ANN001, F811, E501
                                                               small_world):
    from tests.web.world import PASSWORD
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/periods/", wait_until="load")
    assert not page.locator("header.top .nav-toggle").is_visible()  # nothing to press
    assert page.locator("#site-nav a", has_text="Inbox (0)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

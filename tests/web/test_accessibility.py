"""Pages a screen reader can use: every form field has a label (a ``<label for>``, an
enclosing ``<label>``, ``aria-label`` or ``aria-labelledby``) and every Plotly chart has a
name and a text alternative of its figures (a visually hidden table, made by charts.js)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.web.test_browser import (  # noqa: F401 - fixtures
    browser,
    demo,
    no_csp_refusals,
)

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
PAGES = {
    "anon": ["/login/"],
    "rita": ["/statements/rita/", "/estimator/", "/periods/", "/periods/2017-Q1/",
             "/disputes/", "/plans/", "/plans/ae_test/", "/teams/north/",
             "/account/password/", "/account/tokens/", "/inbox/", "/account/notifications/",
             "/letters/"],
    "lea": ["/teams/north/", "/teams/north/insights/", "/teams/north/conflicts/",
            "/teams/north/allocate/", "/teams/north/simulate/", "/statements/",
            "/periods/2017-Q1/"],
    "fiona": ["/periods/", "/periods/2017-Q1/", "/periods/2017-Q1/approve/",
              "/runs/", "/statements/", "/audit/", "/letters/"],
    "otto": ["/runs/", "/imports/", "/org/", "/org/teams/north/", "/users/", "/plans/",
             "/plans/new/", "/plans/ae_test/", "/plans/ae_test/edit/",
             "/plans/ae_test/assign/", "/plans/ae_test/letters/", "/audit/", "/inbox/"],
}


class Fields(HTMLParser):
    """The form fields of a page and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[dict[str, str], bool]] = []  # (attributes, inside a label)
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("select", "textarea") or (
                tag == "input" and a.get("type", "text") not in UNLABELLED_TYPES):
            self.fields.append((a, self.open_labels > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [" ".join(f'{k}="{v}"' for k, v in a.items() if k in ("name", "id", "type"))
                for a, enclosed in self.fields
                if not (enclosed or a.get("aria-label", "").strip() or a.get("aria-labelledby")
                        or a.get("id") in self.label_for)]


def test_it_labels_every_form_field_of_every_page(world):  # noqa: ANN001
    problems, fields = [], 0
    for who, paths in PAGES.items():
        client = Client()
        if who != "anon":
            client.force_login(getattr(world, who))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            page = Fields()
            page.feed(response.content.decode())
            fields += len(page.fields)
            problems += [f"{who} {path}: {field}" for field in page.unlabelled()]
    assert fields >= 40
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_it_names_and_describes_every_chart(browser, live_server, demo):  # noqa: ANN001, F811
    from teamquota.web.comp.models import Plan, Team, User
    leader = User.objects.get(username="leader").payee
    team = Team.objects.get(leader=leader).team_id
    plan = Plan.objects.order_by("plan_id").first().plan_id
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", demo["leader"])
    page.click("button[type=submit]")
    charts = 0
    for path in (f"/teams/{team}/", f"/teams/{team}/insights/", f"/teams/{team}/conflicts/",
                 f"/plans/{plan}/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(".chart .main-svg")
        for chart in page.locator("[data-chart]").all():
            if chart.locator(".main-svg").count() == 0:
                continue  # a chart without data is not drawn
            charts += 1
            label = chart.get_attribute("aria-label") or ""
            assert label.strip() and label != chart.get_attribute("data-chart"), path
            assert chart.get_attribute("role") == "img"
            table = page.locator(f"#{chart.get_attribute('aria-describedby')}")
            assert table.locator("caption").inner_text() == label
            assert table.locator("tbody tr").count() >= 1, (path, label)
            assert any(c.isdigit() for c in table.locator("tbody").text_content()), label
            hidden = table.locator("xpath=..")  # on screen only for screen readers
            assert hidden.get_attribute("class") == "sr-only"
            assert hidden.bounding_box()["width"] <= 1
    context.close()
    assert charts >= 5

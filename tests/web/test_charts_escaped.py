"""Chart labels from data are shown as text, never as markup (issue 13, item 4).

Plotly renders a subset of HTML in the text it draws: a payee named
``<a href="http://evil">x</a>`` was a clickable link on the team dashboard.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from teamquota.core.markup import chart_label
from teamquota.insights.figures import strengths_heatmap, watchlist_scatter
from teamquota.web.comp.models import Payee

LINK = '<a href="http://evil">x</a>'
BOLD = "<b>bold</b>"
SHOWN_LINK = '&lt;a href="http://evil"&gt;x&lt;/a&gt;'
SHOWN_BOLD = "&lt;b&gt;bold&lt;/b&gt;"


def test_chart_label__turns_markup_into_entities() -> None:
    assert chart_label(LINK) == SHOWN_LINK
    assert chart_label("R&D <b>") == "R&amp;D &lt;b&gt;"
    assert chart_label(None) == ""


def _chart(page: str, element_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>',
                      page, re.S)
    assert found, element_id
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_it_shows_member_names_as_text_in_the_dashboard_chart(client, world) -> None:
    Payee.objects.filter(payee_id="rita").update(name=LINK)
    Payee.objects.filter(payee_id="rob").update(name=BOLD)
    client.force_login(world.rita)
    from django.core.cache import cache
    cache.clear()
    page = client.get("/teams/north/?period=2017-Q1").content.decode()
    chart = _chart(page, "members-data")
    assert sorted(chart["x"]) == sorted([SHOWN_LINK, SHOWN_BOLD])  # type: ignore[arg-type]


def test_insights_figures__label_names_and_levels_as_text() -> None:
    table = pd.DataFrame({"dimension": ["product"], "payee_id": ["p1"], "level": [BOLD],
                          "win_shrunk": [0.5], "win_group": [0.4]})
    heat = strengths_heatmap(table, "product", {"p1": LINK})
    assert list(heat.data[0].y) == [SHOWN_LINK]
    assert list(heat.data[0].x) == [SHOWN_BOLD]
    watch = pd.DataFrame({"flagged": [True], "payee_id": ["p1"], "pattern": ["low"],
                          "mean_attainment": [0.5], "shrunk_high": [0.7],
                          "peer_attainment": [1.0]})
    scatter = watchlist_scatter(watch, {"p1": LINK})
    assert list(scatter.data[0].text) == [SHOWN_LINK + " low"]


def test_curve_chart__a_component_name_with_markup_is_a_title_in_text():
    import json

    from teamquota.plan.loader import load_plan_text
    from teamquota.web.comp.views.plans import curve_chart
    plan = load_plan_text(
        "plan: p\nperiod: quarter\ncurrency: USD\ncomponents:\n  - id: c\n"
        "    name: '<a href=\"http://x\">go</a>'\n    scope: payee\n    weight: 1\n"
        "    measure: {source: deals, sum: amount}\n    payout: {curve: [[0, 0], [1, 1]]}\n",
        "p.yaml").plan
    chart = json.loads(curve_chart(plan.components[0]) or "{}")
    assert chart["title"] == '&lt;a href="http://x"&gt;go&lt;/a&gt;'

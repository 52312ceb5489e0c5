"""The leader's team dashboard: each member's attainment and pay where access allows, and a
trend chart with its gate and target lines on an axis from 0 (issue 15, item 5).

World (tests/web/world.py, fake engine: 10% of Won): North's 2017-Q1 personal targets Rita
3,000.00, Rob 2,000.00; Rita won 1,000.00 + 500.00 = 1,500.00 -> 50.0%, paid 150.00; Rob won
2,000.00 -> 100.0%, paid 200.00. North credited 3,500.00 of 5,000.00 = 70.0%; the team
component's gate is 0.8 (80%).
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from teamquota.web.comp.models import Membership, Payee, PlanVersion
from tests.web.world import PLAN_YAML

URL = "/teams/north/?period=2017-Q1"


def _row(text: str, name: str) -> list[str]:
    """The cells of the members table's row for ``name`` (tags stripped)."""
    table = text[text.index('<table id="members-table">'):]
    table = table[:table.index("</table>")]
    for row in table.split("<tr>")[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("<td")[1:]]
        cells = [c.split(">", 1)[1].strip() if ">" in c else c for c in cells]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row for {name}")


def _trend(text: str) -> dict:
    block = text[text.index('id="trend-data">') + len('id="trend-data">'):]
    return json.loads(block[:block.index("</script>")])


def test_it_shows_the_leader_each_members_attainment_and_pay(client, world):
    client.force_login(world.lea)
    text = client.get(URL).content.decode()
    assert "Attainment · personal" in text and "Paid for the period" in text
    # member, attainment, pay, credited to North, share, membership
    assert _row(text, "Rob Rep")[:5] == ["Rob Rep", "100.0%", "200.00", "2,000.00", "57.1%"]
    assert _row(text, "Rita Rep")[:5] == ["Rita Rep", "50.0%", "150.00", "1,500.00", "42.9%"]
    assert 'id="pay-private"' not in text  # the leader may open both statements


def test_it_shows_a_rep_teammates_attainment_but_only_their_own_pay(client, world):
    client.force_login(world.rita)
    text = client.get(URL).content.decode()
    assert _row(text, "Rita Rep")[:3] == ["Rita Rep", "50.0%", "150.00"]
    assert _row(text, "Rob Rep")[:3] == ["Rob Rep", "100.0%", "private"]
    assert "200.00" not in text  # Rob's pay is on his statement, which Rita may not open
    assert 'id="pay-private"' in text


def test_it_shows_a_rep_no_members_results_when_the_plan_shows_totals_only(client, world):
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "team_visibility: totals_only\n")
    client.force_login(world.rita)
    text = client.get(URL).content.decode()
    assert 'id="members-table"' not in text and "100.0%" not in text
    client.force_login(world.lea)  # the leader still sees every member's
    assert _row(client.get(URL).content.decode(), "Rob Rep")[:3] == [
        "Rob Rep", "100.0%", "200.00"]


def test_it_groups_thousands_in_a_members_pay(client, world):
    # a manual entry booked in the period is on Rita's statement, so it is in her pay
    from teamquota.web.comp.models import PayoutLine
    PayoutLine.objects.create(period="2017-Q1", payee=Payee.objects.get(payee_id="rita"),
                              component_id="manual", line_type="manual",
                              amount=Decimal("1234.50"), currency="USD", cause="bonus")
    client.force_login(world.lea)
    text = client.get(URL).content.decode()
    assert _row(text, "Rita Rep")[2] == "1,384.50"  # 150.00 + 1,234.50


def test_it_shows_a_member_without_a_personal_result_as_a_dash(client, world):
    # Nora joined North in the period but closed nothing: no attainment row, no line
    nora = Payee.objects.create(payee_id="nora", name="Nora New", currency="USD")
    Membership.objects.create(payee=nora, team=world.north, start_date=date(2017, 3, 1))
    client.force_login(world.lea)
    assert _row(client.get(URL).content.decode(), "Nora New")[:3] == ["Nora New", "—", "—"]


def test_it_draws_the_trend_with_its_gate_and_target_lines(client, world):
    client.force_login(world.lea)
    text = client.get(URL).content.decode()
    trend = _trend(text)
    assert trend["x"] == ["2017-Q1"] and trend["y"] == ["70.0"]  # 3,500 / 5,000
    assert trend["lines"] == [{"name": "gate 80%", "y": "80.0"},
                              {"name": "target 100%", "y": "100.0"}]
    # the text alternative says what the chart draws
    assert ("on an axis from 0%, with the gate 80% line and the target 100% line"
            in text)


def test_it_draws_only_the_target_line_when_the_component_has_no_gate(client, world):
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML.replace("    gate: {team_attainment_at_least: 0.8}\n", ""))
    client.force_login(world.lea)
    text = client.get(URL).content.decode()
    assert _trend(text)["lines"] == [{"name": "target 100%", "y": "100.0"}]
    assert "with the target 100% line." in text


def test_it_draws_the_trend_from_zero_in_the_chart_script(client):
    # the axis itself is set by the browser: the script asks for a range from 0 that holds
    # the reference lines (checked drawn by tests/web/test_browser_leader.py)
    script = client.get("/static/comp/charts.js")
    source = b"".join(script.streaming_content).decode() if script.streaming else \
        script.content.decode()
    assert 'range: [0, top * 1.1 || 1], rangemode: "tozero"' in source


def test_it_reads_the_members_results_in_a_bounded_number_of_queries(client, world):
    # one more member must not cost more queries (no query per member)
    client.force_login(world.lea)
    client.get(URL)  # warm the session and the plan cache
    from django.core.cache import cache
    cache.clear()
    with CaptureQueriesContext(connection) as two:
        client.get(URL)
    for i in range(3):
        extra = Payee.objects.create(payee_id=f"x{i}", name=f"Extra {i}", currency="USD")
        Membership.objects.create(payee=extra, team=world.north, start_date=date(2017, 1, 1))
    cache.clear()
    with CaptureQueriesContext(connection) as five:
        client.get(URL)
    assert len(five.captured_queries) <= len(two.captured_queries)

"""The statement's "you are here": each curve line's component curve with the rep's
attainment marked and the gate drawn, said again in words; year to date and pace.

The real engine on the world (tests/web/world.py), with targets set so the numbers are
round: Rita personal 1500.00 / 2000.00 = 75%, North 3500.00 / 4000.00 = 87.5%, South (Sue)
4000.00 / 5000.00 = 80% (exactly the gate). A quarter's TI is 20000.00 x 3/12 = 5000.00.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from teamquota.web.comp.models import Deal, Period, Target
from teamquota.web.comp.services.runs import start_run


@pytest.fixture
def real(world):  # noqa: ANN001, ANN201
    Target.objects.filter(subject_id="rita").update(amount=Decimal("2000.00"))
    Target.objects.filter(subject_id="north").update(amount=Decimal("4000.00"))
    world.run = start_run(world.otto, "real engine")
    assert world.run.status == "done", world.run.diagnostics
    return world


def _figures(text: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in re.finditer(
        r'<script type="application/json" id="(curve-\d+)">(.*?)</script>', text, re.S)}


def test_it_marks_the_rep_on_each_curve_with_the_factor_paid(client, real):
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    # personal: 75% on [[0.5, 0], [1, 1]] -> (0.75 - 0.5) / 0.5 = 0.50 x;
    #   5000.00 x 0.4 x 0.5 = 1,000.00
    # team: 87.5% on [[0.8, 0.5], [1, 1]] -> 0.5 + 0.075 / 0.2 x 0.5 = 0.6875 -> 0.69 x;
    #   5000.00 x 0.6 x 0.6875 = 2,062.50
    assert "1,000.00" in text and "2,062.50" in text
    marks = sorted(f["data"][1]["text"][0] for f in _figures(text).values())
    assert marks == ["you: 75.0% -> 0.50 x", "you: 87.5% -> 0.69 x"]
    team = next(f for f in _figures(text).values() if "87.5%" in f["data"][1]["text"][0])
    assert team["data"][1]["x"] == ["87.500000000000"] and team["data"][1]["y"][0].startswith(
        "68.75")
    # the gate drawn at 80% (a dashed line across the plot) and named
    assert [(s["x0"], s["x1"]) for s in team["layout"]["shapes"]] == [("80.0", "80.0")]
    assert team["layout"]["annotations"][0]["text"] == "gate 80%"
    personal = next(f for f in _figures(text).values() if "75.0%" in f["data"][1]["text"][0])
    assert personal["layout"]["annotations"][0]["text"] == "threshold 50%"


def test_it_says_the_same_in_words(client, real):
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", text, re.S)
    team = next(c for c in captions if "Team revenue" in c or "team:" in c or "87.5%" in c)
    assert "team attainment 87.5% pays 0.69 x (68.8%)" in team
    assert "The gate is 80%: met." in team
    personal = next(c for c in captions if "75.0%" in c)
    assert "your attainment 75.0% pays 0.50 x (50.0%)" in personal
    assert "Below 50% the curve pays nothing." in personal
    assert 'data-chart="figure"' in text and "plotly.min" in text


def test_it_calls_the_gate_met_at_exactly_the_gate(client, real):
    client.force_login(real.sue)
    text = client.get("/statements/sue/?period=2017-Q1").content.decode()
    # South 4000.00 / 5000.00 = 80.0%: the gate holds at its value; 0.50 x, 1,500.00
    assert "team attainment 80.0% pays 0.50 x" in text and "The gate is 80%: met." in text
    assert "1,500.00" in text


def test_it_says_below_the_gate_the_team_part_pays_nothing(client, world):
    Target.objects.filter(subject_id="south").update(amount=Decimal("5001.00"))
    world.run = start_run(world.otto, "real engine")
    client.force_login(world.sue)
    text = client.get("/statements/sue/?period=2017-Q1").content.decode()
    # 4000.00 / 5001.00 = 79.984%: short of the gate -> 0.00; shown at two places, since
    # one ("80.0%") would read as the gate reached
    assert "team attainment 79.98% pays 0.00 x" in text
    assert "not met, so this part pays 0.00" in text
    # personal: Sue 4000.00 / 5000.00 = 80% -> (0.8 - 0.5) / 0.5 = 0.60 x (no gate)
    assert sorted(f["data"][1]["text"][0] for f in _figures(text).values()) == [
        "you: 79.98% -> 0.00 x", "you: 80.0% -> 0.60 x"]


def test_it_shows_year_to_date_credited_and_paid(client, real):
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    ytd = re.search(r'id="ytd">(.*?)</div></div>', text, re.S).group(1)
    # Q1 calculated, not approved: 0.00 paid, 1,000.00 + 2,062.50 = 3,062.50 pending
    assert "0.00 USD" in ytd and "3,062.50 more on 1 statement not yet approved" in ytd
    assert "1,500.00 credited to you" in ytd
    Period.objects.filter(label="2017-Q1").update(status="approved")
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    ytd = re.search(r'id="ytd">(.*?)</div></div>', text, re.S).group(1)
    assert "3,062.50 USD" in ytd and "not yet approved" not in ytd


def test_year_to_date_adds_the_years_earlier_periods(client, real):
    Deal.objects.create(deal_id="DEAL-5", owner=real.rita.payee, product="GTX",
                        amount=Decimal("800.00"), stage="Won", close_date=date(2017, 5, 2))
    start_run(real.otto, "with Q2")
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q2").content.decode()
    ytd = re.search(r'id="ytd">(.*?)</div></div>', text, re.S).group(1)
    # credited 1500.00 (Q1) + 800.00 (Q2) = 2,300.00; Q2 has no targets, so no line
    assert "Year to date (2017-Q1, 2017-Q2)" in ytd and "2,300.00 credited to you" in ytd


def test_it_shows_pace_by_today_in_an_open_period(client, real, monkeypatch):
    # 2017-02-14 is day 45 of Q1's 90 (31 + 14): 2000.00 x 45 / 90 = 1,000.00 due by
    # today; Rita's measure 1,500.00: 500.00 ahead
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2017, 2, 14))
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    pace = re.search(r'id="pace">(.*?)</div></div>', text, re.S).group(1)
    assert "expected by today 1,000.00 of 2,000.00" in pace and "500.00 ahead" in pace
    assert 'data-chart="pace"' in text


def test_it_shows_a_finished_periods_pace_as_its_share_of_target(client, real):
    client.force_login(real.rita)
    text = client.get("/statements/rita/?period=2017-Q1").content.decode()
    # today is after 2017-03-31: 1,500.00 of 2,000.00 = 75.0%
    assert "period over: 75.0% of the 2,000.00 target" in text


def test_it_shows_no_pace_once_a_period_is_approved(client, real):
    Period.objects.filter(label="2017-Q1").update(status="approved")
    client.force_login(real.rita)
    assert 'id="pace"' not in client.get("/statements/rita/?period=2017-Q1").content.decode()


def test_year_to_date_counts_only_the_periods_the_viewer_may_see(client, real):
    from teamquota.web.comp.models import Leadership, Payee, User
    Deal.objects.create(deal_id="DEAL-5", owner=real.rita.payee, product="GTX",
                        amount=Decimal("800.00"), stage="Won", close_date=date(2017, 5, 2))
    start_run(real.otto, "with Q2")
    # Nina takes North over from 2017-04-01: Rita's Q1 is not hers to see
    nina = Payee.objects.create(payee_id="nina", name="Nina Leader", role="leader",
                                currency="USD", target_incentive=Decimal("20000.00"))
    Leadership.objects.filter(team=real.north).update(end_date=date(2017, 3, 31))
    Leadership.objects.create(team=real.north, payee=nina, start_date=date(2017, 4, 1))
    client.force_login(User.objects.create_user(username="nina", password="x" * 12,
                                                role_names="leader", payee=nina))
    text = client.get("/statements/rita/?period=2017-Q2").content.decode()
    ytd = re.search(r'id="ytd">(.*?)</div></div>', text, re.S).group(1)
    # Q2 alone: 800.00 credited (not 1500.00 + 800.00)
    assert "Year to date (2017-Q2)" in ytd and "800.00 credited to you" in ytd
    client.force_login(real.rita)  # Rita herself: the whole year
    text = client.get("/statements/rita/?period=2017-Q2").content.decode()
    assert "2,300.00 credited to you" in text

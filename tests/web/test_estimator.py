"""The estimator keeps what the rep typed and ticked, reads grouped numbers (and refuses
ambiguous ones with the rule), and shows what the team part pays and the gate's effect.

The real engine on the world (tests/web/world.py): North has Won 3500.00 against 5000.00
(70%), under the team component's 80% gate; Rita's personal target is 3000.00. A quarter's
TI is 20000.00 x 3/12 = 5000.00; the team part is 0.6 of it on [[0.8, 0.5], [1, 1]].
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from teamquota.web.comp.models import Deal
from teamquota.web.comp.services.estimate import read_amount, ungroup


def _post(client, world, **amounts: str) -> str:  # noqa: ANN001
    client.force_login(world.rita)
    data: dict[str, object] = {"deal": [k for k in amounts if not k.startswith("_")]}
    data.update({f"amount_{k}": v for k, v in amounts.items() if not k.startswith("_")})
    return client.post("/estimator/", data).content.decode()


def _field(text: str, deal: str) -> str:
    return re.search(rf'name="amount_{deal}" value="([^"]*)"', text).group(1)


def _ticked(text: str, deal: str) -> bool:
    box = re.search(rf'<input type="checkbox" name="deal" value="{deal}"[^>]*>', text).group(0)
    return "checked" in box


@pytest.mark.parametrize(("typed", "read"), [
    ("1,200.50", "1200.50"), ("20 000", "20000"), ("1200.5", "1200.5"),
    ("1,200,000", "1200000"), ("20\u00a0000", "20000"), (" 950 ", "950")])
def test_it_reads_grouped_numbers(typed, read):  # noqa: ANN001
    assert read_amount(typed) == (Decimal(read), "")


@pytest.mark.parametrize("typed", ["1.200,50", "12,5", "1,20", "1,200 000", "1.200",
                                   "1,2000"])
def test_it_refuses_ambiguous_numbers_with_the_rule(typed):  # noqa: ANN001
    assert ungroup(typed)[0] is None
    amount, problem = read_amount(typed)
    assert amount is None and f"'{typed}' is ambiguous" in problem
    assert "1,200.50" in problem  # the rule, by example


def test_it_keeps_the_typed_amount_after_an_estimate(client, world):
    # the page first offers the product's average won amount: (1000 + 500 + 2000 + 4000)
    # / 4 = 1875.00
    client.force_login(world.rita)
    assert _field(client.get("/estimator/").content.decode(), "OPEN1") == "1875.00"
    text = _post(client, world, OPEN1="20000")
    assert "Your pay for 2017-Q1" in text
    assert _field(text, "OPEN1") == "20000" and _ticked(text, "OPEN1")


def test_it_keeps_every_tick_and_amount_after_an_error(client, world):
    Deal.objects.create(deal_id="OPEN2", owner=world.rita.payee, product="GTX",
                        stage="Engaging")
    text = _post(client, world, OPEN1="1.200,50", OPEN2="300")
    assert "deal OPEN1: amount &#x27;1.200,50&#x27; is ambiguous" in text
    assert "Your pay for" not in text
    assert _ticked(text, "OPEN1") and _ticked(text, "OPEN2")
    assert (_field(text, "OPEN1"), _field(text, "OPEN2")) == ("1.200,50", "300")


def test_it_says_nothing_was_ticked(client, world):
    client.force_login(world.rita)
    text = client.post("/estimator/", {"amount_OPEN1": "100"}).content.decode()
    assert "tick at least one deal to estimate" in text
    assert _field(text, "OPEN1") == "100"


def test_it_shows_the_gate_holding_back_the_team_part(client, world):
    text = _post(client, world, OPEN1="400")
    # North (3500.00 + 400.00) / 5000.00 = 78%: below the gate, the team part pays 0.00;
    # at 80% the curve gives 0.5: 5000.00 x 0.6 x 0.5 = 1,500.00
    assert ("team at 78.0%: below the 80% gate, team pays 0.00; at 80% it would pay "
            "1,500.00") in text
    # personal: (1500.00 + 400.00) / 3000.00 = 63.33%: (0.6333 - 0.5) / 0.5 = 0.2667;
    # 5000.00 x 0.4 x 4/15 = 533.33
    assert "533.33" in text


def test_the_gate_figure_is_what_the_engine_pays_at_the_gate(client, world):
    text = _post(client, world, OPEN1="500")
    # North 4000.00 / 5000.00 = 80%: the gate is met at its value, and the engine pays
    # the 1,500.00 that the line above said it would
    assert "team at 80.0%: gate of 80% met, team pays 1,500.00" in text
    assert "the team part pays you <strong>1,500.00</strong> (now 0.00)" in text


def test_it_shows_the_team_part_above_the_gate(client, world):
    text = _post(client, world, OPEN1="1,000.00")
    # North 4500.00 / 5000.00 = 90%: 0.5 + 0.1 / 0.2 x 0.5 = 0.75; 5000.00 x 0.6 x 0.75
    assert "team at 90.0%: gate of 80% met, team pays 2,250.00" in text
    assert _field(text, "OPEN1") == "1,000.00"

"""``teamquota serve`` runs with DEBUG off unless ``--dev``; the estimator answers an amount
out of the deals' range with a located form error, never a 500 (issue 13, item 4).

Before: DEBUG defaulted on, and a rep's estimator post of ``1e30`` showed Django's debug
page with teammates' ids, target incentives and deals.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from teamquota.cli import web as cli_web


def _debug_of(env: dict[str, str]) -> str:
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG)")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("TEAMQUOTA_DEBUG", "TEAMQUOTA_ENV")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "teamquota.web.settings",
                               **env}, check=True)
    return done.stdout.strip()


def test_settings__debug_is_off_unless_asked_for() -> None:
    assert _debug_of({}) == "False"
    assert _debug_of({"TEAMQUOTA_DEBUG": "1"}) == "True"


@pytest.mark.parametrize(("args", "debug"), [([], "0"), (["--dev"], "1")])
def test_serve__debug_only_with_dev(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                    debug: str) -> None:
    monkeypatch.setenv("TEAMQUOTA_DEBUG", "1")  # even a leftover setting does not win
    monkeypatch.setattr(cli_web, "first_start", lambda echo, demo: None)
    import django.core.management as management
    monkeypatch.setattr(management, "call_command", lambda *a, **k: None)
    app = typer.Typer()
    cli_web.register(app)

    @app.callback()
    def _root() -> None:
        """teamquota"""

    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 0, result.output
    assert os.environ["TEAMQUOTA_DEBUG"] == debug


def test_serve__dev_and_production_together_are_refused() -> None:
    app = typer.Typer()
    cli_web.register(app)

    @app.callback()
    def _root() -> None:
        """teamquota"""

    result = CliRunner().invoke(app, ["serve", "--dev", "--production"])
    assert result.exit_code == 2  # a usage error, as Click's own
    assert "--dev and --production cannot be used together" in result.output


@pytest.mark.parametrize(("amount", "problem"), [
    ("1e30", "'1e30' has more than 13 digits before the point"),
    ("12345678901234567", "'12345678901234567' has more than 13 digits before the point"),
    ("10000000000000.00", "'10000000000000.00' has more than 13 digits before the point"),
    # (10.001 is refused as ambiguous, as 10,001 written with a point: test_estimator.py)
    ("10.0001", "'10.0001' has more than 2 decimal places"),
    ("abc", "'abc' is not a number"),
    ("NaN", "'NaN' is not a number"),
    ("-5", "'-5' is not positive"),
])
def test_it_answers_an_amount_out_of_range_with_a_form_error(client, world, amount: str,
                                                              problem: str) -> None:
    client.force_login(world.rita)
    response = client.post("/estimator/", {"deal": ["OPEN1"], "amount_OPEN1": amount})
    assert response.status_code == 200
    assert response.context["errors"] == [
        f"deal OPEN1: amount {problem}; expected a positive amount such as 12500.00 "
        "(at most 13 digits before the point, 2 after)"]
    assert "estimate" not in response.context


def test_it_estimates_the_largest_amount_a_deal_holds(client, world) -> None:
    # 9,999,999,999,999.99 (the web's largest amount, data.limits.WEB_MONEY_MAX) over
    # rita's target gives an attainment of 10 digits before the point (decimal(38,12))
    client.force_login(world.rita)
    response = client.post("/estimator/", {"deal": ["OPEN1"],
                                            "amount_OPEN1": "9999999999999.99"})
    assert response.status_code == 200
    assert response.context["errors"] == []
    assert "estimate" in response.context

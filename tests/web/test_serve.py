"""``teamquota serve``: its help, and the first start (demo loaded, users printed)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from teamquota.cli.web import first_start, register
from teamquota.web.comp.models import Payee, Period, User


def test_it_documents_serve_and_its_production_option():
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """teamquota"""

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--production" in result.output and "gunicorn" in result.output


def test_it_loads_the_demo_and_prints_one_user_per_role_on_first_start(db):  # noqa: ANN001
    said: list[str] = []
    first_start(said.append)
    assert Payee.objects.count() == 41  # 35 agents + 6 managers of the Maven data
    # the demo plan is effective from 2017-04-01 (Q1 holds one month of history)
    assert list(Period.objects.values_list("label", "status")) == [
        (f"2017-Q{q}", "calculated") for q in range(2, 5)]
    printed = "\n".join(said)
    for role, username in (("sales_ops", "ops"), ("finance", "finance"), ("leader", "leader"),
                           ("rep", "rep"), ("leader", "leader2"), ("rep", "rep2")):
        assert f"  {role:<10} {username:<9} " in printed
        assert User.objects.get(username=username).has_role(role)
    said.clear()
    first_start(said.append)  # a second start loads nothing again
    assert Payee.objects.count() == 41
    assert said[0].startswith("Demo users and passwords: ")

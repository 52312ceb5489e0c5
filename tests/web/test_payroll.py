"""The payroll export: one line per payee and component, formula-injection safe."""

from __future__ import annotations

from teamquota.web.comp.models import Payee, Period
from teamquota.web.comp.services.payroll import safe_cell
from tests.web.test_close_workbench import approve


def _approve(client, world):  # noqa: ANN001, ANN202
    approve(client, world)  # reviews, finance's sign-offs, the confirmed approval


def test_safe_cell__prefixes_formula_starts():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok"]


def test_it_exports_one_line_per_payee_and_component(client, world):
    Payee.objects.filter(payee_id="rob").update(name='=HYPERLINK("http://x","click")')
    _approve(client, world)
    response = client.get("/periods/2017-Q1/payroll.csv")
    assert response.status_code == 200
    run = Period.objects.get(label="2017-Q1").run_id
    assert response.content.decode().splitlines() == [
        "period,payee_id,payee_name,email,plan,component,currency,amount,status,run",
        f"2017-Q1,rita,Rita Rep,rita@example.com,ae_test,personal,USD,150.00,approved,{run}",
        f"2017-Q1,rob,\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",rob@example.com,ae_test,"
        f"personal,USD,200.00,approved,{run}",
        f"2017-Q1,sue,Sue,sue@example.com,ae_test,personal,USD,400.00,approved,{run}",
    ]


def test_it_refuses_payroll_before_approval(client, world):
    client.force_login(world.fiona)
    response = client.get("/periods/2017-Q1/payroll.csv", follow=True)
    assert "not approved yet" in response.content.decode()

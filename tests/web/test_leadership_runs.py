"""A run reads the app's dated leadership: after North's leader changes from Lea to Nina, a
run credits Lea for the deals closed before the change and Nina for those from it (the
engine, with ``crediting: {leaders: true}``), not the current leader for all of them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from teamquota.web.comp.models import AttainmentRow, CreditRow, Leadership, Payee, PlanVersion
from teamquota.web.comp.services.dataset import build_dataset
from teamquota.web.comp.services.runs import start_run
from tests.web.world import PLAN_YAML


def _lead_nina_from(client, world, day: str) -> None:  # noqa: ANN001
    Payee.objects.create(payee_id="nina", name="Nina Leader", role="leader", currency="USD",
                         target_incentive=Decimal("20000.00"))
    client.force_login(world.otto)
    response = client.post("/org/teams/north/", {"name": "North", "parent_id": "company",
                                                 "leader_id": "nina", "leader_from": day})
    assert response.status_code == 302


def test_it_gives_the_engine_the_leaderships_of_the_app(client, world):
    _lead_nina_from(client, world, "2017-02-12")
    spans = build_dataset()["leaderships"].to_pylist()
    # world: lea and sam lead from 1900-01-01; lea's last day is the day before nina's first
    assert spans == [
        {"team_id": "north", "leader_id": "lea", "start_date": date(1900, 1, 1),
         "end_date": date(2017, 2, 11)},
        {"team_id": "north", "leader_id": "nina", "start_date": date(2017, 2, 12),
         "end_date": None},
        {"team_id": "south", "leader_id": "sam", "start_date": date(1900, 1, 1),
         "end_date": None}]
    assert Leadership.objects.count() == 3


def test_it_credits_the_leader_who_led_on_each_deals_close_date(client, world):
    # North's deals: Rita's DEAL-1 1000.00 on 2017-02-10 and DEAL-2 500.00 on 02-11, Rob's
    # DEAL-3 2000.00 on 02-12; Nina leads North from 2017-02-12 (Lea's last day 02-11)
    _lead_nina_from(client, world, "2017-02-12")
    PlanVersion.objects.filter(plan=world.plan).update(
        yaml_text=PLAN_YAML + "crediting: {leaders: true}\n")
    run = start_run(world.otto, "leaders")
    assert run.status == "done", run.diagnostics
    leader = sorted(CreditRow.objects.filter(run=run, rule="leader").values_list(
        "deal_id", "subject_id", "amount"))
    # Lea: DEAL-1 and DEAL-2 (before the change); Nina: DEAL-3 (from it); Sam: South's DEAL-4
    assert leader == [("DEAL-1", "lea", Decimal("1000.00")), ("DEAL-2", "lea", Decimal("500.00")),
                      ("DEAL-3", "nina", Decimal("2000.00")),
                      ("DEAL-4", "sam", Decimal("4000.00"))]
    measured = dict(AttainmentRow.objects.filter(
        run=run, subject_type="payee", subject_id__in=["lea", "nina"], component_id="personal",
        period="2017-Q1").values_list("subject_id", "measure_value"))
    # Lea 1000.00 + 500.00 = 1500.00; Nina 2000.00 (not 3500.00: the deals of Lea's days)
    assert measured == {"lea": Decimal("1500.00"), "nina": Decimal("2000.00")}

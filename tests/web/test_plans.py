"""Plans: readable rendering, YAML edits with errors at their line, assignments."""

from __future__ import annotations

from teamquota.web.comp.models import AuditEvent, PlanAssignment, PlanVersion
from tests.web.world import PLAN_YAML


def test_it_renders_components_and_curves(client, world):
    client.force_login(world.rita)
    text = client.get("/plans/ae_test/").content.decode()
    assert "weight: 40% of target incentive" in text
    assert "gate: pays only if the team reaches 80%" in text
    assert text.count('data-chart="curve"') == 2


def test_it_saves_an_edit_as_a_new_version(client, world):
    client.force_login(world.otto)
    edited = PLAN_YAML.replace("name: Test plan", "name: Test plan, revised")
    response = client.post("/plans/ae_test/edit/", {"yaml_text": edited, "note": "rename"})
    assert response.status_code == 302
    assert list(PlanVersion.objects.filter(plan=world.plan).values_list("number", flat=True)
                ) == [2, 1]
    assert AuditEvent.objects.filter(action="plan.version", object_id="ae_test").exists()


def test_it_shows_a_validation_error_at_its_line_and_saves_nothing(client, world):
    client.force_login(world.otto)
    bad = PLAN_YAML.replace("    weight: 0.6\n", "    weight: 0.6\n    wieght: 1\n")
    text = client.post("/plans/ae_test/edit/", {"yaml_text": bad}).content.decode()
    assert "nothing was saved" in text
    assert "plan.yaml:14:5: error[P011]: components[1].wieght: unknown key" in text
    assert '<span class="bad"><span class="ln">14</span>' in text  # the typo's line
    assert PlanVersion.objects.filter(plan=world.plan).count() == 1


def test_it_assigns_a_plan_with_dates_and_rejects_unknown_payees(client, world):
    client.force_login(world.otto)
    text = client.post("/plans/ae_test/assign/", {"payee_ids": "lea, ghost",
                                                  "start_date": "2017-04-01"}
                       ).content.decode()
    assert "unknown payee id &#x27;ghost&#x27;" in text
    client.post("/plans/ae_test/assign/", {"payee_ids": "lea", "start_date": "2017-04-01",
                                           "end_date": "2017-12-31"})
    assert PlanAssignment.objects.filter(payee__payee_id="lea").get().end_date.isoformat() \
        == "2017-12-31"


def test_it_accepts_an_uploaded_plan_file(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    client.force_login(world.otto)
    text = PLAN_YAML.replace("plan: ae_test", "plan: uploaded_plan")
    response = client.post("/plans/new/", {"yaml_file": SimpleUploadedFile(
        "uploaded.yaml", text.encode())})
    assert response["Location"] == "/plans/uploaded_plan/"
    assert PlanVersion.objects.get(plan__plan_id="uploaded_plan").yaml_text == text

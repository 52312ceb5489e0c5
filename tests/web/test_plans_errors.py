"""The plan page's error listing (issue 15): the YAML keeps its indentation (a <pre>), and
an uploaded file's diagnostics are located in that file, by its name."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from teamquota.web.comp.models import PlanVersion
from tests.web.world import PLAN_YAML

BAD = PLAN_YAML.replace("    weight: 0.6\n", "    weight: 0.6\n    wieght: 1\n")


def test_it_lists_the_yaml_with_its_indentation_in_a_pre(client, world):
    client.force_login(world.otto)
    text = client.post("/plans/ae_test/edit/", {"yaml_text": BAD}).content.decode()
    listing = text[text.index('<pre class="code-lines'):]
    listing = listing[:listing.index("</pre>")]
    assert '<span class="bad"><span class="ln">14</span>    wieght: 1</span>\n' in listing
    assert "plan.yaml:14:5: error[P011]: components[1].wieght: unknown key" in text


def test_it_locates_an_uploaded_files_errors_by_its_name(client, world):
    client.force_login(world.otto)
    text = client.post("/plans/ae_test/edit/", {"yaml_file": SimpleUploadedFile(
        "ae-2017 draft.yaml", BAD.encode())}).content.decode()
    assert "ae-2017 draft.yaml:14:5: error[P011]: components[1].wieght: unknown key" in text
    assert "plan.yaml" not in text
    assert PlanVersion.objects.filter(plan=world.plan).count() == 1


def test_it_names_the_uploaded_file_when_it_names_another_plan(client, world):
    client.force_login(world.otto)
    other = PLAN_YAML.replace("plan: ae_test", "plan: other")
    text = client.post("/plans/ae_test/edit/", {"yaml_file": SimpleUploadedFile(
        "other.yaml", other.encode())}).content.decode()
    assert "other.yaml: error[W010]: the YAML names plan &#x27;other&#x27;" in text

"""Bad inputs and attacks on the web app: each case is a row of a data table in
tests/fixtures/bad_inputs (web_cases.yaml: forms, API, NUL bytes; import_cases.yaml: uploads
to /imports/; plan_cases.yaml: plan uploads), run as the persona it names. Every case
asserts the exact status and message, that no answer is a 500 or shows a traceback, and
that nothing changed (the row count of every table of the app before and after).

The reproductions of issue 13 (each failed on the code before it) are named tests below.
"""

from __future__ import annotations

import errno
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from teamquota.data.limits import MAX_LENGTHS
from teamquota.web.comp.models import (
    Deal,
    Dispute,
    Import,
    Membership,
    Payee,
    PayoutLine,
    PlanVersion,
    Target,
    Team,
)
from teamquota.web.comp.models.security import ApiToken
from tests.web.world import PLAN_YAML

CORPUS = Path(__file__).parents[1] / "fixtures" / "bad_inputs"
WEB = yaml.safe_load((CORPUS / "web_cases.yaml").read_text())
IMPORTS = yaml.safe_load((CORPUS / "import_cases.yaml").read_text())
PLANS = yaml.safe_load((CORPUS / "plan_cases.yaml").read_text())
REPEAT = re.compile(r"<<REPEAT (.+?) (\d+)>>")


def counts() -> dict[str, int]:
    """Rows of every table of the app (sessions and the cache aside)."""
    return {m.__name__: m.objects.count() for m in apps.get_app_config("comp").get_models()}


def _no_crash(response: Any) -> str:
    text = response.content.decode("utf-8", "replace")
    assert response.status_code != 500, text[:2000]
    assert "Traceback" not in text and "/uploads/" not in text
    return text


def _login(client: Any, world: Any, who: str) -> dict[str, str]:
    if who.startswith("token:"):
        name = who.split(":", 1)[1]
        token = "tq_bad" if name == "bad" else ApiToken.issue(getattr(world, name), "t")[1]
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if who != "anon":
        client.force_login(getattr(world, who))
    return {}


def test_corpus__has_at_least_150_cases_over_the_surfaces() -> None:
    data = yaml.safe_load((CORPUS / "data_cases.yaml").read_text())
    by_surface = {s: sum(c["surface"] == s for c in WEB) for s in {c["surface"] for c in WEB}}
    assert len(WEB) + len(IMPORTS) + len(PLANS) + len(data) >= 150, by_surface
    for table in (WEB, IMPORTS, PLANS):
        assert len({c["id"] for c in table}) == len(table)


@pytest.mark.parametrize("case", WEB, ids=[c["id"] for c in WEB])
def test_web_case__exact_answer_and_nothing_changed(case: dict[str, Any], client: Any,
                                                    world: Any) -> None:
    headers = _login(client, world, case["as"])
    before = counts()
    if case["method"] == "get":
        response = client.get(case["url"], follow=True, **headers)
    else:
        response = client.post(case["url"], case.get("data", {}), follow=True, **headers)
    text = _no_crash(response)
    assert response.status_code == case["status"], text[:1500]
    assert case["text"] in text, text[:3000]
    assert counts() == {**before, "ApiToken": counts()["ApiToken"]}


def _expand(content: str) -> bytes:
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), content).encode("utf-8")


def _upload(client: Any, table: str, name: str, content: bytes) -> Any:
    return client.post("/imports/upload/", {
        "table": table, "preset": "",
        "file": SimpleUploadedFile(name, content, content_type="text/csv")}, follow=True)


@pytest.mark.parametrize("case", IMPORTS, ids=[c["id"] for c in IMPORTS])
def test_import_case__preview_and_apply_refuse_and_change_nothing(
        case: dict[str, Any], client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    preview = _upload(client, case["table"], case["name"], _expand(case["content"]))
    text = _no_crash(preview)
    assert preview.status_code == 200
    assert case["text"] in text, text[:4000]
    key = preview.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    applied = client.post(f"/imports/staged/{key}/apply/", {"mode": case["mode"]},
                          follow=True)
    _no_crash(applied)
    assert "Nothing was imported" in applied.content.decode() or applied.status_code == 404
    assert counts() == before


def _plan_text(case: dict[str, Any]) -> str:
    text = PLAN_YAML
    for old, new in case["replace"]:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("case", PLANS, ids=[c["id"] for c in PLANS])
def test_plan_upload_case__refused_at_its_line_and_nothing_saved(
        case: dict[str, Any], client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    upload = SimpleUploadedFile("plan.yaml", _plan_text(case).encode("utf-8"))
    response = client.post("/plans/ae_test/edit/", {"yaml_file": upload}, follow=True)
    text = _no_crash(response)
    assert case["text"] in text, text[:4000]
    if case["text"].startswith("Saved"):  # accepted as written (CR-only line ends)
        assert PlanVersion.objects.count() == before["PlanVersion"] + 1
    else:
        assert counts() == before


# --- the reproductions of issue 13 -------------------------------------------------------


def test_a_target_of_1e17_is_refused_and_runs_still_work(client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    response = client.post("/org/teams/north/targets/", {
        "subject": "", "measure": "team", "period": "2017-Q1", "amount": "1e17"})
    assert ("amount: &#x27;1e17&#x27; has more than 13 digits before the point; the largest "
            "target is 9999999999999.99") in _no_crash(response)
    assert counts() == before
    assert Target.objects.get(subject_id="north").amount == Decimal("5000.00")


def test_a_membership_from_0001_to_9999_is_refused(client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    response = client.post("/org/teams/north/add/", {
        "payee_id": "sue", "start_date": "0001-01-01", "end_date": "9999-12-31"})
    assert ("from: 0001-01-01 is outside the supported dates 1900-01-01..2199-12-31"
            in _no_crash(response))
    assert counts() == before
    assert client.get("/teams/north/insights/").status_code == 200


def test_a_payee_id_with_a_slash_is_refused_at_import(client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    text = _no_crash(_upload(client, "payees", "payees.csv",
                             b"payee_id,name,email,role,currency,target_incentive\n"
                             b"a/b,X,x@x,AE,USD,1.00\n"))
    assert "payees.csv:2: error[D024]: column &#x27;payee_id&#x27;: &#x27;a/b&#x27;" in text
    assert counts() == before


@pytest.mark.parametrize("payee_id", ["a.b", "a@b.com", "a:b", "A-1_b", "x" * 100])
def test_every_allowed_id_reaches_its_statement_and_dashboard(client: Any, world: Any,
                                                              payee_id: str) -> None:
    payee = Payee.objects.create(payee_id=payee_id, name="Odd", target_incentive=1)
    team = Team.objects.create(team_id=payee_id, name="Odd team", leader=payee)
    Membership.objects.create(payee=payee, team=team, start_date="2017-01-01")
    client.force_login(world.otto)
    for url in (f"/statements/{payee_id}/", f"/teams/{payee_id}/", f"/org/teams/{payee_id}/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_cr_only_line_ends_are_refused_in_the_web_import(client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    text = _no_crash(_upload(client, "payees", "payees.csv",
                             b"payee_id,name,email,role,currency,target_incentive\r"
                             b"zed,Z,z@x,AE,USD,1.00\r"))
    assert "payees.csv:1: error[D029]: the file ends its lines with CR only" in text
    assert counts() == before


def test_a_plan_effective_end_of_february_30_is_a_located_p010(client: Any,
                                                               world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    text = PLAN_YAML.replace("name: Test plan", "name: Test plan\n"
                             "effective: {start: 2017-01-01, end: 2017-02-30}")
    response = client.post("/plans/ae_test/edit/", {"yaml_text": text})
    assert ("plan.yaml:3:37: error[P010]: effective.end: expected a date (YYYY-MM-DD); found "
            "&#x27;2017-02-30&#x27;") in _no_crash(response)
    assert counts() == before


def test_nul_in_a_query_is_a_400_before_any_view(client: Any, world: Any) -> None:
    client.force_login(world.rita)
    response = client.get("/statements/rita/?period=2017-Q1%00")
    assert response.status_code == 400
    assert b"error[D028]: the request holds a NUL byte" in response.content


def test_an_api_offset_of_23_digits_is_an_empty_page(client: Any, world: Any) -> None:
    headers = _login(client, world, "token:otto")
    response = client.get("/api/results/?offset=12345678901234567890123", **headers)
    assert response.status_code == 200
    assert response.json()["lines"] == []


def test_the_data_layers_lengths_are_the_models_max_lengths() -> None:
    models = {"payees": Payee, "teams": Team, "deals": Deal, "targets": Target}
    for (table, column), limit in MAX_LENGTHS.items():
        model = models.get(table)
        if model is None:
            continue
        model, name = {"leader_id": (Payee, "payee_id"), "parent_team_id": (Team, "team_id"),
                       "owner_id": (Payee, "payee_id")}.get(column, (model, column))
        expected = model._meta.get_field(name).max_length
        assert limit == expected, (table, column)


def test_a_disk_full_import_says_so_and_changes_nothing(client: Any, world: Any,
                                                        monkeypatch: Any) -> None:
    client.force_login(world.otto)
    preview = _upload(client, "deals", "deals.csv",
                      b"deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
                      b"N1,rita,Acme,GTX,1.00,USD,Won,2017-02-01\n")
    key = preview.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    before = counts()

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("teamquota.web.comp.services.imports.write_table", full)
    response = client.post(f"/imports/staged/{key}/apply/", {"mode": "upsert"}, follow=True)
    text = _no_crash(response)
    assert "error[D050]: the server&#x27;s disk is full, so the import could not be stored; " \
           "nothing was changed" in text
    assert counts() == before


def test_a_disk_full_upload_says_so(client: Any, world: Any, monkeypatch: Any) -> None:
    client.force_login(world.otto)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("teamquota.web.comp.services.imports._stage", full)
    before = counts()
    text = _no_crash(_upload(client, "deals", "deals.csv", b"deal_id\n"))
    assert "error[D050]: the server&#x27;s disk is full" in text
    assert counts() == before


def test_a_plan_over_the_limit_is_refused_not_truncated(client: Any, world: Any,
                                                        settings: Any) -> None:
    settings.TEAMQUOTA_MAX_PLAN_UPLOAD = 1000
    client.force_login(world.otto)
    before = counts()
    text = PLAN_YAML + "# padding\n" * 200
    response = client.post("/plans/ae_test/edit/", {
        "yaml_file": SimpleUploadedFile("plan.yaml", text.encode())})
    body = _no_crash(response)
    assert f"error[D027]: plan.yaml is {len(text):,} bytes; plan files are limited to 1,000 " \
           "bytes" in body
    assert "Saved" not in body and counts() == before


def test_a_data_upload_over_the_limit_is_refused_with_the_limit(client: Any, world: Any,
                                                                settings: Any) -> None:
    settings.TEAMQUOTA_MAX_DATA_UPLOAD = 100
    client.force_login(world.otto)
    before = counts()
    text = _no_crash(_upload(client, "deals", "deals.csv", b"deal_id\n" + b"x\n" * 100))
    assert ("deals.csv: error[D027]: the file is 208 bytes; uploads are limited to 100 bytes "
            "(set TEAMQUOTA_MAX_DATA_UPLOAD to change it); nothing was imported") in text
    assert counts() == before


def test_a_plan_measuring_an_unknown_column_is_not_saved(client: Any, world: Any) -> None:
    client.force_login(world.otto)
    before = counts()
    text = PLAN_YAML.replace("where: {stage: Won}}\n    payout: {curve: [[0.5",
                             "where: {stagee: Won}}\n    payout: {curve: [[0.5")
    body = _no_crash(client.post("/plans/ae_test/edit/", {"yaml_text": text}))
    assert "error[E001]: component &#x27;personal&#x27; uses column &#x27;stagee&#x27;" in body
    assert counts() == before


def test_a_dispute_is_adjusted_once_only(client: Any, world: Any) -> None:
    line = PayoutLine.objects.get(run=world.run, payee__payee_id="rita")
    client.force_login(world.rita)
    client.post(f"/lines/{line.pk}/dispute/", {"text": "DEAL-9 is missing"})
    dispute = Dispute.objects.get()
    client.force_login(world.otto)
    client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "25.00", "reason": "DEAL-9"})
    before = counts()
    response = client.post(f"/disputes/{dispute.pk}/adjust/", {"amount": "25.00"},
                           follow=True)
    assert "this dispute was already adjusted; nothing was booked" in _no_crash(response)
    assert counts() == before
    assert PayoutLine.objects.filter(line_type="manual").count() == 1


def test_a_binary_upload_error_does_not_show_the_servers_path(client: Any,
                                                             world: Any) -> None:
    client.force_login(world.otto)
    response = _upload(client, "deals", "deals.parquet", b"PAR1 not really")
    text = _no_crash(response)
    assert "deals.parquet" in text and "upload.parquet" not in text
    assert not Import.objects.exists()


def _parquet_cases(tmp_path: Path) -> list[tuple[str, bytes, str]]:
    """(case, file, the diagnostic the preview and the apply show): the Parquet bounds of
    tests/data/test_parquet_limits.py, through the web import."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tests.data import test_parquet_limits as limits
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({**{k: pa.array([v]) for k, v in limits.DEAL.items()},
                             "meta": pa.array([{"a": 1}])}), nested)
    return [
        ("40000_columns", limits._wide(tmp_path / "wide.parquet", 40_000).read_bytes(),
         "deals.parquet: error[D025]: the file has 40,000 columns; a file has at most 1,000"),
        ("long_name", limits._deals(tmp_path / "long.parquet",
                                    {"n" * 10_001: pa.array(["x"])}).read_bytes(),
         "deals.parquet: error[D025]: column name 9 is 10,001 characters long"),
        ("nested", nested.read_bytes(),
         "deals.parquet: error[D014]: column &#x27;meta&#x27; is a nested column "
         "(struct&lt;a: int64&gt;)"),
        ("footer_rows", limits._claiming(tmp_path, "rows").read_bytes(),
         "deals.parquet: error[D000]: the file&#x27;s footer claims 1,000,000,000,000,000 "
         "rows"),
        ("1_mb_value", limits._deals(tmp_path / "big.parquet",
                                     owner_id="rita", account="a" * 1_048_576).read_bytes(),
         "deals.parquet:1: error[D026]: column &#x27;account&#x27;: a value of 1048576 "
         "characters is longer than the 200 the column holds"),
    ]


def test_parquet_uploads_over_the_bounds_are_refused_without_the_servers_path(
        client: Any, world: Any, tmp_path: Path) -> None:
    client.force_login(world.otto)
    before = counts()
    for case, content, expected in _parquet_cases(tmp_path):
        preview = client.post("/imports/upload/", {
            "table": "deals", "preset": "",
            "file": SimpleUploadedFile("deals.parquet", content,
                                       "application/octet-stream")}, follow=True)
        text = _no_crash(preview)
        assert expected in text, (case, text[:3000])
        assert "upload.parquet" not in text and "tq-web-tests" not in text, case
        key = preview.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
        applied = client.post(f"/imports/staged/{key}/apply/", {"mode": "upsert"},
                              follow=True)
        text = _no_crash(applied)
        assert "Nothing was imported" in text, case
        assert "upload.parquet" not in text and "tq-web-tests" not in text, case
        assert counts() == before, case

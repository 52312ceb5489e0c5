"""Import modes (issue 15): the preview's default adds and updates rows by key and keeps
the rest; replacing a table is an explicit choice, said in words and numbers, and one that
removes more than a few rows is written only when its count is typed. Audit entries count
rows in words and list changed rows before -> after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from teamquota.web.comp.models import AuditEvent, Deal, Import, Payee

HEADER = "deal_id,owner_id,account,product,amount,currency,stage,close_date\n"
ONE_NEW_DEAL = HEADER + "NEW-1,sue,Beta,GTX,10.00,,Won,2017-03-01\n"


def _upload(client, text: str, table: str = "deals", name: str = "deals.csv") -> str:
    response = client.post("/imports/upload/", {
        "table": table, "preset": "",
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")})
    assert response.status_code == 302, response.content
    return response["Location"]


def _many_deals(n: int) -> None:
    rita = Payee.objects.get(payee_id="rita")
    Deal.objects.bulk_create([Deal(deal_id=f"BULK-{i}", owner=rita, amount=Decimal("1.00"),
                                   stage="Won", close_date=date(2017, 2, 1))
                              for i in range(n)])


def test_it_previews_a_one_row_file_as_an_addition_that_keeps_the_table(client, world):
    _many_deals(8795)  # 8,800 deals with the world's five
    client.force_login(world.otto)
    page = client.get(_upload(client, ONE_NEW_DEAL)).content.decode()
    assert '<option value="upsert" selected>' in page
    assert "1 deal added, 0 changed; 8,800 kept" in page
    assert "removed" not in page


def test_it_says_how_many_rows_a_replace_removes(client, world):
    _many_deals(8795)
    client.force_login(world.otto)
    page = client.get(_upload(client, ONE_NEW_DEAL) + "?mode=replace").content.decode()
    assert '<option value="replace" selected>' in page
    assert "Replace: 8,800 deals removed, 1 added" in page
    assert "Type 8,800 to confirm" in page and 'name="confirm_removed" required' in page


def test_it_applies_by_default_without_removing_a_row(client, world):
    client.force_login(world.otto)
    location = _upload(client, ONE_NEW_DEAL)
    response = client.post(location + "apply/", {}, follow=True)  # no mode: the safe one
    assert Deal.objects.count() == 6
    assert Import.objects.get().mode == "upsert"
    assert "Imported 1 row into deals (1 deal added, 0 changed; 5 kept)" in (
        response.content.decode())


def test_it_refuses_a_large_replace_without_its_count_and_changes_nothing(client, world):
    client.force_login(world.otto)
    location = _upload(client, ONE_NEW_DEAL)
    for typed in ("", "4", "yes"):
        response = client.post(location + "apply/", {"mode": "replace",
                                                     "confirm_removed": typed}, follow=True)
        assert "Nothing was imported: replacing deals removes 5 rows; type 5" in (
            response.content.decode())
    assert Deal.objects.count() == 5 and not Import.objects.exists()
    client.post(location + "apply/", {"mode": "replace", "confirm_removed": "5"})
    assert list(Deal.objects.values_list("deal_id", flat=True)) == ["NEW-1"]


def test_it_replaces_a_few_rows_without_a_question(client, world):
    client.force_login(world.otto)
    text = HEADER + "".join(f"DEAL-{i},rita,Acme,GTX,1.00,USD,Won,2017-02-01\n"
                            for i in (1, 2, 3)) + "OPEN1,rita,,GTX,,,Engaging,\n"
    location = _upload(client, text)
    page = client.get(location + "?mode=replace").content.decode()
    assert "Replace: 1 deal removed, 0 added, 3 changed, 1 unchanged" in page
    assert "confirm_removed" not in page
    client.post(location + "apply/", {"mode": "replace"})
    assert Deal.objects.count() == 4


def test_it_offers_only_replace_for_a_table_kept_whole(client, world):
    client.force_login(world.otto)
    location = _upload(client, "from_currency,to_currency,period,rate\n"
                               "EUR,USD,2017-01,1.10\n", "fx_rates", "fx.csv")
    page = client.get(location + "?mode=upsert").content.decode()
    assert '<option value="upsert"' not in page
    assert '<option value="replace" selected>' in page
    assert client.post(location + "apply/", {"mode": "upsert"}).status_code == 404


def test_it_shows_warnings_beside_errors(client, world):
    client.force_login(world.otto)
    text = (HEADER + "W1,rita,Acme,GTX,100.00,USD,won ,2017-02-01\n"   # D036: like Won
            "W2,rita,Acme,GTX,abc,USD,Won,2017-02-01\n")               # D003: an error
    page = client.get(_upload(client, text)).content.decode()
    assert "[D003]" in page
    assert "warning[D036]" in page


def test_it_audits_a_deal_upsert_with_each_change_before_and_after(client, world):
    client.force_login(world.otto)
    text = (HEADER + "DEAL-1,sue,Acct 0,GTX,1100.00,,Won,2017-02-10\n"   # owner, amount
            "DEAL-2,rita,Acct 1,GTX,500.00,,Won,2017-02-11\n"              # unchanged
            "NEW-1,sue,Beta,GTX,10.00,,Won,2017-03-01\n")
    client.post(_upload(client, text) + "apply/", {"mode": "upsert"})
    event = AuditEvent.objects.get(action="import")
    assert event.summary == (
        "otto imported deals.csv into deals (upsert): 3 rows, 0 rejected; 1 deal added, "
        "1 changed, 1 unchanged; 3 kept: DEAL-1: owner_id Rita Rep (rita) -> Sue (sue), "
        "amount 1000.00 -> 1100.00")
    assert event.details["changes"] == [
        "DEAL-1: owner_id Rita Rep (rita) -> Sue (sue), amount 1000.00 -> 1100.00"]
    page = client.get("/audit/?action=import").content.decode()
    assert "Rita Rep (rita) -&gt; Sue (sue)" in page


def test_it_audits_one_payee_as_one_row_with_its_changed_fields(client, world):
    client.force_login(world.otto)
    text = "payee_id,name,target_incentive\nrita,Rita Rep,25000.00\n"
    client.post(_upload(client, text, "payees", "payees.csv") + "apply/", {})
    event = AuditEvent.objects.get(action="import")
    assert event.summary.startswith(
        "otto imported payees.csv into payees (upsert): 1 row, 0 rejected; 0 payees added, "
        "1 changed; 4 kept: Rita Rep (rita): ")
    assert "target_incentive 20000.00 -> 25000.00" in event.summary
    assert "1 rows" not in event.summary


def test_it_bounds_the_changes_it_lists(client, world):
    _many_deals(25)
    client.force_login(world.otto)
    text = HEADER + "".join(f"BULK-{i},rita,,,2.00,,Won,2017-02-01\n" for i in range(25))
    client.post(_upload(client, text) + "apply/", {"mode": "upsert"})
    summary = AuditEvent.objects.get(action="import").summary
    assert summary.count("amount 1.00 -> 2.00") == 20
    assert summary.endswith("; ... and 5 more")


def test_it_adds_by_default_through_the_api_too(client, world):
    from teamquota.web.comp.models import ApiToken
    token = ApiToken.issue(world.otto, "test")[1]
    response = client.post("/api/imports/", {
        "table": "deals", "file": SimpleUploadedFile("deals.csv", ONE_NEW_DEAL.encode())},
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content
    assert response.json()["mode"] == "upsert"
    assert Deal.objects.count() == 6


def test_it_refuses_an_api_upsert_of_a_table_kept_whole(client, world):
    from teamquota.web.comp.models import ApiToken
    token = ApiToken.issue(world.otto, "test")[1]
    response = client.post("/api/imports/", {
        "table": "fx_rates", "file": SimpleUploadedFile(
            "fx.csv", b"from_currency,to_currency,period,rate\nEUR,USD,2017-01,1.10\n")},
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422, response.content
    assert "fx.csv: error[D016]: mode 'upsert': exchange rates can only be replaced" in (
        response.json()["error"])


def test_changes__compares_the_databases_tables_in_arrow(world):
    import pyarrow as pa

    from teamquota.data.tables import DEALS, PAYEES
    from teamquota.web.comp.services import import_diff
    from teamquota.web.comp.services.dataset import build_dataset
    data = build_dataset()
    deals = pa.Table.from_pylist([{"deal_id": "DEAL-1", "owner_id": "sue", "account": "Acct 0",
                                   "product": "GTX", "amount": Decimal("1000.00"),
                                   "stage": "Won", "close_date": date(2017, 2, 10)}],
                                 DEALS.schema)
    found = import_diff._changes_arrow(import_diff.Changes("deals", "upsert"), ("deal_id",),
                                       data["deals"], deals, {"sue": "Sue"})
    assert (found.words(), found.examples) == ("0 deals added, 1 changed; 4 kept",
                                               ["DEAL-1: owner_id rita -> Sue (sue)"])
    payees = pa.Table.from_pylist([{"payee_id": "new", "name": "New",
                                    "target_incentive": Decimal("1.00")}], PAYEES.schema)
    found = import_diff._changes_arrow(import_diff.Changes("payees", "replace"),
                                       ("payee_id",), data["payees"], payees, {})
    assert found.words() == "Replace: 5 payees removed, 1 added"


def test_it_says_on_the_import_page_what_the_import_did(client, world):
    client.force_login(world.otto)
    client.post(_upload(client, HEADER + "DEAL-1,sue,Acct 0,GTX,1000.00,,Won,2017-02-10\n")
                + "apply/", {})
    page = client.get(f"/imports/{Import.objects.get().pk}/").content.decode()
    assert "<h2>What it did</h2><p>0 deals added, 1 changed; 4 kept: DEAL-1: owner_id " \
           "Rita Rep (rita) -&gt; Sue (sue)</p>" in page


def test_it_says_what_an_api_dry_run_would_do(client, world):
    from teamquota.web.comp.models import ApiToken
    token = ApiToken.issue(world.otto, "test")[1]
    response = client.post("/api/imports/", {
        "table": "deals", "mode": "replace", "dry_run": "true",
        "file": SimpleUploadedFile("deals.csv", ONE_NEW_DEAL.encode())},
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response.json()["changes"] == "Replace: 5 deals removed, 1 added"
    assert Deal.objects.count() == 5


def test_it_counts_problems_with_thousands_separators(client, world):
    client.force_login(world.otto)
    text = HEADER + "".join(f"X{i},rita,,,abc,,Won,2017-02-01\n" for i in range(1200)) \
        + "GOOD,rita,,,1.00,,Won,2017-02-01\n"
    location = _upload(client, text)
    page = client.get(location).content.decode()
    # the loader lists 200 rows' errors and one saying how many more: 201 problems
    assert "<strong>201 problems</strong>" in page
    assert "Import the 1 good row and keep 1,200 in a reject file" in page
    response = client.post(location + "apply/", {}, follow=True)
    assert "Nothing was imported: 201 problems" in response.content.decode()

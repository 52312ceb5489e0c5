"""The import form's Encoding field: a Salesforce report exported in Windows-1252 (as Excel
and Salesforce write it in Western Europe) imports when the field says cp1252; without it
the preview locates the first byte that is not UTF-8 and names the field (a web user has no
--encoding). Nothing is imported until the file reads."""

from __future__ import annotations

import html
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from teamquota.web.comp.models import Deal, Import

HEADER = ('"Opportunity Owner","Account Name","Opportunity Name","Opportunity ID","Type",'
          '"Stage","Amount","Close Date","Lead Source"\r\n')  # 121 characters + CRLF
REPORT = (HEADER
          + '"Rita","Acme \u2013 Europe","Acme renewal","006W1","Existing Business",'
            '"Closed Won","1,200.00","3/15/2017","Web"\r\n'
          + '"Rob","Beta Ltd","Beta \u2013 platform","006W2","New Business","Closed Won",'
            '"950.00","3/31/2017","Partner"\r\n'
          + '\r\n"Opportunities closed in 2017"\r\n'
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
            '"Confidential Information - Do Not Distribute"\r\n')


def _upload(client, **fields: str) -> str:
    response = client.post("/imports/upload/", {
        "table": "deals", "preset": "salesforce", **fields,
        "file": SimpleUploadedFile("opportunities.csv", REPORT.encode("cp1252"),
                                   content_type="text/csv")})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_it_offers_the_encodings_in_the_import_form(client, world):
    client.force_login(world.otto)
    text = client.get("/imports/").content.decode()
    assert '<label>Encoding <select name="encoding"><option value="">UTF-8</option>' \
           '<option value="cp1252">Windows-1252 (cp1252: Excel and Salesforce exports in ' \
           'Western Europe)</option><option value="latin-1">Latin-1 (ISO 8859-1)</option>' \
           '<option value="utf-16">UTF-16</option></select></label>' in text


def test_it_imports_a_cp1252_salesforce_report_with_encoding_cp1252(client, world):
    client.force_login(world.otto)
    location = _upload(client, encoding="cp1252")
    text = html.unescape(client.get(location + "?mode=upsert").content.decode())
    # the report's footer is not read, in the preview or the check
    assert "2 data rows." in text and "No errors: 2 rows can be imported" in text
    assert ("opportunities.csv: info[D049]: read as cp1252, stated by the import form's "
            "Encoding field (the file is not UTF-8 and has no byte order mark)") in text
    client.post(location + "apply/", {"mode": "upsert"})
    deal = Deal.objects.get(deal_id="006W1")
    # 0x96 is cp1252's en dash (in latin-1 it would be a control character); "1,200.00"
    # without its thousands separator; 3/15/2017 month first
    assert (deal.account, deal.amount, deal.stage, deal.close_date.isoformat(),
            deal.owner.payee_id) == ("Acme \u2013 Europe", Decimal("1200.00"), "Won",
                                     "2017-03-15", "rita")
    assert Deal.objects.get(deal_id="006W2").amount == Decimal("950.00")


def test_it_locates_a_cp1252_byte_and_names_the_encoding_field_without_it(client, world):
    client.force_login(world.otto)
    location = _upload(client)  # the form's default: UTF-8
    text = html.unescape(client.get(location + "?mode=upsert").content.decode())
    # line 2 starts '"Rita","Acme ' (13 bytes), then 0x96: byte 14 of the line; the header
    # line is 123 bytes with its CRLF: byte 123 + 14 = 137 of the file
    assert ("opportunities.csv:2: error[D000]: not UTF-8 text: byte 0x96 (byte 14 of the "
            "line, byte 137 of the file) is not valid UTF-8; choose the file's encoding in "
            "the Encoding field of the import form (Windows-1252 for an Excel or Salesforce "
            "export in Western Europe, Latin-1, UTF-16) and upload it again; or save the "
            "file as UTF-8") in text
    assert "--encoding" not in text
    response = client.post(location + "apply/", {"mode": "upsert"}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert not Deal.objects.filter(deal_id__startswith="006W").exists()
    assert not Import.objects.exists()

"""Plan letters: a payee's letters and what awaits their acceptance; sales ops' and finance's
status per plan version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from teamquota.web.comp import access


@access.signed_in
def letter_list(request: HttpRequest) -> HttpResponse:
    return render(request, "comp/letters.html", {"letters": [], "plans": []})

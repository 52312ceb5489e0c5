"""The JSON Schemas of the files teamquota reads, published at stable URLs for editors and
other tools: /schemas/plan.json (plans, ``plan.schema``) and /schemas/column-map.json
(column maps, ``data.columnmap``). No sign-in: they describe the file formats, no data.
Cacheable: a day, with an ETag (the schema's SHA-256) for revalidation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from teamquota.data.columnmap import column_map_json_schema
from teamquota.plan.schema import plan_json_schema

MAX_AGE = 24 * 60 * 60
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "plan": plan_json_schema, "column-map": column_map_json_schema}


@lru_cache(maxsize=len(SCHEMAS))
def _document(name: str) -> tuple[bytes, str]:
    body = json.dumps(SCHEMAS[name](), indent=2, sort_keys=False).encode()
    return body, '"' + hashlib.sha256(body).hexdigest() + '"'


def _serve(request: HttpRequest, name: str) -> HttpResponse:
    body, etag = _document(name)
    wanted = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    response: HttpResponse = (HttpResponseNotModified() if etag in wanted or "*" in wanted
                              else HttpResponse(body, content_type="application/json"))
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"  # editors fetch it from anywhere
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@login_not_required
@require_safe
def plan_schema(request: HttpRequest) -> HttpResponse:
    return _serve(request, "plan")


@login_not_required
@require_safe
def column_map_schema(request: HttpRequest) -> HttpResponse:
    return _serve(request, "column-map")

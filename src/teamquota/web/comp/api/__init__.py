"""The JSON API, built on django-ninja: typed operations whose OpenAPI document
(/api/openapi.json) is generated from their schemas (``schemas``), one error shape for
every refusal (``errors``), token or session authentication with the pages' own role,
access and segregation-of-duties checks (``auth``; ``access`` and the services).

The operations' URL patterns are listed one by one in ``comp/urls.py`` (``urlpatterns``
below), named like the old views, so every URL of the app stays in that one list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.operation import Operation

from teamquota.web.comp.api import (  # noqa: F401 - writes registers its operations
    errors,
    published,
    reads,
    writes,
)

DESCRIPTION = """Statements, results, runs, imports and the period close of teamquota.

Authenticate with `Authorization: Bearer <token>` (create a token on the API page,
/account/tokens/). Each token sees and may do exactly what its user may in the app.
Money is a string, never a float: a payout at its currency's places ("12720.00" USD,
"10.006" KWD, "1000" JPY), a target or deal amount with two. Every error is
`{"error": "...", "code"?: "...", "details"?: [{"loc": [...], "message": "..."}]}`.
"""


class TeamquotaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # short, stable names for generated clients: statement, results, run_start, ...
        return operation.view_func.__name__


api = TeamquotaAPI(title="teamquota API", version="2", description=DESCRIPTION,
                   openapi_url=None, docs_url=None, urls_namespace="teamquota-api")
errors.install(api)
api.add_router("/api/", reads.router)  # writes add their operations to it


@lru_cache(maxsize=1)
def _openapi_text() -> str:
    return json.dumps(dict(api.get_openapi_schema(path_prefix="")))


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, generated once from the operations' types."""
    return json.loads(_openapi_text())


@require_GET
def openapi_json(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_openapi_text(), content_type="application/json")


def _api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A 405 in the error shape; no slash appended (``/api/results`` is a JSON 404 that
    names ``/api/results/``, not a redirect); no CSRF check before the view (the
    operations check it themselves, for session calls)."""
    @login_not_required  # the API authenticates itself: a JSON 401, never a login page
    @no_append_slash
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return errors.json_not_allowed(view(request, *args, **kwargs))
    return wrapped


def _operation_patterns() -> list[URLPattern]:
    patterns = []
    for pattern in api.urls[0]:
        if not isinstance(pattern, URLPattern) or pattern.name == "api-root":
            continue
        patterns.append(path(str(pattern.pattern), _api_view(pattern.callback),
                             name=pattern.name))
    return patterns


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Every other path under /api/: a JSON 404 even with DEBUG on (Django's debug 404
    page would be HTML; the project's handler404 says the same with DEBUG off)."""
    return errors.no_operation(request)


urlpatterns = [path("api/openapi.json", _api_view(openapi_json), name="api_openapi"),
               *_operation_patterns(),
               re_path(r"^api/(?P<rest>.*)$", _api_view(not_found),
                       name=errors.NOT_FOUND_NAME),
               path("schemas/plan.json", published.plan_schema, name="schema_plan"),
               path("schemas/column-map.json", published.column_map_schema,
                    name="schema_column_map")]

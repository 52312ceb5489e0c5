"""The API's one error shape, and the handlers that make every /api/ response JSON.

Every refusal under /api/ is ``{"error": "<message>"}``, with ``code`` when a diagnostic
code or a stable reason names it (``D028``, ``D050``, ``sod``, ``csrf``) and ``details``
when it points at inputs (``[{"loc": ["query", "limit"], "message": "..."}]``). The
operations raise :class:`ApiError`; Django's own 404/405/400/403/500 for paths under /api/
(an unknown path, ``/api/runs/abc/``) take the same shape through the project's handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.urls import Resolver404, resolve
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

log = logging.getLogger("teamquota.api")

AUTH_REQUIRED = "authentication required (Authorization: Bearer <token>)"
SERVER_ERROR = ("the server could not answer this request; nothing was changed (the "
                "administrator finds the error in the server log)")
STATUS_WORDS = {400: "bad request", 403: "forbidden", 404: "not found",
                405: "method not allowed", 413: "request too large", 500: SERVER_ERROR}


class ApiError(Exception):
    """A refusal with its HTTP status; the message is for the caller."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.details = status, message, code, details


def error_body(message: str, code: str | None = None,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message}
    if code is not None:
        body["code"] = code
    if details is not None:
        body["details"] = details
    return body


def error_response(status: int, message: str, code: str | None = None,
                   details: list[dict[str, Any]] | None = None) -> JsonResponse:
    return JsonResponse(error_body(message, code, details), status=status)


def _loc_text(loc: list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors as ``{"loc": [...], "message": ...}`` (the location first: where
    the request is wrong; ``body`` fields of a form are named as the form names them)."""
    return [{"loc": [str(part) for part in e.get("loc", ())],
             "message": str(e.get("msg", "invalid value"))} for e in errors]


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every exception an operation raises into JSON."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.message, exc.code, exc.details)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(401, AUTH_REQUIRED)
        response["WWW-Authenticate"] = 'Bearer realm="teamquota"'
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, str(exc.message))

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = validation_details(list(exc.errors))
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
        return error_response(422, f"invalid request: {_loc_text(first['loc'])}: "
                                   f"{first['message']}{more}", details=details)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, str(exc) or "not found")

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or "forbidden")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "the request body is larger than the server accepts "
                                   "(a form at most 5 MB; send data files as uploads)")

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return error_response(400, "bad request: the body could not be read")

    @api.exception_handler(MultiPartParserError)
    def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return error_response(400, "bad request: the multipart body could not be read",
                              details=[{"loc": ["body"], "message": str(exc)[:200]}])

    @api.exception_handler(RawPostDataException)
    def _not_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        # a form or multipart body, read before the view (RefuseNulMiddleware reads forms),
        # sent to an operation that takes JSON
        return error_response(415, "this operation takes a JSON body (Content-Type: "
                                   "application/json)", details=[{
                                       "loc": ["body"], "message": "expected JSON"}])

    @api.exception_handler(Exception)
    def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return error_response(500, SERVER_ERROR)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def json_not_allowed(response: HttpResponse) -> HttpResponse:
    """Ninja's 405 is an empty text/html answer: the same refusal in the error shape,
    with its Allow header kept."""
    if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"):
        return response
    allowed = response.get("Allow", "")
    json_response = error_response(405, f"method not allowed; this path answers {allowed}"
                                   if allowed else "method not allowed")
    if allowed:
        json_response["Allow"] = allowed
    return json_response


# The project's handlers (teamquota.web.urls): JSON under /api/, Django's pages elsewhere.
def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return error_response(400, "bad request")
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return error_response(403, str(exception) if exception else "forbidden")
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


NOT_FOUND_NAME = "api_not_found"


def no_operation(request: HttpRequest) -> JsonResponse:
    """The 404 of a path under /api/ that no operation answers, naming the path with its
    slash when that one exists (``/api/results`` -> ``/api/results/``)."""
    hint = "see /api/openapi.json"
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != NOT_FOUND_NAME:
                hint = f"did you mean {request.path}/?"
        except Resolver404:
            pass
    return error_response(404, f"no API operation at {request.path} ({hint})")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return no_operation(request)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return error_response(500, SERVER_ERROR)
    return defaults.server_error(request)

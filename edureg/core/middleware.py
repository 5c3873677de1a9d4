"""Request-wide middleware: the audit context of each request (tagged with its request id), the
refusal of text the register cannot store, and the API's one error shape for answers that Django
gives itself."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils.translation import gettext as _

from edureg.core import text
from edureg.core.api.errors import error_body
from edureg.core.context import Actor, Channel, audit_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        request.request_id = request_id  # type: ignore[attr-defined]
        with audit_context(Actor.for_user(request.user, channel), request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _api_error(status_code: int, code: str, message: str) -> HttpResponse:
    return JsonResponse(
        error_body(status_code, [{"code": code, "message": message, "field": None}]),
        status=status_code,
    )


def _error_of_status(status_code: int) -> tuple[str, str]:
    """The machine code and the human message of an answer with no body of the API's own."""
    known = {
        400: ("bad_request", _("The request is not valid.")),
        401: ("not_authenticated", _("Sign in or give a valid access token.")),
        403: ("permission_denied", _("You do not have permission to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request body is too large.")),
    }
    if status_code in known:
        return known[status_code]
    if status_code >= 500:
        return "server_error", _("The register could not answer; nothing was changed.")
    return "error", _("The request could not be answered.")


class RequestTextMiddleware:
    """The path, the query and form values as the register takes text (`edureg.core.text`),
    before anything is resolved, validated or stored: fullwidth characters are folded to ASCII,
    and a request is refused (400; under /api/ in the API's error shape) when a value holds a
    NUL character (PostgreSQL refuses it where SQLite would keep it), a lone surrogate, or
    digits other than 0–9 where it is written like an identifier, date or number. JSON bodies
    get the same treatment from the API's parser (`core.api.parsers`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._take(request)
        if refused is None:
            return self.get_response(request)
        where, why = refused
        message = (
            _("Write digits as 0–9.")
            if why == "digits"
            else _("The request contains a character that cannot be stored.")
        )
        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body(400, [{"code": "invalid", "message": message, "field": where}]),
                status=400,
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _take(request: HttpRequest) -> tuple[str, str] | None:
        """Fold the query and the form in place; (where, why) of the first refused value."""
        if "\x00" in request.path_info:
            return "path", "nul"
        folded_query, refused = _folded(request.GET)
        if refused:
            return refused
        request.GET = folded_query
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            folded_form, refused = _folded(request.POST)
            if refused:
                return refused
            request.POST = folded_form
        return None


def _folded(values: QueryDict) -> tuple[QueryDict, tuple[str, str] | None]:
    """The values folded to the register's text, or the (name, why) of the first refused."""
    folded = QueryDict(mutable=True, encoding=values.encoding)
    for key, items in values.lists():
        name = text.fold(key)
        shown = name.encode("utf-8", "backslashreplace").decode()
        why = text.problem(name)
        if why is not None:
            return folded, (shown, why)
        taken = [text.fold(item) for item in items]
        for item in taken:
            why = text.problem(item)
            if why is not None:
                return folded, (shown, why)
        folded.setlist(name, taken)
    folded._mutable = False
    return folded, None


class ApiErrorShapeMiddleware:
    """Every answer under /api/ is JSON: an error answered by Django itself (an unknown path,
    an id that does not fit the URL, a body over the size limit) is given the API's one error
    shape instead of an HTML or plain-text page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _error_of_status(response.status_code)
            shaped = _api_error(response.status_code, code, message)
            for header in ("X-Request-ID", "Allow", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response

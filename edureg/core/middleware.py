"""Opens the audit context for each web request and tags the response with its request id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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

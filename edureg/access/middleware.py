"""Staff who hold rights on personal data finish their safeguards before anything else.

A signed-in staff user with a role on personal data is sent to set up or enter the second
factor, then to accept the current confidentiality pledge, before any other page. The scoping
function enforces the same rule for every read (an unverified user's selectors return nothing);
this middleware only turns that into a helpful next step in the web UI.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from edureg.access.scoping import needs_personal_data_checks, personal_data_blocker
from edureg.core.context import Actor

EXEMPT_PREFIXES = (
    "/access/second-factor/",
    "/access/pledge/",
    "/logout/",
    "/login/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
    "/o/",
)


class StaffSafeguardsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            actor = Actor.for_user(request.user)
            if needs_personal_data_checks(actor):
                blocker = personal_data_blocker(actor)
                next_query = urlencode({"next": request.get_full_path()})
                if blocker == "second_factor":
                    return redirect(f"/access/second-factor/?{next_query}")
                if blocker == "pledge":
                    return redirect(f"/access/pledge/?{next_query}")
        return self.get_response(request)

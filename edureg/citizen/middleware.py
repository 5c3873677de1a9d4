"""A signed-in citizen stays in their own space: every staff page answers 404.

The rule is an allow-list of what a citizen may open (their portal, the public pages, the
language switch, signing out), checked against the resolved URL before the view runs, so that a
staff page added later is closed to citizens without anyone remembering to close it. The API is
not a page: its endpoints scope every read by the actor and are left to it (a citizen's own
read-only API is under `/api/v1/me/`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from edureg.core.context import ActorKind
from edureg.core.web import web_actor

# Namespaces a citizen may open entirely, and single routes by their full name.
CITIZEN_NAMESPACES = frozenset({"citizen", "institutions"})
CITIZEN_ROUTES = frozenset(
    {
        "healthz",
        "set_language",
        "logout",
        "job-detail",
        "job-progress",
        "job-file",
        "programmes:list",
        "programmes:csv",
        "programmes:detail",
        "programmes:version",
        "schema",
        "api-docs",
        "api-redoc",
        "oidc_authentication_callback",
        "oidc_authentication_init",
        "oidc_logout",
        # Documents: the public verification, the holder's PDF and "Pažyma apie studijas".
        "verify",
        "verify-upload",
        "credentials:pdf",
        "credentials:studies",
    }
)
# Pages that send a citizen to their portal instead.
TO_THE_PORTAL = frozenset({"home"})
# Not pages: left to their own rules.
NOT_PAGES = ("/api/", "/o/", "/static/")


def citizen_may_open(view_name: str) -> bool:
    namespace = view_name.rpartition(":")[0]
    return view_name in CITIZEN_ROUTES or namespace.split(":", 1)[0] in CITIZEN_NAMESPACES


class CitizenBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or request.path_info.startswith(NOT_PAGES):
            return None
        if web_actor(request).kind != ActorKind.CITIZEN:
            return None
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        if view_name in TO_THE_PORTAL:
            # The home page is the staff's way in; a citizen's home is their portal.
            return redirect("citizen:home")
        if citizen_may_open(view_name):
            return None
        raise Http404

"""The count of correction requests waiting for a data manager, for their home page.

Lazy: a template calls the function only where it shows the count (the home page), and the
count is read once however often the page uses it.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from edureg.core.context import ActorKind
from edureg.core.web import web_actor


def pending_corrections(request: HttpRequest) -> dict[str, Any]:
    @functools.cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        actor = web_actor(request)
        if actor.kind != ActorKind.STAFF:
            return 0
        from edureg.citizen.selectors import pending_corrections as waiting

        return waiting(actor=actor)

    return {"pending_corrections": count}

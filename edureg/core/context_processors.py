from typing import Any

from django.conf import settings
from django.http import HttpRequest

from edureg.core.context import Actor, ActorKind


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    citizen = bool(
        user is not None
        and user.is_authenticated
        and Actor.for_user(user).kind == ActorKind.CITIZEN
    )
    # A signed-in citizen sees no staff menus (their own space is the portal "My data").
    return {"DEMO_MODE": settings.DEMO_MODE, "signed_in_as_citizen": citizen}

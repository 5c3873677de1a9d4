from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from edureg.access.actors import api_actor
from edureg.access.api.fieldscope import recipient_refusal


class IsSignedInOrSystemClient(BasePermission):
    """A signed-in user, or a system client holding a valid OAuth2 token.

    Client-credentials tokens carry no user, so DRF's IsAuthenticated would refuse them. What
    either may see is decided by the scoped selectors, not here. A recipient's system (a client
    under data-provision agreements) is also refused, with the reason, when no agreement is in
    force, when it tries to write, or when the endpoint's data set is not in its agreement
    (access.api.fieldscope).
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        token = getattr(request, "auth", None)
        if getattr(token, "application", None) is None:
            return False
        refusal = recipient_refusal(api_actor(request), view, request.method)
        if refusal is not None:
            raise PermissionDenied(refusal)
        return True

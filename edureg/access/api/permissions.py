from typing import Any

from rest_framework.permissions import BasePermission


class IsSignedInOrSystemClient(BasePermission):
    """A signed-in user, or a system client holding a valid OAuth2 token.

    Client-credentials tokens carry no user, so DRF's IsAuthenticated would refuse them. What
    either may see is decided by the scoped selectors, not here.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        token = getattr(request, "auth", None)
        return getattr(token, "application", None) is not None

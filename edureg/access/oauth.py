"""OAuth2 validation that knows about revoked clients."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from edureg.access.api.fieldscope import with_recipient_flag
from edureg.access.models import ClientBinding


def _binding_revoked(application: Any) -> bool:
    return ClientBinding.objects.filter(application=application, revoked_at__isnull=False).exists()


class BindingAwareValidator(OAuth2Validator):
    """Refuses tokens to, and tokens of, a revoked system client."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return not _binding_revoked(request.client)

    def validate_bearer_token(self, token: Any, scopes: Any, request: Any) -> bool:
        if not super().validate_bearer_token(token, scopes, request):
            return False
        access_token = getattr(request, "access_token", None)
        if access_token is None:
            return True
        # The binding is loaded once here and kept on the token's application, where the
        # request's actor is made from it (access.actors.api_actor) without reading it again.
        application = access_token.application
        binding = (
            with_recipient_flag(ClientBinding.objects.select_related("application", "institution"))
            .filter(application=application)
            .first()
        )
        application._edureg_binding = binding
        return binding is None or binding.revoked_at is None

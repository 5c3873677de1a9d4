"""OAuth2 validation that knows about revoked clients and lapsed agreements."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from edureg.access.api.fieldscope import binding_without_terms_in_force, with_recipient_flag
from edureg.access.models import ClientBinding


def _may_have_a_token(application: Any) -> bool:
    """Not a revoked client, nor a recipient with no agreement in force (suspended, expired,
    ended: OAuth2's `invalid_client`, 401, instead of a token that every request refuses)."""
    binding = with_recipient_flag(ClientBinding.objects).filter(application=application).first()
    if binding is None:
        return True
    return binding.revoked_at is None and not binding_without_terms_in_force(binding)


class BindingAwareValidator(OAuth2Validator):
    """Refuses tokens to, and tokens of, a revoked system client; no token to a recipient
    whose agreements are not in force (its tokens already issued are refused per request,
    403 with the reason, by the API's recipient permission)."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return _may_have_a_token(request.client)

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

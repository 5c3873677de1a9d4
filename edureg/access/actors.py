"""The actor behind an API request: a signed-in user, or a system client's OAuth2 token."""

from __future__ import annotations

from typing import Any

from edureg.access.api.fieldscope import with_recipient_flag
from edureg.access.models import ClientBinding
from edureg.core.context import Actor, ActorKind, Channel

_UNREAD = object()


def api_actor(request: Any) -> Actor:
    """OAuth2 client-credentials tokens carry no user; the application's binding says whom the
    system acts for. Session-authenticated users act as themselves.

    Resolved once per request and kept on it, so that the actor's roles, cached on the actor's
    user or client, are read once per request whatever the number of checks."""
    actor = getattr(request, "_edureg_actor", None)
    if actor is None:
        actor = _resolve(request)
        request._edureg_actor = actor
    return actor


def _resolve(request: Any) -> Actor:
    token = getattr(request, "auth", None)
    application = getattr(token, "application", None)
    if application is not None and getattr(token, "user", None) is None:
        # Loaded by the token's validation (access.oauth), or read here.
        binding = getattr(application, "_edureg_binding", _UNREAD)
        if binding is _UNREAD:
            binding = (
                with_recipient_flag(
                    ClientBinding.objects.select_related("application", "institution")
                )
                .filter(application=application)
                .first()
            )
        if binding is None:
            return Actor(kind=ActorKind.ANONYMOUS, label="anonymous", channel=Channel.API)
        return Actor.for_client(binding)
    return Actor.for_user(request.user, Channel.API)

"""Who is acting, through which channel, in which request: the audit context.

Services and selectors take an explicit `actor`; the context carries the same facts to places
that a call signature cannot reach, such as django-simple-history's signal that creates a
version row. The web middleware, the API views, importers and management commands each open an
`audit_context` around their work.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How a read or a write reached the register; the labels are what people read."""

    WEB = "web", pgettext_lazy("channel", "web")
    API = "api", pgettext_lazy("channel", "API")
    IMPORT = "import", pgettext_lazy("channel", "import")
    FEED = "feed", pgettext_lazy("channel", "feed")
    SYSTEM = "system", pgettext_lazy("channel", "system")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("staff user")
    CLIENT = "client", _("information system")
    CITIZEN = "citizen", _("citizen")
    SYSTEM = "system", _("the register itself")
    SHARE_LINK = "share_link", _("someone with a share link")
    ANONYMOUS = "anonymous", _("anonymous")


@dataclass(frozen=True)
class Actor:
    """Anyone who reads or writes the registers: staff, a system client, a citizen, a job.

    `label` is what audit rows record ("user:12", "client:school-sis", "system:seed_demo"); it is
    stable and never contains personal data. What an actor may do is decided from its roles by
    `edureg.access.scoping`; the actor itself only says who it is and how it authenticated.
    """

    kind: str
    label: str
    user: Any = None
    channel: str = Channel.WEB
    client: Any = None  # access.ClientBinding of a system client
    person_id: int | None = None  # the citizen's own person (a share link: its owner's)
    second_factor: bool = False  # staff: signed in with a verified second factor

    @classmethod
    def for_user(cls, user: Any, channel: str = Channel.WEB) -> Actor:
        """A signed-in user's actor: staff, or a citizen when the user is linked to a person."""
        if user is None or not user.is_authenticated:
            return cls(kind=ActorKind.ANONYMOUS, label="anonymous", channel=channel)
        citizen = getattr(user, "citizen", None) if _has_citizen_link(user) else None
        if citizen is not None:
            return cls(
                kind=ActorKind.CITIZEN,
                label=f"citizen:{user.pk}",
                user=user,
                channel=channel,
                person_id=citizen.person_id,
            )
        verified = bool(getattr(user, "is_verified", lambda: False)())
        return cls(
            kind=ActorKind.STAFF,
            label=f"user:{user.pk}",
            user=user,
            channel=channel,
            second_factor=verified,
        )

    @classmethod
    def for_client(cls, binding: Any, channel: str = Channel.API) -> Actor:
        return cls(
            kind=ActorKind.CLIENT,
            label=f"client:{binding.application.client_id}"[:64],
            channel=channel,
            client=binding,
        )

    @classmethod
    def share_link(cls, link_public_id: Any, person_id: int) -> Actor:
        """Whoever opens a citizen's share link: no account, only the link, which lets them
        read that citizen's records (`person_id`)."""
        return cls(
            kind=ActorKind.SHARE_LINK, label=f"share:{link_public_id}"[:64], person_id=person_id
        )

    @classmethod
    def system(cls, name: str, channel: str = Channel.SYSTEM) -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=f"system:{name}", user=None, channel=channel)

    @property
    def is_superuser(self) -> bool:
        return bool(self.user is not None and getattr(self.user, "is_superuser", False))

    def via(self, channel: str) -> Actor:
        return replace(self, channel=channel)


def _has_citizen_link(user: Any) -> bool:
    """Whether `user.citizen` exists, without an exception for staff users."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.citizen is not None
    except (ObjectDoesNotExist, AttributeError):
        return False


@dataclass(frozen=True)
class AuditContext:
    actor: Actor
    request_id: str


_current: ContextVar[AuditContext | None] = ContextVar("edureg_audit_context", default=None)

_UNATTRIBUTED = AuditContext(actor=Actor.system("unattributed"), request_id="")


def current() -> AuditContext:
    """The context of the work in progress; writes outside any context are marked unattributed."""
    return _current.get() or _UNATTRIBUTED


@contextlib.contextmanager
def audit_context(actor: Actor, request_id: str | None = None) -> Iterator[AuditContext]:
    ctx = AuditContext(actor=actor, request_id=request_id or uuid.uuid4().hex)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[AuditContext]:
    """Attribute the writes inside to `actor`, keeping the request id of the surrounding work.

    Services wrap their writes in it, so a version is attributed to the service's actor even
    when the caller (a command, a test, a background job) opened no context of its own.
    """
    ctx = current()
    if ctx.actor == actor:
        yield ctx
        return
    with audit_context(actor, ctx.request_id or None) as inner:
        yield inner

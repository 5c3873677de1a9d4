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
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Channel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    IMPORT = "import", _("import")
    FEED = "feed", _("feed")
    SYSTEM = "system", _("system")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("staff user")
    CLIENT = "client", _("information system")
    CITIZEN = "citizen", _("citizen")
    SYSTEM = "system", _("the register itself")
    ANONYMOUS = "anonymous", _("anonymous")


@dataclass(frozen=True)
class Actor:
    """Anyone who reads or writes the registers: staff, a system client, a citizen, a job.

    `label` is what audit rows record ("user:12", "client:school-sis", "system:seed_demo"); it is
    stable and never contains personal data.
    """

    kind: str
    label: str
    user: AbstractBaseUser | AnonymousUser | None = None
    channel: str = Channel.WEB

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser, channel: str = Channel.WEB) -> Actor:
        if not user.is_authenticated:
            return cls(kind=ActorKind.ANONYMOUS, label="anonymous", user=None, channel=channel)
        return cls(kind=ActorKind.STAFF, label=f"user:{user.pk}", user=user, channel=channel)

    @classmethod
    def system(cls, name: str, channel: str = Channel.SYSTEM) -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=f"system:{name}", user=None, channel=channel)

    @property
    def is_national_admin(self) -> bool:
        """Agency administrator (superuser). Finer roles come from the access app."""
        return bool(self.user is not None and getattr(self.user, "is_superuser", False))

    def via(self, channel: str) -> Actor:
        return replace(self, channel=channel)


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

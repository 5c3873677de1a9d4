"""How the kernel asks whether an actor may do something, without importing the layer that
knows (DESIGN.md §4: `core` imports no app).

Rights are decided by `edureg.access.scoping` from role assignments; the access app registers
its check here when it is ready. The kernel's own services (classifier editing) call `require`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from edureg.core.context import Actor

# (actor, function area, national) -> None, or PermissionDenied
RightCheck = Callable[[Actor, str, bool], None]

_check: RightCheck | None = None


def register(check: RightCheck) -> None:
    """Called once by the access app's `ready()`."""
    global _check
    _check = check


def require(actor: Actor, area: str, *, national: bool = False) -> None:
    """Manager level of `area` (nationally, if asked); PermissionDenied otherwise."""
    if _check is None:
        raise ImproperlyConfigured("No rights check registered: is edureg.access installed?")
    _check(actor, area, national)

"""One transaction (or savepoint) per write, however many services it is made of.

A service is atomic. When a service calls another — an upsert opens a study right, then records
each period through the step services — Django's nested `atomic` blocks each take a savepoint
(two statements each), which doubled the statements of a write. `@service` opens the
transaction, or the savepoint, at the outermost service only; a service called by a service
runs inside it. A failure anywhere undoes the whole outermost call, which is what a service
promises anyway. (A service never catches another service's refusal and carries on writing: it
re-raises it, renamed at most.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

_depth: ContextVar[int] = ContextVar("edureg_service_depth", default=0)


def service(func: Callable[P, R]) -> Callable[P, R]:
    """`@transaction.atomic` for services: a savepoint only at the outermost service call."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _depth.get()
        token = _depth.set(depth + 1)
        try:
            with transaction.atomic(savepoint=depth == 0):
                return func(*args, **kwargs)
        finally:
            _depth.reset(token)

    return run


class _RolledBack(Exception):
    pass


def dry_run(call: Callable[[], object]) -> None:
    """Run a service call and undo everything it wrote: it raises exactly what the real call
    would (a refusal, or the warnings to confirm). A confirmation page is shown only for an
    act that would go through, so that its refusals still land on the form."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        pass

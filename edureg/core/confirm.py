"""Warnings, not refusals, for unusual but lawful acts; and what a confirmation records.

A service that allows an act the register should not refuse, but that a person should look at
twice (a graduation short of the programme's credits, an academic leave back-dated over
results already recorded), computes its warnings with a pure function and calls
`require_confirmed`. The web asks the user (the confirmation page lists the warnings) and
passes the codes the user confirmed; the act then goes ahead and its version rows carry, as
their change reason, that the user confirmed those warnings. A channel that asks nobody (the
API, an import) passes `None`: the act goes ahead and the history says that the warnings were
not confirmed by a person.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHANGE_REASON_LENGTH = 100


@dataclass(frozen=True)
class ActWarning:
    """One warning: a stable code (what the user confirms) and the message they read."""

    code: str
    message: str


class WarningsNotConfirmed(ValidationError):
    """The act raises warnings the user has not confirmed yet; nothing was written."""

    def __init__(self, warnings: Sequence[ActWarning]) -> None:
        self.warnings = list(warnings)
        super().__init__([w.message for w in self.warnings], code="warnings_not_confirmed")


def require_confirmed(warnings: Sequence[ActWarning], confirmed: Collection[str] | None) -> str:
    """Raise WarningsNotConfirmed unless every warning's code is in `confirmed`; return the
    note the act's version rows keep (empty when there was nothing to warn about)."""
    if not warnings:
        return ""
    if confirmed is not None and not {w.code for w in warnings} <= set(confirmed):
        raise WarningsNotConfirmed(warnings)
    if confirmed is None:
        prefix = _("Warnings not confirmed by a person (API or import):")
    else:
        prefix = _("The user confirmed the warnings:")
    # simple-history's change reason column holds 100 characters: the messages when they fit,
    # else the warnings' codes.
    note = f"{prefix} {'; '.join(w.message for w in warnings)}"
    if len(note) > CHANGE_REASON_LENGTH:
        note = f"{prefix} {', '.join(w.code for w in warnings)}"
    return note[:CHANGE_REASON_LENGTH]

"""Template helpers of the shared layout."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from edureg.core.context import Channel
from edureg.core.countries import country_name
from edureg.core.history import who_changed
from edureg.core.pickers import language_names

register = template.Library()


@register.filter
def languages_named(codes: str | None) -> str:
    """ "lt,en" as "Lietuvių, Anglų" (or "Lithuanian, English"): a person reads names."""
    return ", ".join(language_names(codes or ""))


@register.filter
def country_named(code: str | None) -> str:
    """ "LT" as "Lietuva" (or "Lithuania"): the register keeps the code, a person reads the name."""
    return country_name(code)


@register.filter
def channel_named(code: str | None) -> str:
    """How a change or a read reached the register ("import" as "duomenų importas"), the
    same words on every page that shows a history or an access log."""
    if code in Channel.values:
        return str(Channel(code).label)
    return code or "—"


@register.filter
def filters_in_use(query: QueryDict) -> bool:
    """Whether a list's query holds a filter (anything but the page number): a list's filter
    panel, closed on a phone, is shown open then, so that the user sees what narrows the list."""
    return any(value for key, values in query.lists() if key != "page" for value in values)


@register.filter
def changed_by(version: Any) -> str:
    """Who made a history version (`history_user`, else the kind of actor), in words."""
    return who_changed(getattr(version, "history_user", None), version.history_actor)

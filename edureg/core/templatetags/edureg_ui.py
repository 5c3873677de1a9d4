"""Template helpers of the shared layout."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from edureg.core.history import who_changed
from edureg.core.pickers import language_names

register = template.Library()


@register.filter
def languages_named(codes: str | None) -> str:
    """ "lt,en" as "Lietuvių, Anglų" (or "Lithuanian, English"): a person reads names."""
    return ", ".join(language_names(codes or ""))


@register.filter
def filters_in_use(query: QueryDict) -> bool:
    """Whether a list's query holds a filter (anything but the page number): a list's filter
    panel, closed on a phone, is shown open then, so that the user sees what narrows the list."""
    return any(value for key, values in query.lists() if key != "page" for value in values)


@register.filter
def changed_by(version: Any) -> str:
    """Who made a history version (`history_user`, else the kind of actor), in words."""
    return who_changed(getattr(version, "history_user", None), version.history_actor)

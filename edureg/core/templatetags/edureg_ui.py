"""Template helpers of the shared layout."""

from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def filters_in_use(query: QueryDict) -> bool:
    """Whether a list's query holds a filter (anything but the page number): a list's filter
    panel, closed on a phone, is shown open then, so that the user sees what narrows the list."""
    return any(value for key, values in query.lists() if key != "page" for value in values)

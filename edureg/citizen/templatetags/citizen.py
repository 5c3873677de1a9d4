"""`{% me_url "access" child %}`: a citizen page, for the citizen or for one of their children."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def me_url(name: str, child: Any = None, *args: Any) -> str:
    if child:
        return reverse(f"citizen:child-{name}", args=[child, *args])
    return reverse(f"citizen:{name}", args=list(args))

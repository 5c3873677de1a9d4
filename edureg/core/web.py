"""Small helpers the registers' web pages share: service errors on forms, list query strings,
and values carried signed between the steps of a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from edureg.core.audit import log_person_access
from edureg.core.context import Actor


def web_actor(request: HttpRequest) -> Actor:
    """The actor of a web request: the signed-in staff user or citizen, or anonymous."""
    return Actor.for_user(request.user)


def page_shown(
    request: HttpRequest,
    rows: Any,
    *,
    actor: Actor,
    what: str,
    per_page: int,
    person_of: Callable[[Any], Any] = lambda row: row,
) -> Page:
    """The requested page of a list that shows people, written to their access logs: the one
    way a web list pages, so that no list page shows a person without logging it."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    log_person_access(
        actor=actor,
        person_public_ids=[person_of(row).public_id for row in page.object_list],
        what=what,
    )
    return page


def add_service_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """A service's errors on the form's visible fields (`rename` maps a service's field name
    to the form's); the rest goes to the form's error summary."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for field, field_messages in errors.items():
        name = (rename or {}).get(field, field)
        target = name if name in form.fields and not form.fields[name].widget.is_hidden else None
        for message in field_messages:
            form.add_error(target, message)


def forms_with_errors(*candidates: forms.Form | None) -> list[forms.Form]:
    return [f for f in candidates if f is not None and f.is_bound and f.errors]


def query_string_without_page(request: HttpRequest) -> str:
    """The list's filters, for the pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def sign_for_user(request: HttpRequest, value: str, purpose: str) -> str:
    """`value` signed for this user and purpose, so that a later step of the same form cannot
    be pointed at another value (for example, someone else's record)."""
    return signing.dumps(value, salt=f"{purpose}:{request.user.pk}")


def unsign_for_user(request: HttpRequest, token: str, purpose: str, max_age: int) -> Any:
    """The value of `sign_for_user`, or None when the token is forged, another user's or old."""
    try:
        return signing.loads(token, salt=f"{purpose}:{request.user.pk}", max_age=max_age)
    except signing.BadSignature:
        return None

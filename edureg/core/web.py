"""Small helpers the registers' web pages share: service errors on forms, list query strings,
and values carried signed between the steps of a form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edureg.core.audit import log_person_access
from edureg.core.confirm import ActWarning
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


# --- Confirmation before an irreversible act, and of warnings ---------------------------------

CONFIRMED = "confirmed"
CONFIRMED_WARNINGS = "confirmed_warnings"
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED, CONFIRMED_WARNINGS}


def is_confirmed(request: HttpRequest) -> bool:
    """Whether this POST comes from the confirmation page's button."""
    return request.POST.get(CONFIRMED) == "yes"


def confirmed_warnings(request: HttpRequest) -> list[str]:
    """The codes of the warnings the user confirmed on the confirmation page."""
    return request.POST.getlist(CONFIRMED_WARNINGS) if is_confirmed(request) else []


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    action_url: str,
    back_url: str,
    confirm_label: str,
    warnings: Sequence[ActWarning] = (),
) -> HttpResponse:
    """The page between a valid form and an act that cannot be undone: what will happen, the
    warnings the act raises, and a button that posts the same data again, confirmed."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_CARRIED
        for value in values
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequences": consequences,
            "warnings": warnings,
            "carried": carried,
            "action_url": action_url,
            "back_url": back_url,
            "confirm_label": confirm_label,
        },
    )

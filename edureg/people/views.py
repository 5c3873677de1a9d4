from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from edureg.core.audit import access_lines, access_log_for, changes_of
from edureg.core.context import Actor
from edureg.core.history import history_rows_for
from edureg.core.readable import readable
from edureg.core.web import page_shown
from edureg.people import selectors
from edureg.people.forms import AsOfForm, PersonalCodeLookupForm, PersonSearchForm
from edureg.people.models import Person

PAGE_SIZE = 50
ACCESS_PAGE_SIZE = 50


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    search = PersonSearchForm(request.GET or None)
    lookup = PersonalCodeLookupForm(request.POST or None)
    if request.method == "POST" and lookup.is_valid():
        person = selectors.person_by_code(
            actor=actor, personal_code=lookup.cleaned_data["personal_code"]
        )
        if person is not None:
            return redirect("people:detail", public_id=person.public_id)
        lookup.add_error("personal_code", _not_found_message())
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = page_shown(
        request,
        selectors.person_list(actor=actor, query=query),
        actor=actor,
        what="person.list",
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "people/person_list.html",
        {
            "search": search,
            "lookup": lookup,
            "page_obj": page,
            "query_string": f"q={query}" if query else "",
        },
    )


def _not_found_message() -> str:
    from django.utils.translation import gettext

    return gettext("No person with this code is within your reach.")


@login_required
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = Actor.for_user(request.user)
    person = selectors.person_get(actor=actor, public_id=public_id)
    as_of_form = AsOfForm(request.GET or None)
    shown: Person | None = person
    as_of: dt.date | None = None
    if as_of_form.is_valid() and as_of_form.cleaned_data["as_of"]:
        as_of = as_of_form.cleaned_data["as_of"]
        moment = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
        try:
            shown = person.history.as_of(moment)
        except person.DoesNotExist:
            shown = None
    rows = list(history_rows_for(person)[:50])
    recorded = changes_of("people.person", [row.history_id for row in rows])
    changes = readable(("people.person", recorded.get(row.history_id) or {}) for row in rows)
    versions = list(zip(rows, changes, strict=True))
    access = Paginator(access_log_for(person.public_id), ACCESS_PAGE_SIZE).get_page(
        request.GET.get("access_page")
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "shown": shown,
            "as_of": as_of,
            "as_of_form": as_of_form,
            "versions": versions,
            "access": access,
            "access_lines": access_lines(access.object_list, show_staff_names=True),
        },
    )

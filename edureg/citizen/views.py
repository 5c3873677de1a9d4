"""The citizen's own pages: their record and who accessed it. Demo sign-in lives here too."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from edureg.access.citizens import citizen_user_for
from edureg.core.audit import access_log_for
from edureg.core.context import Actor, ActorKind
from edureg.people import selectors as people_selectors
from edureg.people.models import Person

DEMO_PEOPLE_SHOWN = 12


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)
    if actor.kind != ActorKind.CITIZEN:
        raise Http404
    person = people_selectors.person_get(actor=actor, public_id=_own_public_id(actor))
    access = access_log_for(person.public_id, limit=100)
    return render(request, "citizen/my_data.html", {"person": person, "access": access})


def _own_public_id(actor: Actor) -> str:
    if actor.person_id is None:
        raise Http404
    public_id = (
        Person.objects.filter(pk=actor.person_id).values_list("public_id", flat=True).first()
    )
    if public_id is None:
        raise Http404
    return str(public_id)


@require_http_methods(["GET", "POST"])
def demo_identity_provider(request: HttpRequest) -> HttpResponse:
    """Stands in for the national e-identity gateway in demo mode: pick a person, sign in as
    them. Unreachable (404) when demo mode is off."""
    if not settings.DEMO_MODE:
        raise Http404
    if request.method == "POST":
        try:
            key = uuid.UUID(request.POST.get("person", ""))
        except ValueError as exc:
            raise Http404 from exc
        person = Person.objects.filter(public_id=key).first()
        if person is None:
            raise Http404
        login(
            request, citizen_user_for(person), backend="django.contrib.auth.backends.ModelBackend"
        )
        return redirect("citizen:my-data")
    people = Person.objects.filter(personal_code__isnull=False).order_by("id")[:DEMO_PEOPLE_SHOWN]
    return render(request, "citizen/demo_idp.html", {"people": people})

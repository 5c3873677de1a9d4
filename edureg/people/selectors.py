"""Reads of people. Every read of personal data is scoped to the actor and logged."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from edureg.core.audit import log_person_access
from edureg.core.context import Actor
from edureg.people.identity import looks_like_personal_code
from edureg.people.models import Person


def person_scope(*, actor: Actor) -> QuerySet[Person]:
    """The people `actor` may see. Until the access app's roles arrive: agency admins see all."""
    if actor.is_national_admin:
        return Person.objects.all()
    return Person.objects.none()


def person_list(*, actor: Actor, query: str = "") -> QuerySet[Person]:
    """People in scope, optionally narrowed by a name or personal-code search (not logged until
    shown: see `persons_shown`)."""
    people = person_scope(actor=actor).select_related("declared_municipality")
    query = query.strip()
    if looks_like_personal_code(query):
        return people.filter(personal_code=query)
    for word in query.split():
        people = people.filter(Q(given_names__icontains=word) | Q(family_name__icontains=word))
    return people


def persons_shown(*, actor: Actor, persons: Iterable[Person], what: str) -> None:
    """Log that these people's data was shown to `actor` (a page of a list, an export)."""
    log_person_access(actor=actor, person_public_ids=[p.public_id for p in persons], what=what)


def person_get(*, actor: Actor, public_id: uuid.UUID | str, what: str = "person.detail") -> Person:
    """One person in scope, logged as read; unknown and out-of-scope people are both 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    person = (
        person_scope(actor=actor)
        .select_related("declared_municipality")
        .filter(public_id=key)
        .first()
    )
    if person is None:
        raise Http404
    log_person_access(actor=actor, person_public_ids=[person.public_id], what=what)
    return person

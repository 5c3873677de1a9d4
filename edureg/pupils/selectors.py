"""Reads of the Pupil Register, scoped like every read of personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, holds_any, restrict
from edureg.core.audit import log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.pupils.models import Enrolment, Group, NvsFundingMark

PUPIL_AREAS = (FunctionArea.PUPIL_PERSONAL, FunctionArea.PUPIL_LEARNING)

# Enrolments are seen by their institution (with its branches), by the municipality of the
# institution and the municipality the pupil is declared in, nationally, and by the pupil.
ENROLMENT_PATHS = ScopePaths(
    institution=("institution",),
    municipality=("institution__municipality", "person__declared_municipality"),
    person="person",
)
GROUP_PATHS = ScopePaths(institution=("institution",), municipality=("institution__municipality",))
NVS_MARK_PATHS = ScopePaths(
    institution=("provider",),
    municipality=("provider__municipality", "person__declared_municipality"),
    person="person",
)
INSTITUTION_ITSELF = ScopePaths(institution=("pk",), municipality=("municipality",))


def institution_for_pupil_work(
    *,
    actor: Actor,
    institution: Institution,
    level: str = Level.MANAGER,
    area: str = FunctionArea.PUPIL_PERSONAL,
) -> Institution:
    """The institution if the actor keeps its pupils' data at `level` (404/403 otherwise)."""
    return get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[area],
        paths=INSTITUTION_ITSELF,
        level=level,
        pk=institution.pk,
    )


def group_list(*, actor: Actor, school_year: int | None = None) -> QuerySet[Group]:
    groups = restrict(
        Group.objects.select_related("institution", "programme"),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=GROUP_PATHS,
    )
    return groups.filter(school_year=school_year) if school_year else groups


def enrolment_list(
    *, actor: Actor, on: dt.date | None = None, open_only: bool = False
) -> QuerySet[Enrolment]:
    """Enrolments in scope; `on` keeps those valid that day."""
    enrolments = restrict(
        Enrolment.objects.select_related(
            "person", "person__declared_municipality", "group", "institution", "departure_reason"
        ),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=ENROLMENT_PATHS,
    )
    if open_only:
        enrolments = enrolments.filter(valid_to__isnull=True)
    if on is not None:
        enrolments = enrolments.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on)
        )
    return enrolments


def enrolment_get(*, actor: Actor, public_id: Any, level: str = Level.VIEWER) -> Enrolment:
    return get_in_scope(
        Enrolment.objects.select_related("person", "group", "institution"),
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        paths=ENROLMENT_PATHS,
        level=level,
        public_id=public_id,
    )


def nvs_marks(*, actor: Actor) -> QuerySet[NvsFundingMark]:
    return restrict(
        NvsFundingMark.objects.select_related("provider", "person"),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=NVS_MARK_PATHS,
    )


def today() -> dt.date:
    return timezone.localdate()


def person_for_enrolment(
    *, actor: Actor, personal_code: str | None = None, public_id: Any = None
) -> Person | None:
    """A person a school may enrol, found by personal code or public id whether or not the
    school sees them yet (a new pupil, a transfer). Only for actors who may enrol pupils
    somewhere; a found person is written to their access log, like any other read."""
    if actor.kind != ActorKind.SYSTEM and not holds_any(
        actor, [FunctionArea.PUPIL_PERSONAL], Level.MANAGER
    ):
        raise PermissionDenied
    if personal_code:
        person = Person.objects.filter(personal_code=personal_code).first()
    elif public_id:
        person = Person.objects.filter(public_id=public_id).first()
    else:
        person = None
    if person is not None:
        log_person_access(
            actor=actor, person_public_ids=[person.public_id], what="pupil.enrolment-lookup"
        )
    return person


# Learning data is seen like enrolments: by the institution that recorded it, the municipality
# of that institution or of the pupil's residence, nationally, and by the pupil.
LEARNING_PATHS = ScopePaths(
    institution=("institution",),
    municipality=("institution__municipality", "person__declared_municipality"),
    person="person",
)


def learning_records(model: type[Any], actor: Actor, person: Person) -> QuerySet[Any]:
    """A pupil's electives, achievements or special-needs levels within the actor's scope."""
    return restrict(
        model._default_manager.filter(person=person).select_related("institution"),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=LEARNING_PATHS,
    )


def managed_institutions(*, actor: Actor) -> QuerySet[Institution]:
    """The institutions whose pupils' data the actor keeps (manager level)."""
    return restrict(
        Institution.objects.all(),
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )

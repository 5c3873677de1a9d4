"""Reads of the Pupil Register, scoped like every read of personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, ensure_in_scope, get_in_scope, grant, restrict
from edureg.core.collation import name_order
from edureg.core.context import Actor
from edureg.core.db import columns, instance_from_json, json_rows
from edureg.institutions.models import Institution, Municipality
from edureg.people.models import Person
from edureg.people.selectors import person_to_register
from edureg.pupils.models import (
    Achievement,
    Elective,
    Enrolment,
    Group,
    GroupKind,
    NvsFundingMark,
    SpecialNeeds,
    in_force_on,
)

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
    """The institution if the actor keeps its pupils' data at `level` (404/403 otherwise);
    asked once per request for an institution."""
    ensure_in_scope(
        Institution,
        institution.pk,
        actor=actor,
        areas=[area],
        paths=INSTITUTION_ITSELF,
        level=level,
    )
    return institution


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
    return person_to_register(
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        what="pupil.enrolment-lookup",
        personal_code=personal_code,
        public_id=public_id,
    )


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


def learning_list(model: type[Any], actor: Actor) -> QuerySet[Any]:
    """Every pupil's electives, achievements or special-needs levels within the actor's scope
    (what an institution's system mirrors through the change feed)."""
    return restrict(
        model._default_manager.select_related("person", "institution"),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=LEARNING_PATHS,
    )


def institutions_in_view(*, actor: Actor) -> QuerySet[Institution]:
    """The institutions whose pupils the actor may see (viewer level): what the pupil list's
    institution picker offers."""
    return restrict(
        Institution.objects.all(), actor=actor, areas=PUPIL_AREAS, paths=INSTITUTION_ITSELF
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


# --- A municipality's view of its children ----------------------------------------------------

MUNICIPALITY_ITSELF = ScopePaths(municipality=("pk",))
# Where the children study: anywhere or nowhere, at a school of the municipality, at a school
# of another municipality, or nowhere (not enrolled in a general-education programme).
STUDIES_ANYWHERE, STUDIES_HERE, STUDIES_ELSEWHERE, NOT_ENROLLED = "", "here", "elsewhere", "none"


def municipalities_in_view(*, actor: Actor) -> QuerySet[Municipality]:
    """The municipalities whose children the actor may see: its municipality grants, or all of
    them nationally. Institution grants give none (a school sees its own pupils, not a town's)."""
    return restrict(
        Municipality.objects.order_by("name_lt"),
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        paths=MUNICIPALITY_ITSELF,
    )


def municipality_children(
    *,
    actor: Actor,
    municipality: Municipality,
    born_from: dt.date,
    born_until: dt.date,
    studies: str = STUDIES_ANYWHERE,
) -> QuerySet[Person]:
    """The children declared in `municipality` born in [born_from, born_until], each annotated
    with where they study a general-education programme now: `school_id`, `school_municipality_id`
    and `enrolment_id` of their general enrolment in force today (null when not enrolled
    anywhere today).

    The municipality must be in the actor's view (404 otherwise). A grant over a municipality
    covers every person declared there (see people.selectors.PERSON_PATHS), so the people are
    taken by declared municipality directly, without the scope's joins through enrolments.
    """
    municipality = get_in_scope(
        Municipality.objects.all(),
        actor=actor,
        areas=[FunctionArea.PUPIL_PERSONAL],
        paths=MUNICIPALITY_ITSELF,
        pk=municipality.pk,
    )
    # Where they study today: a move or departure dated ahead is not yet in effect (valid time).
    open_general = Enrolment.objects.filter(
        in_force_on(today()), person=OuterRef("pk"), kind=GroupKind.GENERAL
    ).order_by("-valid_from")
    children = (
        Person.objects.filter(
            declared_municipality=municipality,
            birth_date__gte=born_from,
            birth_date__lte=born_until,
            date_of_death__isnull=True,
        )
        .annotate(
            enrolment_id=Subquery(open_general.values("pk")[:1]),
            school_id=Subquery(open_general.values("institution_id")[:1]),
            school_municipality_id=Subquery(
                open_general.values("institution__municipality_id")[:1]
            ),
        )
        .order_by(*name_order())
    )
    if studies == STUDIES_HERE:
        return children.filter(school_municipality_id=municipality.pk)
    if studies == STUDIES_ELSEWHERE:
        return children.filter(school_municipality_id__isnull=False).exclude(
            school_municipality_id=municipality.pk
        )
    if studies == NOT_ENROLLED:
        return children.filter(enrolment_id__isnull=True)
    return children


def open_enrolments_by_pk(pks: Iterable[int]) -> dict[int, Enrolment]:
    """The enrolments a page of `municipality_children` refers to, in one query."""
    wanted = [pk for pk in pks if pk]
    return {
        e.pk: e
        for e in Enrolment.objects.filter(pk__in=wanted).select_related(
            "institution", "institution__municipality", "group"
        )
    }


# --- The pupil card: everything it shows about one person, in one statement --------------------


@dataclass
class PupilCard:
    """What the actor sees of one pupil: enrolments (clubs included) newest first, NVŠ funding
    marks by month, electives, achievements and special-needs levels."""

    person: Person
    enrolments: list[Enrolment]
    nvs_marks: list[NvsFundingMark]
    electives: list[Elective]
    achievements: list[Achievement]
    special_needs: list[SpecialNeeds]


_CLASSIFIER = ("id", "code", "name_lt", "name_en")


def _classifier(prefix: str) -> dict[str, str]:
    return {name: f"{prefix}{name}" for name in _CLASSIFIER}


def _group(prefix: str, *, directions: bool = False) -> dict[str, Any]:
    fields: dict[str, Any] = columns(Group, prefix)
    if directions:
        fields["directions"] = json_rows(
            Group.directions.through.objects.filter(group=OuterRef(f"{prefix}id")),
            per="group",
            **_classifier("classifiervalue__"),
        )
    return fields


def _in_scope_of(actor: Actor, model: type[Any], paths: ScopePaths) -> QuerySet[Any]:
    return restrict(
        model._default_manager.filter(person=OuterRef("pk")),
        actor=actor,
        areas=PUPIL_AREAS,
        paths=paths,
    )


def pupil_card(*, actor: Actor, person: Person) -> PupilCard:
    """The pupil card's records of `person` (read through `person_get`, which logs the read)
    in the actor's scope, in one statement whatever the length of the pupil's history: each
    table's rows come as a JSON array (see core.db)."""
    row = (
        Person.objects.filter(pk=person.pk)
        .values("pk")
        .annotate(
            enrolments=json_rows(
                _in_scope_of(actor, Enrolment, ENROLMENT_PATHS),
                per="person",
                **columns(
                    Enrolment, skip=["group", "institution", "departure_reason", "transferred_to"]
                ),
                group=_group("group__", directions=True),
                institution=columns(Institution, "institution__"),
                departure_reason=_classifier("departure_reason__"),
                transferred_to={
                    **columns(Enrolment, "transferred_to__", skip=["group", "institution"]),
                    "group": _group("transferred_to__group__"),
                    "institution": columns(Institution, "transferred_to__institution__"),
                },
            ),
            nvs_marks=json_rows(
                _in_scope_of(actor, NvsFundingMark, NVS_MARK_PATHS),
                per="person",
                **columns(NvsFundingMark, skip=["provider"]),
                provider=columns(Institution, "provider__"),
            ),
            electives=json_rows(
                _in_scope_of(actor, Elective, LEARNING_PATHS),
                per="person",
                **columns(Elective, skip=["institution", "course_level"]),
                institution=columns(Institution, "institution__"),
                course_level=_classifier("course_level__"),
            ),
            achievements=json_rows(
                _in_scope_of(actor, Achievement, LEARNING_PATHS),
                per="person",
                **columns(Achievement, skip=["institution"]),
                institution=columns(Institution, "institution__"),
            ),
            special_needs=json_rows(
                _in_scope_of(actor, SpecialNeeds, LEARNING_PATHS),
                per="person",
                **columns(SpecialNeeds, skip=["institution", "level"]),
                institution=columns(Institution, "institution__"),
                level=_classifier("level__"),
            ),
        )
        .get()
    )

    def load(model: type[Any], key: str, order: Any) -> list[Any]:
        items = [instance_from_json(model, item) for item in row[key]]
        for item in items:
            item.person = person
        return sorted(items, key=order)

    return PupilCard(
        person=person,
        enrolments=load(Enrolment, "enrolments", lambda e: (e.valid_from, e.pk))[::-1],
        nvs_marks=load(NvsFundingMark, "nvs_marks", lambda m: (m.month, m.pk)),
        electives=load(Elective, "electives", lambda e: (e.school_year, e.subject, e.pk)),
        achievements=load(Achievement, "achievements", lambda a: (a.achieved_on, a.pk)),
        special_needs=load(SpecialNeeds, "special_needs", lambda n: (n.valid_from, n.pk)),
    )


def manages(actor: Actor, institution: Institution) -> bool:
    """Whether the actor keeps this institution's pupils' data at manager level (as
    `managed_institutions` would answer), decided from the actor's roles without a query."""
    given = grant(actor, [FunctionArea.PUPIL_PERSONAL], Level.MANAGER)
    return (
        given.national
        or institution.pk in given.institution_ids
        or institution.municipality_id in given.municipality_ids
    )

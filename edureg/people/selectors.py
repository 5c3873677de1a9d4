"""Reads of people. Every read of personal data is scoped to the actor and logged."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, holds_any, restrict
from edureg.core.audit import log_person_access
from edureg.core.collation import Folded, fold, name_order
from edureg.core.context import Actor
from edureg.people.identity import looks_like_personal_code, normalise_personal_code
from edureg.people.models import Guardianship, Person

# A person's data belongs to the pupil and the student registers.
PERSON_AREAS = (FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA)

# How a person reaches institutions and municipalities: the institutions of their enrolments
# (the Pupil Register) and of their study rights (the Student Register), the municipalities of
# their schools, and the municipality they are declared resident in. Not the municipality of an
# HEI: municipalities keep schools, not higher education, so a municipality's grant does not
# reach students through the university in its territory.
PERSON_PATHS = ScopePaths(
    institution=("enrolments__institution", "study_rights__institution"),
    municipality=("declared_municipality", "enrolments__institution__municipality"),
    person="pk",
    distinct=True,
)


def person_scope(*, actor: Actor, level: str = Level.VIEWER) -> QuerySet[Person]:
    """The people `actor` may see (or, with level=manager, change)."""
    return restrict(
        Person.objects.all(), actor=actor, areas=PERSON_AREAS, paths=PERSON_PATHS, level=level
    )


def person_list(*, actor: Actor, query: str = "") -> QuerySet[Person]:
    """People in scope, optionally narrowed by a search of their names (logged when shown: see
    `persons_shown`). A search never matches personal codes: a search travels in the URL, and
    a personal code never does — look a person up by code with `person_by_code` (POST)."""
    people = person_scope(actor=actor).select_related("declared_municipality")
    if query.split():
        # Case and diacritics do not matter: "balciunas" finds Balčiūnas.
        people = people.annotate(
            _given_folded=Folded("given_names"), _family_folded=Folded("family_name")
        )
    for word in query.split():
        word = fold(word)
        people = people.filter(Q(_given_folded__contains=word) | Q(_family_folded__contains=word))
    return people.order_by(*name_order())


def person_by_code(*, actor: Actor, personal_code: str) -> Person | None:
    """The person in scope with this personal code (in any spelling of its digits), or None.
    For look-ups sent by POST; the person found is logged when shown."""
    code = normalise_personal_code(personal_code)
    if not looks_like_personal_code(code):
        return None
    return person_scope(actor=actor).filter(personal_code=code).first()


def persons_shown(*, actor: Actor, persons: Iterable[Person], what: str) -> None:
    """Log that these people's data was shown to `actor` (a page of a list, an export)."""
    log_person_access(actor=actor, person_public_ids=[p.public_id for p in persons], what=what)


def person_by_personal_code(code: str) -> Person | None:
    """The person holding this personal code, for identification (the citizen's sign-in, a
    registration look-up); no scope: callers decide who may ask. The code is compared in the
    one form it is stored in, whatever spelling of its digits was given."""
    code = normalise_personal_code(code)
    return Person.objects.filter(personal_code=code).first() if code else None


def person_to_register(
    *,
    actor: Actor,
    areas: Iterable[str],
    what: str,
    personal_code: str | None = None,
    public_id: uuid.UUID | str | None = None,
) -> Person | None:
    """The one way to find a person to register (enrol a pupil, admit a student): by personal
    code or public id, whether or not the actor sees them yet (a new pupil, a transfer, a new
    student). Only for actors who manage personal data in one of `areas` somewhere (else 403);
    a person found is written to their access log as `what`, like any other read."""
    if not holds_any(actor, areas, Level.MANAGER):
        raise PermissionDenied
    if personal_code:
        person = person_by_personal_code(personal_code)
    elif public_id:
        person = Person.objects.filter(public_id=public_id).first()
    else:
        person = None
    if person is not None:
        log_person_access(actor=actor, person_public_ids=[person.public_id], what=what)
    return person


def people_to_register(
    *, actor: Actor, areas: Iterable[str], what: str, personal_codes: Iterable[str]
) -> dict[str, Person]:
    """`person_to_register` for many personal codes at once (a file import): the people
    found, by code, in one read, each written to their access log as `what`."""
    if not holds_any(actor, areas, Level.MANAGER):
        raise PermissionDenied
    codes = {code.strip() for code in personal_codes if code and code.strip()}
    found = {p.personal_code: p for p in Person.objects.filter(personal_code__in=codes)}
    if found:
        log_person_access(
            actor=actor, person_public_ids=[p.public_id for p in found.values()], what=what
        )
    return found


def person_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    what: str = "person.detail",
    level: str = Level.VIEWER,
) -> Person:
    """One person in scope, logged as read. Unknown and out-of-scope people are both 404; a
    person in scope for viewing but not at `level` is 403."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    person = get_in_scope(
        Person.objects.select_related("declared_municipality"),
        actor=actor,
        areas=PERSON_AREAS,
        paths=PERSON_PATHS,
        level=level,
        public_id=key,
    )
    log_person_access(actor=actor, person_public_ids=[person.public_id], what=what)
    return person


# --- Guardianship ------------------------------------------------------------------------------


def wards_of(*, guardian_id: int, on: dt.date | None = None) -> QuerySet[Person]:
    """The children under 18 of whom this person is a parent or guardian on `on` (today).

    A citizen's own lookup of their relations; not a read of anyone's register data, so not
    logged (what the parent then opens of a child's data is)."""
    day = on or timezone.localdate()
    children = Guardianship.objects.of_minors(day).filter(guardian_id=guardian_id)
    return Person.objects.filter(pk__in=children.values("child_id")).order_by("birth_date", "pk")

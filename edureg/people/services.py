"""Writes to people. Every write validates fully, keeps a version and a change-log row."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from edureg.access import scoping
from edureg.access.models import Level
from edureg.core.context import Actor, acting_as
from edureg.core.upsert import Upserted, refusal, upsert_by_key
from edureg.institutions.models import Municipality
from edureg.people.identity import birth_date_from_code, normalise_personal_code, sex_from_code
from edureg.people.models import Guardianship, GuardianshipKind, Person, ResidencePermit
from edureg.people.selectors import PERSON_AREAS, PERSON_PATHS

EDITABLE_FIELDS = (
    "personal_code",
    "given_names",
    "family_name",
    "birth_date",
    "sex",
    "citizenship",
    "declared_municipality",
    "date_of_death",
)


def _check_may_register(actor: Actor) -> None:
    """Registering a person needs the manager level of pupil or student personal data."""
    if not scoping.holds_any(actor, PERSON_AREAS, Level.MANAGER):
        raise PermissionDenied(_("You may not register people."))


def _check_may_change(actor: Actor, person: Person) -> None:
    # 404 outside the scope, 403 in scope without the manager level.
    scoping.get_in_scope(
        Person.objects.all(),
        actor=actor,
        areas=PERSON_AREAS,
        paths=PERSON_PATHS,
        level=Level.MANAGER,
        pk=person.pk,
    )


def new_foreign_id() -> str:
    return f"U{secrets.randbelow(10**10):010d}"


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    given_names: str,
    family_name: str,
    personal_code: str | None = None,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    citizenship: str = "LT",
    declared_municipality: Municipality | None = None,
    date_of_death: dt.date | None = None,
) -> Person:
    """Register a person. With a personal code, missing birth date and sex are taken from it;
    entered ones must agree with it. Without a code the register assigns a foreign id."""
    _check_may_register(actor)
    personal_code = normalise_personal_code(personal_code or "") or None
    if personal_code:
        # None when the code states nothing or is invalid (full_clean below reports that)
        birth_date = birth_date or birth_date_from_code(personal_code)
        sex = sex or sex_from_code(personal_code)
    fields: dict[str, Any] = {
        "personal_code": personal_code,
        "given_names": given_names.strip(),
        "family_name": family_name.strip(),
        "birth_date": birth_date,  # may be None: full_clean reports it as a missing field
        "sex": sex or "",
        "citizenship": citizenship,
        "declared_municipality": declared_municipality,
        "date_of_death": date_of_death,
    }
    person = Person(**fields)
    if personal_code is None:
        person.foreign_id = new_foreign_id()
    with acting_as(actor):
        person.full_clean()
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    person.save()
                break
            except IntegrityError:
                if personal_code is not None:
                    raise
                person.foreign_id = new_foreign_id()
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **changes: Any) -> Person:
    """Change a person's data; names and residence keep their history as versions."""
    _check_may_change(actor, person)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value)
    if not person.personal_code:
        person.personal_code = None
        person.foreign_id = person.foreign_id or new_foreign_id()
    with acting_as(actor):
        person.full_clean()
        person.save()
    return person


# --- Guardianship --------------------------------------------------------------------------


def _check_may_keep_guardianships(actor: Actor, child: Person) -> None:
    """Relations come from the population register: its feed (a system actor) writes them;
    staff only with the manager level of the child's personal data (a system actor holds it)."""
    _check_may_change(actor, child)


@transaction.atomic
def guardianship_set(
    *,
    actor: Actor,
    guardian: Person,
    child: Person,
    valid_from: dt.date,
    kind: str = GuardianshipKind.PARENT,
    source: str = "",
) -> Guardianship:
    """Record that `guardian` is a parent or guardian of `child` from `valid_from`.

    Idempotent for a feed that repeats itself: when the pair's relation is already open, it is
    kept (its kind and source updated if they differ) instead of a second one opened."""
    _check_may_keep_guardianships(actor, child)
    if guardian.pk == child.pk:
        raise ValidationError({"guardian": [_("A person cannot be their own guardian.")]})
    open_relation = (
        Guardianship.objects.select_for_update()
        .filter(guardian=guardian, child=child, valid_to__isnull=True)
        .first()
    )
    with acting_as(actor):
        if open_relation is not None:
            if (open_relation.kind, open_relation.source) != (kind, source):
                open_relation.kind, open_relation.source = kind, source
                open_relation.full_clean()
                open_relation.save()
            return open_relation
        relation = Guardianship(
            guardian=guardian, child=child, kind=kind, valid_from=valid_from, source=source
        )
        relation.full_clean()
        relation.save()
    return relation


@transaction.atomic
def guardianship_end(
    *, actor: Actor, guardianship: Guardianship, valid_to: dt.date
) -> Guardianship:
    """End a relation: `valid_to` is the first day it no longer holds (a court decision, the
    population register's correction). Ending it again on the same day changes nothing."""
    relation = Guardianship.objects.select_for_update().get(pk=guardianship.pk)
    _check_may_keep_guardianships(actor, relation.child)
    if relation.valid_to == valid_to:
        return relation
    if relation.valid_to is not None:
        raise ValidationError({"valid_to": [_("The relation has already ended.")]})
    if valid_to <= relation.valid_from:
        raise ValidationError({"valid_to": [_("The end must come after the start.")]})
    relation.valid_to = valid_to
    with acting_as(actor):
        relation.full_clean()
        relation.save()
    return relation


# --- Residence permits (the foreigners register) ---------------------------------------------

PERMIT_FIELDS = ("kind", "valid_from", "valid_to")


@transaction.atomic
def residence_permit_upsert(
    *, actor: Actor, person: Person, source_system: str, local_id: str, values: dict[str, Any]
) -> Upserted[ResidencePermit]:
    """A residence permit as the foreigners register states it, keyed by its permit number
    (`local_id`): created, unchanged or updated (a prolonged or withdrawn permit). Like
    guardianship, only the register's feed or a manager of the person's data writes it."""
    _check_may_change(actor, person)
    values = {"valid_to": None, **values}
    if values["valid_to"] is not None and values["valid_to"] <= values["valid_from"]:
        raise ValidationError({"valid_to": [_("The end must come after the start.")]})

    def differs(permit: ResidencePermit) -> bool:
        if permit.person_id != person.pk:
            raise refusal("local_id", _("This permit number belongs to another person."))
        return any(getattr(permit, name) != values[name] for name in PERMIT_FIELDS)

    def write(permit: ResidencePermit | None = None) -> ResidencePermit:
        permit = permit or ResidencePermit(
            person=person, source_system=source_system, local_id=local_id
        )
        for name in PERMIT_FIELDS:
            setattr(permit, name, values[name])
        with acting_as(actor):
            permit.full_clean(validate_constraints=False)
            permit.save()
        return permit

    return upsert_by_key(
        scoped=ResidencePermit.objects.all(),
        source_system=source_system,
        local_id=local_id,
        versioned=False,
        differs=differs,
        create=write,
        update=write,
    )

"""Writes to the Pupil Register: groups, enrolment and movement, departures, NVŠ funding.

The legal rules enforced here (and, for the ones that must hold for every writer, in the
database as well):
- a pupil has at most one open general-education enrolment; enrolling at a new school while
  enrolled elsewhere is refused, naming the other school, unless the transfer is recorded;
- NVŠ and club enrolments may run in parallel;
- only one provider may mark NVŠ basket funding for a pupil for a month.
Writes about one pupil lock the pupil's row first, so concurrent requests about the same pupil
queue in a fixed order; the database constraints remain the last guard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import holds_any
from edureg.core.audit import log_person_access
from edureg.core.context import Actor, acting_as
from edureg.core.models import ClassifierValue
from edureg.core.transactions import service
from edureg.core.upsert import Upserted, refusal, upsert_by_key
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.pupils import selectors
from edureg.pupils.models import (
    Achievement,
    Elective,
    Enrolment,
    Group,
    GroupKind,
    NvsFundingMark,
    SpecialNeeds,
    not_ended_on,
)


def _check_institution(actor: Actor, institution: Institution) -> None:
    selectors.institution_for_pupil_work(actor=actor, institution=institution, level=Level.MANAGER)


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


@service
def group_create(
    *,
    actor: Actor,
    institution: Institution,
    school_year: int,
    name: str,
    kind: str,
    grade: str = "",
    **attributes: Any,
) -> Group:
    _check_institution(actor, institution)
    group = Group(
        institution=institution,
        school_year=school_year,
        name=name.strip(),
        kind=kind,
        grade=grade,
        **attributes,
    )
    with acting_as(actor):
        group.full_clean()
        group.save()
    return group


@service
def group_close(*, actor: Actor, group: Group, on: dt.date) -> Group:
    _check_institution(actor, group.institution)
    # Valid time: a pupil whose move or departure is dated after `on` is still in the group
    # that day, and one planned to join it would join a closed group.
    if group.enrolments.filter(not_ended_on(on)).exists():
        raise ValidationError({"closed_on": [_("Move or depart the group's pupils first.")]})
    with acting_as(actor):
        group.closed_on = on
        group.save()
    return group


def _open_general(person: Person) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("institution")
        .filter(person=person, kind=GroupKind.GENERAL, valid_to__isnull=True)
        .first()
    )


def school_year_end(group: Group) -> dt.date:
    """The first day after the group's school year (school years start on 1 September)."""
    return dt.date(group.school_year + 1, 9, 1)


def _check_school_year(group: Group, day: dt.date) -> None:
    """A pupil joins a group of a school year that has not ended by the day they join: a class
    of a past school year takes no new pupils (a record of the past keeps its own dates)."""
    if day >= school_year_end(group):
        raise ValidationError(
            {
                "group": [
                    _(
                        "The school year %(year)s–%(next)s of this group ended before "
                        "%(date)s: choose a group of the current or a later school year."
                    )
                    % {
                        "year": group.school_year,
                        "next": group.school_year + 1,
                        "date": day.isoformat(),
                    }
                ]
            }
        )


# The error code of "enrolled at another school": the UI offers to record the transfer.
ENROLLED_ELSEWHERE = "enrolled_elsewhere"


def _elsewhere_message(other: Enrolment) -> str:
    # The other school is named (institutions are public); nothing else about the pupil is.
    return _("The pupil is enrolled at %(school)s. Record the transfer to enrol them here.") % {
        "school": other.institution
    }


@service
def pupil_enrol(
    *,
    actor: Actor,
    person: Person,
    group: Group,
    valid_from: dt.date,
    contract_date: dt.date | None = None,
    transfer: bool = False,
    source_system: str = "",
    local_id: str = "",
) -> Enrolment:
    """Enrol a pupil in a group from a date. With `transfer`, an open general-education
    enrolment at another school ends that day and is linked to the new one, which that school
    sees in its records."""
    _check_institution(actor, group.institution)
    if group.closed_on is not None:
        raise ValidationError({"group": [_("This group is closed.")]})
    _check_school_year(group, valid_from)
    person = _lock_person(person)
    previous = None
    if group.kind == GroupKind.GENERAL:
        previous = _open_general(person)
        if previous is not None and previous.institution_id == group.institution_id:
            raise ValidationError(
                {"group": [_("The pupil is already enrolled in this school: move them instead.")]}
            )
        if previous is not None and not transfer:
            raise ValidationError(
                {"group": [ValidationError(_elsewhere_message(previous), code=ENROLLED_ELSEWHERE)]}
            )
        if previous is not None and valid_from < previous.valid_from:
            raise ValidationError(
                {"valid_from": [_("A transfer cannot start before the previous enrolment.")]}
            )
    enrolment = Enrolment(
        person=person,
        group=group,
        institution=group.institution,
        kind=group.kind,
        valid_from=valid_from,
        contract_date=contract_date,
        source_system=source_system,
        local_id=local_id,
    )
    with acting_as(actor):
        if previous is not None:
            previous.valid_to = valid_from
            previous.save()
        # The pupil, the group and its institution are rows in hand, and what the database
        # holds (one open general-education enrolment, a source key once) is checked by its
        # constraints under the pupil's lock: no query to validate them again.
        enrolment.full_clean(
            exclude=["person", "group", "institution"],
            validate_unique=False,
            validate_constraints=False,
        )
        enrolment.save()
        if previous is not None:
            previous.transferred_to = enrolment
            previous.save()
    return enrolment


# --- The school system's upsert -----------------------------------------------------------

# What identifies an enrolment's content in an upsert; the rest changes through the actions.
UPSERT_FIELDS = ("person", "group", "valid_from", "contract_date")


def person_to_enrol(*, actor: Actor, public_id: UUID, field: str = "person") -> Person:
    """The pupil a write is about (see selectors.person_for_enrolment); nothing about the
    person is answered, and the service decides whether the write is allowed."""
    person = selectors.person_for_enrolment(actor=actor, public_id=public_id)
    if person is None:
        raise unknown_person(field)
    return person


def group_to_enrol(*, actor: Actor, public_id: UUID, field: str = "group") -> Group:
    group = selectors.group_list(actor=actor).filter(public_id=public_id).first()
    if group is None:
        raise unknown_group(field)
    return group


def unknown_person(field: str = "person") -> ValidationError:
    """The refusal of a write about a person the register does not know (or, for a group,
    one the actor does not see): one definition for every channel."""
    return refusal(field, _("Unknown person."), "does_not_exist")


def unknown_group(field: str = "group") -> ValidationError:
    return refusal(field, _("Unknown group."), "does_not_exist")


def _public_id(value: Any) -> Any:
    """A pupil or group as sent: its public id, or the row a batch resolved it to."""
    return getattr(value, "public_id", value)


def _enrolment_differs(enrolment: Enrolment, values: Mapping[str, Any]) -> str | None:
    stored = {
        "person": enrolment.person.public_id,
        "group": enrolment.group.public_id,
        "valid_from": enrolment.valid_from,
        "contract_date": enrolment.contract_date,
    }
    given = {
        **{name: values.get(name) for name in UPSERT_FIELDS},
        "person": _public_id(values.get("person")),
        "group": _public_id(values.get("group")),
    }
    return next((name for name in UPSERT_FIELDS if stored[name] != given[name]), None)


def enrolment_batch_prepare(actor: Actor, batch: list[dict[str, Any]]) -> None:
    """Resolve the pupils and groups a batch of upserts names in two reads (the look-ups of
    the pupils logged once), so that each record need not read them again. What is not found
    is left as sent: that record is refused by `enrolment_upsert` as it would be alone."""
    if not holds_any(actor, [FunctionArea.PUPIL_PERSONAL], Level.MANAGER):
        return
    persons = {
        p.public_id: p
        for p in Person.objects.filter(public_id__in={_public_id(v["person"]) for v in batch})
    }
    groups = {
        g.public_id: g
        for g in selectors.group_list(actor=actor).filter(
            public_id__in={_public_id(v["group"]) for v in batch}
        )
    }
    log_person_access(actor=actor, person_public_ids=list(persons), what="pupil.enrolment-lookup")
    for values in batch:
        values["person"] = persons.get(_public_id(values["person"]), values["person"])
        values["group"] = groups.get(_public_id(values["group"]), values["group"])


def _enrolment_immutable(enrolment: Enrolment, values: Mapping[str, Any]) -> Enrolment:
    raise refusal(
        _enrolment_differs(enrolment, values) or "group",
        _(
            "An enrolment's pupil, group and dates do not change by upsert: move the pupil, or "
            "record the departure, with the enrolment's actions."
        ),
        "immutable",
    )


@service
def enrolment_upsert(
    *, actor: Actor, source_system: str, local_id: str, values: Mapping[str, Any]
) -> Upserted[Enrolment]:
    """Enrol a pupil keyed by the school system's (source system, local id), or confirm the
    stored enrolment.

    `values`: `person` and `group` (public ids), `valid_from`, `contract_date`, `transfer`,
    `version`. A new key enrols through `pupil_enrol`, which holds the rules. An existing
    enrolment changes only through its actions (move, depart), so an upsert of it writes
    nothing: identical content is unchanged, a stale `version` a conflict, and other content
    refused naming the field.
    """
    return upsert_by_key(
        scoped=selectors.enrolment_list(actor=actor),
        source_system=source_system,
        local_id=local_id,
        expected_version=values.get("version"),
        differs=lambda enrolment: _enrolment_differs(enrolment, values) is not None,
        create=lambda: pupil_enrol(
            actor=actor,
            person=values["person"]
            if isinstance(values["person"], Person)
            else person_to_enrol(actor=actor, public_id=values["person"]),
            group=values["group"]
            if isinstance(values["group"], Group)
            else group_to_enrol(actor=actor, public_id=values["group"]),
            valid_from=values["valid_from"],
            contract_date=values.get("contract_date"),
            transfer=values.get("transfer", False),
            source_system=source_system,
            local_id=local_id,
        ),
        update=lambda enrolment: _enrolment_immutable(enrolment, values),
        prepare=lambda rows: rows.select_related("person", "group"),
    )


@service
def pupil_register_and_enrol(
    *, actor: Actor, person_fields: dict[str, Any], group: Group, **enrolment: Any
) -> Enrolment:
    """Register a person new to the register and enrol them, all or nothing."""
    from edureg.people.services import person_create

    person = person_create(actor=actor, **person_fields)
    return pupil_enrol(actor=actor, person=person, group=group, **enrolment)


@service
def pupil_depart(
    *,
    actor: Actor,
    enrolment: Enrolment,
    on: dt.date,
    reason: ClassifierValue,
    order_number: str = "",
) -> Enrolment:
    """Išregistravimas: the enrolment ends on `on` with a reason from the classifier and the
    director's order number when an order was written."""
    _check_institution(actor, enrolment.institution)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.valid_to is not None:
        raise ValidationError({"valid_to": [_("The pupil has already left this group.")]})
    if on < enrolment.valid_from:
        raise ValidationError({"valid_to": [_("The departure cannot come before the enrolment.")]})
    with acting_as(actor):
        enrolment.valid_to = on
        enrolment.departure_reason = reason
        enrolment.departure_order_number = order_number.strip()
        enrolment.version += 1
        enrolment.full_clean()
        enrolment.save()
    return enrolment


@service
def pupil_move(*, actor: Actor, enrolment: Enrolment, group: Group, on: dt.date) -> Enrolment:
    """Move a pupil to another group of the same institution from a date."""
    _check_institution(actor, enrolment.institution)
    if group.institution_id != enrolment.institution_id:
        raise ValidationError({"group": [_("Moving to another school is a transfer.")]})
    if group.kind != enrolment.kind:
        raise ValidationError({"group": [_("The new group must be of the same kind.")]})
    _check_school_year(group, on)
    _lock_person(enrolment.person)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.valid_to is not None:
        raise ValidationError({"group": [_("The pupil has already left this group.")]})
    if on <= enrolment.valid_from:
        raise ValidationError({"valid_from": [_("The move must come after the enrolment began.")]})
    with acting_as(actor):
        # The school system's key follows the pupil to the enrolment that is now open.
        source_system, local_id = enrolment.source_system, enrolment.local_id
        enrolment.valid_to = on
        enrolment.version += 1
        enrolment.source_system = enrolment.local_id = ""
        enrolment.save()
        moved = Enrolment(
            person=enrolment.person,
            group=group,
            institution=group.institution,
            kind=group.kind,
            valid_from=on,
            contract_date=enrolment.contract_date,
            source_system=source_system,
            local_id=local_id,
        )
        moved.full_clean(validate_constraints=False)
        moved.save()
        enrolment.transferred_to = moved
        enrolment.save()
    return moved


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s month to `last`'s month, inclusive."""
    if last < first:
        raise ValidationError({"month_to": [_("The last month cannot come before the first.")]})
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


@service
def nvs_funding_mark(
    *,
    actor: Actor,
    person: Person,
    provider: Institution,
    months: Sequence[dt.date],
    basket: bool = False,
    municipal_funds: bool = False,
    state_funds: bool = False,
    other_funding: bool = False,
) -> list[NvsFundingMark]:
    """An NVŠ provider marks the pupil's funding kinds for these months. The basket may be
    marked by one provider only; the losing request learns that the basket is taken, not by
    whom."""
    _check_institution(actor, provider)
    if not (basket or municipal_funds or state_funds or other_funding):
        raise ValidationError({"basket": [_("Choose at least one funding kind.")]})
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        raise ValidationError({"months": [_("Choose the months.")]})
    if months[-1].year - months[0].year > 1:
        # Funding is marked school year by school year (at most two calendar years at once),
        # whoever sends it: the web form, the API, an import.
        raise ValidationError({"month_to": [_("Mark at most one school year at a time.")]})
    person = _lock_person(person)
    if basket:
        taken = (
            NvsFundingMark.objects.filter(person=person, month__in=months, basket=True)
            .exclude(provider=provider)
            .order_by("month")
            .values_list("month", flat=True)
        )
        if taken:
            raise ValidationError({"basket": [_basket_taken(taken[0])]})
    marks = []
    with acting_as(actor):
        for month in months:
            mark, _created = NvsFundingMark.objects.get_or_create(
                person=person,
                provider=provider,
                month=month,
                defaults={
                    "basket": basket,
                    "municipal_funds": municipal_funds,
                    "state_funds": state_funds,
                    "other_funding": other_funding,
                },
            )
            mark.basket, mark.municipal_funds = basket, municipal_funds
            mark.state_funds, mark.other_funding = state_funds, other_funding
            try:
                with transaction.atomic():
                    mark.save()
            except IntegrityError as exc:
                raise ValidationError({"basket": [_basket_taken(month)]}) from exc
            marks.append(mark)
    return marks


def _basket_taken(month: dt.date) -> str:
    return _(
        "NVŠ basket funding for this pupil for %(month)s is already marked by another provider."
    ) % {"month": month.strftime("%Y-%m")}


# --- Learning data -------------------------------------------------------------------------


def _check_learning(actor: Actor, institution: Institution, person: Person) -> None:
    """Learning data is recorded by a school the pupil is (or was) enrolled at."""
    selectors.institution_for_pupil_work(
        actor=actor,
        institution=institution,
        level=Level.MANAGER,
        area=FunctionArea.PUPIL_LEARNING,
    )
    if not Enrolment.objects.filter(person=person, institution=institution).exists():
        raise ValidationError({"person": [_("The pupil is not enrolled at this institution.")]})


@service
def elective_add(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    school_year: int,
    subject: str,
    course_level: ClassifierValue,
) -> Elective:
    """An elective with its course level (A advanced, B general)."""
    _check_learning(actor, institution, person)
    elective = Elective(
        person=person,
        institution=institution,
        school_year=school_year,
        subject=subject.strip(),
        course_level=course_level,
    )
    with acting_as(actor):
        elective.full_clean()
        elective.save()
    return elective


@service
def achievement_add(
    *, actor: Actor, person: Person, institution: Institution, **fields: Any
) -> Achievement:
    """An exam, olympiad or competition result recorded by the pupil's institution."""
    _check_learning(actor, institution, person)
    achievement = Achievement(person=person, institution=institution, **fields)
    with acting_as(actor):
        achievement.full_clean()
        achievement.save()
    return achievement


@service
def special_needs_set(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    level: ClassifierValue,
    valid_from: dt.date,
) -> SpecialNeeds:
    """A new special-needs level from a date; the level in force until then ends that day."""
    _check_learning(actor, institution, person)
    person = _lock_person(person)
    current = SpecialNeeds.objects.filter(person=person, valid_to__isnull=True).first()
    with acting_as(actor):
        if current is not None:
            if valid_from <= current.valid_from:
                raise ValidationError(
                    {"valid_from": [_("The new level must start after the one in force.")]}
                )
            current.valid_to = valid_from
            current.save()
        needs = SpecialNeeds(
            person=person, institution=institution, level=level, valid_from=valid_from
        )
        needs.full_clean()
        needs.save()
    return needs


@service
def group_directions_set(
    *, actor: Actor, group: Group, directions: Sequence[ClassifierValue]
) -> Group:
    """The directions and sub-directions of a club or NVŠ group."""
    _check_institution(actor, group.institution)
    if group.kind == GroupKind.GENERAL:
        raise ValidationError({"directions": [_("Only clubs and NVŠ groups have directions.")]})
    wrong = [
        d for d in directions if d.classifier.code not in ("nvs-direction", "nvs-subdirection")
    ]
    if wrong or not directions:
        raise ValidationError({"directions": [_("Choose NVŠ directions or sub-directions.")]})
    with acting_as(actor):
        group.directions.set(directions)
    return group

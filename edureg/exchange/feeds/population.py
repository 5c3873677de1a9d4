"""The population register's feed (Gyventojų registras): births, deaths, changes of name and of
declared residence, and guardianship.

A row is one event, keyed by the population register's event id (`local_id`); `event` is

- `birth` (`personal_code`, `given_names`, `family_name`, optionally `date`, `municipality`):
  the person is registered;
- `death` (`personal_code`, `date`): the date of death is recorded, open enrolments end that
  day (departure reason "death"), open study rights are terminated (reason "death");
- `name` (`personal_code`, `given_names`, `family_name`): the new name; the old one stays in
  the person's history;
- `residence` (`personal_code`, `municipality`, an ISO 3166-2 code such as `LT-57`): the
  declared municipality;
- `guardianship` (`personal_code` of the child, `guardian_personal_code`, `date`, optionally
  `relation`: `parent` or `guardian`): a parent or guardian from `date`;
- `guardianship_end` (the same, `date` the first day it no longer holds): the relation ends.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.exchange.feeds.base import Feed, date_of, not_found, refusal
from edureg.exchange.import_models import FeedKind, RowOutcome
from edureg.exchange.imports.services import Result
from edureg.institutions.models import Municipality
from edureg.people import services as people
from edureg.people.models import Guardianship, GuardianshipKind, Person

EVENTS = ("birth", "death", "name", "residence", "guardianship", "guardianship_end")
NEEDS = {
    "birth": ("personal_code", "given_names", "family_name"),
    "death": ("personal_code", "date"),
    "name": ("personal_code", "given_names", "family_name"),
    "residence": ("personal_code", "municipality"),
    "guardianship": ("personal_code", "guardian_personal_code", "date"),
    "guardianship_end": ("personal_code", "guardian_personal_code", "date"),
}
DEATH = "death"  # the code of the death reason in both classifiers


def _person(data: Mapping[str, str], field: str = "personal_code") -> Person:
    person = Person.objects.filter(personal_code=data[field]).first()
    if person is None:
        raise not_found(field)
    return person


def _municipality(data: Mapping[str, str]) -> Municipality | None:
    if not data.get("municipality"):
        return None
    found = Municipality.objects.filter(code=data["municipality"].upper()).first()
    if found is None:
        raise refusal(
            "municipality", "unknown_municipality", _("No such municipality (ISO 3166-2 code).")
        )
    return found


def _reason(classifier: str) -> ClassifierValue:
    reason = ClassifierValue.objects.of(classifier).filter(code=DEATH).first()
    if reason is None:
        raise refusal(
            "event",
            "reason_missing",
            _("The classifier %(classifier)s has no value “death”.") % {"classifier": classifier},
        )
    return reason


def person_death_apply(*, actor: Actor, person: Person, on: object) -> bool:
    """A death: the date is recorded, and what the person still has open in the registers ends
    that day through the registers' own services — each open enrolment by a departure with the
    reason "death", each open study right by a termination with the reason "death". Returns
    whether anything was written. The caller's savepoint makes it whole or nothing."""
    from edureg.pupils import services as pupils
    from edureg.pupils.models import Enrolment
    from edureg.students import services as students
    from edureg.students.models import END_STATUSES, StudyRight

    changed = False
    if person.date_of_death != on:
        people.person_update(actor=actor, person=person, date_of_death=on)
        changed = True
    enrolments = list(
        Enrolment.objects.filter(person=person, valid_to__isnull=True).select_related("institution")
    )
    if enrolments:
        reason = _reason("departure-reason")
        for enrolment in enrolments:
            pupils.pupil_depart(actor=actor, enrolment=enrolment, on=on, reason=reason)
        changed = True
    rights = list(StudyRight.objects.filter(person=person).exclude(status__in=END_STATUSES))
    if rights:
        reason = _reason("study-termination-reason")
        for right in rights:
            students.terminate(actor=actor, study_right=right, on=on, reasons=[reason])
        changed = True
    return changed


class PopulationFeed(Feed):
    kind = FeedKind.POPULATION
    slug = "population"
    source_system = "gyventoju-registras"
    required = ("local_id", "event")
    optional = (
        "personal_code",
        "date",
        "given_names",
        "family_name",
        "municipality",
        "guardian_personal_code",
        "relation",
    )
    dates = frozenset({"date"})
    personal_codes = ("personal_code", "guardian_personal_code")
    choices = {"event": EVENTS, "relation": tuple(GuardianshipKind.values)}

    def required_for(self, data: Mapping[str, str]) -> tuple[str, ...]:
        return NEEDS.get(data.get("event", ""), ())

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        event = data["event"]
        if event == "birth":
            return self._birth(actor, data)
        person = _person(data)
        changed = getattr(self, f"_{event}")(actor, person, data)
        if isinstance(changed, str):  # a new record of its own (a relation)
            return Result(changed, record_id=person.public_id)
        outcome = RowOutcome.UPDATED if changed else RowOutcome.UNCHANGED
        return Result(outcome, record_id=person.public_id)

    def _birth(self, actor: Actor, data: Mapping[str, str]) -> Result:
        names = (data["given_names"].strip(), data["family_name"].strip())
        existing = Person.objects.filter(personal_code=data["personal_code"]).first()
        if existing is not None:
            if (existing.given_names, existing.family_name) == names:
                return Result(RowOutcome.UNCHANGED, record_id=existing.public_id)
            raise refusal(
                "personal_code",
                "already_registered",
                _("A person with this personal code is registered under another name."),
            )
        person = people.person_create(
            actor=actor,
            personal_code=data["personal_code"],
            given_names=names[0],
            family_name=names[1],
            birth_date=date_of(data, "date"),
            declared_municipality=_municipality(data),
        )
        return Result(RowOutcome.CREATED, record_id=person.public_id)

    def _death(self, actor: Actor, person: Person, data: Mapping[str, str]) -> bool:
        return person_death_apply(actor=actor, person=person, on=date_of(data, "date"))

    def _name(self, actor: Actor, person: Person, data: Mapping[str, str]) -> bool:
        names = {"given_names": data["given_names"], "family_name": data["family_name"]}
        if all(getattr(person, k) == v.strip() for k, v in names.items()):
            return False
        people.person_update(actor=actor, person=person, **{k: v.strip() for k, v in names.items()})
        return True

    def _residence(self, actor: Actor, person: Person, data: Mapping[str, str]) -> bool:
        municipality = _municipality(data)
        if person.declared_municipality_id == getattr(municipality, "pk", None):
            return False
        people.person_update(actor=actor, person=person, declared_municipality=municipality)
        return True

    def _guardianship(self, actor: Actor, person: Person, data: Mapping[str, str]) -> bool | str:
        guardian = _person(data, "guardian_personal_code")
        before = Guardianship.objects.filter(
            guardian=guardian, child=person, valid_to__isnull=True
        ).first()
        kind = data.get("relation") or GuardianshipKind.PARENT
        people.guardianship_set(
            actor=actor,
            guardian=guardian,
            child=person,
            valid_from=date_of(data, "date"),
            kind=kind,
            source=self.source_system,
        )
        if before is None:
            return RowOutcome.CREATED
        return (before.kind, before.source) != (kind, self.source_system)

    def _guardianship_end(self, actor: Actor, person: Person, data: Mapping[str, str]) -> bool:
        guardian = _person(data, "guardian_personal_code")
        on = date_of(data, "date")
        relation = (
            Guardianship.objects.filter(guardian=guardian, child=person)
            .filter(valid_to__isnull=True)
            .first()
            or Guardianship.objects.filter(guardian=guardian, child=person, valid_to=on).first()
        )
        if relation is None:
            raise refusal(
                "guardian_personal_code",
                "not_found",
                _("The population register's data holds no such relation."),
            )
        if relation.valid_to == on:
            return False
        people.guardianship_end(actor=actor, guardianship=relation, valid_to=on)
        return True

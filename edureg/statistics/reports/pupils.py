"""Reports of the Pupil Register.

Stocks (pupils, NVŠ participants, children not enrolled) are counted on the census day of the
school year (`base.census_day`); events (moves, departures, basket months) over the school year
[1 September, next 1 September). A pupil has at most one general-education enrolment open on any
day (the register's rule), so a count of enrolments valid on the census day is a count of pupils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from edureg.access.models import FunctionArea
from edureg.access.scoping import ScopePaths, restrict
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Municipality
from edureg.people.models import Person
from edureg.programmes.models import ProgrammeKind
from edureg.pupils.models import GRADE_ORDER, Enrolment, Grade, GroupKind, NvsFundingMark
from edureg.statistics.reports.base import (
    PUPILS,
    Dimension,
    Filters,
    Key,
    Report,
    Table,
    build_table,
    choice_labels,
    institution_labels,
    language_labels,
    model_labels,
    plain_labels,
    register,
    valid_on,
)

LEVELS: dict[str, tuple[str, ...]] = {
    ProgrammeKind.PRESCHOOL: ("preschool",),
    ProgrammeKind.PREPRIMARY: ("preprimary",),
    ProgrammeKind.PRIMARY: ("1", "2", "3", "4"),
    ProgrammeKind.BASIC: ("5", "6", "7", "8", "9", "10"),
    ProgrammeKind.SECONDARY: ("11", "12"),
}
LEVEL_CHOICES = [(kind.value, kind.label) for kind in ProgrammeKind if kind.value in LEVELS]

MUNICIPALITY = Dimension(
    gettext_lazy("Municipality"), "institution__municipality", model_labels(Municipality)
)
INSTITUTION = Dimension(gettext_lazy("Institution"), "institution", institution_labels)
INSTITUTION_TYPE = Dimension(
    gettext_lazy("Institution type"), "institution__main_type", model_labels(ClassifierValue)
)
GRADE = Dimension(
    gettext_lazy("Grade"),
    "group__grade",
    choice_labels(Grade),
    order=GRADE_ORDER,
)
LANGUAGE = Dimension(gettext_lazy("Language of instruction"), "group__language", language_labels)


def _month_labels(keys: Iterable[Key]) -> dict[Key, str]:
    return {key: key.strftime("%Y-%m") if isinstance(key, dt.date) else str(key) for key in keys}


class PupilReport(Report):
    register = PUPILS
    level_lookup = "group__grade"
    levels = LEVELS


@register
class PupilsReport(PupilReport):
    slug = "pupils"
    title = gettext_lazy("Pupils by grade, language of instruction and municipality")
    description = gettext_lazy(
        "Pupils in general-education classes and groups on the census day (1 October), by grade."
    )
    rows = {
        "municipality": MUNICIPALITY,
        "language": LANGUAGE,
        "institution": INSTITUTION,
        "institution_type": INSTITUTION_TYPE,
    }
    column = GRADE

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Enrolment.objects.filter(valid_on(filters.census), kind=GroupKind.GENERAL)


@register
class MovementReport(PupilReport):
    slug = "movement"
    title = gettext_lazy("Movement between schools and municipalities")
    description = gettext_lazy(
        "Pupils who left a school for another one during the school year: where they came "
        "from (rows) and where they went (columns)."
    )
    unit = gettext_lazy("moves")
    rows = {
        "municipality": MUNICIPALITY,
        "institution": INSTITUTION,
    }
    column = MUNICIPALITY
    chart = "flow"
    # Seen by the school (or territory) the pupil left and by the one they went to.
    institution_lookups = ("institution", "transferred_to__institution")

    TO_MUNICIPALITY = Dimension(
        gettext_lazy("Went to the municipality"),
        "transferred_to__institution__municipality",
        model_labels(Municipality),
    )
    TO_INSTITUTION = Dimension(
        gettext_lazy("Went to the institution"), "transferred_to__institution", institution_labels
    )

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            transferred_to__isnull=False,
            valid_to__gte=filters.start,
            valid_to__lt=filters.end,
        ).exclude(transferred_to__institution=F("institution"))

    def narrowed(self, actor: Actor, filters: Filters) -> QuerySet[Any]:
        queryset = super().narrowed(actor, replace_municipality(filters))
        if filters.municipality is not None:
            # Moves out of the municipality and into it.
            queryset = queryset.filter(
                Q(institution__municipality=filters.municipality)
                | Q(transferred_to__institution__municipality=filters.municipality)
            )
        return queryset

    def table(self, actor: Actor, filters: Filters) -> Table:
        queryset = self.narrowed(actor, filters)
        by_institution = filters.rows == "institution"
        row = INSTITUTION if by_institution else MUNICIPALITY
        row = Dimension(
            gettext_lazy("Left the institution")
            if by_institution
            else gettext_lazy("Left the municipality"),
            row.lookup,
            row.labels,
        )
        column = self.TO_INSTITUTION if by_institution else self.TO_MUNICIPALITY
        return build_table(
            self.triples(queryset, row, column), row=row, column=column, unit=str(self.unit)
        )


def replace_municipality(filters: Filters) -> Filters:
    from dataclasses import replace

    return replace(filters, municipality=None)


@register
class DeparturesReport(PupilReport):
    slug = "departures"
    title = gettext_lazy("Departures by reason")
    description = gettext_lazy(
        "Pupils' departures from general education recorded during the school year, by the "
        "reason given and the grade they left."
    )
    unit = gettext_lazy("departures")
    rows = {
        "reason": Dimension(
            gettext_lazy("Reason"), "departure_reason", model_labels(ClassifierValue)
        ),
        "municipality": MUNICIPALITY,
        "institution": INSTITUTION,
    }
    column = GRADE

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            departure_reason__isnull=False,
            valid_to__gte=filters.start,
            valid_to__lt=filters.end,
        )


# Compulsory education: from the year a child turns 7 until 16.
SCHOOL_AGE = range(7, 17)


def age_on(day: dt.date, born: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@register
class NotEnrolledReport(PupilReport):
    slug = "not-enrolled"
    title = gettext_lazy("Children not enrolled anywhere, by municipality")
    description = gettext_lazy(
        "Children of compulsory school age (7–16 on 1 September) declared in a municipality "
        "who had no general-education enrolment anywhere on the census day."
    )
    unit = gettext_lazy("children")
    rows = {
        "municipality": Dimension(
            gettext_lazy("Municipality of residence"),
            "declared_municipality",
            model_labels(Municipality),
        )
    }
    column = Dimension(
        gettext_lazy("Age on 1 September"),
        "age",
        plain_labels,
        order=list(SCHOOL_AGE),
        complete=True,
    )
    levels = None
    level_lookup = ""

    def people(self, actor: Actor, filters: Filters) -> QuerySet[Person]:
        start = filters.start
        oldest_born = dt.date(start.year - SCHOOL_AGE.stop, start.month, start.day) + dt.timedelta(
            days=1
        )
        youngest_born = dt.date(start.year - SCHOOL_AGE.start, start.month, start.day)
        enrolled = Enrolment.objects.filter(
            valid_on(filters.census), person=OuterRef("pk"), kind=GroupKind.GENERAL
        )
        people = Person.objects.filter(
            declared_municipality__isnull=False,
            birth_date__gte=oldest_born,
            birth_date__lte=youngest_born,
        ).filter(Q(date_of_death__isnull=True) | Q(date_of_death__gt=filters.census))
        # Residents are a municipality's own: a school's grant does not cover a town's children.
        people = restrict(
            people,
            actor=actor,
            areas=[FunctionArea.STATISTICS],
            paths=ScopePaths(municipality=("declared_municipality",)),
        )
        if filters.municipality is not None:
            people = people.filter(declared_municipality=filters.municipality)
        return people.filter(~Exists(enrolled))

    def table(self, actor: Actor, filters: Filters) -> Table:
        # Ages are whole years on 1 September: grouped by birth date in SQL, then by age.
        start = filters.start
        rows = (
            self.people(actor, filters)
            .values("declared_municipality", "birth_date")
            .annotate(n=Count("pk"))
            .order_by()
        )
        triples = [
            (item["declared_municipality"], age_on(start, item["birth_date"]), item["n"])
            for item in rows
        ]
        row = self.rows["municipality"]
        return build_table(triples, row=row, column=self.column, unit=str(self.unit))


@register
class NvsParticipationReport(PupilReport):
    slug = "nvs-participation"
    title = gettext_lazy("NVŠ participation")
    description = gettext_lazy(
        "Participations in non-formal children's education (NVŠ) groups on the census day, by "
        "the provider's municipality and the child's age (a child in two groups counts twice)."
    )
    unit = gettext_lazy("participations")
    rows = {"municipality": MUNICIPALITY, "institution": INSTITUTION}
    column = Dimension(gettext_lazy("Age on 1 September"), "age", plain_labels)
    levels = None
    level_lookup = ""

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Enrolment.objects.filter(valid_on(filters.census), kind=GroupKind.NVS)

    def table(self, actor: Actor, filters: Filters) -> Table:
        row = self.row_dimension(filters)
        items = (
            self.narrowed(actor, filters)
            .values(r=F(row.lookup), born=F("person__birth_date"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        triples = [(i["r"], age_on(filters.start, i["born"]), i["n"]) for i in items]
        return build_table(triples, row=row, column=self.column, unit=str(self.unit))


@register
class NvsBasketReport(PupilReport):
    slug = "nvs-basket"
    title = gettext_lazy("NVŠ basket funding")
    description = gettext_lazy(
        "Pupils whose NVŠ basket (targeted funding) a provider marked, per month of the school "
        "year, by the provider's municipality or the provider. Only one provider may mark a "
        "pupil's basket in a month, so each pupil counts once a month."
    )
    unit = gettext_lazy("pupils")
    rows = {
        "municipality": Dimension(
            gettext_lazy("Municipality"), "provider__municipality", model_labels(Municipality)
        ),
        "institution": Dimension(gettext_lazy("Provider"), "provider", institution_labels),
    }
    column = Dimension(gettext_lazy("Month"), "month", _month_labels)
    institution_lookups = ("provider",)
    institution_lookup = "provider"
    levels = None
    level_lookup = ""
    chart = "line"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return NvsFundingMark.objects.filter(
            basket=True, month__gte=filters.start, month__lt=filters.end
        )

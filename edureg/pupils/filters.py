"""The one filter of the pupil list, shared by the web page, its CSV and XLSX exports (and the
API when it comes). The queryset it narrows is always `selectors.enrolment_list(actor=…)`, so a
filter can only narrow what the actor may see, never widen it."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core.pickers import PickerFilter
from edureg.institutions.models import Institution
from edureg.institutions.pickers import INSTITUTION
from edureg.pupils import selectors
from edureg.pupils.models import Enrolment, Grade, GroupKind, in_force_on

STATUS_OPEN = "open"
STATUS_LEFT = "left"
STATUS_PLANNED = "planned"
STATUS_CHOICES = [
    (STATUS_OPEN, _("studying")),
    (STATUS_PLANNED, _("planned")),
    (STATUS_LEFT, _("left")),
]


def with_study_municipality(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `study_municipality_id`: the municipality of the institution where the pupil
    studies the general-education programme today (their general enrolment in force today: a
    move dated ahead is not in effect yet), which the
    register's lists show. Only the municipality is exposed, never the other school: it is what
    a municipality needs to plan, and institutions are public anyway."""
    open_general = (
        Enrolment.objects.filter(in_force_on(selectors.today()), person=OuterRef("person"))
        .filter(kind=GroupKind.GENERAL)
        .order_by("-valid_from")
        .values("institution__municipality_id")[:1]
    )
    return enrolments.annotate(study_municipality_id=Subquery(open_general))


class EnrolmentFilter(django_filters.FilterSet):
    """Filters of the pupil list. Invalid input narrows to nothing (see the views), never to
    everything."""

    # Picked by name on the page; systems and links send the register id.
    institution = PickerFilter(
        field_name="institution",
        picker=INSTITUTION,
        queryset=Institution.objects.all(),
        url="pupils:pick-institution",
        label=_("Institution"),
        help_text=_("A name, or the register id."),
    )
    group = django_filters.CharFilter(
        field_name="group__name",
        lookup_expr="iexact",
        label=pgettext_lazy("pupil group", "Group"),
        help_text=_("The group's name, e.g. 5a."),
    )
    grade = django_filters.ChoiceFilter(
        field_name="group__grade", choices=Grade.choices, label=_("Grade")
    )
    kind = django_filters.ChoiceFilter(choices=GroupKind.choices, label=_("Group kind"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label=_("Status")
    )
    valid_on = django_filters.DateFilter(
        method="by_date",
        label=_("Valid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only enrolments in force on this day."),
    )

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def by_status(self, queryset: QuerySet[Enrolment], name: str, value: str) -> QuerySet:
        # Valid time on today: a move or departure dated ahead is planned, not in effect; the
        # pupil studies in the current class until that day and is "planned" in the next one.
        day = selectors.today()
        if value == STATUS_OPEN:
            return queryset.filter(in_force_on(day))
        if value == STATUS_PLANNED:
            return queryset.filter(valid_from__gt=day)
        if value == STATUS_LEFT:
            return queryset.filter(valid_to__lte=day)
        return queryset

    def by_date(self, queryset: QuerySet[Enrolment], name: str, value: dt.date) -> QuerySet:
        # Intervals are [valid_from, valid_to): the departure day no longer counts.
        return queryset.filter(valid_from__lte=value).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=value)
        )

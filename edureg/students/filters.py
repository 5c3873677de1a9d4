"""The one filter of study rights, shared by the student list page, its CSV and XLSX exports and
the API's list. The queryset it narrows is always `selectors.student_rights_in_scope(actor=…)`,
so a filter can only narrow what the actor may see, never widen it."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from edureg.core.pickers import PickerFilter
from edureg.institutions.models import Institution
from edureg.institutions.pickers import INSTITUTION
from edureg.programmes.models import Programme, ProgrammeKind, StudyCycle
from edureg.programmes.pickers import PROGRAMME, with_names
from edureg.students.models import MAX_COURSE, StudyForm, StudyRight, StudyStatus

DATE = forms.DateInput(attrs={"type": "date"})
COURSES = range(1, MAX_COURSE + 1)


class StudyRightFilter(django_filters.FilterSet):
    """Filters of the student list. Invalid input narrows to nothing (see the views), never to
    everything."""

    # Picked by name on the page; systems and links send the register id and the state code.
    institution = PickerFilter(
        field_name="institution",
        picker=INSTITUTION,
        queryset=Institution.objects.all(),
        url="students:pick-institution",
        label=_("Institution"),
        help_text=_("A name, or the register id."),
    )
    programme = PickerFilter(
        field_name="programme",
        picker=PROGRAMME,
        queryset=with_names(Programme.objects.filter(kind=ProgrammeKind.STUDY)),
        url="programmes:pick-study-programme",
        label=_("Study programme"),
        help_text=_("A name, or the state code."),
    )
    status = django_filters.ChoiceFilter(choices=StudyStatus.choices, label=_("Status"))
    form = django_filters.ChoiceFilter(choices=StudyForm.choices, label=_("Study form"))
    cycle = django_filters.ChoiceFilter(choices=StudyCycle.choices, label=_("Study cycle"))
    course = django_filters.NumberFilter(
        field_name="course",
        label=_("Course"),
        widget=forms.Select(choices=[("", "---------")] + [(n, n) for n in COURSES]),
    )
    started_from = django_filters.DateFilter(
        field_name="started_on", lookup_expr="gte", label=_("Started from"), widget=DATE
    )
    started_to = django_filters.DateFilter(
        field_name="started_on", lookup_expr="lte", label=_("Started until"), widget=DATE
    )

    # What systems filter by (the API); kept out of sight on the web page.
    person = django_filters.UUIDFilter(
        field_name="person__public_id", label=_("Student public id"), widget=forms.HiddenInput
    )
    started_since = django_filters.DateFilter(
        field_name="started_on",
        lookup_expr="gte",
        label=_("Started on or after"),
        widget=forms.HiddenInput,
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Changed at or after (ISO 8601)"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = StudyRight
        fields: list[str] = []

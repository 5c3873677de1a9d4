"""Forms of the Student Register's web pages. They parse and check input shapes only; the rules
of the register are the services' (their errors are shown on these forms' fields).

Finding a person by personal code and registering a new one reuse the Pupil Register's forms:
a person is the same record in both registers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core.forms import DATE, ValueChoiceField, country_choices
from edureg.core.models import ClassifierValue
from edureg.core.pickers import PickerField
from edureg.institutions.models import Institution
from edureg.programmes.pickers import (
    PROGRAMME,
    QUALIFICATION,
    qualifications,
    registered_study_programmes,
)
from edureg.students.models import (
    MAX_COURSE,
    MAX_SEMESTER,
    LoanKind,
    PriorEducationKind,
    ScholarshipKind,
    StatusPeriod,
    StudyForm,
)
from edureg.students.services import FUNDING_SOURCES, LEAVE_REASONS, TERMINATION_REASONS

COURSE_CHOICES = [(n, str(n)) for n in range(1, MAX_COURSE + 1)]


def _values(code_list: str, today: dt.date) -> QuerySet[ClassifierValue]:
    return ClassifierValue.objects.of(code_list).valid_on(today).order_by("sort_order", "code")


class ReasonsField(forms.ModelMultipleChoiceField):
    """One or more classifier values by their codes, as checkboxes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=ClassifierValue.objects.none(),
            to_field_name="code",
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


def programme_field() -> PickerField:
    """A registered study programme, picked by name (or its state code); a list of every
    programme would be too long to choose from."""
    return PickerField(
        picker=PROGRAMME,
        queryset=registered_study_programmes(),
        url="programmes:pick-study-programme",
        label=_("Study programme"),
    )


class ActionForm(forms.Form):
    """A form of one action on the student card; the prefix keeps its fields apart from the
    other forms on the same page."""

    def __init__(self, *args: Any, today: dt.date, prefix: str, **kwargs: Any) -> None:
        kwargs["prefix"] = prefix
        super().__init__(*args, **kwargs)
        self.today = today
        if "on" in self.fields:
            self.fields["on"].initial = today


class StudyRightOpenForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, required=False)
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(), label=_("Higher education institution")
    )
    programme = programme_field()
    form = forms.ChoiceField(label=_("Study form"), choices=StudyForm.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    course = forms.TypedChoiceField(
        label=_("Course"), choices=COURSE_CHOICES, coerce=int, initial=1
    )
    expected_end = forms.DateField(label=_("Expected end"), required=False, widget=DATE)
    funding_source = ValueChoiceField(
        queryset=ClassifierValue.objects.none(), label=_("Funding source"), required=False
    )
    admission_basis = forms.CharField(label=_("Admission basis"), max_length=200, required=False)
    student_card_number = forms.CharField(
        label=_("Student card number"), max_length=50, required=False
    )

    def __init__(
        self, *args: Any, institutions: QuerySet[Institution], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
        self.fields["funding_source"].queryset = _values(FUNDING_SOURCES, today)  # type: ignore[attr-defined]

    def study_right_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("person", None)
        return data


class LeaveStartForm(ActionForm):
    on = forms.DateField(label=_("Leave from"), widget=DATE)
    leave_reason = ValueChoiceField(queryset=ClassifierValue.objects.none(), label=_("Reason"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leave_reason"].queryset = _values(LEAVE_REASONS, self.today)  # type: ignore[attr-defined]


class LeaveEndForm(ActionForm):
    on = forms.DateField(label=_("Returned on"), widget=DATE)
    course = forms.TypedChoiceField(
        label=_("Course returned to"),
        choices=[("", "—"), *COURSE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only if the student returns to another course."),
    )


class InterruptionStartForm(ActionForm):
    on = forms.DateField(label=_("Interrupted from"), widget=DATE)
    reasons = ReasonsField(label=_("Reasons"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reasons"].queryset = _values(TERMINATION_REASONS, self.today)  # type: ignore[attr-defined]


class InterruptionEndForm(ActionForm):
    on = forms.DateField(label=_("Returned on"), widget=DATE)
    course = forms.TypedChoiceField(
        label=_("Course returned to"), choices=COURSE_CHOICES, coerce=int
    )


class TerminateForm(InterruptionStartForm):
    on = forms.DateField(
        label=_("Terminated on"),
        widget=DATE,
        help_text=_("The first day the person is no longer a student."),
    )


class GraduateForm(ActionForm):
    on = forms.DateField(label=_("Graduated on"), widget=DATE)
    qualification = PickerField(
        picker=QUALIFICATION,
        queryset=qualifications(),
        url="programmes:pick-qualification",
        label=_("Qualification"),
        required=False,
    )
    degree = forms.CharField(label=_("Degree awarded"), max_length=300)
    thesis_title = forms.CharField(label=_("Final thesis title"), max_length=500, required=False)
    diploma_reference = forms.CharField(
        label=_("Diploma reference"), max_length=100, required=False
    )


class TransferForm(ActionForm):
    on = forms.DateField(
        label=_("Transferred on"), widget=DATE, help_text=_("The first day in the new programme.")
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(), label=_("Higher education institution")
    )
    programme = programme_field()
    form = forms.ChoiceField(
        label=_("Study form"), choices=[("", _("unchanged")), *StudyForm.choices], required=False
    )
    course = forms.TypedChoiceField(
        label=_("Course"),
        choices=[("", _("unchanged")), *COURSE_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    student_card_number = forms.CharField(
        label=_("Student card number"), max_length=50, required=False
    )

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        period: StatusPeriod = obj
        until = period.valid_to.isoformat() if period.valid_to else "…"
        return f"{period.get_status_display()} {period.valid_from.isoformat()} – {until}"


class PeriodCorrectForm(ActionForm):
    period = PeriodChoiceField(queryset=StatusPeriod.objects.none(), label=_("Period"))
    valid_from = forms.DateField(label=_("Correct start"), widget=DATE, required=False)
    valid_to = forms.DateField(label=_("Correct end"), widget=DATE, required=False)

    def __init__(self, *args: Any, periods: QuerySet[StatusPeriod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") is None and data.get("valid_to") is None:
            self.add_error("valid_from", _("Give the corrected start, end or both."))
        return data


class FundingChangeForm(ActionForm):
    source = ValueChoiceField(queryset=ClassifierValue.objects.none(), label=_("Funding source"))
    valid_from = forms.DateField(label=_("From"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _values(FUNDING_SOURCES, self.today)  # type: ignore[attr-defined]


class PriorEducationForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PriorEducationKind.choices)
    document_type = ValueChoiceField(
        queryset=ClassifierValue.objects.none(), label=_("Document type"), required=False
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE, required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=300, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, initial="LT")
    recognition_decision = forms.CharField(
        label=_("Recognition decision"),
        max_length=300,
        required=False,
        help_text=_("Required for a foreign document."),
    )
    recognition_date = forms.DateField(label=_("Recognition date"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = _values("document-type", self.today)  # type: ignore[attr-defined]


class MobilityForm(ActionForm):
    host_institution = forms.CharField(label=_("Host institution"), max_length=300)
    host_country = forms.ChoiceField(label=_("Host country"), choices=country_choices)
    programme_name = forms.CharField(
        label=_("Mobility programme"),
        max_length=200,
        required=False,
        help_text=_("E.g. Erasmus+."),
    )
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_to = forms.DateField(label=_("Until"), widget=DATE)
    credits_earned = forms.DecimalField(
        label=_("Credits earned"), max_digits=5, decimal_places=1, min_value=0, initial=0
    )
    credits_recognised = forms.DecimalField(
        label=_("Credits recognised"), max_digits=5, decimal_places=1, min_value=0, initial=0
    )


PASSED_CHOICES = [("", "—"), ("yes", _("passed")), ("no", _("failed"))]


class ResultForm(ActionForm):
    semester = forms.IntegerField(label=_("Semester"), min_value=1, max_value=MAX_SEMESTER)
    course_unit_code = forms.CharField(label=_("Course unit code"), max_length=32)
    course_unit_title = forms.CharField(label=_("Course unit"), max_length=300)
    credits = forms.DecimalField(label=_("Credits"), max_digits=4, decimal_places=1)
    grade = forms.IntegerField(
        label=pgettext_lazy("assessment", "Grade"),
        required=False,
        help_text=_("1 to 10; or choose pass/fail below."),
    )
    passed = forms.TypedChoiceField(
        label=_("Pass/fail"),
        choices=PASSED_CHOICES,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)


class LoanForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=LoanKind.choices)
    amount = forms.DecimalField(label=_("Amount (EUR)"), max_digits=10, decimal_places=2)
    granted_on = forms.DateField(label=_("Granted on"), widget=DATE)
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_to = forms.DateField(label=_("Until"), widget=DATE, required=False)


class ScholarshipForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ScholarshipKind.choices)
    amount = forms.DecimalField(label=_("Amount (EUR)"), max_digits=10, decimal_places=2)
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_to = forms.DateField(label=_("Until"), widget=DATE)
    payer = forms.CharField(label=_("Payer"), max_length=300, required=False)

"""Thin serializers for the Student Register API: shape and types only.

The rules (the state machine, leave and interruption limits, who may do what) live in
`students.services` and `students.timeline`; their field errors reach the caller through the
one error shape. People and study rights are referenced by their public ids, institutions by
their register id, programmes by their state code, classifier values by their code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from edureg.access.api.fieldscope import AgreementFieldsMixin
from edureg.core.api.batch import batch_serializers
from edureg.core.api.serializers import PORTABLE_INTEGER
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.programmes.models import Programme, Qualification, StudyCycle
from edureg.students.models import (
    MAX_COURSE,
    MAX_SEMESTER,
    FundingPeriod,
    Graduation,
    LoanKind,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Result,
    Scholarship,
    ScholarshipKind,
    StatusPeriod,
    StudyForm,
    StudyLoan,
    StudyRight,
    StudyStatus,
)

LEAVE_REASONS = "academic-leave-reason"
TERMINATION_REASONS = "study-termination-reason"
FUNDING_SOURCES = "study-funding-source"

# The statuses a record's status history may carry. A transfer needs its target (another
# programme or HEI) and opens a new study right, so it is only ever the `transfer` action.
HISTORY_STATUSES = [
    (value, label) for value, label in StudyStatus.choices if value != StudyStatus.TRANSFERRED
]


def code_of(classifier: str, **kwargs: Any) -> serializers.SlugRelatedField:
    """A value of one named classifier, written and read as its code."""
    return serializers.SlugRelatedField(
        slug_field="code",
        # with its classifier: the service checks the list without another read
        queryset=ClassifierValue.objects.of(classifier).select_related("classifier"),
        **kwargs,
    )


def codes_of(classifier: str, **kwargs: Any) -> Any:
    """Values of one named classifier, written and read as their codes."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=ClassifierValue.objects.of(classifier).select_related("classifier"),
        many=True,
        **kwargs,
    )


def _institution_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="register_id", queryset=Institution.objects.all(), **kwargs
    )


def _own_institution_field() -> serializers.SlugRelatedField:
    return _institution_field(
        required=False,
        help_text=_(
            "The HEI's register id. A system client acts for its own HEI and may leave it out; "
            "a signed-in user gives it."
        ),
    )


def _programme_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="state_code",
        queryset=Programme.objects.filter(state_code__isnull=False),
        help_text=_("The study programme's state code."),
        **kwargs,
    )


def _course_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_COURSE, **kwargs)


def _source_key_fields() -> tuple[serializers.CharField, serializers.CharField]:
    return (
        serializers.CharField(max_length=64, required=False, allow_blank=True, default=""),
        serializers.CharField(max_length=64, required=False, allow_blank=True, default=""),
    )


# --- Study rights: reads ----------------------------------------------------------------------


class StatusPeriodSerializer(serializers.ModelSerializer):
    leave_reason = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reasons = serializers.SlugRelatedField(slug_field="code", read_only=True, many=True)

    class Meta:
        model = StatusPeriod
        fields = ["status", "valid_from", "valid_to", "leave_reason", "course", "reasons"]
        read_only_fields = fields


class FundingPeriodSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = FundingPeriod
        fields = ["source", "valid_from", "valid_to"]
        read_only_fields = fields


class GraduationSerializer(serializers.ModelSerializer):
    qualification = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Graduation
        fields = ["graduated_on", "qualification", "degree", "thesis_title", "diploma_reference"]
        read_only_fields = fields


class StudyRightSerializer(AgreementFieldsMixin, serializers.ModelSerializer):
    agreement_dataset = "study_rights"
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="state_code", read_only=True)
    transferred_from = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        help_text=_("The study right this one continues after a transfer."),
    )
    version = serializers.IntegerField(
        read_only=True, help_text=_("The record version: send it back when you upsert.")
    )

    class Meta:
        model = StudyRight
        fields = [
            "id",
            "person",
            "institution",
            "programme",
            "cycle",
            "form",
            "started_on",
            "course",
            "expected_end",
            "admission_basis",
            "student_card_number",
            "status",
            "ended_on",
            "transferred_from",
            "source_system",
            "local_id",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class StudyRightDetailSerializer(StudyRightSerializer):
    """A study right with its status history, funding and graduation."""

    transferred_to = serializers.UUIDField(
        source="transferred_to.public_id",
        read_only=True,
        allow_null=True,
        help_text=_("The study right this one continued as after a transfer."),
    )
    periods = StatusPeriodSerializer(many=True, read_only=True)
    funding_periods = FundingPeriodSerializer(many=True, read_only=True)
    graduation = GraduationSerializer(read_only=True, allow_null=True)

    class Meta(StudyRightSerializer.Meta):
        fields = [
            *StudyRightSerializer.Meta.fields,
            "transferred_to",
            "periods",
            "funding_periods",
            "graduation",
        ]
        read_only_fields = fields


# --- Study rights: upsert and batch -----------------------------------------------------------


class PeriodInputSerializer(serializers.Serializer):
    """One period of the status history as the HEI's system holds it. Each period lasts until
    the next one starts; the end states are zero-length markers on the end date."""

    status = serializers.ChoiceField(choices=HISTORY_STATUSES)
    valid_from = serializers.DateField(help_text=_("The first day in this status."))
    valid_to = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "Optional: the next period's start (null for the last). Checked, never needed."
        ),
    )
    leave_reason = code_of(
        LEAVE_REASONS,
        required=False,
        allow_null=True,
        help_text=_("For academic leave: an academic-leave-reason code."),
    )
    reasons = codes_of(
        TERMINATION_REASONS,
        required=False,
        help_text=_("For an interruption or termination: study-termination-reason codes."),
    )
    course = _course_field(
        required=False,
        allow_null=True,
        help_text=_("For studying after a return: the course returned to (1–6)."),
    )


class GraduationInputSerializer(serializers.Serializer):
    degree = serializers.CharField(max_length=300)
    qualification = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Qualification.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The qualification awarded, by its code."),
    )
    thesis_title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    diploma_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class StudyRightUpsertSerializer(serializers.Serializer):
    """A study right as an HEI's system holds it, optionally with its status history."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=PORTABLE_INTEGER["max_value"],
        help_text=_(
            "The record version you last saw. Required when the study right exists and the "
            "content differs from what is stored; a stale or missing version answers 409."
        ),
    )
    person = serializers.UUIDField(help_text=_("The student's public id (see /api/v1/persons/)."))
    institution = _own_institution_field()
    programme = _programme_field()
    form = serializers.ChoiceField(choices=StudyForm.choices)
    started_on = serializers.DateField()
    cycle = serializers.ChoiceField(
        choices=StudyCycle.choices,
        required=False,
        allow_blank=True,
        help_text=_("Defaults to the programme's cycle."),
    )
    course = _course_field(
        required=False, help_text=_("The current year of study (1 for a new right if left out).")
    )
    expected_end = serializers.DateField(required=False, allow_null=True)
    admission_basis = serializers.CharField(max_length=200, required=False, allow_blank=True)
    student_card_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    funding_source = code_of(
        FUNDING_SOURCES,
        required=False,
        allow_null=True,
        help_text=_(
            "The funding source from the start (study-funding-source code). Later changes "
            "go through the `funding` action."
        ),
    )
    periods = PeriodInputSerializer(
        many=True,
        required=False,
        help_text=_(
            "The status history in order. The first period may be studying from `started_on` "
            "(implied when left out). Each following period is recorded through the register's "
            "own steps — academic leave, return, interruption, return to a course, "
            "termination, graduation — so every rule applies. Periods already recorded must be "
            "sent unchanged; new ones are appended. Corrections of recorded dates go through "
            "the `period-correction` action. Left out, the history is not compared."
        ),
    )
    graduation = GraduationInputSerializer(
        required=False,
        allow_null=True,
        help_text=_("Required when the history ends with graduated."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        periods = attrs.get("periods")
        if periods is None:
            if attrs.get("graduation"):
                raise serializers.ValidationError(
                    {"graduation": [_("Send the status history that ends with graduated.")]}
                )
            return attrs
        errors: dict[str, list[Any]] = {}
        for index, period in enumerate(periods):
            following = periods[index + 1] if index + 1 < len(periods) else None
            if following is not None and following["valid_from"] <= period["valid_from"]:
                errors[f"periods[{index + 1}].valid_from"] = [
                    _("The periods must be in order, each starting after the previous one.")
                ]
            if "valid_to" in period:
                expected = following["valid_from"] if following else None
                if period["valid_to"] != expected:
                    errors[f"periods[{index}].valid_to"] = [
                        _("A period ends the day the next one starts (the last one is open).")
                    ]
        graduated = bool(periods) and periods[-1]["status"] == StudyStatus.GRADUATED
        if graduated and not attrs.get("graduation"):
            errors["graduation"] = [_("Give the graduation: the degree awarded at least.")]
        if attrs.get("graduation") and not graduated:
            errors["graduation"] = [_("Only a history that ends with graduated has one.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


STUDY_RIGHT_BATCH = batch_serializers(
    name="StudyRight",
    upsert=StudyRightUpsertSerializer,
    represent=StudyRightDetailSerializer,
    result_key="study_right",
    status_help=_("201 created, 200 unchanged or updated, 400/403/404/409/500 not applied."),
)


# --- Actions ----------------------------------------------------------------------------------


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("The day it takes effect."))


class LeaveStartSerializer(OnSerializer):
    leave_reason = code_of(LEAVE_REASONS, help_text=_("An academic-leave-reason code."))


class ReturnSerializer(OnSerializer):
    course = _course_field(
        required=False,
        allow_null=True,
        help_text=_("The course returned to (required after an interruption)."),
    )


class ReasonsSerializer(OnSerializer):
    reasons = codes_of(TERMINATION_REASONS, help_text=_("study-termination-reason codes."))


class GraduateSerializer(OnSerializer, GraduationInputSerializer):
    pass


class TransferSerializer(OnSerializer):
    institution = _own_institution_field()
    programme = _programme_field()
    form = serializers.ChoiceField(choices=StudyForm.choices, required=False)
    course = _course_field(required=False, allow_null=True)
    cycle = serializers.ChoiceField(choices=StudyCycle.choices, required=False, allow_blank=True)
    student_card_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    funding_source = code_of(
        FUNDING_SOURCES,
        required=False,
        allow_null=True,
        help_text=_("Defaults to the funding source of the right transferred from."),
    )
    source_system, local_id = _source_key_fields()


class PeriodCorrectionSerializer(serializers.Serializer):
    period = serializers.DateField(
        help_text=_("The period to correct, named by the day it starts now.")
    )
    valid_from = serializers.DateField(required=False, help_text=_("The corrected start."))
    valid_to = serializers.DateField(required=False, help_text=_("The corrected end."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "valid_from" not in attrs and "valid_to" not in attrs:
            raise serializers.ValidationError(
                {"valid_from": [_("Give the corrected start or end of the period.")]}
            )
        return attrs


class FundingChangeSerializer(serializers.Serializer):
    source = code_of(FUNDING_SOURCES, help_text=_("A study-funding-source code."))  # type: ignore[assignment]
    valid_from = serializers.DateField(help_text=_("The first day of the new funding source."))


class PriorEducationSerializer(serializers.ModelSerializer):
    document_type = code_of(
        "document-type", required=False, allow_null=True, help_text=_("A document-type code.")
    )
    kind = serializers.ChoiceField(choices=PriorEducationKind.choices)

    class Meta:
        model = PriorEducation
        fields = [
            "kind",
            "document_type",
            "document_number",
            "issued_on",
            "issuer",
            "country",
            "recognition_decision",
            "recognition_date",
        ]


class MobilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Mobility
        fields = [
            "host_institution",
            "host_country",
            "programme_name",
            "valid_from",
            "valid_to",
            "credits_earned",
            "credits_recognised",
        ]


class ResultSerializer(serializers.ModelSerializer):
    semester = serializers.IntegerField(min_value=1, max_value=MAX_SEMESTER)
    grade = serializers.IntegerField(min_value=1, max_value=10, required=False, allow_null=True)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    source_system, local_id = _source_key_fields()

    class Meta:
        model = Result
        fields = [
            "semester",
            "course_unit_code",
            "course_unit_title",
            "credits",
            "grade",
            "passed",
            "assessed_on",
            "source_system",
            "local_id",
        ]
        # The source key is an upsert key here, not a uniqueness rule to refuse a repeat by.
        validators: list[Any] = []


class TranscriptSemesterSerializer(serializers.Serializer):
    semester = serializers.IntegerField()
    credits_earned = serializers.DecimalField(max_digits=6, decimal_places=1)
    results = ResultSerializer(many=True)


class TranscriptYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("The year of study: semesters 1–2 are year 1."))
    credits_earned = serializers.DecimalField(max_digits=6, decimal_places=1)
    semesters = TranscriptSemesterSerializer(many=True)


class TranscriptSerializer(serializers.Serializer):
    study_right = serializers.UUIDField()
    credits_earned = serializers.DecimalField(
        max_digits=6, decimal_places=1, help_text=_("Credits of passed units only.")
    )
    years = TranscriptYearSerializer(many=True)


class LoanSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=LoanKind.choices)
    source_system = serializers.CharField(read_only=True)
    local_id = serializers.CharField(read_only=True)

    class Meta:
        model = StudyLoan
        fields = [
            "kind",
            "amount",
            "granted_on",
            "valid_from",
            "valid_to",
            "source_system",
            "local_id",
        ]
        validators: list[Any] = []


class ScholarshipSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ScholarshipKind.choices)

    class Meta:
        model = Scholarship
        fields = ["kind", "amount", "valid_from", "valid_to", "payer"]

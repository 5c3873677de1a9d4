"""Thin serializers for the Pupil Register API: shape and types only.

The rules (one open general-education enrolment, transfers, one NVŠ basket provider, who may
do what) live in `pupils.services`; their field errors reach the caller through the one error
shape. People and groups are referenced by their public ids, institutions by their register
id, classifier values by their code.
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
from edureg.people.api.serializers import PersonSerializer
from edureg.pupils.models import (
    Achievement,
    AchievementKind,
    AchievementLevel,
    Elective,
    Enrolment,
    Grade,
    Group,
    GroupKind,
    NvsFundingMark,
    SpecialNeeds,
)
from edureg.pupils.year_end import Outcome

# School years as the register keeps them (the year the school year starts).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def required_code(classifier: str, **kwargs: Any) -> serializers.SlugRelatedField:
    """A required value of one named classifier, written and read as its code."""
    return serializers.SlugRelatedField(
        slug_field="code", queryset=ClassifierValue.objects.of(classifier), **kwargs
    )


def _institution_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="register_id", queryset=Institution.objects.all(), **kwargs
    )


def _own_institution_field() -> serializers.SlugRelatedField:
    return _institution_field(
        required=False,
        help_text=_(
            "The institution's register id. A system client acts for its own institution and "
            "may leave it out; a signed-in user gives it."
        ),
    )


def _person_field() -> serializers.UUIDField:
    return serializers.UUIDField(help_text=_("The pupil's public id (see /api/v1/persons/)."))


# --- Groups -----------------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    school_year = serializers.IntegerField(read_only=True)

    class Meta:
        model = Group
        fields = [
            "id",
            "institution",
            "school_year",
            "name",
            "kind",
            "grade",
            "programme",
            "language",
            "closed_on",
        ]
        read_only_fields = fields


class GroupCreateSerializer(serializers.Serializer):
    institution = _own_institution_field()
    school_year = serializers.IntegerField(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("The year the school year starts, e.g. 2025 for 2025–2026."),
    )
    name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=GroupKind.choices)
    grade = serializers.ChoiceField(
        choices=Grade.choices,
        required=False,
        allow_blank=True,
        help_text=_("Required for general-education classes."),
    )
    language = serializers.CharField(max_length=3, required=False)


class GroupCloseSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The day the group is closed."))


# --- Enrolments -------------------------------------------------------------------------------


class EnrolmentSerializer(AgreementFieldsMixin, serializers.ModelSerializer):
    agreement_dataset = "enrolments"
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    group = serializers.UUIDField(source="group.public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    departure_reason = serializers.SlugRelatedField(slug_field="code", read_only=True)
    transferred_to = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        help_text=_("The enrolment this one continued as (a transfer or a move)."),
    )
    version = serializers.IntegerField(
        read_only=True, help_text=_("The record version: send it back when you upsert.")
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "person",
            "group",
            "institution",
            "kind",
            "valid_from",
            "valid_to",
            "contract_date",
            "departure_reason",
            "departure_order_number",
            "transferred_to",
            "source_system",
            "local_id",
            "version",
        ]
        read_only_fields = fields


class EnrolmentUpsertSerializer(serializers.Serializer):
    """An enrolment as a school's system holds it."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=PORTABLE_INTEGER["max_value"],
        help_text=_(
            "The record version you last saw. Required when the enrolment exists and the "
            "content differs from what is stored; a stale version answers 409."
        ),
    )
    person = _person_field()
    group = serializers.UUIDField(help_text=_("The group's public id."))
    valid_from = serializers.DateField(help_text=_("The first day in the group."))
    contract_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("The learning contract's date.")
    )
    transfer = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Record a transfer: an open general-education enrolment at another school ends on "
            "`valid_from` and is linked to this one. Without it such a pupil is refused."
        ),
    )


ENROLMENT_BATCH = batch_serializers(
    name="Enrolment",
    upsert=EnrolmentUpsertSerializer,
    represent=EnrolmentSerializer,
    result_key="enrolment",
    status_help=_("201 created, 200 unchanged, 400/403/404/409/500 not applied."),
)


class EnrolmentDepartSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("The departure date: the first day out of the group."))
    reason = required_code(
        "departure-reason", help_text=_("A code of the departure-reason classifier.")
    )
    order_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("The director's order.")
    )


class EnrolmentMoveSerializer(serializers.Serializer):
    group = serializers.UUIDField(help_text=_("The new group's public id (same institution)."))
    date = serializers.DateField(help_text=_("The first day in the new group."))


# --- End of the school year -------------------------------------------------------------------


class YearEndOutcomeSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField(help_text=_("An open enrolment of the group."))
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class YearEndRequestSerializer(serializers.Serializer):
    date = serializers.DateField(
        help_text=_("The first day in the new group (the departure date of those who completed).")
    )
    promote_to = serializers.UUIDField(
        required=False, help_text=_("The next school year's group, one grade up.")
    )
    repeat_to = serializers.UUIDField(
        required=False, help_text=_("The next school year's group of the same grade.")
    )
    graduation_reason = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ClassifierValue.objects.of("departure-reason"),
        required=False,
        help_text=_("Departure reason of those who completed (departure-reason code)."),
    )
    outcomes = YearEndOutcomeSerializer(
        many=True,
        required=False,
        help_text=_(
            "Pupils not listed get the default: completed after grade 12, otherwise promoted."
        ),
    )
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Only answer the plan; nothing is written.")
    )
    previewed = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text=_(
            "The enrolments of the previewed plan. When given, the plan is applied only if the "
            "group still has exactly these pupils."
        ),
    )


class YearEndStepSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField(source="enrolment.public_id")
    person = serializers.UUIDField(source="enrolment.person.public_id")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    target_group = serializers.UUIDField(source="target.public_id", allow_null=True)
    error = serializers.CharField()


class YearEndPlanSerializer(serializers.Serializer):
    date = serializers.DateField(source="on")
    applied = serializers.BooleanField()
    steps = YearEndStepSerializer(many=True)


# --- NVŠ funding marks ------------------------------------------------------------------------


class NvsMarkSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="register_id", read_only=True)

    class Meta:
        model = NvsFundingMark
        fields = [
            "person",
            "provider",
            "month",
            "basket",
            "municipal_funds",
            "state_funds",
            "other_funding",
        ]
        read_only_fields = fields


class NvsMarkCreateSerializer(serializers.Serializer):
    person = _person_field()
    provider = _institution_field(
        required=False,
        help_text=_(
            "The NVŠ provider's register id. A system client marks for its own institution "
            "and may leave it out."
        ),
    )
    month_from = serializers.DateField(help_text=_("Any day of the first month."))
    month_to = serializers.DateField(help_text=_("Any day of the last month (inclusive)."))
    basket = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("NVŠ targeted funding: one provider only per pupil and month."),
    )
    municipal_funds = serializers.BooleanField(required=False, default=False)
    state_funds = serializers.BooleanField(required=False, default=False)
    other_funding = serializers.BooleanField(required=False, default=False)


# --- Learning data ----------------------------------------------------------------------------


class ElectiveSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    course_level = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Elective
        fields = ["id", "person", "institution", "school_year", "subject", "course_level"]
        read_only_fields = fields


class ElectiveCreateSerializer(serializers.Serializer):
    person = _person_field()
    institution = _own_institution_field()
    school_year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    subject = serializers.CharField(max_length=200)
    course_level = required_code(
        "course-level", help_text=_("A code of the course-level classifier (A or B).")
    )


class AchievementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)

    class Meta:
        model = Achievement
        fields = ["id", "person", "institution", "kind", "level", "name", "result", "achieved_on"]
        read_only_fields = fields


class AchievementCreateSerializer(serializers.Serializer):
    person = _person_field()
    institution = _own_institution_field()
    kind = serializers.ChoiceField(choices=AchievementKind.choices)
    level = serializers.ChoiceField(choices=AchievementLevel.choices)
    name = serializers.CharField(max_length=300)
    result = serializers.CharField(max_length=100)
    achieved_on = serializers.DateField()


class SpecialNeedsSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SpecialNeeds
        fields = ["id", "person", "institution", "level", "valid_from", "valid_to"]
        read_only_fields = fields


class SpecialNeedsCreateSerializer(serializers.Serializer):
    person = _person_field()
    institution = _own_institution_field()
    level = required_code(
        "special-needs-level", help_text=_("A code of the special-needs-level classifier.")
    )
    valid_from = serializers.DateField(
        help_text=_("From this day; the level in force until then ends that day.")
    )


# --- The pupil card ---------------------------------------------------------------------------


class PupilCardSerializer(serializers.Serializer):
    """One pupil with what the caller sees of their records."""

    person = PersonSerializer(read_only=True)
    enrolments = EnrolmentSerializer(
        many=True, read_only=True, help_text=_("Enrolments (clubs too), the newest first.")
    )
    nvs_marks = NvsMarkSerializer(many=True, read_only=True)
    electives = ElectiveSerializer(many=True, read_only=True)
    achievements = AchievementSerializer(many=True, read_only=True)
    special_needs = SpecialNeedsSerializer(many=True, read_only=True)

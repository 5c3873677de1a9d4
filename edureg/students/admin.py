"""Back office for the Student Register. HEIs and their systems write through the services
(UI and API); here the agency looks records up, corrects a study right's descriptive fields
(through `study_right_update`) and a graduation's texts. Status history, results and the other
records are shown, never edited here. Every opened study right is logged as a read."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.core.admin import AuditedSaveMixin
from edureg.core.audit import log_person_access
from edureg.core.context import Actor
from edureg.students import selectors, services
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    Mobility,
    PriorEducation,
    Result,
    Scholarship,
    StatusPeriod,
    StudyLoan,
    StudyRight,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusPeriodInline(ReadOnlyInline):
    model = StatusPeriod
    fields = ["status", "valid_from", "valid_to", "leave_reason", "course"]
    readonly_fields = ["status", "valid_from", "valid_to", "leave_reason", "course"]


class FundingPeriodInline(ReadOnlyInline):
    model = FundingPeriod
    fields = ["source", "valid_from", "valid_to"]
    readonly_fields = ["source", "valid_from", "valid_to"]


class ResultInline(ReadOnlyInline):
    model = Result
    fields = ["semester", "course_unit_code", "course_unit_title", "credits", "grade", "passed"]
    readonly_fields = [
        "semester",
        "course_unit_code",
        "course_unit_title",
        "credits",
        "grade",
        "passed",
    ]


class MobilityInline(ReadOnlyInline):
    model = Mobility
    fields = ["host_institution", "host_country", "programme_name", "valid_from", "valid_to"]
    readonly_fields = [
        "host_institution",
        "host_country",
        "programme_name",
        "valid_from",
        "valid_to",
    ]


class PriorEducationInline(ReadOnlyInline):
    model = PriorEducation
    fields = ["kind", "document_type", "document_number", "issued_on", "country"]
    readonly_fields = ["kind", "document_type", "document_number", "issued_on", "country"]


class StudyLoanInline(ReadOnlyInline):
    model = StudyLoan
    fields = ["kind", "amount", "granted_on", "valid_from", "valid_to"]
    readonly_fields = ["kind", "amount", "granted_on", "valid_from", "valid_to"]


class ScholarshipInline(ReadOnlyInline):
    model = Scholarship
    fields = ["kind", "amount", "valid_from", "valid_to", "payer"]
    readonly_fields = ["kind", "amount", "valid_from", "valid_to", "payer"]


@admin.register(StudyRight)
class StudyRightAdmin(SimpleHistoryAdmin):
    list_display = ["public_id", "institution", "programme", "status", "started_on", "ended_on"]
    list_filter = ["status", "cycle", "form"]
    list_select_related = ["institution", "programme"]
    search_fields = ["public_id", "student_card_number", "programme__state_code"]
    show_full_result_count = False
    readonly_fields = READ_ONLY = [
        "public_id",
        "person",
        "institution",
        "programme",
        "started_on",
        "status",
        "ended_on",
        "transferred_from",
        "source_system",
        "local_id",
        "version",
    ]
    fields = [*READ_ONLY, *sorted(services.UPDATABLE_FIELDS)]
    inlines = [
        StatusPeriodInline,
        FundingPeriodInline,
        PriorEducationInline,
        MobilityInline,
        ResultInline,
        StudyLoanInline,
        ScholarshipInline,
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.student_rights_in_scope(actor=Actor.for_user(request.user))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        right = super().get_object(request, object_id, from_field)
        if right is not None:
            log_person_access(
                actor=Actor.for_user(request.user),
                person_public_ids=[right.person.public_id],
                what="student.backoffice",
            )
        return right

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # study rights are opened by HEIs through the services

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) for name in services.UPDATABLE_FIELDS}
        try:
            services.study_right_update(
                actor=Actor.for_user(request.user), study_right=obj, **values
            )
        except ValidationError as exc:
            # The form validated the values; the service's rules (scope, dates) speak here.
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)


@admin.register(Graduation)
class GraduationAdmin(AuditedSaveMixin, SimpleHistoryAdmin):
    list_display = ["study_right", "graduated_on", "degree", "diploma_reference"]
    list_select_related = ["study_right"]
    search_fields = ["diploma_reference", "thesis_title"]
    raw_id_fields = ["qualification"]
    readonly_fields = ["study_right", "graduated_on"]
    fields = [
        "study_right",
        "graduated_on",
        "qualification",
        "degree",
        "thesis_title",
        "diploma_reference",
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        rights = selectors.student_rights_in_scope(actor=Actor.for_user(request.user))
        return super().get_queryset(request).filter(study_right__in=rights.values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # graduation is recorded by `services.graduate`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

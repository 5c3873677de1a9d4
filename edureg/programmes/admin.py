"""Back office for the programmes register. Decisions go through the services (API and
registrar pages); here the agency edits the coding rules and looks records up."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.core.admin import AuditedSaveMixin
from edureg.programmes.models import CodingRule, Programme, ProgrammeVersion, Qualification


@admin.register(CodingRule)
class CodingRuleAdmin(AuditedSaveMixin, SimpleHistoryAdmin):
    list_display = [
        "kind",
        "study_type",
        "cycle",
        "prefix",
        "uses_field_group",
        "infix",
        "sequence_digits",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["state_code", "kind", "provider", "status", "registered_on", "deregistered_on"]
    list_filter = ["kind", "status"]
    search_fields = ["state_code", "versions__name_lt"]
    list_select_related = ["provider"]


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(ReadOnlyAdmin):
    list_display = ["programme", "number", "name_lt", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["name_lt", "name_en", "programme__state_code"]
    list_select_related = ["programme"]


@admin.register(Qualification)
class QualificationAdmin(AuditedSaveMixin, SimpleHistoryAdmin):
    list_display = ["code", "name_lt", "kind", "ltks_level"]
    list_filter = ["kind"]

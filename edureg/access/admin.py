"""Back office for access control. Decisions and grants go through access.services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.access import services
from edureg.access.models import (
    ClientBinding,
    HeiNomination,
    PledgeText,
    RoleAssignment,
    UserRequest,
    UserRequestLine,
)
from edureg.core.admin import AuditedSaveMixin
from edureg.core.context import Actor, acting_as


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "user",
        "client",
        "function_area",
        "level",
        "scope_kind",
        "institution",
        "municipality",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["function_area", "level", "scope_kind"]
    search_fields = ["user__username", "user__last_name", "institution__name_lt"]
    list_select_related = ["user", "client", "institution", "municipality"]
    raw_id_fields = ["user", "client", "institution", "request"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        if change:
            with acting_as(actor):
                obj.full_clean()
                obj.save()
        else:
            created = services.role_grant(
                actor=actor,
                user=obj.user,
                client=obj.client,
                scope_kind=obj.scope_kind,
                function_area=obj.function_area,
                level=obj.level,
                institution=obj.institution,
                municipality=obj.municipality,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # rights end with valid_to; their history stays


@admin.register(PledgeText)
class PledgeTextAdmin(AuditedSaveMixin, SimpleHistoryAdmin):
    list_display = ["version", "valid_from"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserRequestLineInline(admin.TabularInline):
    model = UserRequestLine
    extra = 0
    can_delete = False
    readonly_fields = ["function_area", "level", "granted_level"]


@admin.register(UserRequest)
class UserRequestAdmin(SimpleHistoryAdmin):
    """Read-only here: requests are decided on the approver pages (/access/requests/)."""

    list_display = [
        "created_at",
        "applicant",
        "institution",
        "status",
        "approver_scope",
        "approver_municipality",
    ]
    list_filter = ["status", "approver_scope"]
    list_select_related = ["applicant", "institution", "approver_municipality"]
    inlines = [UserRequestLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientBinding)
class ClientBindingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "institution", "application", "revoked_at"]
    list_select_related = ["institution", "application"]
    readonly_fields = ["application", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected clients")
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        actor = Actor.for_user(request.user)
        for binding in queryset.filter(revoked_at__isnull=True):
            services.client_revoke(actor=actor, binding=binding)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered with `manage.py client_register`, which shows the secret once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HeiNomination)
class HeiNominationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "institution", "created_at"]
    list_select_related = ["institution"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

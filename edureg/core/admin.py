"""Back office for the agency: classifiers and the (read-only) audit logs."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.core import services
from edureg.core.context import Actor, acting_as
from edureg.core.models import AccessLogEntry, ChangeLogEntry, Classifier, ClassifierValue, Job


class AuditedSaveMixin:
    """Back-office saves of reference records: validated, and attributed to the signed-in user
    in the record's history. Register records with rules of their own save through their
    services instead."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with acting_as(Actor.for_user(request.user)):
            obj.full_clean()
            obj.save()


class ClassifierValueInline(admin.TabularInline):
    model = ClassifierValue
    fk_name = "classifier"
    extra = 0
    fields = ["code", "name_lt", "name_en", "parent", "valid_from", "valid_to", "sort_order"]
    raw_id_fields = ["parent"]
    can_delete = False  # values are retired with valid_to, never deleted


@admin.register(Classifier)
class ClassifierAdmin(SimpleHistoryAdmin):
    list_display = ["code", "official_code", "name_lt", "name_en", "complete"]
    search_fields = ["code", "official_code", "name_lt", "name_en"]
    inlines = [ClassifierValueInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.classifier_save(actor=Actor.for_user(request.user), classifier=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        for value in formset.save(commit=False):
            services.classifier_value_save(actor=actor, value=value)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClassifierValue)
class ClassifierValueAdmin(SimpleHistoryAdmin):
    list_display = ["classifier", "code", "name_lt", "name_en", "valid_from", "valid_to"]
    list_filter = ["classifier"]
    search_fields = ["code", "name_lt", "name_en"]
    list_select_related = ["classifier"]
    raw_id_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.classifier_value_save(actor=Actor.for_user(request.user), value=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Audit logs are append-only: viewable in the back office, never editable."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "actor", "channel", "model", "object_id", "action"]
    list_filter = ["channel", "model", "action"]
    date_hierarchy = "at"


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "actor", "channel", "person_public_id", "what"]
    list_filter = ["channel", "what"]
    date_hierarchy = "at"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, read-only: what ran, for whom, and how it ended."""

    list_display = ["title", "kind", "owner_label", "status", "done", "total", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "owner_label"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

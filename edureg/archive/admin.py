"""Back office for the agency: retention rules (through the services), and the runs, moves and
tombstones to read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.archive import services
from edureg.archive.models import ArchiveMove, RetentionRule, RetentionRun, Tombstone
from edureg.core.context import Actor

RULE_FIELDS = (
    "archive_after_years",
    "destroy_after_years",
    "legal_basis",
    "valid_from",
    "valid_to",
)


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "kind",
        "event",
        "archive_after_years",
        "destroy_after_years",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["kind", "event"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # What a rule governs is fixed once made; a new kind or event is a new rule.
        return ["code", "kind", "event"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        if change:
            saved = services.retention_rule_change(
                actor=actor, rule=obj, **{name: getattr(obj, name) for name in RULE_FIELDS}
            )
        else:
            saved = services.retention_rule_create(
                actor=actor,
                code=obj.code,
                kind=obj.kind,
                event=obj.event,
                **{name: getattr(obj, name) for name in RULE_FIELDS},
            )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a rule is ended with valid_to; moves refer to it


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["run_on", "started_at", "finished_at"]


@admin.register(ArchiveMove)
class ArchiveMoveAdmin(ReadOnlyAdmin):
    list_display = ["at", "move", "kind", "rule", "actor"]
    list_filter = ["move", "kind"]


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ["destroyed_at", "kind", "rule"]

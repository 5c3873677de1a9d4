"""The agency's back office: funding rule sets (versioned) and open-data publications."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from edureg.core.context import Actor
from edureg.statistics.funding import services
from edureg.statistics.funding.models import FundingCoefficient, FundingRuleSet
from edureg.statistics.models import Publication


class CoefficientInline(admin.TabularInline):
    model = FundingCoefficient
    extra = 1

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.used

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission  # type: ignore[assignment]


@admin.register(FundingRuleSet)
class FundingRuleSetAdmin(admin.ModelAdmin):
    list_display = ("name", "school_year", "version", "base_amount", "nvs_basket_amount")
    list_filter = ("school_year",)
    inlines = [CoefficientInline]
    actions = ["new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.used:
            # Runs have used it: frozen (make a new version instead).
            return ("school_year", "version", "name", "base_amount", "nvs_basket_amount", "note")
        return ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            services.rule_set_check_editable(obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Copy as a new version"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[FundingRuleSet]) -> None:
        for rule_set in queryset:
            copy = services.rule_set_new_version(
                actor=Actor.for_user(request.user), rule_set=rule_set
            )
            messages.success(request, _("Created %(rules)s.") % {"rules": copy})


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("dataset", "published_at")
    readonly_fields = ("dataset", "published_at", "directory", "tables")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

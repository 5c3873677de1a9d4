from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.core.context import Actor
from edureg.institutions import services
from edureg.institutions.models import County, Institution, Municipality

EDITABLE = [
    "register_id",
    "kind",
    "jar_code",
    "branch_code",
    "name_lt",
    "name_en",
    "main_group",
    "main_type",
    "founder_type",
    "municipality",
    "parent",
    "address",
    "registered_on",
    "deregistered_on",
]


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name_lt", "register_id", "jar_code", "kind", "founder_type", "municipality"]
    list_filter = ["kind", "founder_type", "main_group", "municipality__county"]
    search_fields = ["name_lt", "name_en", "jar_code", "register_id"]
    list_select_related = ["municipality"]
    raw_id_fields = ["parent"]
    fields = EDITABLE

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        values = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            services.institution_update(actor=actor, institution=obj, **values)
        else:
            form.instance = services.institution_create(actor=actor, **values)
            obj.pk = form.instance.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # institutions are deregistered, never deleted


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_lt", "name_en", "kind", "county"]
    list_filter = ["county", "kind"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_lt", "name_en"]

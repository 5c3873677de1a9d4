"""Back office for people. Saves go through people.services; every opened record is logged."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from edureg.core.context import Actor
from edureg.people import selectors, services
from edureg.people.models import Person


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["family_name", "given_names", "birth_date", "citizenship"]
    search_fields = ["family_name", "given_names"]
    list_select_related = ["declared_municipality"]
    readonly_fields = ["public_id", "foreign_id"]
    fields = ["public_id", "foreign_id", *services.EDITABLE_FIELDS]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.person_scope(actor=Actor.for_user(request.user))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        person = super().get_object(request, object_id, from_field)
        if person is not None:
            selectors.persons_shown(
                actor=Actor.for_user(request.user), persons=[person], what="person.backoffice"
            )
        return person

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = Actor.for_user(request.user)
        values = {name: form.cleaned_data.get(name) for name in services.EDITABLE_FIELDS}
        if change:
            services.person_update(actor=actor, person=obj, **values)
        else:
            created = services.person_create(actor=actor, **values)
            obj.pk, obj.public_id, obj.foreign_id = (
                created.pk,
                created.public_id,
                created.foreign_id,
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

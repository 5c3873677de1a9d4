from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from edureg.access.actors import api_actor
from edureg.access.api.lists import PersonListMixin
from edureg.people import selectors, services
from edureg.people.api.serializers import PersonSerializer
from edureg.people.models import Person


@extend_schema_view(
    list=extend_schema(summary="People in the caller's scope"),
    retrieve=extend_schema(summary="One person (logged in the person's access log)"),
    create=extend_schema(summary="Register a person"),
    partial_update=extend_schema(summary="Change a person's data (keeps history)"),
)
class PersonViewSet(
    PersonListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People. A person is addressed by a random UUID, never by the personal code."""

    shown_as = "person.list"
    person_of = staticmethod(lambda person: person)

    serializer_class = PersonSerializer
    lookup_field = "public_id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.person_list(actor=api_actor(self.request))

    def get_object(self) -> Person:
        return selectors.person_get(
            actor=api_actor(self.request), public_id=self.kwargs["public_id"]
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.person_create(actor=api_actor(request), **serializer.validated_data)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person = services.person_update(
            actor=api_actor(request), person=person, **serializer.validated_data
        )
        return Response(self.get_serializer(person).data)

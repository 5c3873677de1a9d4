"""The citizen's own data, read-only, for a mobile app: who I am, my learning history, who saw
my data, everything as one document. Only a signed-in citizen (403 for anyone else); a parent
adds `?child=<public id>` for a child under 18 (404 for anyone else's)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from edureg.access.actors import api_actor
from edureg.citizen import export, selectors
from edureg.citizen.api.serializers import AccessLineSerializer, EntrySerializer, MeSerializer
from edureg.core.api.pagination import StableCursorPagination
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.audit import access_line, log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.core.models import AccessLogEntry
from edureg.people.models import Person

CHILD = OpenApiParameter(
    "child",
    OpenApiTypes.UUID,
    description="Public id of a child under 18 of the signed-in parent; omit for one's own.",
)
ERRORS = {
    403: OpenApiResponse(ApiErrorSerializer, description="Not signed in as a citizen."),
    404: OpenApiResponse(ApiErrorSerializer, description="Not the citizen's own or child's."),
}


def _citizen(request: Request) -> tuple[Actor, Person]:
    actor = api_actor(request)
    if actor.kind != ActorKind.CITIZEN:
        raise PermissionDenied("Only a citizen signed in through the e-identity gateway.")
    return actor, selectors.subject_for(actor=actor, child=request.query_params.get("child"))


class MeView(GenericAPIView):
    serializer_class = MeSerializer
    pagination_class = None

    @extend_schema(
        summary="The signed-in citizen, and their children under 18",
        responses={200: MeSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor, me = _citizen(request)
        me = selectors.own_person(actor=actor)
        data = {
            "public_id": me.public_id,
            "personal_code": me.personal_code,
            "given_names": me.given_names,
            "family_name": me.family_name,
            "birth_date": me.birth_date,
            "citizenship": me.citizenship,
            "declared_municipality": getattr(me.declared_municipality, "code", None),
            "children": list(selectors.children(actor=actor)),
        }
        return Response(MeSerializer(data).data)


class HistoryView(GenericAPIView):
    serializer_class = EntrySerializer
    pagination_class = None
    queryset = Person.objects.none()  # for the schema only: the view reads through selectors

    @extend_schema(
        summary="The learning history across the registers, newest first",
        parameters=[CHILD],
        responses={200: EntrySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor, subject = _citizen(request)
        entries = selectors.learning_history(actor=actor, person=subject, what="citizen.api")
        return Response(EntrySerializer(entries, many=True).data)


class AccessLogPagination(StableCursorPagination):
    page_size = 50


class AccessLogView(GenericAPIView):
    serializer_class = AccessLineSerializer
    pagination_class = AccessLogPagination
    queryset = AccessLogEntry.objects.none()  # for the schema only: read through selectors

    @extend_schema(
        summary="Who saw my data: organisation and role, what, when, channel (newest first)",
        parameters=[CHILD],
        responses={200: AccessLineSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor, subject = _citizen(request)
        page = self.paginate_queryset(selectors.access_log(actor=actor, person=subject))
        assert page is not None
        log_person_access(actor=actor, person_public_ids=[subject.public_id], what="citizen.api")
        show = settings.CITIZEN_SEES_STAFF_NAMES
        lines = [access_line(entry, show_staff_names=show) for entry in page]
        return self.get_paginated_response(AccessLineSerializer(lines, many=True).data)


class MyDataView(GenericAPIView):
    pagination_class = None

    @extend_schema(
        summary="Everything the registers hold about me, as one document (docs/citizen.md)",
        parameters=[CHILD],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request) -> Any:
        actor, subject = _citizen(request)
        return Response(export.my_data(actor=actor, person=subject))

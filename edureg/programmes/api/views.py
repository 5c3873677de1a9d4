"""The providers' and the registrar's API for programmes (DESIGN.md §5).

Providers' systems upsert drafts keyed by (source system, local id), alone or in a batch; every
step with legal meaning (submit, start a change, the registrar's decisions) is its own endpoint
calling one service. Reads go through the scoped selectors: another provider's programme is 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet, prefetch_related_objects
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.core.api.batch import BATCH_MAX_RECORDS, answer_status, batch_view
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.context import Actor
from edureg.core.upsert import key_conflict
from edureg.programmes import selectors, services
from edureg.programmes.api.serializers import (
    DRAFT_BATCH,
    DraftUpsertSerializer,
    ProgrammeDeregisterSerializer,
    ProgrammeListSerializer,
    ProgrammeRefSerializer,
    ProgrammeRegisterSerializer,
    ProgrammeRejectSerializer,
    ProgrammeRequestChangesSerializer,
    ProgrammeSerializer,
)
from edureg.programmes.models import Programme

TAG = "programmes"
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field."),
    403: OpenApiResponse(ApiErrorSerializer, description="In scope but not allowed."),
    404: OpenApiResponse(ApiErrorSerializer, description="Unknown or not in the caller's scope."),
}
STALE = {
    409: OpenApiResponse(
        ApiErrorSerializer,
        description='Stale `version`: code "stale_version"; the message gives the current one.',
    )
}


def _programme(actor: Actor, public_id: Any) -> Programme:
    """The programme as the caller may see it, with every version's modules."""
    programme = selectors.programme_work_get(actor=actor, public_id=public_id)
    prefetch_related_objects([programme], "versions__modules", "deregistration_reason")
    return programme


# --- Upserts ----------------------------------------------------------------------------------


class DraftUpsertView(APIView):
    """Create or update a programme's draft, keyed by the provider system's own id."""

    @extend_schema(
        tags=[TAG],
        summary="Upsert a programme draft by (source system, local id)",
        description=(
            "Idempotent. A new key creates the programme and its first draft (201). An existing "
            "key updates the open draft (200); the body then carries `version`, the record "
            "version the caller last saw, and a stale one answers 409 with code "
            '"stale_version" and the current version in the message. Content identical to '
            "what is stored answers 200 and writes nothing (no new version, no history), so a "
            "repeated call is harmless. The body is the full draft: fields left out take their "
            "empty default and `modules` left out means none. Classifier fields take codes. A "
            "system client creates programmes of its own institution; a signed-in user gives "
            "`provider`."
        ),
        request=DraftUpsertSerializer,
        responses={
            200: ProgrammeSerializer,
            201: ProgrammeSerializer,
            **ERRORS,
            **STALE,
        },
    )
    def put(self, request: Request, source_system: str, local_id: str) -> Response:
        actor = api_actor(request)
        serializer = DraftUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with key_conflict(Programme, source_system, local_id):
            upserted = services.programme_draft_upsert(
                actor=actor,
                source_system=source_system,
                local_id=local_id,
                values=serializer.validated_data,
            )
        data = ProgrammeSerializer(_programme(actor, upserted.record.public_id)).data
        return Response(data, status=answer_status(upserted))


DraftBatchView = batch_view(
    shape=DRAFT_BATCH,
    upsert=services.programme_draft_upsert,
    model=Programme,
    represent=lambda programme: ProgrammeRefSerializer(programme).data,
    result_key="programme",
    actor_of=api_actor,
    tag=TAG,
    summary="Upsert many programme drafts, answering per record",
    description=(
        "Each record is upserted as by `PUT /api/v1/programmes/drafts/{source_system}/"
        "{local_id}/`, in its own transaction: good records are applied, bad ones are "
        "reported with their errors, none is half-applied, and the batch as a whole is not "
        "all-or-nothing. The answer lists every record by its `index` (from 0) with its "
        "status: 201 created, 200 updated or unchanged, 400 invalid, 403 not allowed, 404 "
        "out of scope, 409 stale `version`, 500 an error of the register's own "
        "(that record rolled back, the others still tried). Repeating a batch is harmless: "
        f"unchanged records write nothing. At most {BATCH_MAX_RECORDS} records per call."
    ),
)


# --- Reads ------------------------------------------------------------------------------------


@extend_schema(tags=[TAG], summary="Programmes the caller works on (drafts included)")
class ProgrammeWorkListView(generics.ListAPIView):
    """A provider sees its own institution's programmes (and its branches'); the registrar all.
    Each item shows the version in force, else the latest one."""

    serializer_class = ProgrammeListSerializer

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_work_list(actor=api_actor(self.request)).select_related(
            "deregistration_reason"
        )


@extend_schema(
    tags=[TAG],
    summary="One programme the caller works on, with all its versions",
    responses={200: ProgrammeSerializer, 404: ERRORS[404]},
)
class ProgrammeWorkDetailView(generics.RetrieveAPIView):
    serializer_class = ProgrammeSerializer

    def get_object(self) -> Programme:
        return _programme(api_actor(self.request), self.kwargs["public_id"])


# --- Actions ----------------------------------------------------------------------------------


class ProgrammeActionView(APIView):
    """One step with legal meaning on one programme: find it in the caller's scope (404
    otherwise), check the input's shape, call the service, answer with the programme."""

    input_serializer: type[Serializer] | None = None

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        raise NotImplementedError

    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        programme = selectors.programme_work_get(actor=actor, public_id=public_id)
        data: dict[str, Any] = {}
        if self.input_serializer is not None:
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        self.perform(actor=actor, programme=programme, **data)
        return Response(ProgrammeSerializer(_programme(actor, public_id)).data)


def _action_schema(summary: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        tags=[TAG],
        summary=summary,
        description=description,
        request=request,
        responses={200: ProgrammeSerializer, **ERRORS},
    )


class ProgrammeSubmitView(ProgrammeActionView):
    @_action_schema(
        "Submit the draft to the registrar",
        "The provider submits its open draft; the registrar then registers it, asks for "
        "changes or rejects it.",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_submit(actor=actor, programme=programme)


class ProgrammeChangeView(ProgrammeActionView):
    @_action_schema(
        "Start a change of a registered programme",
        "A new draft version is copied from the version in force, which stays in force until "
        "the change is registered. Edit the draft with the upsert, then submit it.",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_change_start(actor=actor, programme=programme)


class ProgrammeRequestChangesView(ProgrammeActionView):
    input_serializer = ProgrammeRequestChangesSerializer

    @_action_schema(
        "Registrar: ask the provider for changes",
        "The submitted version goes back to the provider with the note.",
        ProgrammeRequestChangesSerializer,
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_request_changes(actor=actor, programme=programme, note=data["note"])


class ProgrammeRejectView(ProgrammeActionView):
    input_serializer = ProgrammeRejectSerializer

    @_action_schema(
        "Registrar: reject the submitted version",
        "The reason is required and shown to the provider.",
        ProgrammeRejectSerializer,
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_reject(actor=actor, programme=programme, reason=data["reason"])


class ProgrammeRegisterView(ProgrammeActionView):
    input_serializer = ProgrammeRegisterSerializer

    @_action_schema(
        "Registrar: register the submitted version",
        "A first registration issues the state code by the coding rules; a registered change "
        "supersedes the version in force and keeps the code.",
        ProgrammeRegisterSerializer,
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_register(actor=actor, programme=programme, on=data.get("date"))


class ProgrammeDeregisterView(ProgrammeActionView):
    input_serializer = ProgrammeDeregisterSerializer

    @_action_schema(
        "Registrar: deregister a registered programme",
        "With a reason from the programme-deregistration-reason classifier and the date "
        "(today if left out).",
        ProgrammeDeregisterSerializer,
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        return super().post(request, public_id)

    def perform(self, *, actor: Actor, programme: Programme, **data: Any) -> None:
        services.programme_deregister(
            actor=actor, programme=programme, reason=data["reason"], on=data.get("date")
        )

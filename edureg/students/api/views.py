"""The HEIs' API for the Student Register (DESIGN.md §5).

HEI systems upsert study rights keyed by (source system, local id), alone or in a batch, with
their status history; every step with legal meaning (academic leave, interruption, return,
termination, graduation, transfer, a back-dated correction, a funding change) is its own
endpoint calling one service. Every read and write goes through the scoped students selectors:
another HEI's study right is 404 on every path, and every student shown is written to the
access log (`study_right_get` logs one read; the list logs each page through `persons_shown`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.api.lists import PersonListMixin
from edureg.access.models import Level
from edureg.core.api.batch import BATCH_MAX_RECORDS, answer_status, batch_view
from edureg.core.api.errors import field_error, request_fields
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.context import Actor
from edureg.core.upsert import key_conflict
from edureg.students import selectors, services
from edureg.students.api.serializers import (
    STUDY_RIGHT_BATCH,
    FundingChangeSerializer,
    GraduateSerializer,
    LeaveStartSerializer,
    LoanSerializer,
    MobilitySerializer,
    PeriodCorrectionSerializer,
    PriorEducationSerializer,
    ReasonsSerializer,
    ResultSerializer,
    ReturnSerializer,
    ScholarshipSerializer,
    StudyRightDetailSerializer,
    StudyRightSerializer,
    StudyRightUpsertSerializer,
    TranscriptSerializer,
    TransferSerializer,
)
from edureg.students.filters import StudyRightFilter
from edureg.students.models import StudyRight

TAG = "students"
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field."),
    403: OpenApiResponse(ApiErrorSerializer, description="In scope but not allowed."),
    404: OpenApiResponse(ApiErrorSerializer, description="Unknown or not in the caller's scope."),
}
STALE = {
    409: OpenApiResponse(
        ApiErrorSerializer,
        description='Stale or missing `version`: code "stale_version"; the message gives the '
        "current one.",
    )
}
MANAGES = (
    " Needs the manager level of student data at the study right's HEI; another HEI's study "
    "right is 404."
)


def _right_to_change(actor: Actor, public_id: UUID, what: str) -> StudyRight:
    """A study right the actor manages, its read logged (404 out of scope, 403 a viewer)."""
    return selectors.study_right_get(
        actor=actor, public_id=public_id, what=what, level=Level.MANAGER
    )


def _validated(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _detail(right: StudyRight, answer: int = status.HTTP_200_OK) -> Response:
    return Response(StudyRightDetailSerializer(selectors.reloaded(right)).data, status=answer)


# --- Study rights: reads ----------------------------------------------------------------------


@extend_schema(
    tags=[TAG],
    summary="Study rights in the caller's scope",
    description=(
        "Without the status history (see the detail). Each page shown is written to the "
        "students' access logs."
    ),
)
class StudyRightListView(PersonListMixin, generics.ListAPIView):
    shown_as = "student.study-right.list"
    serializer_class = StudyRightSerializer
    filterset_class = StudyRightFilter

    def get_queryset(self) -> QuerySet[StudyRight]:
        return selectors.student_rights_in_scope(actor=api_actor(self.request)).select_related(
            "transferred_from"
        )


@extend_schema(
    tags=[TAG],
    summary="One study right with its status history (logged in the student's access log)",
    responses={200: StudyRightDetailSerializer, 404: ERRORS[404]},
)
class StudyRightDetailView(generics.RetrieveAPIView):
    serializer_class = StudyRightDetailSerializer

    def get_object(self) -> StudyRight:
        # study_right_get checks the scope and writes the read to the access log.
        return selectors.study_right_get(
            actor=api_actor(self.request), public_id=self.kwargs["public_id"]
        )


# --- Study rights: upsert and batch -----------------------------------------------------------


class StudyRightUpsertView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Upsert a study right by (source system, local id)",
        description=(
            "Idempotent. A new key opens the study right (201) for the HEI — a system client's "
            "own, or `institution` — and records the periods of `periods` after the start "
            "through the register's steps, so every rule applies; a refused period is named "
            "(`periods[2].valid_from`) and nothing of the record is written. An existing key "
            "answers 200 and writes nothing when the content is identical (no new version, no "
            "history). Otherwise the body must carry `version`, the record version the caller "
            'last saw: a stale or missing one answers 409 with code "stale_version"; with the '
            "current one the descriptive fields (form, course, cycle, expected end, admission "
            "basis, student card number) are updated and new periods appended (200). The "
            "student, HEI, programme, start, first funding source and the recorded periods do "
            "not change by upsert (400): use the actions."
        ),
        request=StudyRightUpsertSerializer,
        responses={
            200: StudyRightDetailSerializer,
            201: StudyRightDetailSerializer,
            **ERRORS,
            **STALE,
        },
    )
    def put(self, request: Request, source_system: str, local_id: str) -> Response:
        actor = api_actor(request)
        values = _validated(StudyRightUpsertSerializer, request)
        with key_conflict(StudyRight, source_system, local_id):
            upserted = services.study_right_upsert(
                actor=actor, source_system=source_system, local_id=local_id, values=values
            )
        return Response(
            StudyRightDetailSerializer(upserted.record).data, status=answer_status(upserted)
        )


StudyRightBatchView = batch_view(
    shape=STUDY_RIGHT_BATCH,
    upsert=services.study_right_upsert,
    model=StudyRight,
    represent=lambda right: StudyRightDetailSerializer(right).data,
    result_key="study_right",
    actor_of=api_actor,
    tag=TAG,
    summary="Upsert many study rights, answering per record",
    description=(
        "Each record is upserted as by `PUT /api/v1/students/study-rights/by-source/"
        "{source_system}/{local_id}/`, with its status history, in the order given and in "
        "its own transaction: good records are applied, bad ones reported with their "
        "errors and left unchanged, none half-applied; the batch as a whole is not "
        "all-or-nothing. The answer lists every record by its `index` (from 0) with its "
        "status: 201 created, 200 unchanged or updated, 400 invalid, 403 not allowed, 404 "
        "out of scope (another HEI's key), 409 stale `version`, 500 an error of the register's own "
        "(that record rolled back, the others still tried). Repeating a batch is "
        f"harmless: nothing is written. At most {BATCH_MAX_RECORDS} records per call."
    ),
)


# --- Actions on a study right -----------------------------------------------------------------


class _RightAction(APIView):
    """POST to a study right's action: the right is found in scope at manager level first
    (404/403 before the body is even read), then the body is validated and one service runs."""

    body: type[Serializer]
    what = "student.study-right.change"
    created = False

    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        right = _right_to_change(actor, public_id, self.what)
        data = _validated(self.body, request)
        # A status change's period starts (or ends) `on`: its errors name the body's `on`.
        renames = {"valid_from": "on", "valid_to": "on"} if "on" in data else {}
        with request_fields(**renames):
            return self.perform(actor, right, data)

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        raise NotImplementedError


def _action_schema(
    summary: str, body: Any, response: Any, description: str = "", code: int = 200
) -> Any:
    return extend_schema_view(
        post=extend_schema(
            tags=[TAG],
            summary=summary,
            description=(description + MANAGES).strip(),
            request=body,
            responses={code: response, **ERRORS},
        )
    )


@_action_schema(
    "Start academic leave",
    LeaveStartSerializer,
    StudyRightDetailSerializer,
    "From `on`, for a reason: illness at most 2 years, pregnancy or child care at most 3, "
    "personal reasons at most 1 and once per study right (checked at the return).",
)
class LeaveStartView(_RightAction):
    body = LeaveStartSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.leave_start(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Return from academic leave",
    ReturnSerializer,
    StudyRightDetailSerializer,
    "On `on`, within the leave's limit, optionally to another course.",
)
class LeaveEndView(_RightAction):
    body = ReturnSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.leave_end(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Interrupt the studies",
    ReasonsSerializer,
    StudyRightDetailSerializer,
    "From `on`, for one or more reasons; at most 1 year.",
)
class InterruptionStartView(_RightAction):
    body = ReasonsSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.interruption_start(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Return after an interruption",
    ReturnSerializer,
    StudyRightDetailSerializer,
    "On `on`, to the given course (1–6), within a year of the interruption.",
)
class InterruptionEndView(_RightAction):
    body = ReturnSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.interruption_end(
            actor=actor, study_right=right, on=data["on"], course=data.get("course")
        )
        return _detail(right)


@_action_schema(
    "Terminate the study right (nutraukimas)",
    ReasonsSerializer,
    StudyRightDetailSerializer,
    "On `on`, for one or more reasons; a leave or interruption in progress ends that day.",
)
class TerminateView(_RightAction):
    body = ReasonsSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.terminate(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Record the graduation (baigimas)",
    GraduateSerializer,
    StudyRightDetailSerializer,
    "A studying student completes the studies on `on`, with the degree and qualification "
    "awarded, the thesis and the diploma. Not from leave or an interruption.",
)
class GraduateView(_RightAction):
    body = GraduateSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.graduate(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Transfer to another programme or HEI",
    TransferSerializer,
    StudyRightDetailSerializer,
    "The study right closes on `on` as transferred and a new one opens that day, linked to it "
    "(the answer, 201). The caller must manage both HEIs; a system client's target HEI is its "
    "own unless `institution` is given.",
    code=201,
)
class TransferView(_RightAction):
    body = TransferSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        data["institution"] = services.own_institution(
            actor, data.get("institution"), "institution"
        )
        new_right = services.transfer(actor=actor, study_right=right, **data)
        return _detail(new_right, status.HTTP_201_CREATED)


@_action_schema(
    "Correct the dates of a status period (back-dated)",
    PeriodCorrectionSerializer,
    StudyRightDetailSerializer,
    "The period is named by the day it starts now; the boundary moves with the neighbouring "
    "period and the whole history is validated again. Every changed period keeps its previous "
    "version in the history.",
)
class PeriodCorrectionView(_RightAction):
    body = PeriodCorrectionSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        period = next(
            (p for p in selectors.status_history(right) if p.valid_from == data["period"]), None
        )
        if period is None:
            raise field_error("period", _("No period of this study right starts on that day."))
        services.period_correct(
            actor=actor,
            period=period,
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )
        return _detail(right)


@_action_schema(
    "Change the funding source",
    FundingChangeSerializer,
    StudyRightDetailSerializer,
    "A new source from `valid_from`; the one in force ends that day.",
)
class FundingChangeView(_RightAction):
    body = FundingChangeSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        services.funding_change(actor=actor, study_right=right, **data)
        return _detail(right)


@_action_schema(
    "Add prior education",
    PriorEducationSerializer,
    PriorEducationSerializer,
    "A document that gave access to the studies; a foreign one needs its recognition decision.",
    code=201,
)
class PriorEducationAddView(_RightAction):
    body = PriorEducationSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        record = services.prior_education_add(actor=actor, study_right=right, **data)
        return Response(PriorEducationSerializer(record).data, status=status.HTTP_201_CREATED)


@_action_schema(
    "Add partial studies (mobility)",
    MobilitySerializer,
    MobilitySerializer,
    "Dates within the studies; no more credits recognised than earned.",
    code=201,
)
class MobilityAddView(_RightAction):
    body = MobilitySerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        mobility = services.mobility_add(actor=actor, study_right=right, **data)
        return Response(MobilitySerializer(mobility).data, status=status.HTTP_201_CREATED)


@_action_schema(
    "Add a scholarship",
    ScholarshipSerializer,
    ScholarshipSerializer,
    "A scholarship paid for a period.",
    code=201,
)
class ScholarshipAddView(_RightAction):
    body = ScholarshipSerializer

    def perform(self, actor: Actor, right: StudyRight, data: dict[str, Any]) -> Response:
        scholarship = services.scholarship_add(actor=actor, study_right=right, **data)
        return Response(ScholarshipSerializer(scholarship).data, status=status.HTTP_201_CREATED)


# --- Results (the transcript) -----------------------------------------------------------------


class ResultsView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="The transcript: results by year and semester with credits earned",
        description=(
            "Credits earned count passed units only (grade 5 or more, or pass). Bounded by "
            "the study right's own results, so not paginated. Logged in the student's access "
            "log."
        ),
        responses={200: TranscriptSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        right = selectors.study_right_get(
            actor=api_actor(request), public_id=public_id, what="student.transcript"
        )
        transcript = selectors.transcript(right)
        body = {
            "study_right": right.public_id,
            "credits_earned": transcript.credits_earned,
            "years": transcript.years,
        }
        return Response(TranscriptSerializer(body).data)

    @extend_schema(
        tags=[TAG],
        summary="Add a course unit result",
        description=(
            "Credits and either a grade (1–10) or pass/fail. With `source_system` and "
            "`local_id` it is an upsert: a new key answers 201, a changed result 200, and an "
            "identical one 200 with nothing written." + MANAGES
        ),
        request=ResultSerializer,
        responses={200: ResultSerializer, 201: ResultSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        right = _right_to_change(actor, public_id, "student.study-right.change")
        data = _validated(ResultSerializer, request)
        upserted = services.result_upsert(
            actor=actor,
            study_right=right,
            source_system=data.pop("source_system", ""),
            local_id=data.pop("local_id", ""),
            values=data,
        )
        return Response(ResultSerializer(upserted.record).data, status=answer_status(upserted))


# --- Loans (the loans system's feed) ----------------------------------------------------------


class LoanUpsertView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Upsert a study loan by (source system, local id)",
        description=(
            "For the loans system's feed (and back-office corrections). Idempotent: a new key "
            "answers 201, a changed loan 200, an identical one 200 with nothing written." + MANAGES
        ),
        request=LoanSerializer,
        responses={200: LoanSerializer, 201: LoanSerializer, **ERRORS},
    )
    def put(self, request: Request, public_id: UUID, source_system: str, local_id: str) -> Response:
        actor = api_actor(request)
        right = _right_to_change(actor, public_id, "student.study-right.change")
        data = _validated(LoanSerializer, request)
        upserted = services.loan_upsert(
            actor=actor,
            study_right=right,
            source_system=source_system,
            local_id=local_id,
            values=data,
        )
        return Response(LoanSerializer(upserted.record).data, status=answer_status(upserted))

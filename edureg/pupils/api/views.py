"""The schools' API for the Pupil Register (DESIGN.md §5).

School systems upsert enrolments keyed by (source system, local id), alone or in a batch; every
step with legal meaning (depart, move, close a group) is its own endpoint calling one service.
Reads go through the scoped pupils selectors: another school's enrolment or group is 404, and
every page of enrolments or NVŠ marks shown is written to the pupils' access log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.api.lists import PersonListMixin
from edureg.access.models import Level
from edureg.core.api.batch import BATCH_MAX_RECORDS, answer_status, batch_view
from edureg.core.api.errors import field_error, request_fields
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.context import Actor, ActorKind
from edureg.core.upsert import key_conflict
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.people.selectors import person_get, persons_shown
from edureg.pupils import selectors, services, year_end
from edureg.pupils.api.serializers import (
    ENROLMENT_BATCH,
    AchievementCreateSerializer,
    AchievementSerializer,
    ElectiveCreateSerializer,
    ElectiveSerializer,
    EnrolmentDepartSerializer,
    EnrolmentMoveSerializer,
    EnrolmentSerializer,
    EnrolmentUpsertSerializer,
    GroupCloseSerializer,
    GroupCreateSerializer,
    GroupSerializer,
    NvsMarkCreateSerializer,
    NvsMarkSerializer,
    PupilCardSerializer,
    SpecialNeedsCreateSerializer,
    SpecialNeedsSerializer,
    YearEndPlanSerializer,
    YearEndRequestSerializer,
)
from edureg.pupils.filters import EnrolmentFilter
from edureg.pupils.models import Enrolment, Grade, Group, GroupKind, NvsFundingMark

TAG = "pupils"
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


def _person(actor: Actor, public_id: UUID, field: str = "person") -> Person:
    return services.person_to_enrol(actor=actor, public_id=public_id, field=field)


def _group(actor: Actor, public_id: UUID, field: str = "group") -> Group:
    return services.group_to_enrol(actor=actor, public_id=public_id, field=field)


def _own_institution(actor: Actor, given: Institution | None, field: str) -> Institution:
    """The institution named in the body, else the system client's own one."""
    if given is None and actor.kind == ActorKind.CLIENT and actor.client is not None:
        given = actor.client.institution
    if given is None:
        raise field_error(field, _("Give the institution's register id."), "required")
    return given


# --- Filters ----------------------------------------------------------------------------------


class GroupFilter(django_filters.FilterSet):
    school_year = django_filters.NumberFilter(field_name="school_year")
    kind = django_filters.ChoiceFilter(choices=GroupKind.choices)
    grade = django_filters.ChoiceFilter(choices=Grade.choices)

    class Meta:
        model = Group
        fields = ["school_year", "kind", "grade"]


class EnrolmentApiFilter(EnrolmentFilter):
    """The pupil list's one filter, with what a system needs: the group by its public id (a
    name repeats across years and schools) and a plain `open` flag."""

    group = django_filters.UUIDFilter(field_name="group__public_id", label="Group public id")
    open = django_filters.BooleanFilter(
        field_name="valid_to", lookup_expr="isnull", label="Open (not departed)"
    )


# --- Groups -----------------------------------------------------------------------------------


class GroupListView(generics.ListAPIView):
    """The groups of the caller's institutions (and branches), newest first."""

    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    def get_queryset(self) -> QuerySet[Group]:
        return selectors.group_list(actor=api_actor(self.request))

    @extend_schema(tags=[TAG], summary="Groups of the caller's institutions")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="Create a class or group",
        description=(
            "A general-education class needs a grade. A system client creates groups of its "
            "own institution; a signed-in user gives `institution`."
        ),
        request=GroupCreateSerializer,
        responses={201: GroupSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        serializer = GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        institution = _own_institution(actor, values.pop("institution", None), "institution")
        group = services.group_create(actor=actor, institution=institution, **values)
        return Response(GroupSerializer(group).data, status=status.HTTP_201_CREATED)


class GroupCloseView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Close a group",
        description="Its pupils must have been moved or departed first.",
        request=GroupCloseSerializer,
        responses={200: GroupSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        group = selectors.group_list(actor=actor).filter(public_id=public_id).first()
        if group is None:
            raise Http404
        serializer = GroupCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with request_fields(closed_on="date"):
            group = services.group_close(
                actor=actor, group=group, on=serializer.validated_data["date"]
            )
        return Response(GroupSerializer(group).data)


class GroupYearEndView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="End the school year for a class",
        description=(
            "Promote, repeat or complete each pupil of a general-education class. With "
            "`dry_run` the plan is answered and nothing is written; otherwise every pupil's step "
            "is written or, when any step is impossible, none is (400 naming the problems)."
        ),
        request=YearEndRequestSerializer,
        responses={200: YearEndPlanSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        group = selectors.group_list(actor=actor).filter(public_id=public_id).first()
        if group is None:
            raise Http404
        serializer = YearEndRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        arguments = {
            "actor": actor,
            "group": group,
            "on": data["date"],
            "outcomes": {str(o["enrolment"]): o["outcome"] for o in data.get("outcomes", [])},
            "promote_to": _group(actor, data["promote_to"], "promote_to")
            if data.get("promote_to")
            else None,
            "repeat_to": _group(actor, data["repeat_to"], "repeat_to")
            if data.get("repeat_to")
            else None,
            "graduation_reason": data.get("graduation_reason"),
        }
        if data["dry_run"]:
            plan = year_end.year_end_plan(**arguments)
            if plan.errors:
                raise plan.as_validation_error()
            applied = False
        else:
            previewed = data.get("previewed")
            if previewed is None:
                previewed = year_end.year_end_plan(**arguments).enrolment_ids
            plan = year_end.year_end_apply(previewed=[str(i) for i in previewed], **arguments)
            applied = True
        persons_shown(
            actor=actor, persons=[s.enrolment.person for s in plan.steps], what="pupil.group"
        )
        body = YearEndPlanSerializer({"on": plan.on, "applied": applied, "steps": plan.steps})
        return Response(body.data)


# --- Enrolments: upsert ---------------------------------------------------------------------


class EnrolmentUpsertView(APIView):
    """Enrol a pupil, keyed by the school system's own id."""

    @extend_schema(
        tags=[TAG],
        summary="Upsert an enrolment by (source system, local id)",
        description=(
            "Idempotent. A new key enrols the pupil in the group from `valid_from` (201), under "
            "the register's rules: a pupil open at another school is refused with that school "
            "named, unless `transfer` is true, which ends the other enrolment that day. An "
            "existing key answers 200 and writes nothing when the content is identical (no "
            "new version, no history), so a repeated call is harmless. Otherwise the body "
            "must carry `version`, the record version the caller last saw: a stale one answers "
            '409 with code "stale_version"; a current one answers 400, because an enrolment '
            "changes only through its actions (`move`, `depart`)."
        ),
        request=EnrolmentUpsertSerializer,
        responses={
            200: EnrolmentSerializer,
            201: EnrolmentSerializer,
            **ERRORS,
            **STALE,
        },
    )
    def put(self, request: Request, source_system: str, local_id: str) -> Response:
        actor = api_actor(request)
        serializer = EnrolmentUpsertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with key_conflict(Enrolment, source_system, local_id):
            upserted = services.enrolment_upsert(
                actor=actor,
                source_system=source_system,
                local_id=local_id,
                values=serializer.validated_data,
            )
        return Response(EnrolmentSerializer(upserted.record).data, status=answer_status(upserted))


EnrolmentBatchView = batch_view(
    shape=ENROLMENT_BATCH,
    upsert=services.enrolment_upsert,
    prepare=services.enrolment_batch_prepare,
    model=Enrolment,
    represent=lambda enrolment: EnrolmentSerializer(enrolment).data,
    result_key="enrolment",
    actor_of=api_actor,
    tag=TAG,
    summary="Upsert many enrolments, answering per record",
    description=(
        "Each record is upserted as by `PUT /api/v1/pupils/enrolments/by-source/"
        "{source_system}/{local_id}/`, in the order given and in its own transaction: good "
        "records are applied, bad ones are reported with their errors, none is "
        "half-applied, and the batch as a whole is not all-or-nothing. Records are applied "
        "one after another, so the register's rules hold between them too: of two records "
        "that would open two general-education enrolments for one pupil, the first is "
        "applied and the second reported. The answer lists every record by its `index` "
        "(from 0) with its status: 201 created, 200 unchanged, 400 invalid, 403 not "
        "allowed, 404 out of scope, 409 stale `version`, 500 an error of the register's own "
        "(that record rolled back, the others still tried). Repeating a batch is harmless. "
        f"At most {BATCH_MAX_RECORDS} records per call."
    ),
)


# --- Enrolments: reads ------------------------------------------------------------------------


@extend_schema(
    tags=[TAG],
    summary="Enrolments in the caller's scope",
    description="Each page shown is written to the pupils' access logs.",
)
class EnrolmentListView(PersonListMixin, generics.ListAPIView):
    shown_as = "enrolment.list"
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentApiFilter

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolment_list(actor=api_actor(self.request)).select_related(
            "transferred_to"
        )


def _enrolment(actor: Actor, public_id: UUID, level: str = Level.VIEWER) -> Enrolment:
    return selectors.enrolment_get(actor=actor, public_id=public_id, level=level)


@extend_schema(
    tags=[TAG],
    summary="One enrolment (logged in the pupil's access log)",
    responses={200: EnrolmentSerializer, 404: ERRORS[404]},
)
class EnrolmentDetailView(generics.RetrieveAPIView):
    serializer_class = EnrolmentSerializer

    def get_object(self) -> Enrolment:
        actor = api_actor(self.request)
        enrolment = _enrolment(actor, self.kwargs["public_id"])
        persons_shown(actor=actor, persons=[enrolment.person], what="enrolment.detail")
        return enrolment


# --- Enrolments: actions ----------------------------------------------------------------------


class EnrolmentDepartView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Record the pupil's departure (išregistravimas)",
        description=(
            "The enrolment ends on `date` with a reason from the departure-reason classifier "
            "and the director's order number when an order was written."
        ),
        request=EnrolmentDepartSerializer,
        responses={200: EnrolmentSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        enrolment = _enrolment(actor, public_id, Level.MANAGER)
        serializer = EnrolmentDepartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with request_fields(
            valid_to="date", departure_reason="reason", departure_order_number="order_number"
        ):
            enrolment = services.pupil_depart(
                actor=actor,
                enrolment=enrolment,
                on=data["date"],
                reason=data["reason"],
                order_number=data.get("order_number", ""),
            )
        return Response(EnrolmentSerializer(enrolment).data)


class EnrolmentMoveView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Move the pupil to another group of the same institution",
        description=(
            "The enrolment ends on `date` and a new one in the new group starts that day; the "
            "answer is the new enrolment. Moving to another school is a transfer: enrol there "
            "with `transfer`."
        ),
        request=EnrolmentMoveSerializer,
        responses={201: EnrolmentSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        enrolment = _enrolment(actor, public_id, Level.MANAGER)
        serializer = EnrolmentMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with request_fields(valid_from="date", valid_to="date"):
            moved = services.pupil_move(
                actor=actor,
                enrolment=enrolment,
                group=_group(actor, data["group"]),
                on=data["date"],
            )
        return Response(EnrolmentSerializer(moved).data, status=status.HTTP_201_CREATED)


# --- NVŠ funding marks ------------------------------------------------------------------------


class NvsMarkListView(PersonListMixin, generics.ListAPIView):
    """NVŠ funding marks in the caller's scope; providers mark their pupils' months."""

    shown_as = "nvs.list"
    serializer_class = NvsMarkSerializer

    def get_queryset(self) -> QuerySet[NvsFundingMark]:
        return selectors.nvs_marks(actor=api_actor(self.request))

    @extend_schema(
        tags=[TAG],
        summary="NVŠ funding marks in the caller's scope",
        description="Each page shown is written to the pupils' access logs.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="Mark a pupil's NVŠ funding for months",
        description=(
            "One mark per month from `month_from` to `month_to` (at most two calendar years). "
            "The basket (NVŠ targeted funding) may be marked by one provider only for a pupil "
            'and a month: when another provider holds it, the answer is 400 with field "basket" '
            "and nothing is marked."
        ),
        request=NvsMarkCreateSerializer,
        responses={201: NvsMarkSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        serializer = NvsMarkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        marks = services.nvs_funding_mark(
            actor=actor,
            person=_person(actor, data["person"]),
            provider=_own_institution(actor, data.get("provider"), "provider"),
            months=services.months_between(data["month_from"], data["month_to"]),
            basket=data["basket"],
            municipal_funds=data["municipal_funds"],
            state_funds=data["state_funds"],
            other_funding=data["other_funding"],
        )
        return Response(NvsMarkSerializer(marks, many=True).data, status=status.HTTP_201_CREATED)


# --- Learning data ----------------------------------------------------------------------------


def _learning_schema(summary: str, request: Any, response: Any, description: str = "") -> Any:
    return extend_schema(
        tags=[TAG],
        summary=summary,
        description=(
            description + " Needs the manager level of pupil learning data at the institution; "
            "a system client records for its own institution and may leave `institution` out."
        ).strip(),
        request=request,
        responses={201: response, **ERRORS},
    )


class ElectiveCreateView(APIView):
    @_learning_schema(
        "Record an elective subject",
        ElectiveCreateSerializer,
        ElectiveSerializer,
        "An elective subject with its course level (A advanced, B general).",
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        serializer = ElectiveCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        elective = services.elective_add(
            actor=actor,
            person=_person(actor, data.pop("person")),
            institution=_own_institution(actor, data.pop("institution", None), "institution"),
            **data,
        )
        return Response(ElectiveSerializer(elective).data, status=status.HTTP_201_CREATED)


class AchievementCreateView(APIView):
    @_learning_schema(
        "Record an exam, olympiad or competition result",
        AchievementCreateSerializer,
        AchievementSerializer,
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        serializer = AchievementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        achievement = services.achievement_add(
            actor=actor,
            person=_person(actor, data.pop("person")),
            institution=_own_institution(actor, data.pop("institution", None), "institution"),
            **data,
        )
        return Response(AchievementSerializer(achievement).data, status=status.HTTP_201_CREATED)


class SpecialNeedsCreateView(APIView):
    @_learning_schema(
        "Set a special educational needs level from a date",
        SpecialNeedsCreateSerializer,
        SpecialNeedsSerializer,
        "The level in force until then ends that day.",
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        serializer = SpecialNeedsCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        needs = services.special_needs_set(
            actor=actor,
            person=_person(actor, data.pop("person")),
            institution=_own_institution(actor, data.pop("institution", None), "institution"),
            **data,
        )
        return Response(SpecialNeedsSerializer(needs).data, status=status.HTTP_201_CREATED)


# --- The pupil card ---------------------------------------------------------------------------


class PupilCardView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="A pupil's card (logged in the pupil's access log)",
        description=(
            "The person with the enrolments (clubs included), NVŠ funding marks, electives, "
            "achievements and special-needs levels the caller may see. A person out of the "
            "caller's scope is 404."
        ),
        responses={200: PupilCardSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        person = person_get(actor=actor, public_id=public_id, what="pupil.card")
        card = selectors.pupil_card(actor=actor, person=person)
        return Response(PupilCardSerializer(card).data)

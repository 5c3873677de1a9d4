"""The documents' API: list and read documents within scope, and each legal act on a document
as its own endpoint — form, approve (issue), annul, reissue (duplicate or replacement),
discard — calling one service each (DESIGN.md §5).

Reads go through `credentials.selectors` (out of scope answers 404 on every path; each document
shown is written to its holder's access log). A school's documents are seen by the school with
its branches, its municipality and the agency; an HEI's by the HEI and the agency; a citizen
sees their own issued ones.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.models import Level
from edureg.core.api.errors import field_error
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.context import Actor, ActorKind
from edureg.credentials import pdf, selectors, services
from edureg.credentials.api.serializers import (
    DocumentAnnulSerializer,
    DocumentApproveSerializer,
    DocumentDetailSerializer,
    DocumentFormSerializer,
    DocumentReissueSerializer,
    DocumentSerializer,
)
from edureg.credentials.models import Blank, Document, DocumentStatus, ReissueKind
from edureg.institutions.models import Institution
from edureg.students.selectors import student_rights_in_scope, study_right_get

TAG = "documents"
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field."),
    403: OpenApiResponse(ApiErrorSerializer, description="In scope but not allowed."),
    404: OpenApiResponse(ApiErrorSerializer, description="Unknown or not in the caller's scope."),
}


class DocumentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices)
    document_type = django_filters.CharFilter(
        field_name="document_type__code", label="Document type (code)"
    )
    institution = django_filters.CharFilter(
        field_name="institution__register_id", label="Issuer (register id)"
    )
    person = django_filters.UUIDFilter(field_name="person__public_id", label="Holder public id")
    group = django_filters.UUIDFilter(field_name="group__public_id", label="Class public id")
    school_year = django_filters.NumberFilter(field_name="school_year")
    issued_since = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label="Issued on or after"
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601)"
    )

    class Meta:
        model = Document
        fields = ["status", "document_type", "institution", "person", "group", "school_year"]


def _validated(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _detail(document: Document, answer: int = status.HTTP_200_OK) -> Response:
    document = (
        selectors._base().select_related("group", "study_right", "replaces").get(pk=document.pk)
    )
    context = {"reissued_as": selectors.reissue_of(document)}
    return Response(DocumentDetailSerializer(document, context=context).data, status=answer)


@extend_schema(
    tags=[TAG],
    summary="Documents in the caller's scope",
    description=(
        "Certificates, diplomas and documents on demand, newest first, without their content "
        "(see the detail). Filter by `status=issued` for the issued ones. Each page shown is "
        "written to the holders' access logs."
    ),
)
class DocumentListView(generics.ListAPIView):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self) -> QuerySet[Document]:
        return selectors.documents_in_scope(actor=api_actor(self.request)).select_related(
            "group", "study_right", "replaces"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        selectors.documents_shown(actor=api_actor(request), documents=page, what="credentials.api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Form a document for a person",
        description=(
            "Forms the document from the register data when the person meets the type's "
            "eligibility rules; otherwise 400 with code `not_eligible` and every rule the person "
            "does not meet, each naming the rule and the person (field `person`). The person is "
            "a pupil who was enrolled at the issuing institution, or, for documents of the "
            "Student Register, the holder of `study_right`. Needs the type's forming function "
            "area at the institution as manager (another institution's is 404). A type with an "
            "approval step answers a document awaiting approval (status `formed`); a document "
            "on demand is issued at once."
        ),
        request=DocumentFormSerializer,
        responses={201: DocumentDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        data = _validated(DocumentFormSerializer, request)
        document_type = data["document_type"]
        right = None
        if "study_right" in data:
            right = _study_right(actor, data["study_right"])
            institution = right.institution
            if "person" in data and data["person"] != right.person.public_id:
                raise field_error("person", _("The study right is another person's."))
            person = right.person
        else:
            institution = _own_institution(actor, data.get("institution"))
            found = selectors.person_for_forming(
                actor=actor,
                institution=institution,
                area=document_type.form_area,
                public_id=data["person"],
            )
            if found is None:
                raise field_error(
                    "person", _("No such pupil at this institution."), "does_not_exist"
                )
            person = found
        document = services.document_form(
            actor=actor,
            document_type=document_type,
            person=person,
            institution=institution,
            school_year=data.get("school_year"),
            study_right=right,
        )
        return _detail(document, status.HTTP_201_CREATED)


def _own_institution(actor: Actor, given: Institution | None) -> Institution:
    if given is None and actor.kind == ActorKind.CLIENT and actor.client is not None:
        given = actor.client.institution
    if given is None:
        raise field_error("institution", _("Give the institution's register id."), "required")
    return given


def _study_right(actor: Actor, public_id: UUID) -> Any:
    if actor.kind == ActorKind.CITIZEN:  # the holder forms documents on demand for their own
        right = student_rights_in_scope(actor=actor).filter(public_id=public_id).first()
        if right is None:
            raise Http404
        return right
    return study_right_get(
        actor=actor, public_id=public_id, what="credentials.form-lookup", level=Level.MANAGER
    )


@extend_schema(
    tags=[TAG],
    summary="One document with its content (logged in the holder's access log)",
    responses={200: DocumentDetailSerializer, 404: ERRORS[404]},
)
class DocumentDetailView(APIView):
    def get(self, request: Request, public_id: UUID) -> Response:
        document = selectors.document_get(
            actor=api_actor(request), public_id=public_id, what="credentials.api"
        )
        return _detail(document)


class _DocumentAction(APIView):
    """A legal act on one document: the document in the caller's scope at the manager level
    (404 out of scope, 403 a viewer), the body validated, one service called."""

    body: type[Serializer]
    answer = status.HTTP_200_OK

    def post(self, request: Request, public_id: UUID) -> Response:
        actor = api_actor(request)
        document = selectors.document_get(
            actor=actor, public_id=public_id, level=Level.MANAGER, what="credentials.api"
        )
        data = _validated(self.body, request)
        return _detail(self.perform(actor, document, data), self.answer)

    def perform(self, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
        raise NotImplementedError


def _action_schema(summary: str, body: type[Serializer], description: str, code: int = 200):  # type: ignore[no-untyped-def]
    return extend_schema(
        tags=[TAG],
        summary=summary,
        description=description,
        request=body,
        responses={code: DocumentDetailSerializer, **ERRORS},
    )


@_action_schema(
    "Approve a formed document: it is issued",
    DocumentApproveSerializer,
    "By someone with the type's approving function area at the institution, not the one who "
    "formed it (400 otherwise). The document gets its registration number and verification "
    "code and uses the next security blank on hand (or the one named), and one for the "
    "supplement; no blank on hand is 400 on field `blank`.",
)
class DocumentApproveView(_DocumentAction):
    body = DocumentApproveSerializer

    def perform(self, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
        blank = None
        if "blank_number" in data:
            blank = Blank.objects.filter(
                blank_type_id=document.document_type.blank_type_id,
                series=data["blank_series"].strip().upper(),
                number=data["blank_number"],
                institution=document.institution,
            ).first()
            if blank is None:
                raise field_error(
                    "blank_number", _("No such blank at this institution."), "does_not_exist"
                )
        return services.document_approve(actor=actor, document=document, blank=blank)


@_action_schema(
    "Annul an issued document",
    DocumentAnnulSerializer,
    "With a reason; the document stays in the register, marked annulled (its verification "
    "page says so). Cannot be undone. Form its duplicate or replacement with `reissue`.",
)
class DocumentAnnulView(_DocumentAction):
    body = DocumentAnnulSerializer

    def perform(self, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
        return services.document_annul(actor=actor, document=document, reason=data["reason"])


@_action_schema(
    "Form the duplicate or replacement of an annulled document",
    DocumentReissueSerializer,
    "The new document (201) is linked to the annulled one (`replaces`) and is approved like "
    "any other.",
    code=201,
)
class DocumentReissueView(_DocumentAction):
    body = DocumentReissueSerializer
    answer = status.HTTP_201_CREATED

    def perform(self, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
        kind = ReissueKind(data["kind"])
        return services.document_reissue(actor=actor, document=document, kind=kind)


class _NoBody(Serializer):
    pass


@_action_schema(
    "Discard a formed document before approval",
    _NoBody,
    "It is kept, marked discarded, and never issued.",
)
class DocumentDiscardView(_DocumentAction):
    body = _NoBody

    def perform(self, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
        return services.document_discard(actor=actor, document=document)


@extend_schema(
    tags=[TAG],
    summary="The register's sealed PDF of an issued (or since annulled) document",
    description="PAdES-sealed; the same bytes every time. A document not yet issued is 404.",
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        404: ERRORS[404],
    },
)
class DocumentPdfView(APIView):
    def get(self, request: Request, public_id: UUID) -> HttpResponse:
        actor = api_actor(request)
        document = selectors.document_get(actor=actor, public_id=public_id, what="credentials.pdf")
        if document.status not in (DocumentStatus.ISSUED, DocumentStatus.ANNULLED):
            raise Http404
        response = HttpResponse(
            pdf.document_pdf(actor=actor, document=document), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, pdf.pdf_filename(document)
        )
        return response

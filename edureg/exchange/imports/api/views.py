"""The file import API: upload a file (answered 202 with the import and its job), read how
it went and each row's result. The import acts as the caller (its scope, its label)."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import holds_any
from edureg.core.api.parsers import RegisterJSONParser
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.exchange.import_models import ImportRow
from edureg.exchange.imports import services
from edureg.exchange.imports.api.serializers import (
    ImportRowSerializer,
    ImportRunSerializer,
    ImportUploadSerializer,
)
from edureg.students.services import own_institution

TAG = "Exchange"
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field."),
    403: OpenApiResponse(ApiErrorSerializer, description="In scope but not allowed."),
    404: OpenApiResponse(ApiErrorSerializer, description="Unknown or not in the caller's scope."),
}


class ImportUploadView(APIView):
    # JSON too, so that a JSON call is answered by the right check (403, or 400 naming the
    # missing file) rather than 415 when authentication first reads the body.
    parser_classes = [MultiPartParser, RegisterJSONParser]

    @extend_schema(
        tags=[TAG],
        summary="Import a file of enrolments or study rights",
        description=(
            "The file (CSV, XLSX or JSON Lines; the first row or each object names the columns) "
            "is staged and applied in the background through the registers' upsert services, "
            "row by row: good rows are applied, refused rows change nothing and are reported "
            "with the field, code and message (unless `all_or_nothing`). Follow `job` at "
            "`/api/v1/jobs/{id}/`, then read the rows."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportRunSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        # Who may not write into either register is refused before the body is read (a
        # citizen, for one): 403, never a parse error about a file they may not send.
        if not holds_any(
            actor, [FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA], Level.MANAGER
        ):
            raise PermissionDenied(_("You do not have the right to do this."))
        given = ImportUploadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        run = services.import_upload(
            actor=actor,
            kind=data["kind"],
            institution=own_institution(actor, data.get("institution"), "institution"),
            source_system=data["source_system"],
            stream=data["file"],
            file_name=data["file"].name,
            all_or_nothing=data["all_or_nothing"],
        )
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="One of the caller's imports",
        responses={200: ImportRunSerializer, **ERRORS},
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        run = services.import_for(actor=api_actor(request), public_id=public_id)
        return Response(ImportRunSerializer(run).data)


@extend_schema(tags=[TAG], summary="Each row's result of one of the caller's imports")
class ImportRowsView(generics.ListAPIView):
    serializer_class = ImportRowSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        run = services.import_for(actor=api_actor(self.request), public_id=self.kwargs["public_id"])
        rows = run.rows.order_by("line")
        outcome = self.request.query_params.get("outcome")
        return rows.filter(outcome=outcome) if outcome else rows

    queryset = ImportRow.objects.none()

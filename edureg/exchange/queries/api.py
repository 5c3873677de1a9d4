"""The mass-query API: `POST /api/v1/exchange/queries/` asks a query (202 with its status),
`GET /api/v1/exchange/queries/<id>/` tells how far it is and links the files when ready,
`GET /api/v1/exchange/queries/<id>/result/<csv|jsonl|xlsx>/` downloads one (410 once expired).
See docs/exchange.md."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.api.fieldscope import client_terms
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.exchange.queries import files, selectors, services
from edureg.exchange.query_models import MassQuery, QueryStatus

TAG = "Exchange"


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy(
        "This result has expired and its files are removed; ask the query again."
    )
    default_code = "gone"


class MassQueryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=list(selectors.QUERY_KINDS),
        help_text="`pupils_enrolled_on`: pupils' enrolments in force on `date` at the schools "
        "of `municipality` (data set `enrolments`); `graduates_of_year`: study rights whose "
        "graduation falls in `year`, by programme, optionally one `programme` (data set "
        "`study_rights`).",
    )
    municipality = serializers.CharField(
        required=False, help_text="pupils_enrolled_on: the municipality's code, e.g. LT-57."
    )
    date = serializers.CharField(
        required=False, help_text="pupils_enrolled_on: the day, YYYY-MM-DD."
    )
    year = serializers.IntegerField(required=False, help_text="graduates_of_year: the year.")
    programme = serializers.CharField(
        required=False, help_text="graduates_of_year: a programme's state code (optional)."
    )
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=list(files.FORMATS)),
        required=False,
        help_text="The files to write; by default all three (csv, jsonl, xlsx).",
    )


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


class MassQuerySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status_label = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    job = serializers.UUIDField(source="job.public_id", read_only=True, allow_null=True)

    class Meta:
        model = MassQuery
        fields = [
            "id",
            "kind",
            "params",
            "dataset",
            "formats",
            "status",
            "status_label",
            "progress",
            "rows",
            "fields",
            "agreement_number",
            "message",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "files",
            "job",
        ]
        read_only_fields = fields

    def _status(self, query: MassQuery) -> str:
        return QueryStatus.EXPIRED if services.is_expired(query) else query.status

    def to_representation(self, instance: MassQuery) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["status"] = self._status(instance)
        return data

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_label(self, query: MassQuery) -> str:
        return str(QueryStatus(self._status(query)).label)

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, query: MassQuery) -> dict[str, Any]:
        job = query.job
        if job is None:
            return {"done": query.rows or 0, "total": query.rows, "percent": None}
        return {"done": job.done, "total": job.total, "percent": job.percent}

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_files(self, query: MassQuery) -> dict[str, str]:
        """Links to the files when ready and not expired."""
        if self._status(query) != QueryStatus.DONE:
            return {}
        request = self.context.get("request")
        links = {}
        for file_format in query.formats:
            path = reverse("api:mass-query-result", args=[query.public_id, file_format])
            links[file_format] = request.build_absolute_uri(path) if request else path
        return links


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field."),
    403: OpenApiResponse(
        ApiErrorSerializer,
        description="Not an information system; or a recipient's system without an agreement "
        "in force naming the query's data set.",
    ),
    404: OpenApiResponse(ApiErrorSerializer, description="Unknown, or another system's query."),
}


class _QueryView(APIView):
    # A recipient's query is a read asked by POST (access.api.fieldscope).
    agreement_read_by_post = True

    @property
    def agreement_dataset(self) -> str | None:
        # Let a recipient through when its agreement names a data set a query gives; the
        # service then checks the data set of the very query (403 when not named).
        request = getattr(self, "request", None)
        if request is None:
            return None
        terms = client_terms(api_actor(request))
        if terms is None:
            return None
        names = [d for d in selectors.QUERY_DATASETS if d in terms.fields]
        return names[0] if names else selectors.QUERY_DATASETS[0]


def _refused(exc: DjangoPermissionDenied) -> PermissionDenied:
    return PermissionDenied(str(exc) or _("You do not have the right to do this."))


class MassQueryListView(_QueryView):
    @extend_schema(
        tags=[TAG],
        summary="Ask a mass query",
        description=(
            "A named query with its parameters. The answer (202) is the query, waiting; follow "
            "its `Location` (`GET /api/v1/exchange/queries/{id}/`) until `status` is `done`, "
            "then download `files`. The rows are those the system's scope gives, the fields "
            "those its data-provision agreements in force name; every person in the result "
            "gets a disclosure in their access log for the query and for each download. At "
            "most `MASS_QUERY_CONCURRENCY` queries run at once (the others wait, `queued`); a "
            "result is kept `MASS_QUERY_RESULT_DAYS` (3) days, then answers 410."
        ),
        request=MassQueryCreateSerializer,
        responses={202: MassQuerySerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        actor = api_actor(request)
        given = MassQueryCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        kind = data.pop("kind")
        formats = data.pop("formats", None)
        try:
            query = services.mass_query_create(actor=actor, kind=kind, params=data, formats=formats)
        except DjangoPermissionDenied as exc:
            raise _refused(exc) from None
        body = MassQuerySerializer(query, context={"request": request}).data
        location = request.build_absolute_uri(
            reverse("api:mass-query-detail", args=[query.public_id])
        )
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class MassQueryDetailView(_QueryView):
    @extend_schema(
        tags=[TAG],
        summary="One of the system's mass queries: status, progress and files",
        responses={200: MassQuerySerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        query = selectors.query_for(actor=api_actor(request), public_id=public_id)
        return Response(MassQuerySerializer(query, context={"request": request}).data)


class MassQueryResultView(_QueryView):
    @extend_schema(
        tags=[TAG],
        summary="Download a file of a mass query's result",
        description=(
            "CSV (comma-separated, UTF-8, a header row of the field names), JSON Lines (one "
            "record a line, as the data set's list endpoint answers it) or XLSX. 404 until the "
            "result is ready; 410 once it has expired. Each download is recorded in the access "
            "log of every person in the result."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            403: ERRORS[403],
            404: ERRORS[404],
            410: OpenApiResponse(ApiErrorSerializer, description="The result has expired."),
        },
    )
    def get(self, request: Request, public_id: UUID, file_format: str) -> Any:
        actor = api_actor(request)
        query = selectors.query_for(actor=actor, public_id=public_id)
        try:
            path = services.mass_query_download_record(
                actor=actor, query=query, file_format=file_format
            )
        except services.GoneError:
            raise Gone from None
        except DjangoPermissionDenied as exc:
            raise _refused(exc) from None
        name = f"{query.kind}-{query.public_id}.{file_format}"
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=files.CONTENT_TYPES[file_format],
        )

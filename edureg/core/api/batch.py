"""Batch upserts that answer per record (DESIGN.md §5): one view and one serializer factory
for every register.

Each record is validated and applied in its own transaction, in order, by the register's
upsert service (`edureg.core.upsert`): good records are applied, bad ones reported with their
errors in the API's one error shape, none half-applied. A record that fails unexpectedly (an
error of the register's own) is rolled back and answered 500 in the same shape, and the batch
goes on, so every record gets its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from edureg.core.api.errors import exception_handler
from edureg.core.api.serializers import ApiErrorDetailSerializer, ApiErrorSerializer
from edureg.core.context import Actor
from edureg.core.upsert import Upserted, key_conflict

logger = logging.getLogger(__name__)

BATCH_MAX_RECORDS = 500

# Sent once a batch is answered, with `model` (the register's record class), `actor` and
# `results` (one answer per record, as returned). The exchange app keeps what each source
# system sent from it (its transfer dashboard); the kernel does not need to know.
batch_answered = Signal()

# The register's upsert service: (actor, source_system, local_id, values) -> Upserted.
UpsertService = Callable[..., Upserted[Any]]
# Resolves what a batch's records name, all at once, before they are applied one by one.
Prepare = Callable[[Actor, list[dict[str, Any]]], None]


@dataclass(frozen=True)
class BatchSerializers:
    """The serializers of one register's batch endpoint."""

    name: str
    record: type[Serializer]  # one record: the upsert body with its key
    batch: type[Serializer]  # what is parsed first: a bounded list of objects
    request: type[Serializer]  # the request as documented
    response: type[Serializer]  # the answer: one result per record


def batch_serializers(
    *,
    name: str,
    upsert: type[Serializer],
    represent: type[Serializer],
    result_key: str,
    status_help: str,
) -> BatchSerializers:
    """The batch serializers of a register, named `<name>BatchRecord`, `<name>BatchRequest`,
    `<name>BatchResult` and `<name>BatchResponse` in the schema."""
    key_fields = {
        "source_system": serializers.CharField(max_length=64),
        "local_id": serializers.CharField(max_length=64),
    }
    record_attrs: dict[str, Any] = {**key_fields, "__module__": upsert.__module__}
    meta = getattr(upsert, "Meta", None)
    if meta is not None and hasattr(meta, "fields"):
        record_attrs["Meta"] = type("Meta", (meta,), {"fields": [*key_fields, *meta.fields]})
    record = type(f"{name}BatchRecordSerializer", (upsert,), record_attrs)
    batch = type(
        f"{name}BatchSerializer",
        (serializers.Serializer,),
        {
            "__module__": upsert.__module__,
            "__doc__": (
                "Records are checked one by one in the view, so that one bad record does not "
                f"stop the others; the documented shape of each record is `{name}BatchRecord`."
            ),
            "records": serializers.ListField(
                child=serializers.DictField(), allow_empty=False, max_length=BATCH_MAX_RECORDS
            ),
        },
    )
    request = type(
        f"{name}BatchRequestSerializer",
        (serializers.Serializer,),
        {
            "__module__": upsert.__module__,
            "__doc__": "The batch request as documented in the schema.",
            "records": record(many=True),
        },
    )
    result = type(
        f"{name}BatchResultSerializer",
        (serializers.Serializer,),
        {
            "__module__": upsert.__module__,
            "index": serializers.IntegerField(
                help_text=gettext_lazy("The record's position in `records`, from 0.")
            ),
            "source_system": serializers.CharField(allow_null=True),
            "local_id": serializers.CharField(allow_null=True),
            "status": serializers.IntegerField(help_text=status_help),
            result_key: represent(required=False),
            "errors": ApiErrorDetailSerializer(many=True, required=False),
        },
    )
    response = type(
        f"{name}BatchResponseSerializer",
        (serializers.Serializer,),
        {"__module__": upsert.__module__, "results": result(many=True)},
    )
    return BatchSerializers(
        name=name, record=record, batch=batch, request=request, response=response
    )


def answer_status(upserted: Upserted[Any]) -> int:
    """201 for a created record, 200 for an unchanged or updated one."""
    return status.HTTP_201_CREATED if upserted.created else status.HTTP_200_OK


def _key_part(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def upsert_each(
    records: Iterable[dict[str, Any]],
    *,
    actor: Actor,
    record_serializer: type[Serializer],
    upsert: UpsertService,
    model: type[models.Model],
    represent: Callable[[Any], Any],
    result_key: str,
    view: Any,
    request: Request,
    prepare: Prepare | None = None,
) -> list[dict[str, Any]]:
    """Apply each record; return one answer per record: index, key, status, record or errors.

    The records are validated first; `prepare(actor, values)` may then resolve what they name
    for the whole batch at once (the pupils and groups of a thousand enrolments in two reads);
    then each is applied in its own transaction, in order."""
    results: list[dict[str, Any]] = []
    parsed: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = []

    def refused(result: dict[str, Any], exc: Exception) -> None:
        # Rendered by the API's one exception handler: the same shape and language.
        response = exception_handler(exc, {"view": view, "request": request})
        assert response is not None
        result.update(status=response.status_code, errors=response.data["errors"])

    def failed(result: dict[str, Any]) -> None:
        logger.exception(
            "batch record %s of %s failed unexpectedly", result["index"], model.__name__
        )
        result.update(status=status.HTTP_500_INTERNAL_SERVER_ERROR, errors=[_unexpected_error()])

    for index, record in enumerate(records):
        result: dict[str, Any] = {
            "index": index,
            "source_system": _key_part(record.get("source_system")),
            "local_id": _key_part(record.get("local_id")),
        }
        results.append(result)
        serializer = record_serializer(data=record)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.APIException as exc:
            refused(result, exc)
            continue
        except Exception:  # a validator's own bug: this record is answered, the batch goes on
            failed(result)
            continue
        values = dict(serializer.validated_data)
        parsed.append((result, values.pop("source_system"), values.pop("local_id"), values))
    if prepare is not None and parsed:
        prepare(actor, [values for _result, _system, _local, values in parsed])
    for result, source_system, local_id, values in parsed:
        try:
            with key_conflict(model, source_system, local_id), transaction.atomic():
                upserted = upsert(
                    actor=actor, source_system=source_system, local_id=local_id, values=values
                )
                # Inside the record's transaction: a record that cannot be told is not kept.
                shown = represent(upserted.record)
        except (DjangoValidationError, exceptions.APIException, Http404, PermissionDenied) as exc:
            refused(result, exc)
        except Exception:
            # Unexpected (a bug, a lost connection): this record's transaction is rolled back,
            # so nothing of it is kept; the records before it keep their answers and the ones
            # after it are still tried, so that the client learns the fate of every record.
            failed(result)
        else:
            result.update(status=answer_status(upserted), **{result_key: shown})
    return results


def _unexpected_error() -> dict[str, Any]:
    return {
        "code": "server_error",
        "message": str(
            gettext_lazy(
                "The register could not apply this record because of an error of its own; "
                "nothing of it was written. Send it again later."
            )
        ),
        "field": None,
    }


BATCH_ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Invalid input, with the field.")
}


def batch_view(
    *,
    shape: BatchSerializers,
    upsert: UpsertService,
    model: type[models.Model],
    represent: Callable[[Any], Any],
    result_key: str,
    actor_of: Callable[[Request], Actor],
    prepare: Prepare | None = None,
    tag: str,
    summary: str,
    description: str,
) -> type[APIView]:
    """The batch endpoint of one register: POST `{"records": [...]}`, one result per record."""

    class BatchView(APIView):
        @extend_schema(
            tags=[tag],
            summary=summary,
            description=description,
            request=shape.request,
            responses={200: shape.response, **BATCH_ERRORS},
        )
        def post(self, request: Request) -> Response:
            actor = actor_of(request)
            batch = shape.batch(data=request.data)
            batch.is_valid(raise_exception=True)
            results = upsert_each(
                batch.validated_data["records"],
                actor=actor,
                record_serializer=shape.record,
                upsert=upsert,
                model=model,
                represent=represent,
                result_key=result_key,
                view=self,
                request=request,
                prepare=prepare,
            )
            batch_answered.send(sender=BatchView, model=model, actor=actor, results=results)
            return Response({"results": results})

    BatchView.__name__ = BatchView.__qualname__ = f"{shape.name}BatchView"
    return BatchView

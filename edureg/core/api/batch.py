"""Batch upserts that answer per record (DESIGN.md §5).

Each record is validated and applied in its own transaction, in order: good records are
applied, bad ones reported with their errors in the API's one error shape, none half-applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.serializers import Serializer

from edureg.core.api.errors import exception_handler

BATCH_MAX_RECORDS = 500

# (source_system, local_id, validated values) -> (the record, HTTP status of its answer)
Upsert = Callable[[str, str, dict[str, Any]], tuple[Any, int]]


def _key_part(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def upsert_each(
    records: Iterable[dict[str, Any]],
    *,
    record_serializer: type[Serializer],
    upsert: Upsert,
    represent: Callable[[Any], Any],
    result_key: str,
    view: Any,
    request: Request,
) -> list[dict[str, Any]]:
    """Apply each record; return one answer per record: index, key, status, record or errors."""
    results = []
    for index, record in enumerate(records):
        result: dict[str, Any] = {
            "index": index,
            "source_system": _key_part(record.get("source_system")),
            "local_id": _key_part(record.get("local_id")),
        }
        try:
            serializer = record_serializer(data=record)
            serializer.is_valid(raise_exception=True)
            values = dict(serializer.validated_data)
            with transaction.atomic():
                obj, answer = upsert(values.pop("source_system"), values.pop("local_id"), values)
        except (DjangoValidationError, exceptions.APIException, Http404, PermissionDenied) as exc:
            # Rendered by the API's one exception handler: the same shape and language.
            response = exception_handler(exc, {"view": view, "request": request})
            assert response is not None
            result.update(status=response.status_code, errors=response.data["errors"])
        else:
            result.update(status=answer, **{result_key: represent(obj)})
        results.append(result)
    return results

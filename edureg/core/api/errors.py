"""One error shape for the whole API (DESIGN.md §5).

    {"status": 400, "code": "invalid", "message": "…", "field": "personal_code",
     "errors": [{"code": "invalid", "message": "…", "field": "personal_code"}, …]}

`message` and `field` repeat the first error so that simple clients need read no further.
Messages are in the request's language (Accept-Language: lt or en).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from edureg.core.api.parsers import PayloadTooLarge
from edureg.core.upsert import StaleVersion

NON_FIELD = "non_field_errors"


class StaleVersionError(exceptions.ValidationError):
    """409 in the one error shape, naming the `version` field.

    A ValidationError subclass, so that the exception handler renders it field by field like
    any other input error; only the status differs.
    """

    status_code = status.HTTP_409_CONFLICT


def stale_version(message: str) -> StaleVersionError:
    return StaleVersionError({"version": [message]}, code="stale_version")


def field_error(field: str, message: str, code: str = "invalid") -> exceptions.ValidationError:
    """A 400 naming one field, for a check made outside a serializer."""
    return exceptions.ValidationError({field: [message]}, code=code)


@contextlib.contextmanager
def request_fields(**names: str) -> Iterator[None]:
    """Inside, a service's field errors are told by the request's own field names:
    `request_fields(valid_to="date")` turns the service's `valid_to` into the body's `date`."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed: dict[str, list[Any]] = {}
        for field, errors in exc.error_dict.items():
            renamed.setdefault(names.get(field, field), []).extend(errors)
        raise DjangoValidationError(renamed) from exc


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = "" if key in (NON_FIELD, "__all__") else str(key)
            field = f"{prefix}.{name}" if prefix and name else (prefix or name)
            errors.extend(_flatten(value, field))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            if isinstance(value, dict):
                errors.extend(_flatten(value, f"{prefix}[{index}]" if prefix else f"[{index}]"))
            else:
                errors.extend(_flatten(value, prefix))
        return errors
    code = getattr(detail, "code", None) or "error"
    return [{"code": str(code), "message": str(detail), "field": prefix or None}]


def error_body(status_code: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    first = errors[0] if errors else {"code": "error", "message": "", "field": None}
    return {
        "status": status_code,
        "code": first["code"],
        "message": first["message"],
        "field": first["field"],
        "errors": errors,
    }


def _coded(error: DjangoValidationError) -> list[exceptions.ErrorDetail]:
    """The messages of a Django ValidationError with their codes (a service's refusal names
    its code, e.g. "stale_version" or "enrolled_elsewhere"; one without a code is "invalid")."""
    return [
        exceptions.ErrorDetail(
            str(e.message % e.params if e.params else e.message), code=e.code or "invalid"
        )
        for e in error.error_list
    ]


def from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as DRF's ValidationError (a 409 for a stale version)."""
    if hasattr(exc, "error_dict"):
        detail: Any = {
            name: _coded(DjangoValidationError(errors)) for name, errors in exc.error_dict.items()
        }
    else:
        detail = {NON_FIELD: _coded(exc)}
    if isinstance(exc, StaleVersion):
        return StaleVersionError(detail)
    return exceptions.ValidationError(detail)


class WriteConflict(exceptions.APIException):
    """The database refused a write that raced another one (a unique or check constraint):
    nothing was written, and the same call can be repeated."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _(
        "The record conflicts with another one saved at the same time. Nothing was changed: "
        "read it again and retry."
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, IntegrityError):
        exc = WriteConflict()
    elif isinstance(exc, DataError):
        # A value the database cannot hold (the serializers bound what they can; this is the
        # net under them): the same answer as any other invalid input.
        exc = exceptions.ValidationError(
            {NON_FIELD: [_("A value is not one the register can store.")]}, code="invalid"
        )
    elif isinstance(exc, DjangoValidationError):
        exc = from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        detail: Any = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        errors = [
            {
                "code": codes if isinstance(codes, str) else "error",
                "message": str(detail),
                "field": None,
            }
        ]
    response.data = error_body(response.status_code or status.HTTP_400_BAD_REQUEST, errors)
    return response

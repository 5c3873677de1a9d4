"""OpenAPI schema post-processing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

# Integer ranges Django derives from the database backend (PositiveIntegerField is a 32-bit
# column on PostgreSQL, 64-bit on SQLite). They are storage limits, not API rules, and would
# make the committed schema differ by database; the API's own limits are declared explicitly.
_BACKEND_BOUNDS = {32767, 2147483647, 9223372036854775807}


def _strip(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("maximum") in _BACKEND_BOUNDS:
            del node["maximum"]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _strip(value)
    elif isinstance(node, list):
        for value in node:
            _strip(value)


def drop_backend_integer_bounds(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    _strip(result)
    return result


# What each answer in the one error shape means, wherever it is documented by this hook.
_ERROR_ANSWERS = {
    "400": "Invalid input (a field error names the field), or text the register cannot store.",
    "401": "No valid session or access token.",
    "403": (
        "Signed in, but without the right for this (e.g. a viewer asking to change); or a "
        "recipient's system without a data-provision agreement in force, or outside it."
    ),
    "404": "Unknown, or not in the caller's scope (existence does not leak).",
    "409": "A stale `version`, or a write that raced another one; nothing was written.",
    "413": "The request body is over the size limit.",
}
_WRITES = {"post", "put", "patch", "delete"}


def document_api_contract(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation says what it really answers, as the API behaves for all of them:

    - security: an OAuth2 client-credentials token works wherever a session does (the
      authentication classes are the same for every view), so `oauth2` is listed beside
      `cookieAuth`;
    - the error answers in the one error shape (`ApiError`): 400 and 404 anywhere (text that
      cannot be stored is refused on any path, and out-of-scope records are 404), 401 and 403
      where signing in is required, 409 on writes, 413 where there is a body.
    """
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            security = operation.get("security")
            if security and {"cookieAuth": []} in security and {"oauth2": []} not in security:
                security.insert(0, {"oauth2": []})
            anonymous = security is None or {} in security
            codes = ["400", "404"]
            if not anonymous:
                codes += ["401", "403"]
            if method in _WRITES:
                codes.append("409")
            if "requestBody" in operation:
                codes.append("413")
            responses = operation.setdefault("responses", {})
            for code in codes:
                answer = responses.setdefault(code, {"description": _ERROR_ANSWERS[code]})
                answer.setdefault("content", error)
    return result


class RegisterAutoSchema(AutoSchema):
    """drf-spectacular's schema, with read-only fields nullable where their source is: a
    serializer field declared read-only (a related record's code, a date of the model) answers
    null whenever the model's field, or a relation on the way to it, is null, and the schema
    must say so (clients generated from it would otherwise refuse the answer).

    An endpoint that shows an agreement data set (access.api.fieldscope) says so: which data
    set, that a recipient's system receives only the fields its agreement allows, and that it
    gets 403 without an agreement in force."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        # As access.api.fieldscope.view_dataset reads it (core imports no app).
        serializer = getattr(self.view, "serializer_class", None)
        dataset = getattr(self.view, "agreement_dataset", None) or getattr(
            serializer, "agreement_dataset", None
        )
        if dataset is None or self.method.lower() != "get":
            return operation
        note = (
            f"**Data-provision agreements.** This endpoint shows the data set `{dataset}`. "
            "A recipient's system (a client under a "
            "data-provision agreement or a written request) receives only the fields its "
            "agreements in force name for this data set; the other fields are left out of the "
            "answer. Without an agreement in force (suspended, expired, not yet valid) it gets "
            "403 with the reason; an invalid or revoked token gets 401. Each answer that shows "
            "persons is recorded in their access log as a disclosure under the agreement."
        )
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n{note}" if description else note
        operation.setdefault("responses", {})["403"] = {
            "description": (
                "No data-provision agreement in force for the recipient's system, or this data "
                "set is not in it; or signed in without the right for this."
            )
        }
        return operation

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> Any:
        if (
            field.read_only
            and isinstance(field, serializers.ChoiceField)
            and not field.allow_blank
            and getattr(_source_field(field), "blank", False)
        ):
            # DRF drops allow_blank from a read-only model field, but the model's blank
            # choice is answered ("" for the grade of a non-general group).
            field.allow_blank = True
        meta = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(meta, dict)
            and field.read_only
            and not meta.get("nullable")
            and "$ref" not in meta
            and _source_is_nullable(field)
        ):
            meta["nullable"] = True
        return meta


def _source_field(field: Any) -> Any:
    """The model field a serializer field reads (through relations), or None."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or not attrs or field.source == "*":
        return None
    model_field = None
    for attr in attrs:
        if model is None:
            return None
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        model = getattr(model_field, "related_model", None)
    return model_field


def _source_is_nullable(field: Any) -> bool:
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or not attrs or field.source == "*":
        return False
    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
        if model is None:
            return False
    return False

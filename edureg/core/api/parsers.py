"""The API's one request parser: JSON the register can store, or a 4xx in the one error shape.

Every body is read at most up to Django's DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond it), parsed
as strict JSON (no NaN or Infinity), nested at most MAX_DEPTH levels (a deeper body is refused
before a parser's recursion could fail), and every string in it — keys included — has its
fullwidth characters folded to ASCII and is refused when it holds a NUL character, a lone
surrogate or, where it is written like an identifier, date or number, digits other than 0–9
(`edureg.core.text`). So nothing that reaches a serializer, a service or the database can be
stored differently from the way it was checked, and a batch is refused whole before any record
is written.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

from edureg.core import text

# The register's documents nest a handful of levels (a batch of records with status periods
# and their reasons); far deeper JSON is an attack, not data.
MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = _lazy("The request body is too large.")


def _messages() -> dict[str, str]:
    return {
        "nul": _("The text contains a NUL character, which cannot be stored."),
        "surrogate": _("The text contains an unpaired surrogate character, which is not text."),
        "digits": _("Write digits as 0–9."),
    }


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def clean(data: Any) -> Any:
    """The parsed JSON with its strings folded; a 400 naming the place of a string the register
    cannot take, or of nesting deeper than MAX_DEPTH. Iterative, so depth cannot exhaust the
    stack."""
    errors: dict[str, list[str]] = {}

    def take(value: str, where: str) -> str:
        folded = text.fold(value)
        why = text.problem(folded)
        if why is not None:
            errors.setdefault(where or "body", []).append(_messages()[why])
        return folded

    root: list[Any] = [data]
    # (container, key in it, path, depth)
    stack: list[tuple[Any, Any, str, int]] = [(root, 0, "", 0)]
    while stack:
        container, key, where, depth = stack.pop()
        value = container[key]
        if isinstance(value, str):
            container[key] = take(value, where)
        elif isinstance(value, list | dict):
            if depth >= MAX_DEPTH:
                raise exceptions.ParseError(
                    _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
                )
            if isinstance(value, dict):
                cleaned = {}
                for name, item in value.items():
                    # A path names the place in the error; a key that is itself refused is
                    # shown escaped, so that the error can be written out as UTF-8.
                    shown = name.encode("utf-8", "backslashreplace").decode()
                    cleaned[take(name, _path(where, shown))] = item
                container[key] = value = cleaned
                keys: Any = value.keys()
            else:
                keys = range(len(value))
            for item_key in keys:
                shown_key = (
                    item_key
                    if isinstance(item_key, int)
                    else item_key.encode("utf-8", "backslashreplace").decode()
                )
                stack.append((value, item_key, _path(where, shown_key), depth + 1))
    if errors:
        raise exceptions.ValidationError(errors, code="invalid")
    return root[0]


class RegisterJSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            raw = b""
        elif limit is None:
            raw = stream.read()
        else:
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise PayloadTooLarge()
        try:
            decoded = codecs.decode(raw, encoding)
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(decoded, parse_constant=parse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
            ) from exc
        except ValueError as exc:  # also UnicodeDecodeError: not text in the given encoding
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        return clean(data)

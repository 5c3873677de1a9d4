"""Load a record with its related rows in one statement, on SQLite and PostgreSQL.

`prefetch_related` sends one statement per relation, so a page about one person with a long
history (a pupil card, a student card) costs a statement per table it shows. `json_rows` puts a
relation's rows into the parent's own SELECT instead, as one JSON array built by the database
(a correlated subquery: JSONB_AGG on PostgreSQL, JSON_GROUP_ARRAY on SQLite), and
`set_prefetched` / `instance_from_json` turn the arrays back into model instances — with values
converted by each field's `to_python` — that templates and serializers use as if
`prefetch_related` had loaded them (`right.periods.all`, `period.reasons.all`).

Rows come back in no particular order: sort them after loading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Aggregate, F, Func, JSONField, Subquery, Value
from django.db.models.functions import Cast, Coalesce, JSONObject


class JSONArrayAgg(Aggregate):
    """The JSON array of an expression's values over the rows of a group."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra)


class _AsJSON(Func):
    """A subquery's JSON text as JSON again (SQLite loses the JSON type across a subquery, and
    would nest the array as a string); PostgreSQL's jsonb needs nothing."""

    function = "JSON"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


def _expression(value: Any) -> Any:
    if isinstance(value, str):
        return F(value)
    if isinstance(value, Mapping):
        return JSONObject(**{key: _expression(inner) for key, inner in value.items()})
    return value


def json_object(fields: Mapping[str, Any]) -> JSONObject:
    """One JSON object of these fields (lookup paths, expressions, nested mappings)."""
    return JSONObject(**{key: _expression(value) for key, value in fields.items()})


def json_rows(queryset: models.QuerySet[Any], *, per: str, **fields: Any) -> Any:
    """A correlated subquery: the rows of `queryset` (filtered on `OuterRef(...)` through the
    field `per`) as one JSON array of objects. Each field is a lookup path, an expression, a
    mapping (a nested object: a related row) or another `json_rows` (a nested array).
    An empty relation gives [] (never NULL)."""
    rows = (
        queryset.order_by()
        .values(per)
        .annotate(_rows=JSONArrayAgg(JSONObject(**{k: _expression(v) for k, v in fields.items()})))
        .values("_rows")
    )
    return _AsJSON(Coalesce(Subquery(rows), Value([], JSONField()), output_field=JSONField()))


def columns(model: type[models.Model], prefix: str = "", *, skip: Iterable[str] = ()) -> dict:
    """The JSON fields of every column of `model`, reached through the lookup `prefix`
    ("source__"): for `json_rows`, and for a related row as a nested mapping."""
    skipped = set(skip)
    fields: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.name in skipped or field.attname in skipped:
            continue
        path = f"{prefix}{field.attname}"
        fields[field.attname] = as_text(path) if isinstance(field, models.DecimalField) else path
    return fields


def as_text(path: str) -> Cast:
    """A decimal column as text, so that JSON does not turn it into a float on the way."""
    return Cast(path, models.CharField())


def _python(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.DecimalField):
        number = Decimal(str(value))
        return number.quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        # SQLite stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC without an offset.
        parsed = field.to_python(value.replace(" ", "T"))
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed
    return field.to_python(value)


def instance_from_json(model: type[models.Model], row: Mapping[str, Any]) -> Any:
    """A model instance from one JSON object of `json_rows`: each key a field's name or column
    name (`institution_id`); a nested object under a foreign key's name becomes the related
    instance; a list under a relation's name becomes its prefetched rows."""
    values: dict[str, Any] = {}
    related: dict[str, Any] = {}
    many: dict[str, Any] = {}
    for key, value in row.items():
        field = _field(model, key)
        if field is None:
            continue
        if field.is_relation and (field.many_to_many or field.one_to_many):
            many[key] = value
        elif field.is_relation and isinstance(value, Mapping):
            related[key] = value
        elif field.is_relation and key == field.name and field.concrete:
            values[field.attname] = value
        elif field.concrete:
            target = field.target_field if field.is_relation else field
            values[field.attname] = _python(target, value)
    instance = model(**values)
    for name, value in related.items():
        field = model._meta.get_field(name)
        target = field.related_model
        # A null foreign key comes back as an object of nulls.
        empty = value.get(target._meta.pk.attname) is None
        setattr(instance, name, None if empty else instance_from_json(target, value))
    for name, value in many.items():
        field = model._meta.get_field(name)
        set_prefetched(instance, name, [instance_from_json(field.related_model, r) for r in value])
    return instance


def _field(model: type[models.Model], key: str) -> Any:
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:  # a column name (institution_id) rather than a field name
        for field in model._meta.concrete_fields:
            if field.attname == key:
                return field
        return None


def set_prefetched(instance: models.Model, name: str, rows: Iterable[Any]) -> None:
    """Make `instance.<name>.all()` return `rows` without a query, as prefetch_related does."""
    manager = getattr(instance, name)
    # The key prefetch_related uses: the many-to-many manager's own, or the reverse
    # foreign key's cache name.
    key = getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
    queryset = manager.all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[key] = queryset

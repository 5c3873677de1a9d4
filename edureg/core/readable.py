"""A record's recorded changes as people read them: field labels and names, not columns and ids.

The change log keeps each change as the database holds it (`departure_reason_id: None → 138`,
`status: studying → academic_leave`, `version: 1 → 2`), which is what its hash covers. A page
shows it as "Išvykimo priežastis: — → Išvyko į kitą mokyklą": the field's label, the choice's
label, the related record's name, and nothing of the register's bookkeeping (versions, keys).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from edureg.core.countries import country_name, validate_country_code

# Columns that are the register's bookkeeping, not something a person changed.
BOOKKEEPING = {
    "id",
    "public_id",
    "version",
    "source_system",
    "local_id",
    "created_at",
    "updated_at",
}
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)  # a foreign key's column name finds it too
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _related_names(
    entries: Iterable[tuple[type[models.Model], Mapping[str, Any]]],
) -> dict[type[models.Model], dict[Any, str]]:
    """The names of every related record the changes mention: one statement per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for model, changes in entries:
        for name, pair in changes.items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted[field.related_model].update(v for v in pair if v not in (None, ""))
    return {
        related: {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
        if ids
    }


def _value(field: models.Field | None, value: Any, names: Mapping[Any, str]) -> str:
    if value in (None, ""):
        return EMPTY
    if field is None:
        return str(value)
    if field.is_relation:
        return names.get(value, _("an earlier value"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if validate_country_code in field.validators:  # "LT" is read "Lietuva"
        return country_name(value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):  # a moment, in the register's time zone
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return date_format(value, "Y-m-d")
    if isinstance(field, models.DateField) and isinstance(value, str):
        parsed = parse_date(value[:10])
        return date_format(parsed, "Y-m-d") if parsed else value
    return str(value)


def readable(
    entries: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    known: Mapping[type[models.Model], Mapping[Any, str]] | None = None,
) -> list[list[Change]]:
    """For each (model label, recorded changes): the changes as people read them, in order.

    The names of related records are read in one statement per related model; a page that
    must cost a fixed number of statements (the cards) passes the names it has in hand as
    `known` instead, and a record it does not have is shown as "an earlier value"."""
    resolved = [(apps.get_model(label), changes or {}) for label, changes in entries]
    names = _related_names(resolved) if known is None else known
    result = []
    for model, changes in resolved:
        lines = []
        for name, pair in changes.items():
            field = _field(model, name)
            if name in BOOKKEEPING or (field is not None and field.name in BOOKKEEPING):
                continue
            before, after = [*pair, None, None][:2]
            related = names.get(field.related_model, {}) if field and field.is_relation else {}
            label = str(field.verbose_name) if field is not None else name
            lines.append(
                Change(
                    label=label[:1].upper() + label[1:],
                    before=_value(field, before, related),
                    after=_value(field, after, related),
                )
            )
        result.append(lines)
    return result

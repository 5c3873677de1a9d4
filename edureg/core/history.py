"""Versions of register records, with who, when, through which channel and what changed.

django-simple-history keeps one version row per change in a `Historical<Model>` table; that gives
"show the record as of a date" (`Model.history.as_of(when)`). On top of it `core.audit` records
every version row in the hash-chained change log (`core.ChangeLogEntry`) with the field-level
difference and a digest of the version row, so that editing or removing either is detected by
`manage.py audit_verify`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from edureg.core import context

# Bookkeeping columns of a version row that are not part of "what changed".
HISTORY_META = {
    "history_id",
    "history_date",
    "history_type",
    "history_user_id",
    "history_change_reason",
    "history_channel",
    "history_actor",
    "history_request_id",
    "updated_at",
}


class AuditedHistoryModel(models.Model):
    """Extra columns on every version row: the channel, the actor label and the request."""

    history_channel = models.CharField(max_length=16, default=context.Channel.SYSTEM)
    history_actor = models.CharField(max_length=64, default="")
    history_request_id = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        abstract = True


# Where version rows go while `core.audit.deferred_audit()` collects them: a callable taking
# (unsaved version row, the record it is a version of). None: each row is saved at once.
VersionSink = Callable[[Any, models.Model], None]
version_sink: ContextVar[VersionSink | None] = ContextVar("edureg_version_sink", default=None)


class AuditedHistoricalRecords(HistoricalRecords):
    """simple-history's records, whose version rows can be collected and inserted together.

    A model whose versions also snapshot many-to-many fields keeps saving its rows at once
    (their m2m rows point at the saved version)."""

    def create_historical_record(self, instance: Any, history_type: str, using: Any = None) -> None:
        sink = version_sink.get()
        if sink is None or self.m2m_fields:
            super().create_historical_record(instance, history_type, using=using)
            return
        history_date = getattr(instance, "_history_date", timezone.now())
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(instance, history_type, using)
        manager = getattr(instance, self.manager_name)
        attrs = {
            field.attname: getattr(instance, field.attname)
            for field in self.fields_included(instance)
        }
        history_instance = manager.model(
            history_date=history_date,
            history_type=history_type,
            history_user=history_user,
            history_change_reason=history_change_reason,
            **attrs,
        )
        pre_create_historical_record.send(
            sender=manager.model,
            instance=instance,
            history_date=history_date,
            history_user=history_user,
            history_change_reason=history_change_reason,
            history_instance=history_instance,
            using=using,
        )
        sink(history_instance, instance)


def AuditedHistory(**kwargs: Any) -> HistoricalRecords:
    """The history manager every register model declares: `history = AuditedHistory()`."""
    kwargs.setdefault("bases", [AuditedHistoryModel])
    kwargs.setdefault("cascade_delete_history", False)
    return AuditedHistoricalRecords(**kwargs)


def canonical(value: Any, field: models.Field | None = None) -> Any:
    """A JSON-safe, stable rendering of a field value, equal before and after a database trip."""
    if field is not None and value is not None and not isinstance(field, models.JSONField):
        value = field.to_python(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        if places is not None:
            value = value.quantize(decimal.Decimal(1).scaleb(-places))
        return str(value)
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    return str(value)


def row_values(row: models.Model) -> dict[str, Any]:
    return {f.attname: canonical(getattr(row, f.attname), f) for f in row._meta.concrete_fields}


def values_digest(values: dict[str, Any]) -> str:
    data = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def row_digest(row: models.Model) -> str:
    return values_digest(row_values(row))


def tracked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in HISTORY_META}


def tracked_values(history_row: models.Model) -> dict[str, Any]:
    return tracked(row_values(history_row))


def values_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in before or before[key] != value
    }


def who_changed(user: Any, actor_label: str) -> str:
    """Who made a version, as a person reads it: the user's name, or what kind of actor it was
    (the recorded label, "system:seed_demo" or "client:school-sis", is for machines)."""
    from django.utils.translation import gettext as _

    if user is not None and not isinstance(user, str):
        return str(user.get_full_name() or user.get_username())
    if user:
        return str(user)
    kind, _sep, name = (actor_label or "").partition(":")
    if kind == "system":
        return _("the register itself (automatic)")
    if kind == "client":
        return _("information system %(name)s") % {"name": name}
    if kind == "citizen":
        return _("the person themself")
    if kind == "share":
        return _("someone with a share link")
    if kind == "user":
        return _("a staff user")
    return "—"


def history_rows_for(instance: models.Model) -> Any:
    """The versions of one record, newest first, with their users."""
    return instance.history.select_related("history_user").order_by("-history_date", "-history_id")  # type: ignore[attr-defined]


# --- A person's history across the registers ---------------------------------------------------
# Apps higher up (documents, say) hold records that belong to a person's history, which pages
# lower down show (the pupil's card). Each registers a source in its AppConfig.ready(); a
# source takes (actor=, person=, limit=) and returns, newest first, the versions the actor may
# see as (model label, version row, what the record is, what the change did) — core imports
# no app, and a page asks every source.
PersonHistorySource = Callable[..., list[tuple[str, Any, str, str]]]
_PERSON_HISTORY_SOURCES: list[PersonHistorySource] = []


def person_history_source(source: PersonHistorySource) -> PersonHistorySource:
    if source not in _PERSON_HISTORY_SOURCES:
        _PERSON_HISTORY_SOURCES.append(source)
    return source


def person_history_from_sources(
    *, actor: Any, person: Any, limit: int
) -> list[tuple[str, Any, str, str]]:
    rows: list[tuple[str, Any, str, str]] = []
    for source in _PERSON_HISTORY_SOURCES:
        rows += source(actor=actor, person=person, limit=limit)
    return rows

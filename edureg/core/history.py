"""Versions of register records, with who, when, through which channel and what changed.

django-simple-history keeps one version row per change in a `Historical<Model>` table; that gives
"show the record as of a date" (`Model.history.as_of(when)`). On top of it every version row is
recorded in the hash-chained change log (`core.ChangeLogEntry`) with the field-level difference
and a digest of the version row, so that editing or removing either is detected by
`manage.py audit_verify`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from edureg.core import context

M = TypeVar("M", bound=models.Model)

# Bookkeeping columns of a version row that are not part of "what changed".
_HISTORY_META = {
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


def AuditedHistory(**kwargs: Any) -> HistoricalRecords:
    """The history manager every register model declares: `history = AuditedHistory()`."""
    kwargs.setdefault("bases", [AuditedHistoryModel])
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)


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


def _digest(values: dict[str, Any]) -> str:
    data = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def row_digest(row: models.Model) -> str:
    return _digest(row_values(row))


def _tracked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in _HISTORY_META}


def _tracked_values(history_row: models.Model) -> dict[str, Any]:
    return _tracked(row_values(history_row))


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in before or before[key] != value
    }


def _change_entry(history_row: Any, previous_values: dict[str, Any] | None) -> Any:
    from edureg.core.models import ChangeLogEntry

    ctx = context.current()
    model = history_row.instance_type._meta.label_lower
    values = row_values(history_row)  # once: it feeds both the difference and the digest
    return ChangeLogEntry(
        at=history_row.history_date,
        actor=history_row.history_actor or ctx.actor.label,
        actor_kind=ctx.actor.kind,
        channel=history_row.history_channel,
        request_id=history_row.history_request_id,
        model=model,
        object_id=str(getattr(history_row, history_row.instance_type._meta.pk.attname)),
        history_id=history_row.pk,
        action=history_row.history_type,
        changes=_diff(previous_values, _tracked(values)) if history_row.history_type != "-" else {},
        row_digest=_digest(values),
    )


def _is_audited(history_row: object) -> bool:
    """Version rows of models declared with AuditedHistory (not third-party history tables)."""
    return isinstance(history_row, AuditedHistoryModel)


@receiver(pre_create_historical_record)
def _stamp_version(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if not _is_audited(history_instance):
        return
    ctx = context.current()
    history_instance.history_channel = ctx.actor.channel
    history_instance.history_actor = ctx.actor.label
    history_instance.history_request_id = ctx.request_id
    user = ctx.actor.user
    if user is not None and getattr(user, "is_authenticated", False):
        history_instance.history_user = user


@receiver(post_create_historical_record)
def _log_version(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    if not _is_audited(history_instance):
        return
    from edureg.core.audit import append_entries

    previous = history_instance.prev_record
    previous_values = _tracked_values(previous) if previous is not None else None
    append_entries([_change_entry(history_instance, previous_values)])


def bulk_create_with_audit(model: type[M], objs: Sequence[M], *, batch_size: int = 2000) -> list[M]:
    """Insert many new records with their first version and change-log rows, in bulk.

    The fast path for imports and demo data: three bulk inserts instead of three inserts per
    record. Needs a database that returns primary keys from bulk inserts (PostgreSQL, SQLite
    3.35+).
    """
    from edureg.core.audit import append_entries

    created = model._default_manager.bulk_create(objs, batch_size=batch_size)
    ctx = context.current()
    attrs = {
        "history_channel": ctx.actor.channel,
        "history_actor": ctx.actor.label,
        "history_request_id": ctx.request_id,
    }
    user = ctx.actor.user if getattr(ctx.actor.user, "is_authenticated", False) else None
    history_rows = model.history.bulk_history_create(  # type: ignore[attr-defined]
        created, batch_size=batch_size, default_user=user, custom_historical_attrs=attrs
    )
    append_entries([_change_entry(row, None) for row in history_rows], batch_size=batch_size)
    return list(created)


def history_rows_for(instance: models.Model) -> Any:
    """The versions of one record, newest first, with their users."""
    return instance.history.select_related("history_user").order_by("-history_date", "-history_id")  # type: ignore[attr-defined]

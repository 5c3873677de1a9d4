"""Writing the change feed: called by `core.audit` for the change-log rows of every write, in
the write's own transaction (installed by `ExchangeConfig.ready`), so no path that keeps a
record's history can forget it and a rolled-back write leaves no entry.

For each change of a mirrored record: the audiences it belongs to after the change (from its
version row, through the data set's scope paths), compared with those of its previous change:
the change goes to every audience it is in, "out of scope" to every one it left, and a deletion
to all of them. A change of a related record that moves records between audiences (a pupil's
declared municipality, an institution's municipality) records those records as changed where
they arrived and out of scope where they left. Three statements per write whatever its size:
one read of audiences (old and new; a second for deletions) and two inserts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import F, OuterRef, Subquery

from edureg.core.models import ChangeLogEntry
from edureg.exchange.change_models import AudienceKind, Change, ChangeAction, ChangeAudience
from edureg.exchange.changes.datasets import NATIONAL, Dataset, feed_datasets


def _audiences(ds: Dataset, row: dict[str, Any]) -> list[str]:
    keys = {NATIONAL}
    for index, (prefix, _lookup) in enumerate(ds.audience_lookups()):
        value = row.get(f"a{index}")
        if value is not None:
            keys.add(f"{prefix}:{value}")
    return sorted(keys)


def _previous(ds: Dataset, pk_ref: str) -> Subquery:
    return Subquery(
        Change.objects.filter(dataset=ds.name, object_id=OuterRef(pk_ref))
        .order_by("-id")
        .values("audiences")[:1]
    )


def _lookups(ds: Dataset) -> dict[str, str]:
    return {f"a{i}": lookup for i, (_p, lookup) in enumerate(ds.audience_lookups())}


def _collapse(actions: list[str]) -> str:
    if actions[-1] == "-":
        return ChangeAction.DELETED
    return ChangeAction.CREATED if "+" in actions else ChangeAction.UPDATED


def record_changes(entries: Sequence[ChangeLogEntry]) -> None:
    if not entries:
        return
    by_model: dict[str, dict[str, list[ChangeLogEntry]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        by_model[entry.model][entry.object_id].append(entry)
    changes: list[tuple[Change, list[tuple[str, str]]]] = []
    for ds in feed_datasets():
        records = by_model.get(ds.label)
        if records:
            changes += _changed(ds, records)
        for label, field, attname in ds.dependencies():
            related = by_model.get(label)
            if not related:
                continue
            moved = [
                pk
                for pk, rows in related.items()
                if any(r.action == "~" and attname in (r.changes or {}) for r in rows)
            ]
            if moved:
                changes += _rescoped(ds, field, moved)
    if not changes:
        return
    created = Change.objects.bulk_create([change for change, _targets in changes])
    ChangeAudience.objects.bulk_create(
        [
            ChangeAudience(audience=audience, change=change, dataset=change.dataset, kind=kind)
            for change, (_c, targets) in zip(created, changes, strict=True)
            for audience, kind in targets
        ],
        batch_size=2000,
    )


def _changed(ds: Dataset, records: dict[str, list[ChangeLogEntry]]) -> list[Any]:
    """The changes of records of this data set: the live ones' audiences from their rows now,
    a deleted one's from its previous change (its key from its deletion's version row)."""
    pk_name = ds.model._meta.pk.attname
    deleted = {pk: rows[-1].history_id for pk, rows in records.items() if rows[-1].action == "-"}
    live = [pk for pk in records if pk not in deleted]
    found: list[dict[str, Any]] = []
    if live:
        found += (
            ds.model._default_manager.filter(pk__in=live, **(ds.subset or {}))
            .values(pk_name, "public_id", **_lookups_values(ds))
            .annotate(previous=_previous(ds, pk_name))
        )
    if deleted:
        # The row is gone, and with it (when a whole unit is archived) what it referred to:
        # read no join, only the version row's own columns.
        history_model = ds.model.history.model  # type: ignore[attr-defined]
        single = {alias: F(lookup) for alias, lookup in _lookups(ds).items() if "__" not in lookup}
        found += (
            history_model._default_manager.filter(
                history_id__in=list(deleted.values()), **(ds.subset or {})
            )
            .values(pk_name, "public_id", **single)
            .annotate(previous=_previous(ds, pk_name))
        )
    out = []
    for row in found:
        pk = str(row[pk_name])
        action = _collapse([r.action for r in records[pk]])
        before = row["previous"]
        if action == ChangeAction.DELETED:
            # Where the record was; one that predates the feed, where its own columns say.
            was = before if before is not None else _audiences(ds, row)
            targets = [(a, AudienceKind.CHANGE) for a in sorted(was)]
            kept: list[str] = []
        else:
            now = _audiences(ds, row)
            targets = [(a, AudienceKind.CHANGE) for a in now]
            targets += [(a, AudienceKind.OUT) for a in sorted(set(before or []) - set(now))]
            kept = now
        change = Change(
            dataset=ds.name,
            object_id=int(row[pk_name]),
            public_id=row["public_id"],
            action=action,
            audiences=kept,
        )
        out.append((change, targets))
    return out


def _lookups_values(ds: Dataset) -> dict[str, Any]:
    return {alias: F(lookup) for alias, lookup in _lookups(ds).items()}


def _rescoped(ds: Dataset, field: str, related_pks: list[str]) -> list[Any]:
    """Records of this data set that a related record's change moved between audiences."""
    pk_name = ds.model._meta.pk.attname
    rows = (
        ds.model._default_manager.filter(**{f"{field}__in": related_pks}, **(ds.subset or {}))
        .values(pk_name, "public_id", **_lookups_values(ds))
        .annotate(previous=_previous(ds, pk_name))
    )
    out = []
    for row in rows:
        now = _audiences(ds, row)
        before = row["previous"] or []
        if set(now) == set(before):
            continue
        targets = [(a, AudienceKind.CHANGE) for a in sorted(set(now) - set(before))]
        targets += [(a, AudienceKind.OUT) for a in sorted(set(before) - set(now))]
        change = Change(
            dataset=ds.name,
            object_id=int(row[pk_name]),
            public_id=row["public_id"],
            action=ChangeAction.UPDATED,
            audiences=now,
        )
        out.append((change, targets))
    return out

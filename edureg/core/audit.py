"""Append-only, hash-chained audit logs: the change log and the access log.

Each row's hash covers its content and the hash of the previous row of the same shard, so that
editing, inserting or removing a row breaks the chain. Rows are spread over
`settings.AUDIT_CHAIN_SHARDS` shards by a stable key (the person, or the changed record) so that
concurrent writers about different people seldom wait on the same chain head; within a shard
the head row is locked (SELECT ... FOR UPDATE), so appends are serialised and never fork.

The change log is chained as it is written, inside the write's transaction. The access log is
written on the read path, where a chain-head lock made concurrent readers queue: a read inserts
its rows unchained (`log_person_access`, one INSERT, no lock), and `chain_access_log`, a
periodic task (every few seconds, see `CoreConfig.ready`), chains them shard by shard.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from edureg.core import context
from edureg.core.history import (
    HISTORY_META,
    AuditedHistoryModel,
    canonical,
    row_digest,
    row_values,
    tracked,
    tracked_values,
    values_diff,
    values_digest,
    version_sink,
)
from edureg.core.models import (
    AccessLogEntry,
    AuditChainHead,
    ChainedEntry,
    ChangeLogEntry,
    ReaderRole,
)

GENESIS = "0" * 64
M = TypeVar("M", bound=models.Model)


def shard_for(key: str) -> int:
    return zlib.crc32(key.encode()) % max(1, settings.AUDIT_CHAIN_SHARDS)


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def chain_heads_ensure(using: str = "default") -> None:
    """Create the head of every shard of both logs (run after every `migrate`), so that
    appends find their heads and lock them with one read; idempotent."""
    AuditChainHead.objects.using(using).bulk_create(
        [
            AuditChainHead(log=model.LOG_NAME, shard=shard)
            for model in (ChangeLogEntry, AccessLogEntry)
            for shard in range(max(1, settings.AUDIT_CHAIN_SHARDS))
        ],
        ignore_conflicts=True,
    )


def _lock_heads(log: str, shards: list[int]) -> dict[int, AuditChainHead]:
    """Lock the heads of these shards in shard order (so concurrent appends cannot deadlock).

    Heads are created by `migrate` (see `chain_heads_ensure`), so this is one locking read; a
    head still missing (the shard count was raised) is created and the read repeated.
    """
    locked = AuditChainHead.objects.select_for_update().filter(log=log, shard__in=shards)
    heads = {head.shard: head for head in locked.order_by("shard")}
    missing = [shard for shard in shards if shard not in heads]
    if missing:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(log=log, shard=shard) for shard in missing], ignore_conflicts=True
        )
        heads = {head.shard: head for head in locked.all().order_by("shard")}
    return heads


# No savepoint of its own: an append that fails must fail the whole write it records, and a
# savepoint per history row doubled the statements of every audited write.
@transaction.atomic(savepoint=False)
def append_entries(entries: Sequence[ChainedEntry], *, batch_size: int = 2000) -> None:
    """Chain and insert entries of one log type. Heads are locked in shard order (no deadlock)."""
    if not entries:
        return
    model = type(entries[0])
    by_shard: dict[int, list[ChainedEntry]] = defaultdict(list)
    for entry in entries:
        entry.shard = shard_for(entry.chain_key())
        by_shard[entry.shard].append(entry)
    heads = _lock_heads(model.LOG_NAME, sorted(by_shard))
    for shard, shard_entries in by_shard.items():
        head = heads[shard]
        for entry in shard_entries:
            head.last_seq += 1
            entry.seq = head.last_seq
            entry.prev_hash = head.last_hash or GENESIS
            entry.entry_hash = entry_hash(entry.prev_hash, entry.payload())
            head.last_hash = entry.entry_hash
    if len(heads) == 1:
        # One shard (every single-row write): a plain UPDATE rather than bulk_update's CASE.
        (head,) = heads.values()
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_seq=head.last_seq, last_hash=head.last_hash
        )
    else:
        AuditChainHead.objects.bulk_update(heads.values(), ["last_seq", "last_hash"])
    model._default_manager.bulk_create(entries, batch_size=batch_size)
    if model is ChangeLogEntry and _change_listener is not None:
        _change_listener([e for e in entries if e.model != REDACTION_MODEL])


# What else a recorded change writes in the same transaction: the change feed of the exchange
# app (installed by it, as `core` imports no app). It takes the change-log rows just inserted
# (model label, object id, action) and runs inside the write's transaction, so a change and its
# feed entries commit or roll back together, whichever path wrote the version (a service's save,
# a bulk insert or update with audit, a deferred unit).
ChangeListener = Callable[[Sequence[ChangeLogEntry]], None]
_change_listener: ChangeListener | None = None


def change_listener_set(listener: ChangeListener | None) -> None:
    global _change_listener
    _change_listener = listener


# --- Versions in the change log ------------------------------------------------------------


def _change_entry(history_row: Any, previous_values: dict[str, Any] | None) -> Any:
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
        changes=values_diff(previous_values, tracked(values))
        if history_row.history_type != "-"
        else {},
        row_digest=values_digest(values),
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
def _log_version(sender: Any, history_instance: Any, instance: Any = None, **kwargs: Any) -> None:
    if not _is_audited(history_instance):
        return
    unit = _unit.get()
    if unit is not None:
        unit.add(history_instance, instance)
        return
    previous = history_instance.prev_record
    previous_values = tracked_values(previous) if previous is not None else None
    append_entries([_change_entry(history_instance, previous_values)])


# --- Collecting a write's audit rows and inserting them together ------------------------------


class _Marker:
    """A no-op commit callback whose presence in the connection's on-commit list says that the
    savepoint it was registered in has not been rolled back (Django drops the callbacks of a
    rolled-back savepoint)."""

    def __call__(self) -> None:
        pass


@dataclass
class _Pending:
    marker: _Marker
    row: Any  # the version row (saved already for models with m2m history)
    previous: dict[str, Any] | None  # tracked values of the version before, None if new


@dataclass
class _Unit:
    """The version and change-log rows of one write, inserted when it ends."""

    pending: list[_Pending] = field(default_factory=list)
    # Many-to-many version rows, each pointing at a version row of `pending` not yet inserted.
    m2m_rows: list[Any] = field(default_factory=list)
    # The tracked values of the newest version of each record written in this unit, so that
    # a record saved twice is compared with its version before, not with the database.
    latest: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=dict)

    def add(self, row: Any, instance: Any) -> None:
        key = (row.instance_type._meta.label, getattr(row, row.instance_type._meta.pk.attname))
        if row.history_type == "+":
            previous = None
        elif key in self.latest:
            previous = self.latest[key]
        else:
            previous = _loaded_version(row, instance)
        if row.history_type != "-":
            self.latest[key] = tracked(row_values(row))
        marker = _Marker()
        transaction.on_commit(marker)
        self.pending.append(_Pending(marker, row, previous))

    def add_unsaved(self, row: Any, instance: Any) -> None:
        """The version sink: a version row not yet inserted."""
        self.add(row, instance)

    def flush(self) -> None:
        from django.db import connection

        alive = {id(callback) for _sids, callback, _robust in connection.run_on_commit}
        live = [p for p in self.pending if id(p.marker) in alive]
        self.pending = []
        unsaved: dict[type[models.Model], list[Any]] = defaultdict(list)
        for item in live:
            if item.row.pk is None:
                unsaved[type(item.row)].append(item.row)
        for history_model, rows in unsaved.items():
            history_model._default_manager.bulk_create(rows)  # one INSERT per version table
        live_ids = {id(item.row) for item in live}
        m2m: dict[type[models.Model], list[Any]] = defaultdict(list)
        for m2m_row in self.m2m_rows:
            if id(m2m_row.history) in live_ids:  # bulk_create takes its key from the row
                m2m[type(m2m_row)].append(m2m_row)
        self.m2m_rows = []
        for m2m_model, rows in m2m.items():
            m2m_model._default_manager.bulk_create(rows)
        append_entries([_change_entry(item.row, item.previous) for item in live])


_unit: ContextVar[_Unit | None] = ContextVar("edureg_audit_unit", default=None)


def _loaded_version(row: Any, instance: Any) -> dict[str, Any] | None:
    """The tracked values of the version before `row`: the record as it was loaded from the
    database (kept by TrackedModel), else the newest stored version row (one query)."""
    loaded = getattr(instance, "_loaded_values", None)
    if loaded:
        fields = [f for f in row._meta.concrete_fields if f.attname not in HISTORY_META]
        if all(f.attname in loaded for f in fields):
            return {f.attname: canonical(loaded[f.attname], f) for f in fields}
    previous = row.prev_record
    return tracked_values(previous) if previous is not None else None


@contextlib.contextmanager
def deferred_audit() -> Iterator[None]:
    """Collect the version rows and change-log entries of the writes inside and insert them
    when the block ends, within the caller's transaction: one INSERT per version table, one
    for the change log, each chain head locked and updated once — instead of an insert, a
    read of the previous version and a head lock and update per saved row.

    Correct across savepoints: a row written inside a savepoint that was rolled back is not
    inserted (and advances no chain head). Nested blocks flush with the outermost; a block
    that ends with an exception inserts nothing (its transaction is rolled back)."""
    if _unit.get() is not None:
        yield
        return
    from django.db import connection

    if not connection.in_atomic_block:
        raise RuntimeError("deferred_audit() needs a transaction (run inside atomic())")
    unit = _Unit()
    token = _unit.set(unit)
    sink_token = version_sink.set(unit.add_unsaved)
    try:
        yield
        version_sink.reset(sink_token)
        sink_token = None
        unit.flush()
    finally:
        if sink_token is not None:
            version_sink.reset(sink_token)
        _unit.reset(token)


def bulk_create_with_audit(
    model: type[M],
    objs: Sequence[M],
    *,
    batch_size: int = 2000,
    m2m: Mapping[str, Sequence[Sequence[models.Model]]] | None = None,
) -> list[M]:
    """Insert many new records with their first version and change-log rows, in bulk.

    The fast path for imports, new records with their parts and demo data: one INSERT per
    table instead of several statements per record. `m2m` gives, per many-to-many field, the
    related objects of each record (in the order of `objs`); they are inserted and kept in
    the versions. Inside `deferred_audit()` the version and change-log rows go with the
    unit's (inserted at its end, chain heads locked once); outside, they are inserted now.
    Needs a database that returns primary keys from bulk inserts (PostgreSQL, SQLite 3.35+).
    """
    created = model._default_manager.bulk_create(objs, batch_size=batch_size)
    history_model = model.history.model  # type: ignore[attr-defined]
    ctx = context.current()
    user = ctx.actor.user if getattr(ctx.actor.user, "is_authenticated", False) else None
    now = timezone.now()
    rows = [
        history_model(
            history_date=getattr(obj, "_history_date", now),
            history_type="+",
            history_user=user,
            history_change_reason="",
            history_channel=ctx.actor.channel,
            history_actor=ctx.actor.label,
            history_request_id=ctx.request_id,
            **{f.attname: getattr(obj, f.attname) for f in history_model.tracked_fields},
        )
        for obj in created
    ]
    m2m_rows = _m2m_rows(model, history_model, created, rows, m2m or {}, batch_size)
    unit = _unit.get()
    if unit is not None:
        for row, obj in zip(rows, created, strict=True):
            unit.add(row, obj)
        unit.m2m_rows.extend(m2m_rows)
        return list(created)
    history_model._default_manager.bulk_create(rows, batch_size=batch_size)
    by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
    for m2m_row in m2m_rows:
        by_model[type(m2m_row)].append(m2m_row)
    for m2m_model, group in by_model.items():
        m2m_model._default_manager.bulk_create(group, batch_size=batch_size)
    append_entries([_change_entry(row, None) for row in rows], batch_size=batch_size)
    return list(created)


def _m2m_rows(
    model: type[models.Model],
    history_model: type[models.Model],
    created: Sequence[models.Model],
    rows: Sequence[Any],
    m2m: Mapping[str, Sequence[Sequence[models.Model]]],
    batch_size: int,
) -> list[Any]:
    """Insert the many-to-many rows of new records; return their version rows, unsaved."""
    versioned = {f.name for f in getattr(history_model, "_history_m2m_fields", [])}
    version_rows: list[Any] = []
    for name, related in m2m.items():
        relation = model._meta.get_field(name)
        through = relation.remote_field.through  # type: ignore[union-attr]
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()  # type: ignore[union-attr]
        links = [
            (index, through(**{f"{source}_id": obj.pk, f"{target}_id": value.pk}))
            for index, (obj, values) in enumerate(zip(created, related, strict=True))
            for value in values
        ]
        through._default_manager.bulk_create([link for _i, link in links], batch_size=batch_size)
        if name not in versioned:
            continue
        m2m_history = apps.get_model(
            history_model._meta.app_label, f"{history_model.__name__}_{name}"
        )
        version_rows += [
            m2m_history(
                history=rows[index],
                **{f.attname: getattr(link, f.attname) for f in through._meta.concrete_fields},
            )
            for index, link in links
        ]
    return version_rows


@dataclass(frozen=True)
class Reader:
    """Who read, as the person whose data was read is told: the organisation and the role at
    the time of the read, and the reader's name (shown to the person only where the policy
    allows it for staff)."""

    organisation: str = ""
    role: str = ""  # ReaderRole
    name: str = ""
    # A recipient's system reading under a data-provision agreement or a written request.
    purpose: str = ""
    agreement_kind: str = ""
    agreement_number: str = ""
    fields: tuple[str, ...] = ()


ReaderDescriber = Callable[[context.Actor, str], Reader]
_reader_describer: ReaderDescriber | None = None


def reader_describer_set(describer: ReaderDescriber | None) -> None:
    """Install the function that tells an actor's organisation and role (the `access` app does
    it in `ready()`: roles are its business, and `core` imports no app)."""
    global _reader_describer
    _reader_describer = describer


def reader_of(actor: context.Actor, what: str) -> Reader:
    return _reader_describer(actor, what) if _reader_describer is not None else Reader()


# Kinds of actor whose reads are written to the person's access log. The register's own jobs
# are not "access by someone"; a citizen's reads of their own data are not logged (a parent's
# reads of a child's data are).
LOGGED_KINDS = frozenset(
    {
        context.ActorKind.STAFF,
        context.ActorKind.CLIENT,
        context.ActorKind.CITIZEN,
        context.ActorKind.SHARE_LINK,
    }
)


def _own_public_id(actor: context.Actor) -> str | None:
    citizen = getattr(actor.user, "citizen", None)
    person = getattr(citizen, "person", None)
    return str(person.public_id) if person is not None else None


def bulk_update_with_audit(
    model: type[M], objs: Sequence[M], fields: Sequence[str], *, batch_size: int = 2000
) -> None:
    """Save changed fields of many records with one version and change-log row each, in bulk.

    The fast path for range operations (a range of security blanks allocated at once): the
    previous values are read in one query per batch, then one bulk update, one bulk insert of
    version rows and one of change-log entries, instead of three writes per record. The records'
    `updated_at` is set here. Signals of `save()` are not sent, as with any bulk update.
    """
    from django.utils import timezone

    if not objs:
        return
    manager = model._default_manager
    before: dict[Any, dict[str, Any]] = {}
    pks = [o.pk for o in objs]
    for start in range(0, len(pks), batch_size):
        for row in manager.filter(pk__in=pks[start : start + batch_size]):
            before[row.pk] = tracked(row_values(row))
    now = timezone.now()
    update_fields = list(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        for obj in objs:
            obj.updated_at = now  # type: ignore[attr-defined]
        if "updated_at" not in update_fields:
            update_fields.append("updated_at")
    manager.bulk_update(objs, update_fields, batch_size=batch_size)
    ctx = context.current()
    attrs = {
        "history_channel": ctx.actor.channel,
        "history_actor": ctx.actor.label,
        "history_request_id": ctx.request_id,
    }
    user = ctx.actor.user if getattr(ctx.actor.user, "is_authenticated", False) else None
    history_rows = model.history.bulk_history_create(  # type: ignore[attr-defined]
        objs,
        batch_size=batch_size,
        update=True,
        default_user=user,
        default_date=now,
        custom_historical_attrs=attrs,
    )
    pk_name = model._meta.pk.attname
    append_entries(
        [_change_entry(row, before.get(getattr(row, pk_name))) for row in history_rows],
        batch_size=batch_size,
    )


def log_person_access(
    *,
    actor: context.Actor,
    person_public_ids: Sequence[Any],
    what: str,
    purpose: str = "",
    reader: Reader | None = None,
) -> None:
    """Record that `actor` read the data of these people. Called by selectors, never by views.

    `what` is a key registered with `access_what_register` (what the person is told was seen);
    the reader's organisation and role come from the installed describer unless given.
    """
    if actor.kind not in LOGGED_KINDS:
        return
    ids = list(dict.fromkeys(person_public_ids))
    if actor.kind == context.ActorKind.CITIZEN:
        own = _own_public_id(actor)
        ids = [public_id for public_id in ids if str(public_id) != own]
    if not ids:
        return
    ctx = context.current()
    user_id = getattr(actor.user, "pk", None)
    reader = reader or reader_of(actor, what)
    entries = [
        AccessLogEntry(
            person_public_id=public_id,
            actor=actor.label,
            actor_kind=actor.kind,
            user_id=user_id,
            channel=actor.channel,
            request_id=ctx.request_id,
            what=what,
            purpose=(purpose or reader.purpose)[:200],
            reader_organisation=reader.organisation[:300],
            reader_role=reader.role,
            reader_name=reader.name[:200],
            agreement_kind=reader.agreement_kind,
            agreement_number=reader.agreement_number[:64],
            disclosed_fields=list(reader.fields),
        )
        for public_id in ids
    ]
    for entry in entries:
        entry.shard = shard_for(entry.chain_key())
    # Unchained: no chain head is locked on the read path (chain_access_log chains them). One
    # row (a card) is a plain INSERT; bulk_create would wrap it in a transaction of its own.
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        AccessLogEntry.objects.bulk_create(entries, batch_size=2000)


# Rows chained per transaction: one head lock and a few UPDATE statements for each batch.
CHAIN_BATCH = 1000


def chain_access_log(*, batch: int = CHAIN_BATCH) -> int:
    """Chain the access-log rows inserted since the last run, shard by shard in insertion
    order; returns how many were chained. Safe to run concurrently: each batch locks its
    shard's head first and then takes only rows still unchained."""
    chained = 0
    pending = AccessLogEntry.objects.filter(seq__isnull=True)
    shards = sorted(set(pending.values_list("shard", flat=True).distinct()))
    for shard in shards:
        while True:
            with transaction.atomic():
                head = _lock_heads(AccessLogEntry.LOG_NAME, [shard])[shard]
                rows = list(pending.filter(shard=shard).order_by("id")[:batch])
                if not rows:
                    break
                for entry in rows:
                    head.last_seq += 1
                    entry.seq = head.last_seq
                    entry.prev_hash = head.last_hash or GENESIS
                    entry.entry_hash = entry_hash(entry.prev_hash, entry.payload())
                    head.last_hash = entry.entry_hash
                AccessLogEntry.objects.bulk_update(
                    rows, ["seq", "prev_hash", "entry_hash"], batch_size=500
                )
                AuditChainHead.objects.filter(pk=head.pk).update(
                    last_seq=head.last_seq, last_hash=head.last_hash
                )
            chained += len(rows)
            if len(rows) < batch:
                break
    return chained


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    log: str
    entry_id: int | None
    shard: int
    seq: int
    reason: str

    def __str__(self) -> str:
        row = f"row id {self.entry_id}" if self.entry_id is not None else "a missing row"
        return f"{self.log} log, shard {self.shard}, seq {self.seq} ({row}): {self.reason}"


def _iter_shard(model: type[ChainedEntry], shard: int) -> Iterator[Any]:
    last_seq = 0
    while True:
        chunk = list(
            model._default_manager.filter(shard=shard, seq__gt=last_seq).order_by("seq")[:5000]
        )
        if not chunk:
            return
        yield from chunk
        last_seq = chunk[-1].seq


def _history_row(entry: ChangeLogEntry) -> Any:
    model = apps.get_model(entry.model)
    history_model = model.history.model  # the manager simple-history adds
    return history_model._default_manager.filter(pk=entry.history_id).first()


# --- Redaction: personal data erased from the change log at the end of retention ---------------

# The change-log rows of a redaction: not a version of any record, so no version row.
REDACTION_MODEL = "core.redaction"
# What a redacted row's digest reads instead of its version row's (which no longer exists).
REDACTED_DIGEST = "redacted"


@transaction.atomic
def change_log_redact(*, records: Iterable[tuple[str, str]], reason: str) -> int:
    """Erase the recorded differences of these records' change-log rows (model label in lower
    case, object id), when their version rows are destroyed at the end of retention.

    Each erased row keeps its place and hash in its chain (the rows after it still link to
    it); one new change-log row, itself chained, names every erased row with its hash and the
    reason (the retention rule), so `verify_log` accepts exactly those rows as erased and
    nothing else. `reason` must not contain personal data. Returns the number of rows erased.
    """
    wanted = list(dict.fromkeys(records))
    if not wanted:
        return 0
    condition = models.Q(pk__in=[])
    for model_label, object_id in wanted:
        condition |= models.Q(model=model_label, object_id=str(object_id))
    rows = list(
        ChangeLogEntry.objects.select_for_update()
        .filter(condition)
        .exclude(row_digest=REDACTED_DIGEST)
        .order_by("pk")
    )
    if not rows:
        return 0
    ChangeLogEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
        changes={}, row_digest=REDACTED_DIGEST
    )
    ctx = context.current()
    append_entries(
        [
            ChangeLogEntry(
                at=timezone.now(),
                actor=ctx.actor.label,
                actor_kind=ctx.actor.kind,
                channel=ctx.actor.channel,
                request_id=ctx.request_id,
                model=REDACTION_MODEL,
                object_id=hashlib.sha256(json.dumps([r.pk for r in rows]).encode()).hexdigest()[
                    :32
                ],
                history_id=0,
                action="~",
                changes={
                    "reason": reason,
                    "entries": [[r.pk, r.entry_hash, _kept_digest(r)] for r in rows],
                },
                row_digest="",
            )
        ]
    )
    return len(rows)


# The change-log rows naming access-log rows erased at the end of their retention.
ACCESS_REDACTION_MODEL = "core.access_redaction"
# What an erased access-log row loses: who read (the staff member's label, user and name) and
# why. It keeps when, which kind of reader, which organisation, what was read, whose log.
ACCESS_ERASED_FIELDS = ("actor", "user_id", "purpose", "reader_name")
ACCESS_REDACT_BATCH = 5000


@transaction.atomic
def access_log_redact(*, before: Any, reason: str) -> int:
    """Erase the reader's identity and the purpose from the chained access-log rows written
    before `before` (the end of their retention). As with `change_log_redact`, each row keeps
    its place and hash in its chain, and chained change-log rows name every erased row with
    its hash and a digest of what it kept, so `verify_log` accepts exactly those rows as erased.
    An erased row is known by its empty `actor` (every written row has one). `reason` must not
    contain personal data. Returns the number of rows erased."""
    rows = list(
        AccessLogEntry.objects.select_for_update()
        .filter(at__lt=before, seq__isnull=False)
        .exclude(actor="")
        .order_by("pk")
    )
    if not rows:
        return 0
    ctx = context.current()
    for start in range(0, len(rows), ACCESS_REDACT_BATCH):
        chunk = rows[start : start + ACCESS_REDACT_BATCH]
        named = [[r.pk, r.entry_hash, _kept_access_digest(r)] for r in chunk]
        AccessLogEntry.objects.filter(pk__in=[r.pk for r in chunk]).update(
            actor="", user_id=None, purpose="", reader_name=""
        )
        append_entries(
            [
                ChangeLogEntry(
                    at=timezone.now(),
                    actor=ctx.actor.label,
                    actor_kind=ctx.actor.kind,
                    channel=ctx.actor.channel,
                    request_id=ctx.request_id,
                    model=ACCESS_REDACTION_MODEL,
                    object_id=hashlib.sha256(
                        json.dumps([r.pk for r in chunk]).encode()
                    ).hexdigest()[:32],
                    history_id=0,
                    action="~",
                    changes={"reason": reason, "entries": named},
                    row_digest="",
                )
            ]
        )
    return len(rows)


def _kept_access_digest(entry: AccessLogEntry) -> str:
    kept = {k: v for k, v in entry.payload().items() if k not in ACCESS_ERASED_FIELDS}
    return entry_hash(GENESIS, kept)


def _kept_digest(entry: ChangeLogEntry) -> str:
    """The digest of what an erased row keeps (who, when, which record, which action), so that
    an edit of those after the erasure is still caught."""
    kept = {k: v for k, v in entry.payload().items() if k not in ("changes", "row_digest")}
    return entry_hash(GENESIS, kept)


def _redactions(model: str = REDACTION_MODEL) -> dict[int, tuple[str, str]]:
    """Every row a redaction erased (change-log rows, or with `ACCESS_REDACTION_MODEL`
    access-log rows): id -> (its hash, the digest of what it kept)."""
    erased: dict[int, tuple[str, str]] = {}
    for changes in ChangeLogEntry.objects.filter(model=model).values_list("changes", flat=True):
        for entry_id, entry_hash_value, kept in changes.get("entries", []):
            erased[int(entry_id)] = (entry_hash_value, kept)
    return erased


def verify_log(model: type[ChainedEntry]) -> ChainProblem | None:
    """Walk every shard of one log; return the first broken row, or None when intact.

    A change-log row erased by `change_log_redact` is accepted when a redaction row (itself
    chained and checked) names it with the hash it still carries."""
    heads = {h.shard: h for h in AuditChainHead.objects.filter(log=model.LOG_NAME)}
    erased = _redactions() if model is ChangeLogEntry else _redactions(ACCESS_REDACTION_MODEL)
    shards = sorted(set(heads) | set(model._default_manager.values_list("shard", flat=True)))
    for shard in shards:
        expected_prev, expected_seq = GENESIS, 1
        for entry in _iter_shard(model, shard):
            if entry.seq != expected_seq:
                return ChainProblem(
                    model.LOG_NAME, None, shard, expected_seq, "row removed (sequence gap)"
                )
            if entry.prev_hash != expected_prev:
                return ChainProblem(
                    model.LOG_NAME, entry.pk, shard, entry.seq, "does not follow the previous row"
                )
            if isinstance(entry, ChangeLogEntry) and entry.row_digest == REDACTED_DIGEST:
                if erased.get(entry.pk) != (entry.entry_hash, _kept_digest(entry)) or (
                    entry.changes
                ):
                    return ChainProblem(
                        model.LOG_NAME,
                        entry.pk,
                        shard,
                        entry.seq,
                        "erased without a redaction that names it",
                    )
                expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
                continue
            if isinstance(entry, AccessLogEntry) and entry.pk in erased:
                if erased[entry.pk] != (entry.entry_hash, _kept_access_digest(entry)) or any(
                    getattr(entry, name) for name in ACCESS_ERASED_FIELDS
                ):
                    return ChainProblem(
                        model.LOG_NAME,
                        entry.pk,
                        shard,
                        entry.seq,
                        "erased row was edited",
                    )
                expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
                continue
            if entry_hash(entry.prev_hash, entry.payload()) != entry.entry_hash:
                return ChainProblem(
                    model.LOG_NAME, entry.pk, shard, entry.seq, "content was edited"
                )
            if isinstance(entry, ChangeLogEntry) and entry.model not in (
                REDACTION_MODEL,
                ACCESS_REDACTION_MODEL,
            ):
                version = _history_row(entry)
                if version is None:
                    return ChainProblem(
                        model.LOG_NAME,
                        entry.pk,
                        shard,
                        entry.seq,
                        f"version row {entry.model} history id {entry.history_id} was removed",
                    )
                if row_digest(version) != entry.row_digest:
                    return ChainProblem(
                        model.LOG_NAME,
                        entry.pk,
                        shard,
                        entry.seq,
                        f"version row {entry.model} history id {entry.history_id} was edited",
                    )
            expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
        head = heads.get(shard)
        if head is not None and head.last_seq != expected_seq - 1:
            return ChainProblem(
                model.LOG_NAME, None, shard, expected_seq, "rows after this point were removed"
            )
    return None


def verify_all() -> list[ChainProblem]:
    """The first broken row of each log. Access-log rows not yet chained are not problems
    (see `unchained_access_rows`); once chained, an edit or removal of them is."""
    problems = [verify_log(ChangeLogEntry), verify_log(AccessLogEntry)]
    return [p for p in problems if p is not None]


@dataclass(frozen=True)
class Unchained:
    count: int
    oldest: Any  # datetime of the oldest row still unchained, or None


def unchained_access_rows() -> Unchained:
    """Access-log rows inserted but not chained yet: normally those of the last few seconds.
    Until chained, a row is not yet covered by the chain (an edit of it would go unnoticed)."""
    pending = AccessLogEntry.objects.filter(seq__isnull=True)
    oldest = pending.order_by("at").values_list("at", flat=True).first()
    return Unchained(count=pending.count() if oldest is not None else 0, oldest=oldest)


# --- Reads for people's pages ----------------------------------------------------------------


def access_log_for(person_public_id: Any, *, limit: int | None = None) -> Any:
    """The reads of one person's data, newest first (what "who accessed" pages show); the
    caller has already decided that the reader may see this person's log."""
    entries = AccessLogEntry.objects.filter(person_public_id=person_public_id).order_by(
        "-at", "-id"
    )
    return entries[:limit] if limit is not None else entries


# What was seen, in words: each app registers the keys its selectors log with (in `ready()`).
_what_labels: dict[str, Any] = {}


def access_what_register(labels: Mapping[str, Any]) -> None:
    """Register human labels (lazy translations) for `what` keys of `log_person_access`."""
    _what_labels.update(labels)


def access_what_label(what: str) -> str:
    """What a person is told was seen; a key nobody registered reads as "personal data", never
    as the key itself."""
    label = _what_labels.get(what)
    return str(label) if label is not None else gettext("personal data")


def access_what_keys() -> frozenset[str]:
    return frozenset(_what_labels)


# The words of a disclosed field ("persons.birth_date"): installed by the app that knows the
# agreements' data sets (exchange), as `core` imports no app.
_field_labeller: Callable[[str], str] | None = None


def access_field_labeller_set(labeller: Callable[[str], str] | None) -> None:
    global _field_labeller
    _field_labeller = labeller


def access_field_label(key: str) -> str:
    if _field_labeller is not None:
        return _field_labeller(key)
    return key.partition(".")[2].replace("_", " ") or key


def _agreement_basis(entry: AccessLogEntry) -> str:
    if not entry.agreement_number:
        return ""
    if entry.agreement_kind == "request":
        return gettext("under written request No. %(number)s") % {"number": entry.agreement_number}
    return gettext("under data-provision agreement No. %(number)s") % {
        "number": entry.agreement_number
    }


@dataclass(frozen=True)
class AccessLine:
    """One read of a person's data in plain words: who (organisation and role, and the name
    when shown), what, when and through which channel."""

    at: Any
    who: str
    organisation: str
    role: str
    name: str
    what: str
    channel: str
    purpose: str
    # A disclosure under an agreement: "under data-provision agreement No. …" and the fields.
    basis: str = ""
    fields: tuple[str, ...] = ()


_KIND_FALLBACK = {
    context.ActorKind.STAFF: ReaderRole.DATA_VIEWER,
    context.ActorKind.CLIENT: ReaderRole.INFORMATION_SYSTEM,
    context.ActorKind.CITIZEN: ReaderRole.GUARDIAN,
    context.ActorKind.SHARE_LINK: ReaderRole.SHARE_LINK,
}


def access_line(entry: AccessLogEntry, *, show_staff_names: bool) -> AccessLine:
    """The plain-words form of one access-log row, the same on staff and citizen pages.

    Staff names appear only with `show_staff_names`; a parent's name and a share link's label
    are always shown to the person (they are not staff)."""
    basis = _agreement_basis(entry)
    role_code = entry.reader_role or _KIND_FALLBACK.get(entry.actor_kind, "")
    role = str(ReaderRole(role_code).label) if role_code in ReaderRole.values else ""
    staff = entry.actor_kind in (context.ActorKind.STAFF, context.ActorKind.CLIENT)
    name = entry.reader_name if (show_staff_names or not staff) else ""
    if entry.actor_kind == context.ActorKind.ANONYMOUS:
        who = gettext("anyone, without signing in (public page)")
    elif role_code == ReaderRole.SHARE_LINK:
        who = (
            gettext("Someone with your share link “%(label)s”") % {"label": name} if name else role
        )
    elif role_code == ReaderRole.GUARDIAN:
        who = f"{role}: {name}" if name else role
    elif basis:
        # A recipient's system: the system by its name (a system, not a person), its
        # organisation, and the agreement it received the data under.
        system = entry.reader_name or role
        who = ", ".join(part for part in (system, entry.reader_organisation) if part)
        who = f"{who} ({basis})"
    else:
        who = ", ".join(part for part in (entry.reader_organisation, role) if part)
        if name and entry.actor_kind == context.ActorKind.STAFF:
            who = f"{who} ({name})" if who else name
        who = who or gettext("a user of the register")
    return AccessLine(
        at=entry.at,
        who=who,
        organisation=entry.reader_organisation,
        role=role,
        name=name,
        what=access_what_label(entry.what),
        channel=str(entry.get_channel_display()),
        purpose=entry.purpose,
        basis=basis,
        fields=tuple(access_field_label(key) for key in entry.disclosed_fields or ()),
    )


def access_lines(entries: Iterable[AccessLogEntry], *, show_staff_names: bool) -> list[AccessLine]:
    return [access_line(entry, show_staff_names=show_staff_names) for entry in entries]


def changes_of(model: str, history_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The field-level differences recorded for these version rows of one model."""
    entries = ChangeLogEntry.objects.filter(model=model, history_id__in=list(history_ids))
    return {entry.history_id: entry.changes for entry in entries}

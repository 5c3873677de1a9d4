"""Writes of the archive: retention rules, the daily retention run, archive, restore, destroy.

The clock is a parameter: every write that depends on the date takes `today` (and `now`), so the
daily task passes the real date and a test passes the dates of its scenario.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import require
from edureg.archive.models import (
    DESTROYED_ONLY,
    ArchivedRecord,
    ArchiveMove,
    MoveKind,
    RecordKind,
    RetentionEvent,
    RetentionRule,
    RetentionRun,
    Tombstone,
)
from edureg.core.audit import access_log_redact, change_log_redact
from edureg.core.context import Actor, acting_as
from edureg.exchange.change_models import Change, ChangeAction, ChangeAudience
from edureg.exchange.import_models import ImportRun, ImportStatus
from edureg.people.models import Person
from edureg.pupils.models import Enrolment
from edureg.students.models import StudyRight

SYSTEM = Actor.system("retention")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- Rules -------------------------------------------------------------------------------------


def _require_archive_manager(actor: Actor) -> None:
    require(actor, FunctionArea.ARCHIVE, Level.MANAGER, national=True)


def _save_rule(rule: RetentionRule) -> RetentionRule:
    rule.full_clean()
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"valid_from": [_("A rule with this code already starts on this day.")]}
        ) from exc
    return rule


@transaction.atomic
def retention_rule_create(
    *,
    actor: Actor,
    code: str,
    kind: str,
    event: str,
    archive_after_years: int,
    destroy_after_years: int,
    legal_basis: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> RetentionRule:
    """A retention rule (agency only). Every rule names the legal act that requires it: nothing
    leaves the live register, and nothing is destroyed, without one."""
    _require_archive_manager(actor)
    if not legal_basis.strip():
        raise ValidationError({"legal_basis": [_("Name the legal act that sets this period.")]})
    with acting_as(actor):
        return _save_rule(
            RetentionRule(
                code=code,
                kind=kind,
                event=event,
                archive_after_years=archive_after_years,
                destroy_after_years=destroy_after_years,
                legal_basis=legal_basis.strip(),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )


@transaction.atomic
def retention_rule_change(*, actor: Actor, rule: RetentionRule, **fields: Any) -> RetentionRule:
    """Change a rule (its earlier values stay in its history). To replace a rule from a date,
    end it (`valid_to`) and create its successor from that date."""
    _require_archive_manager(actor)
    allowed = {
        "archive_after_years",
        "destroy_after_years",
        "legal_basis",
        "valid_from",
        "valid_to",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These fields of a rule cannot be changed: %s") % sorted(unknown))
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        setattr(rule, name, value)
    with acting_as(actor):
        return _save_rule(rule)


def rule_valid_on(kind: str, event: str, day: dt.date) -> RetentionRule | None:
    return (
        RetentionRule.objects.filter(kind=kind, event=event, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .order_by("-valid_from", "-id")
        .first()
    )


# --- Which people are due ---------------------------------------------------------------------


def people_due(*, rule: RetentionRule, today: dt.date) -> list[tuple[Person, dt.date]]:
    """The live people whose event is at least the rule's archive period before `today`, with
    the date of the event."""
    years = rule.archive_after_years
    latest = dt.date(today.year - years, 12, 31)  # narrows the query; exact check below
    if rule.event == RetentionEvent.DEATH:
        people = Person.objects.filter(date_of_death__lte=latest).only(
            "id", "public_id", "date_of_death"
        )
        return [
            (p, p.date_of_death)
            for p in people
            if p.date_of_death and add_years(p.date_of_death, years) <= today
        ]
    # Learning ended: no open enrolment or study right, and the last end long enough ago.
    last_enrolment = (
        Enrolment.objects.filter(person=OuterRef("pk"))
        .values("person")
        .annotate(last=Max("valid_to"))
        .values("last")
    )
    last_right = (
        StudyRight.objects.filter(person=OuterRef("pk"))
        .values("person")
        .annotate(last=Max("ended_on"))
        .values("last")
    )
    people = (
        Person.objects.annotate(
            open_enrolment=Exists(
                Enrolment.objects.filter(person=OuterRef("pk")).filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gt=today)
                )
            ),
            open_right=Exists(
                StudyRight.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
            ),
            last_enrolment=Subquery(last_enrolment),
            last_right=Subquery(last_right),
        )
        .filter(open_enrolment=False, open_right=False)
        # (An annotation that is NULL is spelt out: NOT (NULL > x) would drop the row.)
        .filter(Q(last_enrolment__lte=latest) | Q(last_enrolment__isnull=True))
        .filter(Q(last_right__lte=latest) | Q(last_right__isnull=True))
        .exclude(last_enrolment__isnull=True, last_right__isnull=True)
        .only("id", "public_id")
    )
    due = []
    for person in people:
        ended = max(d for d in (person.last_enrolment, person.last_right) if d is not None)
        if add_years(ended, years) <= today:
            due.append((person, ended))
    return due


def _ended_due(
    model: type[models.Model], end_field: str, open_q: Q, *, rule: RetentionRule, today: dt.date
) -> list[tuple[models.Model, dt.date]]:
    """Ended rows of one model (an enrolment, a study right) whose end is at least the rule's
    archive period before `today` — but not one that a still open row of its kind refers to
    (a study right continued by a transfer waits for its successor)."""
    years = rule.archive_after_years
    latest = dt.date(today.year - years, 12, 31)
    rows = model._default_manager.filter(**{f"{end_field}__isnull": False}).filter(
        **{f"{end_field}__lte": latest}
    )
    due = []
    for row in rows.select_related("person").order_by("pk"):
        ended = getattr(row, end_field)
        if add_years(ended, years) > today:
            continue
        unit = _unit_of(row)
        if any(
            type(other) is model and model._default_manager.filter(open_q, pk=other.pk).exists()
            for other in unit[1:]
        ):
            continue
        due.append((row, ended))
    return due


def records_due(*, rule: RetentionRule, today: dt.date) -> list[tuple[models.Model, dt.date]]:
    """The live records of the rule's kind whose archive period after its event has passed,
    each with the date of the event."""
    if rule.kind == RecordKind.PERSON:
        return list(people_due(rule=rule, today=today))
    if rule.kind == RecordKind.ENROLMENT:
        return _ended_due(
            Enrolment,
            "valid_to",
            Q(valid_to__isnull=True) | Q(valid_to__gt=today),
            rule=rule,
            today=today,
        )
    if rule.kind == RecordKind.STUDY_RIGHT:
        return _ended_due(StudyRight, "ended_on", Q(ended_on__isnull=True), rule=rule, today=today)
    if rule.kind == RecordKind.IMPORTS:
        years = rule.archive_after_years
        runs = ImportRun.objects.filter(
            finished_at__isnull=False,
            finished_at__date__lte=dt.date(today.year - years, 12, 31),
        ).exclude(status__in=[ImportStatus.STAGED, ImportStatus.RUNNING])
        return [
            (run, run.finished_at.date())
            for run in runs.order_by("pk")
            if add_years(timezone.localdate(run.finished_at), years) <= today
        ]
    return []


# --- One unit of records ----------------------------------------------------------------------


def _is_version_table(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") and any(
        f.name == "history_id" for f in model._meta.fields
    )


def _unit_of(root: models.Model) -> list[models.Model]:
    """The root (a person, an enrolment, an import) and every live row that refers to it,
    directly or through another row of the unit (a study right's periods and results, an
    enrolment's NVŠ marks, an import's rows), parents first."""
    found: list[models.Model] = [root]
    seen = {(root._meta.label, root.pk)}
    queue: list[models.Model] = [root]
    while queue:
        obj = queue.pop(0)
        for rel in obj._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
                continue
            related = rel.related_model
            if _is_version_table(related) or related._meta.auto_created:
                continue  # version rows stay (until destruction); m2m rows go with their owner
            for row in related._base_manager.filter(**{rel.field.name: obj.pk}).order_by("pk"):
                key = (related._meta.label, row.pk)
                if key not in seen:
                    seen.add(key)
                    found.append(row)
                    queue.append(row)
    return found


def _rows_per_table(objs: Iterable[models.Model]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objs:
        counts[obj._meta.label_lower] = counts.get(obj._meta.label_lower, 0) + 1
    return dict(sorted(counts.items()))


def _delete_rows(objs: list[models.Model], *, now: dt.datetime, reason: str) -> None:
    """Delete the unit's rows as one set. The database checks its foreign keys at commit, so
    rows that refer to each other (an enrolment continued as another) go together; each row
    still gets its deletion version ("-", with the reason) and change-log entry."""
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        pks = [row.pk for row in rows]
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                through._base_manager.filter(**{f"{field.m2m_field_name()}__in": pks}).delete()
        model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
        for row in rows:
            row._history_date = now  # type: ignore[attr-defined]
            row._change_reason = reason  # type: ignore[attr-defined]
            post_delete.send(sender=model, instance=row, using=model._base_manager.db, origin=row)


def person_archive(
    *, actor: Actor, person: Person, rule: RetentionRule, event_date: dt.date, now: dt.datetime
) -> ArchivedRecord:
    """Move a person and all their learning records out of the live register into the archive
    (the rule's archive period after the event has passed). Their versions stay in the history
    tables; every live page, list, export, feed and statistic stops showing them, because the
    rows are no longer in the live tables."""
    return record_archive(actor=actor, root=person, rule=rule, event_date=event_date, now=now)


def _person_of(root: models.Model) -> Person | None:
    if isinstance(root, Person):
        return root
    return getattr(root, "person", None)


@transaction.atomic
def record_archive(
    *, actor: Actor, root: models.Model, rule: RetentionRule, event_date: dt.date, now: dt.datetime
) -> ArchivedRecord:
    """Move one unit of the rule's kind — a person with all their records, an ended enrolment
    or study right with the rows that refer to it (the person stays live), an import with its
    rows — out of the live tables into the archive."""
    _require_archive_manager(actor)
    if rule.kind in DESTROYED_ONLY:
        raise ValidationError(_("These records are not archived."))
    root = type(root)._base_manager.select_for_update().get(pk=root.pk)
    unit = _unit_of(root)
    rows = _rows_per_table(unit)
    reason = f"archived: {rule.code}"
    person = _person_of(root)
    who: dict[str, Any] = {}
    if person is not None:
        who = {
            "person_public_id": person.public_id,
            "personal_code": person.personal_code or "",
            "given_names": person.given_names,
            "family_name": person.family_name,
            "birth_date": person.birth_date,
        }
    with acting_as(actor):
        record = ArchivedRecord.objects.create(
            kind=rule.kind,
            rule=rule,
            **who,
            event_date=event_date,
            archived_at=now,
            destroy_on=add_years(event_date, rule.destroy_after_years),
            rows=rows,
            payload=serializers.serialize("json", unit),
        )
        _delete_rows(unit, now=now, reason=reason)
        ArchiveMove.objects.create(
            record_public_id=record.public_id,
            kind=record.kind,
            move=MoveKind.ARCHIVED,
            at=now,
            rule=rule,
            actor=actor.label,
            reason=rule.code,
        )
    return record


@transaction.atomic
def archive_restore(
    *, actor: Actor, record: ArchivedRecord, reason: str, now: dt.datetime | None = None
) -> models.Model:
    """Bring an archived unit back into the live register, with a stated reason (agency's
    archive managers only). Each row gets a new version ("+", with the reason); the unit's
    history shows both moves."""
    _require_archive_manager(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("State why the record is restored.")]})
    now = now or timezone.now()
    record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
    objects = list(serializers.deserialize("json", record.payload))
    change_reason = f"restored: {reason.strip()}"[:100]
    with acting_as(actor):
        try:
            with transaction.atomic():
                for item in objects:
                    obj = item.object
                    obj._history_date = now
                    obj._change_reason = change_reason
                    obj.save(force_insert=True)
                for item in objects:
                    for name, values in (item.m2m_data or {}).items():
                        getattr(item.object, name).set(values)
                # What the rows refer to must be live (an enrolment's person, the group it
                # was transferred to): checked now, not at commit.
                connection.check_constraints(
                    table_names=sorted({type(i.object)._meta.db_table for i in objects})
                )
        except IntegrityError as exc:
            raise ValidationError(
                _(
                    "The live register already holds a record this one would duplicate, or no "
                    "longer holds one it refers to (restore that first)."
                )
            ) from exc
        ArchiveMove.objects.create(
            record_public_id=record.public_id,
            kind=record.kind,
            move=MoveKind.RESTORED,
            at=now,
            rule=record.rule,
            actor=actor.label,
            reason=reason.strip(),
        )
        record.delete()
    return objects[0].object


@transaction.atomic
def archive_destroy(*, actor: Actor, record: ArchivedRecord, now: dt.datetime) -> Tombstone:
    """Destroy an archived unit at the end of its retention: its rows, their versions and the
    recorded differences in the change log; leave a tombstone (kind, when, rule, row counts).
    The change log's chain stays verifiable (see `core.audit.change_log_redact`)."""
    _require_archive_manager(actor)
    record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
    versions: list[tuple[str, str]] = []
    for item in serializers.deserialize("json", record.payload):
        obj = item.object
        model = type(obj)
        versions.append((model._meta.label_lower, str(obj.pk)))
        history = getattr(model, "history", None)
        if history is not None and _is_version_table(getattr(history, "model", models.Model)):
            history.model._base_manager.filter(**{model._meta.pk.attname: obj.pk}).delete()
    with acting_as(actor):
        change_log_redact(records=versions, reason=f"retention: {record.rule.code}")
        tombstone = Tombstone.objects.create(
            record_public_id=record.public_id,
            kind=record.kind,
            rule=record.rule,
            destroyed_at=now,
            rows=record.rows,
        )
        ArchiveMove.objects.create(
            record_public_id=record.public_id,
            kind=record.kind,
            move=MoveKind.DESTROYED,
            at=now,
            rule=record.rule,
            actor=actor.label,
            reason=record.rule.code,
        )
        record.delete()
    return tombstone


# --- The change feed: entries destroyed, never archived ----------------------------------------


def change_feed_horizon() -> tuple[int, int]:
    """The feed position (xid, change id) up to which entries have been destroyed; (0, 0) when
    none has. A cursor after the start and before it may have missed a destroyed entry."""
    best = (0, 0)
    for text in Tombstone.objects.filter(kind=RecordKind.CHANGE_FEED).values_list(
        "horizon", flat=True
    ):
        xid, _sep, change_id = text.partition(".")
        if xid.isdigit() and change_id.isdigit():
            best = max(best, (int(xid), int(change_id)))
    return best


@transaction.atomic
def change_feed_destroy(
    *, actor: Actor, rule: RetentionRule, today: dt.date, now: dt.datetime
) -> int:
    """Destroy the feed's entries recorded at least the rule's period before `today`, except
    each live record's latest entry (the next change of the record compares its audiences with
    it, and a mirror replaying from the start still gets the record). The entries hold keys,
    not content, so nothing is archived; a tombstone keeps how many and the feed position up
    to which they went, and the feed refuses a cursor before that position (the client reads
    the lists again, then follows from `/changes/latest/`). Returns the number destroyed."""
    _require_archive_manager(actor)
    cutoff = dt.datetime.combine(
        add_years(today, -rule.destroy_after_years), dt.time.min, tzinfo=dt.UTC
    )
    latest = (
        Change.objects.filter(dataset=OuterRef("dataset"), object_id=OuterRef("object_id"))
        .order_by("-id")
        .values("id")[:1]
    )
    old = Change.objects.filter(at__lt=cutoff).annotate(latest=Subquery(latest))
    doomed = list(
        old.exclude(Q(id=models.F("latest")) & ~Q(action=ChangeAction.DELETED)).values_list(
            "id", "xid"
        )
    )
    if not doomed:
        return 0
    ids = [pk for pk, _xid in doomed]
    horizon = max((xid, pk) for pk, xid in doomed)
    audiences = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        audiences += ChangeAudience.objects.filter(change_id__in=chunk)._raw_delete("default")
        Change.objects.filter(id__in=chunk)._raw_delete("default")
    with acting_as(actor):
        tombstone = Tombstone.objects.create(
            record_public_id=uuid.uuid4(),
            kind=RecordKind.CHANGE_FEED,
            rule=rule,
            destroyed_at=now,
            rows={"exchange.change": len(ids), "exchange.changeaudience": audiences},
            horizon=f"{horizon[0]}.{horizon[1]}",
        )
        ArchiveMove.objects.create(
            record_public_id=tombstone.record_public_id,
            kind=RecordKind.CHANGE_FEED,
            move=MoveKind.DESTROYED,
            at=now,
            rule=rule,
            actor=actor.label,
            reason=rule.code,
        )
    return len(ids)


# --- The access log: entries redacted in place, never removed -----------------------------------


@transaction.atomic
def access_log_destroy(
    *, actor: Actor, rule: RetentionRule, today: dt.date, now: dt.datetime
) -> int:
    """At the end of their retention, access-log rows lose the reader's identity (label, user,
    name) and the purpose, and keep their place and hash in the chain: when, which kind of
    reader, which organisation, what was read and whose log it is stay, so the person still
    sees that their data was read, and `audit_verify` still passes
    (`core.audit.access_log_redact`). A tombstone says how many rows and under which rule."""
    _require_archive_manager(actor)
    cutoff = dt.datetime.combine(
        add_years(today, -rule.destroy_after_years), dt.time.min, tzinfo=dt.UTC
    )
    with acting_as(actor):
        erased = access_log_redact(before=cutoff, reason=f"retention: {rule.code}")
        if not erased:
            return 0
        tombstone = Tombstone.objects.create(
            record_public_id=uuid.uuid4(),
            kind=RecordKind.ACCESS_LOG,
            rule=rule,
            destroyed_at=now,
            rows={"core.accesslogentry": erased},
        )
        ArchiveMove.objects.create(
            record_public_id=tombstone.record_public_id,
            kind=RecordKind.ACCESS_LOG,
            move=MoveKind.DESTROYED,
            at=now,
            rule=rule,
            actor=actor.label,
            reason=rule.code,
        )
    return erased


# --- The daily run ----------------------------------------------------------------------------


def retention_apply(
    *, today: dt.date, now: dt.datetime | None = None, actor: Actor = SYSTEM
) -> RetentionRun:
    """Apply the rules valid on `today`: archive every unit whose archive period has passed,
    destroy every archived unit whose retention has ended; write a report of what moved.

    Each unit moves in its own transaction, so a unit that cannot move (reported in the counts
    as failed) does not hold back the others."""
    now = now or timezone.now()
    run = RetentionRun.objects.create(run_on=today, started_at=now)
    counts: dict[str, dict[str, Any]] = {}
    for kind in RecordKind.values:
        for event in RetentionEvent.values:
            rule = rule_valid_on(kind, event, today)
            if rule is None:
                continue
            line = counts.setdefault(
                f"{kind}:{event}",
                {"kind": kind, "rule": rule.code, "archived": 0, "destroyed": 0, "failed": 0},
            )
            if kind == RecordKind.CHANGE_FEED:
                line["destroyed"] += change_feed_destroy(
                    actor=actor, rule=rule, today=today, now=now
                )
                continue
            if kind == RecordKind.ACCESS_LOG:
                line["destroyed"] += access_log_destroy(
                    actor=actor, rule=rule, today=today, now=now
                )
                continue
            for root, event_date in records_due(rule=rule, today=today):
                try:
                    record_archive(
                        actor=actor, root=root, rule=rule, event_date=event_date, now=now
                    )
                    line["archived"] += 1
                except (IntegrityError, ValidationError):
                    line["failed"] += 1
    for record in ArchivedRecord.objects.filter(destroy_on__lte=today).select_related("rule"):
        line = counts.setdefault(
            f"{record.kind}:{record.rule.event}",
            {"kind": record.kind, "rule": record.rule.code, "archived": 0, "destroyed": 0},
        )
        archive_destroy(actor=actor, record=record, now=now)
        line["destroyed"] = line.get("destroyed", 0) + 1
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run

"""The record kinds besides the whole person: an ended enrolment or study right (the person
stays live), file imports, change feed entries — each with its events, archived, restored and
destroyed by the daily run with the clock as a parameter; the audit chains verify throughout."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from conftest import make_user
from edureg.archive import services
from edureg.archive.models import (
    ArchivedRecord,
    ArchiveMove,
    MoveKind,
    RecordKind,
    RetentionEvent,
    Tombstone,
)
from edureg.archive.tests.factories import SYSTEM, rule, school_leaver, tables_holding
from edureg.core.audit import chain_access_log, log_person_access, verify_all
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.exchange.change_models import Change
from edureg.exchange.import_models import ImportRow, ImportRun, ImportStatus
from edureg.exchange.tests.test_changes import CHANGES, register, replay
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.pupils.models import Enrolment
from edureg.pupils.tests.test_api import school_system
from edureg.students import services as student_services
from edureg.students.models import StudyRight
from edureg.students.tests.factories import hei, open_right, termination_reason

pytestmark = pytest.mark.django_db


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _run(day: dt.date):  # type: ignore[no-untyped-def]
    run = services.retention_apply(today=day, now=_noon(day))
    connection.check_constraints()
    return run


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        (RecordKind.ENROLMENT, RetentionEvent.DEATH),
        (RecordKind.PERSON, RetentionEvent.DEPARTURE),
        (RecordKind.IMPORTS, RetentionEvent.LEARNING_ENDED),
        (RecordKind.CHANGE_FEED, RetentionEvent.FINISHED),
    ],
)
def test_a_rule_names_an_event_its_kind_has(kind, event):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        rule(kind=kind, event=event)
    assert list(raised.value.message_dict) == ["event"]


def test_change_feed_entries_are_destroyed_not_archived():
    with pytest.raises(ValidationError) as raised:
        rule(
            kind=RecordKind.CHANGE_FEED,
            event=RetentionEvent.RECORDED,
            archive_after_years=1,
            destroy_after_years=3,
        )
    assert list(raised.value.message_dict) == ["archive_after_years"]
    assert rule(
        kind=RecordKind.CHANGE_FEED,
        event=RetentionEvent.RECORDED,
        archive_after_years=3,
        destroy_after_years=3,
    )


def test_an_ended_enrolment_leaves_while_the_person_stays():
    # Given a pupil who moved schools on 1 September 2021 and left on 30 June 2023, and a
    # rule: an enrolment is archived a year after it ended and destroyed five years after.
    leaver = school_leaver()
    rule(
        kind=RecordKind.ENROLMENT,
        event=RetentionEvent.DEPARTURE,
        archive_after_years=1,
        destroy_after_years=5,
    )
    first = Enrolment.objects.get(person=leaver.person, institution=leaver.schools[1])
    last = Enrolment.objects.get(person=leaver.person, institution=leaver.schools[0])

    # When the run comes a year after the move, the first enrolment leaves; the person and
    # their last enrolment stay live.
    run = _run(dt.date(2022, 9, 1))
    line = run.counts[f"enrolment:{RetentionEvent.DEPARTURE}"]
    assert (line["archived"], line["failed"]) == (1, 0)
    assert not Enrolment.objects.filter(pk=first.pk).exists()
    assert Enrolment.objects.filter(pk=last.pk).exists()
    assert Person.objects.filter(pk=leaver.person.pk).exists()
    record = ArchivedRecord.objects.get(kind=RecordKind.ENROLMENT)
    assert record.person_public_id == leaver.person.public_id
    assert record.rows == {"pupils.enrolment": 1}
    assert record.destroy_on == dt.date(2026, 9, 1)

    # A year after the departure the last one follows; a lawful search finds both.
    _run(dt.date(2024, 6, 30))
    assert not Enrolment.objects.filter(person=leaver.person).exists()
    found = ArchivedRecord.objects.filter(personal_code=leaver.code)  # what a search matches
    assert {r.kind for r in found} == {RecordKind.ENROLMENT} and len(found) == 2

    # Restoring the first alone is refused: it was transferred to the last, no longer live.
    with pytest.raises(ValidationError):
        services.archive_restore(actor=SYSTEM, record=record, reason="Prašymas 2024-17")
    assert not Enrolment.objects.filter(pk=first.pk).exists()
    # The last, then the first, come back; the history shows both moves of each.
    later = ArchivedRecord.objects.get(kind=RecordKind.ENROLMENT, event_date=dt.date(2023, 6, 30))
    services.archive_restore(actor=SYSTEM, record=later, reason="Prašymas 2024-17")
    services.archive_restore(actor=SYSTEM, record=record, reason="Prašymas 2024-17")
    assert Enrolment.objects.filter(person=leaver.person).count() == 2
    moves = ArchiveMove.objects.filter(record_public_id=record.public_id)
    assert [m.move for m in moves] == [MoveKind.ARCHIVED, MoveKind.RESTORED]
    assert [v.history_type for v in first.history.order_by("history_id")][-2:] == ["-", "+"]

    # Archived again, and destroyed at the end of retention: tombstones, and the chains verify.
    _run(dt.date(2024, 7, 1))
    final = _run(dt.date(2028, 6, 30))
    assert final.counts[f"enrolment:{RetentionEvent.DEPARTURE}"]["destroyed"] == 2
    assert Tombstone.objects.filter(kind=RecordKind.ENROLMENT).count() == 2
    assert not ArchivedRecord.objects.exists()
    chain_access_log()
    assert verify_all() == []


def test_an_ended_study_right_leaves_and_one_continued_by_a_transfer_waits():
    university = hei()
    right = open_right(university, started_on=dt.date(2020, 9, 1))
    student_services.terminate(
        actor=SYSTEM,
        study_right=right,
        on=dt.date(2022, 6, 1),
        reasons=[termination_reason("own-request")],
    )
    still_open = open_right(university, started_on=dt.date(2021, 9, 1))
    rule(
        kind=RecordKind.STUDY_RIGHT,
        event=RetentionEvent.STUDY_ENDED,
        archive_after_years=2,
        destroy_after_years=4,
    )
    run = _run(dt.date(2024, 6, 1))
    assert run.counts[f"study_right:{RetentionEvent.STUDY_ENDED}"]["archived"] == 1
    assert not StudyRight.objects.filter(pk=right.pk).exists()
    assert StudyRight.objects.filter(pk=still_open.pk).exists()
    assert Person.objects.filter(pk=right.person_id).exists()
    record = ArchivedRecord.objects.get(kind=RecordKind.STUDY_RIGHT)
    assert record.rows["students.studyright"] == 1 and record.rows["students.statusperiod"] >= 1
    _run(dt.date(2026, 6, 1))
    assert Tombstone.objects.get(kind=RecordKind.STUDY_RIGHT).rows == record.rows
    assert verify_all() == []


def test_a_finished_import_is_archived_then_destroyed():
    secret = f"Importuota{uuid.uuid4().hex[:8]}"
    run = ImportRun.objects.create(
        kind="enrolments",
        file_format="csv",
        file_name="mokiniai.csv",
        source_system="sis",
        institution=InstitutionFactory(),
        status=ImportStatus.DONE,
        owner_label="tests",
        finished_at=_noon(dt.date(2023, 1, 10)),
    )
    for line in (2, 3):
        ImportRow.objects.create(run=run, line=line, key=f"k{line}", data={"pavardė": secret})
    staged = ImportRun.objects.create(
        kind="enrolments",
        file_format="csv",
        file_name="laukia.csv",
        source_system="sis",
        institution=run.institution,
        owner_label="tests",
    )
    rule(kind=RecordKind.IMPORTS, event=RetentionEvent.FINISHED, archive_after_years=1)
    assert _run(dt.date(2024, 1, 9)).counts[f"imports:{RetentionEvent.FINISHED}"]["archived"] == 0
    _run(dt.date(2024, 1, 10))
    assert not ImportRun.objects.filter(pk=run.pk).exists()
    assert not ImportRow.objects.filter(run_id=run.pk).exists()
    assert ImportRun.objects.filter(pk=staged.pk).exists()  # never finished: stays
    record = ArchivedRecord.objects.get(kind=RecordKind.IMPORTS)
    assert record.rows == {"exchange.importrow": 2, "exchange.importrun": 1}
    assert record.person_public_id is None
    _run(dt.date(2033, 1, 10))
    assert Tombstone.objects.get(kind=RecordKind.IMPORTS).rows == record.rows
    assert tables_holding(secret) == {}


def test_old_change_feed_entries_are_destroyed_and_an_old_cursor_is_refused():
    # Given a school system that follows the feed while a pupil enrols, moves and departs.
    leaver = school_leaver()
    school = school_system(leaver.schools[0])
    mirror: dict[str, dict] = {}
    replay(school, mirror)
    first_id = Change.objects.order_by("id").values_list("id", flat=True)[0]
    total = Change.objects.count()
    latest_of_live = {
        (c.dataset, c.object_id): c.pk for c in Change.objects.order_by("id")
    }  # the last entry of each record wins
    feed_rule = rule(
        kind=RecordKind.CHANGE_FEED,
        event=RetentionEvent.RECORDED,
        archive_after_years=3,
        destroy_after_years=3,
    )
    today = timezone.localdate()
    # When the run comes before three years have passed, nothing goes; after, every entry but
    # each record's latest is destroyed, and a tombstone says how many and up to where.
    assert _run(today).counts[f"change_feed:{feed_rule.event}"]["destroyed"] == 0
    later = services.add_years(today, 3) + dt.timedelta(days=1)
    run = _run(later)
    destroyed = run.counts[f"change_feed:{feed_rule.event}"]["destroyed"]
    assert destroyed == total - len(latest_of_live) > 0
    assert set(Change.objects.values_list("id", flat=True)) == set(latest_of_live.values())
    stone = Tombstone.objects.get(kind=RecordKind.CHANGE_FEED)
    assert stone.rows["exchange.change"] == destroyed and stone.horizon

    # A cursor from before the destroyed entries is refused with its own code; one from the
    # start, or from the end, still works, and a mirror from the start equals the lists.
    old = school.get(CHANGES, {"after": f"0.{first_id}"})
    assert old.status_code == 400
    assert (old.json()["field"], old.json()["code"]) == ("after", "expired")
    fresh: dict[str, dict] = {}
    replay(school, fresh)
    assert fresh == register(school, "enrolments", "groups")
    assert verify_all() == []


def test_old_access_log_rows_lose_the_reader_and_keep_their_place_in_the_chain():
    # Given a person whose data a staff member read, on the chained access log.
    person = school_leaver().person
    reader = make_user(f"skaitytojas-{uuid.uuid4().hex[:6]}")
    log_person_access(
        actor=Actor.for_user(reader),
        person_public_ids=[person.public_id],
        what="archive.search",
        purpose="Teismo prašymas 2-1/2026",
    )
    chain_access_log()
    row = AccessLogEntry.objects.get(person_public_id=person.public_id, what="archive.search")
    kept_hash = row.entry_hash
    access_rule = rule(
        kind=RecordKind.ACCESS_LOG,
        event=RetentionEvent.RECORDED,
        archive_after_years=1,
        destroy_after_years=1,
    )
    today = timezone.localdate()
    assert _run(today).counts[f"access_log:{access_rule.event}"]["destroyed"] == 0

    # When the period has passed, the row loses who read and why, keeps the rest and its hash.
    run = _run(services.add_years(today, 1) + dt.timedelta(days=1))
    assert run.counts[f"access_log:{access_rule.event}"]["destroyed"] >= 1
    row.refresh_from_db()
    assert (row.actor, row.user_id, row.purpose, row.reader_name) == ("", None, "", "")
    assert (row.what, row.entry_hash) == ("archive.search", kept_hash)
    assert Tombstone.objects.get(kind=RecordKind.ACCESS_LOG).rows["core.accesslogentry"] >= 1
    assert tables_holding("Teismo prašymas 2-1/2026") == {}
    assert verify_all() == []

    # An erased row edited afterwards, or a row erased by hand, is reported.
    AccessLogEntry.objects.filter(pk=row.pk).update(what="pupil.card")
    assert [p.reason for p in verify_all()] == ["erased row was edited"]
    AccessLogEntry.objects.filter(pk=row.pk).update(what="archive.search")
    other = AccessLogEntry.objects.filter(seq__isnull=False).exclude(actor="").first()
    if other is not None:
        AccessLogEntry.objects.filter(pk=other.pk).update(actor="", purpose="")
        assert [p.reason for p in verify_all()] == ["content was edited"]

"""Retention rules, the daily run and the archive's moves, one rule at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_user, verified_actor
from edureg.archive import services
from edureg.archive.models import (
    ArchivedRecord,
    RecordKind,
    RetentionEvent,
    RetentionRule,
    RetentionRun,
)
from edureg.archive.tests.factories import SYSTEM, archive_user, rule, school_leaver
from edureg.core.audit import verify_all
from edureg.core.models import ChangeLogEntry
from edureg.people import services as people_services
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)


def test_a_rule_names_its_legal_act_and_keeps_its_history():
    with pytest.raises(ValidationError) as error:
        rule(legal_basis="  ")
    assert "legal_basis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        rule(archive_after_years=5, destroy_after_years=3)
    assert "destroy_after_years" in error.value.message_dict

    kept = rule(archive_after_years=2)
    services.retention_rule_change(actor=SYSTEM, rule=kept, archive_after_years=3)
    assert [v.archive_after_years for v in kept.history.order_by("history_id")] == [2, 3]


def test_only_the_agency_s_archive_managers_change_rules():
    viewer = verified_actor(archive_user(level="viewer"))
    staff = verified_actor(make_user("plain-rule-editor"))
    for actor in (viewer, staff):
        with pytest.raises(PermissionDenied):
            services.retention_rule_create(
                actor=actor,
                code="x",
                kind=RecordKind.PERSON,
                event=RetentionEvent.DEATH,
                archive_after_years=1,
                destroy_after_years=2,
                legal_basis="law",
                valid_from=dt.date(2020, 1, 1),
            )
    assert not RetentionRule.objects.exists()


def test_the_rule_valid_on_the_day_applies():
    old = rule(archive_after_years=5, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 1, 1))
    new = rule(archive_after_years=1, valid_from=dt.date(2025, 1, 1))
    event = old.event
    assert services.rule_valid_on(RecordKind.PERSON, event, dt.date(2024, 12, 31)) == old
    assert services.rule_valid_on(RecordKind.PERSON, event, dt.date(2025, 1, 1)) == new


def test_no_rule_no_move():
    leaver = school_leaver()
    run = services.retention_apply(today=dt.date(2040, 1, 1), now=NOON)
    assert run.counts == {}
    assert Person.objects.filter(pk=leaver.person.pk).exists()


def test_the_dead_are_archived_under_their_own_rule():
    person = PersonFactory(personal_code=personal_code(dt.date(1950, 1, 2)))
    people_services.person_update(actor=SYSTEM, person=person, date_of_death=dt.date(2020, 5, 1))
    rule(event=RetentionEvent.DEATH, archive_after_years=1, destroy_after_years=5)
    run = services.retention_apply(today=dt.date(2021, 5, 1), now=NOON)
    assert run.counts["person:death"]["archived"] == 1
    assert ArchivedRecord.objects.get(person_public_id=person.public_id).destroy_on == dt.date(
        2025, 5, 1
    )


def test_a_pupil_still_learning_stays_live():
    leaver = school_leaver()
    other = school_leaver(left_on=dt.date(2024, 6, 30))
    rule(archive_after_years=1)
    services.retention_apply(today=dt.date(2024, 7, 1), now=NOON)
    assert not Person.objects.filter(pk=leaver.person.pk).exists()
    assert Person.objects.filter(pk=other.person.pk).exists()
    assert RetentionRun.objects.count() == 1


def test_a_restore_needs_a_reason_and_refuses_to_duplicate_a_live_person():
    leaver = school_leaver()
    rule(archive_after_years=1)
    services.retention_apply(today=dt.date(2025, 1, 1), now=NOON)
    record = ArchivedRecord.objects.get(person_public_id=leaver.person.public_id)
    with pytest.raises(ValidationError):
        services.archive_restore(actor=SYSTEM, record=record, reason=" ")
    # Someone registered the same personal code in the live register meanwhile.
    PersonFactory(personal_code=leaver.code, family_name="Kita")
    with pytest.raises(ValidationError):
        services.archive_restore(actor=SYSTEM, record=record, reason="court")
    assert ArchivedRecord.objects.filter(pk=record.pk).exists()


def test_an_erased_change_log_row_edited_afterwards_is_caught():
    leaver = school_leaver()
    rule(archive_after_years=1, destroy_after_years=1)
    services.retention_apply(today=dt.date(2025, 1, 1), now=NOON)
    assert verify_all() == []
    erased = ChangeLogEntry.objects.filter(row_digest="redacted").first()
    assert erased is not None

    # Someone changes who made an erased change: caught.
    ChangeLogEntry.objects.filter(pk=erased.pk).update(actor="user:999")
    assert verify_all()
    ChangeLogEntry.objects.filter(pk=erased.pk).update(actor=erased.actor)
    assert verify_all() == []

    # Someone "erases" a row no redaction names: caught.
    other = PersonFactory()
    row = ChangeLogEntry.objects.filter(model="people.person", object_id=str(other.pk)).get()
    ChangeLogEntry.objects.filter(pk=row.pk).update(changes={}, row_digest="redacted")
    problems = verify_all()
    assert problems and "redaction" in problems[0].reason
    assert leaver.person.pk  # (the leaver's own rows were the ones erased lawfully)


def test_the_retention_run_is_a_daily_task_that_leaves_its_report():
    from edureg.core import schedule

    periodic = {p.name: p for p in schedule.registered()}["archive.apply_retention"]
    assert periodic.every == dt.timedelta(days=1)
    leaver = school_leaver()  # left in 2023
    rule(archive_after_years=1, destroy_after_years=80)
    run = RetentionRun.objects.get(pk=periodic.task.call())
    assert run.run_on == timezone.localdate()  # the task passes the real day
    assert sum(line["archived"] for line in run.counts.values()) == 1
    assert not Person.objects.filter(pk=leaver.person.pk).exists()

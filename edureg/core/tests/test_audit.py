"""The change log and the access log are hash-chained; tampering is found by audit_verify."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from edureg.core.audit import log_person_access, verify_all
from edureg.core.context import Actor, Channel, audit_context
from edureg.core.models import AccessLogEntry, ChangeLogEntry
from edureg.people import services
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _read(actor: Actor, person: Person, times: int = 1) -> None:
    for _ in range(times):
        log_person_access(actor=actor, person_public_ids=[person.public_id], what="person.detail")


def test_a_change_records_who_when_channel_and_what(admin_actor):
    # Given a person registered by the agency through the API
    api_actor = admin_actor.via(Channel.API)
    with audit_context(api_actor, "req123abc"):
        person = PersonFactory()
        # When the family name is changed
        services.person_update(actor=api_actor, person=person, family_name="Petrauskienė")

    # Then the change log holds both versions with the actor, channel, request and difference
    entries = list(
        ChangeLogEntry.objects.filter(model="people.person", object_id=str(person.pk)).order_by(
            "at"
        )
    )
    assert [e.action for e in entries] == ["+", "~"]
    latest = entries[-1]
    assert latest.actor == api_actor.label
    assert latest.channel == Channel.API
    assert latest.request_id == "req123abc"
    assert latest.changes["family_name"][1] == "Petrauskienė"
    assert set(latest.changes) == {"family_name"}
    # and the version row names the same user
    assert person.history.first().history_user == admin_actor.user


def test_intact_logs_verify(admin_actor):
    person = PersonFactory()
    _read(admin_actor, person, times=3)
    assert verify_all() == []
    call_command("audit_verify")  # exits 0


def test_editing_one_access_log_row_is_detected_and_named(admin_actor):
    # Given a person whose data was read five times
    person = PersonFactory()
    _read(admin_actor, person, times=5)
    victim = AccessLogEntry.objects.order_by("seq")[2]

    # When somebody edits one row directly in the database
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AccessLogEntry._meta.db_table} SET actor = %s WHERE id = %s",
            ["user:999", victim.pk],
        )

    # Then audit_verify fails and names that row
    with pytest.raises(CommandError):
        call_command("audit_verify")
    problems = verify_all()
    assert len(problems) == 1
    assert problems[0].entry_id == victim.pk
    assert f"row id {victim.pk}" in str(problems[0])


def test_removing_an_access_log_row_is_detected(admin_actor):
    person = PersonFactory()
    _read(admin_actor, person, times=4)
    removed = AccessLogEntry.objects.order_by("seq")[1]
    AccessLogEntry.objects.filter(pk=removed.pk).delete()

    [problem] = verify_all()
    assert problem.seq == removed.seq
    assert "removed" in problem.reason


def test_removing_the_last_rows_is_detected(admin_actor):
    person = PersonFactory()
    _read(admin_actor, person, times=3)
    AccessLogEntry.objects.order_by("-seq").first().delete()

    [problem] = verify_all()
    assert "removed" in problem.reason


def test_editing_a_version_row_is_detected(admin_actor):
    # Given a person with history
    person = PersonFactory(given_names="Jonas")
    # When the stored version is rewritten behind the register's back
    person.history.model.objects.filter(id=person.pk).update(given_names="Petras")
    # Then verification names the change-log row that covers that version
    [problem] = verify_all()
    assert problem.log == "change"
    assert "edited" in problem.reason
    assert "people.person" in problem.reason


def test_citizen_and_system_reads_are_not_staff_access(admin_actor):
    person = PersonFactory()
    _read(Actor.system("nightly-report"), person)
    assert AccessLogEntry.objects.count() == 0
    _read(admin_actor, person)
    assert AccessLogEntry.objects.filter(person_public_id=person.public_id).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(agency_admin):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario")
    person = PersonFactory()
    actor = Actor.for_user(agency_admin)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _read(actor, person, times=10)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccessLogEntry.objects.count() == 80
    assert verify_all() == []

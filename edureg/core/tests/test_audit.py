"""The change log and the access log are hash-chained; tampering is found by audit_verify.

Reads insert their access-log rows unchained; the periodic task chains them (`_read` chains
right away, as the task would a few seconds later)."""

from __future__ import annotations

import threading
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from edureg.core import audit, schedule
from edureg.core.audit import (
    chain_access_log,
    deferred_audit,
    log_person_access,
    unchained_access_rows,
    verify_all,
)
from edureg.core.context import Actor, Channel, acting_as, audit_context
from edureg.core.models import AccessLogEntry, AuditChainHead, ChangeLogEntry, Classifier
from edureg.people import services
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _read(actor: Actor, person: Person, times: int = 1, *, chain: bool = True) -> None:
    for _ in range(times):
        log_person_access(actor=actor, person_public_ids=[person.public_id], what="person.detail")
    if chain:
        chain_access_log()


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
        # Readers and chainers at once, as gunicorn's workers and the task worker run.
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


# --- Reads append without a chain-head lock; the periodic task chains ---------------------------


def test_a_read_inserts_its_row_without_touching_a_chain_head(admin_actor):
    person = PersonFactory()
    with CaptureQueriesContext(connection) as queries:
        _read(admin_actor, person, chain=False)
    # One INSERT, nothing on the heads (no lock, no update)
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1
    assert statements[0].startswith("INSERT")
    assert AuditChainHead._meta.db_table not in statements[0]
    entry = AccessLogEntry.objects.get(person_public_id=person.public_id)
    assert not entry.chained


# The worker closes the connection between tasks: a test transaction would not survive it.
@pytest.mark.django_db(transaction=True)
def test_rows_not_yet_chained_are_reported_and_chaining_makes_them_verifiable(admin_actor):
    # Given reads of two people, not chained yet
    first, second = PersonFactory(), PersonFactory()
    _read(admin_actor, first, times=3, chain=False)
    _read(admin_actor, second, times=2, chain=False)

    # Then audit_verify passes and says how many rows wait to be chained
    assert verify_all() == []
    assert unchained_access_rows().count == 5
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "not yet chained: 5 access rows" in out.getvalue()

    # When the periodic task runs as `make run` runs it: the scheduler enqueues, the worker runs
    assert "core.chain_access_log" in schedule.enqueue_due()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    # Then every row is chained, in order of reading within each shard, and verifies
    assert unchained_access_rows().count == 0
    assert not AccessLogEntry.objects.filter(seq__isnull=True).exists()
    for shard in AccessLogEntry.objects.values_list("shard", flat=True).distinct():
        rows = list(AccessLogEntry.objects.filter(shard=shard).order_by("id"))
        assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + len(rows)))
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "not yet chained" not in out.getvalue()
    assert "5 chained access rows" in out.getvalue()


def test_an_edited_row_chained_later_is_detected_once_chained_again(admin_actor):
    # Given a chained history of reads and then a new unchained one
    person = PersonFactory()
    _read(admin_actor, person, times=3)
    _read(admin_actor, person, chain=False)
    # When a chained row is edited, the next chaining does not cover it up
    victim = AccessLogEntry.objects.filter(seq__isnull=False).order_by("seq")[1]
    AccessLogEntry.objects.filter(pk=victim.pk).update(what="nothing")
    assert chain_access_log() == 1
    [problem] = verify_all()
    assert problem.entry_id == victim.pk
    assert "edited" in problem.reason


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reads_go_on_while_every_chain_head_is_locked(agency_admin):
    """The read path waits for no chain head: with every head locked by another transaction
    (as a long chaining or change-log append would), reads still complete at once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks held by another connection are a PostgreSQL scenario")
    person = PersonFactory()
    actor = Actor.for_user(agency_admin)
    locked, release = threading.Event(), threading.Event()

    def hold_every_head() -> None:
        try:
            with transaction.atomic():
                list(AuditChainHead.objects.select_for_update())
                locked.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_every_head)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with connection.cursor() as cursor:
            # A read that needed a head would fail here instead of waiting.
            cursor.execute("SET lock_timeout = '2s'")
        _read(actor, person, times=3, chain=False)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    finally:
        release.set()
        holder.join()
    assert AccessLogEntry.objects.filter(person_public_id=person.public_id).count() == 3
    assert chain_access_log() == 3
    assert verify_all() == []


def test_deferred_audit_inserts_the_rows_of_a_write_together_and_none_of_a_rolled_back_part():
    """The version and change-log rows collected by `deferred_audit` are inserted when it
    ends; a save inside a savepoint that was rolled back leaves no version, no change-log row
    and no step in any chain head, and the chains verify."""
    heads_before = {
        (h.log, h.shard): h.last_seq for h in AuditChainHead.objects.filter(log="change")
    }
    kept_code, dropped_code = f"kept-{uuid.uuid4().hex[:8]}", f"dropped-{uuid.uuid4().hex[:8]}"
    last_entry = ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with transaction.atomic(), deferred_audit(), acting_as(Actor.system("tests")):
        kept = Classifier.objects.create(code=kept_code, name_lt="A", name_en="A")
        kept.name_en = "A, changed"
        kept.save()
        try:
            with transaction.atomic():
                Classifier.objects.create(code=dropped_code, name_lt="B", name_en="B")
                raise RuntimeError("undo this part")
        except RuntimeError:
            pass
        # nothing is inserted before the write ends
        assert not ChangeLogEntry.objects.filter(id__gt=last_entry).exists()

    entries = list(ChangeLogEntry.objects.filter(id__gt=last_entry).order_by("id"))
    assert [e.action for e in entries] == ["+", "~"]
    assert entries[1].changes == {"name_en": ["A", "A, changed"]}
    assert Classifier.history.filter(code=kept_code).count() == 2
    assert not Classifier.history.filter(code=dropped_code).exists()
    heads_after = {
        (h.log, h.shard): h.last_seq for h in AuditChainHead.objects.filter(log="change")
    }
    assert sum(heads_after.values()) - sum(heads_before.values()) == 2
    assert audit.verify_all() == []

"""A real worker process killed with SIGKILL in the middle of an import (issue #11 item 6).

The worker (`manage.py db_worker`, as `make run` starts it) runs against the test database.
The test holds a lock on the pupil of the second chunk's second row, so the worker has
committed the first chunk and written, uncommitted, the second chunk's first row when it
waits; it is killed there. Nothing acknowledged may be lost (the first chunk's records and
their results), nothing half-applied may stay (the second chunk's first record), and the run,
taken up again, applies every row exactly once.

PostgreSQL only: it needs a database that a second process shares with the test and a lock a
writer waits on (SQLite's test database lives in the test process's memory, and a SQLite
writer that finds the file locked gives up instead of waiting).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone

from edureg.core.audit import verify_all
from edureg.exchange.import_models import ImportKind, ImportRun, ImportStatus, RowOutcome
from edureg.exchange.imports import services
from edureg.exchange.tests.import_helpers import csv_file, group_of, run_worker, school_client
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.pupils.models import Enrolment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
CHUNK = 4  # the worker's chunk size here: rows 1-4 are one transaction, rows 5-8 the next
ROWS = 12
WORKER = "edureg-import-worker"


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until(condition: Callable[[], bool], worker: subprocess.Popen[bytes], log: Path) -> None:
    """Poll for a state of the database; the deadline only stops a test that would hang."""
    deadline = time.monotonic() + 180
    while not condition():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def _worker_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view inside our transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND application_name = %s",
            [WORKER],
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def no_session_left_behind():
    """PostgreSQL learns that a killed client is gone only when it next talks to it; end the
    killed worker's session so that the test database can be dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # With a timeout, pg_terminate_backend waits until the session has ended.
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 60000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] == 0


def test_a_worker_killed_mid_import_loses_nothing_acknowledged_and_half_applies_nothing(
    tmp_path, no_session_left_behind
):
    if connection.vendor != "postgresql":
        pytest.skip("a worker waiting on a lock held by the test is a PostgreSQL scenario")
    school = InstitutionFactory()
    actor = school_client(school)
    group_of(school)
    people = [PersonFactory() for _ in range(ROWS)]
    keys = [f"S-{n}" for n in range(ROWS)]
    rows = [
        [key, p.personal_code, "5a", 2025, "2025-09-01", None]
        for key, p in zip(keys, people, strict=True)
    ]
    run = services.import_upload(
        actor=actor,
        kind=ImportKind.ENROLMENTS,
        institution=school,
        source_system="tamo",
        stream=io.BytesIO(csv_file(rows)),
        file_name="mokiniai.csv",
    )
    applied = run.rows.exclude(outcome="")
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "IMPORT_CHUNK_ROWS": str(CHUNK),
        "EDUREG_VAR_DIR": str(tmp_path),
        "PGAPPNAME": WORKER,  # its session, told apart in pg_stat_activity
    }
    with log.open("wb") as out, transaction.atomic():
        # The second chunk's second pupil is locked: the worker waits on it mid-chunk.
        Person.objects.select_for_update().get(pk=people[CHUNK + 1].pk)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until(lambda: applied.count() == CHUNK and _worker_waits_on_a_lock(), worker, log)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=60)

        # Acknowledged: the first chunk, records and results together. Not acknowledged: the
        # second chunk's first record, written but never committed, is not in the register.
        assert (
            list(applied.order_by("line").values_list("outcome", flat=True))
            == [RowOutcome.CREATED] * CHUNK
        )
        stored = set(Enrolment.objects.filter(local_id__in=keys).values_list("local_id", flat=True))
        assert stored == set(keys[:CHUNK])

    # Taken up again (the resume task finds the run's heartbeat stale), the rest is applied
    # once; the killed worker's open transaction is gone when the lock it waited on is freed.
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - services.STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert services.imports_resume() == [run.pk]
    run_worker()
    run.refresh_from_db()
    assert (run.status, run.created, run.refused) == (ImportStatus.DONE, ROWS, 0)
    enrolments = Enrolment.objects.filter(local_id__in=keys)
    assert sorted(enrolments.values_list("local_id", flat=True)) == sorted(keys)
    assert all(e.history.count() == 1 for e in enrolments)
    assert verify_all() == []

"""File import of enrolments: every row gets its result, a refused row changes nothing, the
import refuses what the service refuses (same code and message), all-or-nothing on demand."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from edureg.core.audit import verify_all
from edureg.exchange.import_models import (
    ImportKind,
    ImportRow,
    ImportRun,
    ImportStatus,
    RowOutcome,
)
from edureg.exchange.imports import services
from edureg.exchange.tests.import_helpers import (
    csv_file,
    group_of,
    jsonl_file,
    run_worker,
    school_client,
    xlsx_file,
)
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.identity import validate_personal_code
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import services as pupils
from edureg.pupils.models import Enrolment

pytestmark = pytest.mark.django_db

SEPT = "2025-09-01"


@pytest.fixture
def world() -> dict[str, Any]:
    """A school with class 5a and its system; another school whose pupil and enrolment key
    the first school must not reach; a pupil enrolled at the other school."""
    school, other = InstitutionFactory(), InstitutionFactory()
    actor, other_actor = school_client(school), school_client(other, "Kitos mokyklos IS")
    group, other_group = group_of(school), group_of(other)
    existing, changed, elsewhere = PersonFactory(), PersonFactory(), PersonFactory()
    for key, person in (("E-1", existing), ("E-2", changed)):
        pupils.enrolment_upsert(
            actor=actor,
            source_system="tamo",
            local_id=key,
            values={"person": person, "group": group, "valid_from": dt.date(2025, 9, 1)},
        )
    pupils.enrolment_upsert(
        actor=other_actor,
        source_system="tamo",
        local_id="X-1",
        values={"person": elsewhere, "group": other_group, "valid_from": dt.date(2025, 9, 1)},
    )
    return {
        "school": school,
        "actor": actor,
        "group": group,
        "existing": existing,
        "changed": changed,
        "elsewhere": elsewhere,
        "new": [PersonFactory() for _ in range(3)],
    }


def bad_file_rows(world: dict[str, Any]) -> list[list[Any]]:
    new = world["new"]
    bad_code = new[1].personal_code[:-1] + str((int(new[1].personal_code[-1]) + 1) % 10)
    return [
        ["N-1", new[0].personal_code, "5a", 2025, SEPT, None],  # 2: good
        ["E-1", world["existing"].personal_code, "5a", 2025, SEPT, None],  # 3: as stored
        ["N-2", bad_code, "5a", 2025, SEPT, None],  # 4: bad personal code
        ["N-3", new[2].personal_code, "9z", 2025, SEPT, None],  # 5: unknown group
        ["N-4", world["elsewhere"].personal_code, "5a", 2025, SEPT, None],  # 6: overlapping
        ["E-2", world["changed"].personal_code, "5a", 2025, "2025-09-02", 7],  # 7: stale
        ["D-1", new[2].personal_code, "5a", 2025, SEPT, None],  # 8: duplicate key
        ["D-1", new[2].personal_code, "5a", 2025, SEPT, None],  # 9: duplicate key
        ["X-1", world["elsewhere"].personal_code, "5a", 2025, SEPT, None],  # 10: not ours
        ["N-5", personal_code(), "5a", 2025, SEPT, None],  # 11: nobody has this code
        ["N-6", new[2].personal_code, "5a", 2025, "2025-13-01", None],  # 12: not a date
    ]


def do_import(capture, world, content: bytes, name: str = "mokiniai.csv", **options) -> Any:  # type: ignore[no-untyped-def]
    """Upload (the request: its commit queues the task), then apply it as the worker's task
    does (the worker itself runs in test_import_worker, which needs real commits)."""
    with capture() as callbacks:
        run = services.import_upload(
            actor=world["actor"],
            kind=ImportKind.ENROLMENTS,
            institution=world["school"],
            source_system="tamo",
            stream=io.BytesIO(content),
            file_name=name,
            **options,
        )
    assert len(callbacks) == 1  # the task is queued when the upload commits
    services.import_apply(run.pk)
    run.refresh_from_db()
    return run


def results(run) -> dict[int, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {r.line: (r.outcome, r.field, r.code) for r in run.rows.all()}


EXPECTED = {
    2: (RowOutcome.CREATED, "", ""),
    3: (RowOutcome.UNCHANGED, "", ""),
    4: (RowOutcome.REFUSED, "personal_code", "personal_code_checksum"),
    5: (RowOutcome.REFUSED, "group", "does_not_exist"),
    6: (RowOutcome.REFUSED, "group", "enrolled_elsewhere"),
    7: (RowOutcome.REFUSED, "version", "stale_version"),
    8: (RowOutcome.REFUSED, "local_id", "duplicate_in_file"),
    9: (RowOutcome.REFUSED, "local_id", "duplicate_in_file"),
    10: (RowOutcome.REFUSED, "local_id", "not_found"),
    11: (RowOutcome.REFUSED, "personal_code", "does_not_exist"),
    12: (RowOutcome.REFUSED, "valid_from", "invalid"),
}


def test_every_row_of_a_file_with_every_kind_of_bad_row_gets_its_result(
    world, django_capture_on_commit_callbacks
):
    before = set(Enrolment.objects.values_list("pk", "version"))
    run = do_import(django_capture_on_commit_callbacks, world, csv_file(bad_file_rows(world)))

    assert run.status == ImportStatus.DONE
    assert results(run) == EXPECTED
    assert (run.created, run.unchanged, run.updated, run.refused) == (1, 1, 0, 9)
    # the good row is applied, with its history; nothing else changed
    created = Enrolment.objects.get(source_system="tamo", local_id="N-1")
    assert created.person == world["new"][0] and created.group == world["group"]
    assert created.history.count() == 1
    assert ImportRow.objects.get(run=run, line=2).record_id == created.public_id
    after = set(Enrolment.objects.values_list("pk", "version"))
    assert after - before == {(created.pk, 1)}
    assert verify_all() == []
    # the job says what happened and offers the error report
    run.job.refresh_from_db()
    assert "1" in run.job.message and run.job.report_name.endswith("-errors.csv")


def _service_refusal(call) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """What the service itself answers, undone."""
    try:
        with transaction.atomic():
            call()
    except (ValidationError, Http404) as exc:
        result = services.refused_result(exc, {"person": "personal_code"})
        return result.code, result.message
    raise AssertionError("the service accepted it")


def test_the_import_refuses_each_rule_with_the_services_code_and_message(
    world, django_capture_on_commit_callbacks
):
    """One definition of each rule: for every rule a row breaks, the register's service
    refuses the same record with the same code and message."""
    actor, group = world["actor"], world["group"]
    rows = bad_file_rows(world)
    run = do_import(django_capture_on_commit_callbacks, world, csv_file(rows))
    by_line = {r.line: (r.code, r.message) for r in run.rows.all()}

    def upsert(key, person, **values):  # type: ignore[no-untyped-def]
        return lambda: pupils.enrolment_upsert(
            actor=actor,
            source_system="tamo",
            local_id=key,
            values={"person": person, "group": group, "valid_from": dt.date(2025, 9, 1), **values},
        )

    try:
        validate_personal_code(rows[2][1])
    except ValidationError as exc:
        assert by_line[4] == (exc.code, exc.messages[0])
    assert by_line[5] == _service_refusal(
        lambda: pupils.group_to_enrol(actor=actor, public_id="00000000-0000-0000-0000-000000000000")
    )
    assert by_line[6] == _service_refusal(upsert("N-4", world["elsewhere"]))
    assert by_line[7] == _service_refusal(
        upsert("E-2", world["changed"], valid_from=dt.date(2025, 9, 2), version=7)
    )
    assert by_line[10] == _service_refusal(upsert("X-1", world["elsewhere"]))
    assert by_line[11] == _service_refusal(
        lambda: pupils.person_to_enrol(
            actor=actor, public_id="00000000-0000-0000-0000-000000000000"
        )
    )


@pytest.mark.parametrize(("name", "make"), [("m.xlsx", xlsx_file), ("m.jsonl", jsonl_file)])
def test_xlsx_and_json_lines_files_give_the_same_results(
    world, django_capture_on_commit_callbacks, name, make
):
    run = do_import(django_capture_on_commit_callbacks, world, make(bad_file_rows(world)), name)
    # JSON Lines have no header row: their lines count from 1
    shift = 1 if name.endswith("jsonl") else 0
    assert results(run) == {line - shift: result for line, result in EXPECTED.items()}


def test_all_or_nothing_applies_nothing_when_a_row_is_refused(
    world, django_capture_on_commit_callbacks
):
    before = Enrolment.objects.count()
    run = do_import(
        django_capture_on_commit_callbacks,
        world,
        csv_file(bad_file_rows(world)),
        all_or_nothing=True,
    )

    assert run.status == ImportStatus.REFUSED
    outcomes = results(run)
    assert outcomes[2] == (RowOutcome.NOT_APPLIED, "", "")
    assert outcomes[3] == (RowOutcome.NOT_APPLIED, "", "")
    assert {k: v for k, v in outcomes.items() if v[0] == RowOutcome.REFUSED} == {
        k: v for k, v in EXPECTED.items() if v[0] == RowOutcome.REFUSED
    }
    assert Enrolment.objects.count() == before
    assert verify_all() == []


def test_all_or_nothing_applies_a_clean_file_whole(world, django_capture_on_commit_callbacks):
    rows = [[f"C-{i}", p.personal_code, "5a", 2025, SEPT, None] for i, p in enumerate(world["new"])]
    run = do_import(django_capture_on_commit_callbacks, world, csv_file(rows), all_or_nothing=True)
    assert run.status == ImportStatus.DONE
    assert run.created == 3
    assert Enrolment.objects.filter(local_id__startswith="C-").count() == 3


def test_an_uploader_without_the_right_for_the_institution_stages_nothing(world):
    other = InstitutionFactory()
    with pytest.raises(Http404):
        services.import_upload(
            actor=world["actor"],
            kind=ImportKind.ENROLMENTS,
            institution=other,
            source_system="tamo",
            stream=io.BytesIO(csv_file([])),
            file_name="m.csv",
        )
    assert not ImportRow.objects.exists()


def test_a_file_of_another_kind_is_refused_naming_the_file(world):
    with pytest.raises(ValidationError) as refused:
        services.import_upload(
            actor=world["actor"],
            kind=ImportKind.ENROLMENTS,
            institution=world["school"],
            source_system="tamo",
            stream=io.BytesIO(b"x"),
            file_name="m.pdf",
        )
    assert "file" in refused.value.message_dict


def test_a_resent_file_is_unchanged_and_writes_no_history(
    world, django_capture_on_commit_callbacks
):
    rows = [[f"R-{i}", p.personal_code, "5a", 2025, SEPT, None] for i, p in enumerate(world["new"])]
    do_import(django_capture_on_commit_callbacks, world, csv_file(rows))
    versions = Enrolment.history.count()
    again = do_import(django_capture_on_commit_callbacks, world, csv_file(rows))
    assert (again.created, again.unchanged) == (0, 3)
    assert Enrolment.history.count() == versions


@pytest.mark.django_db(transaction=True)
def test_the_worker_applies_an_uploaded_file_and_the_job_shows_it(world):
    """Through the real queue: the upload's commit enqueues the task, the worker applies it."""
    rows = [[f"W-{i}", p.personal_code, "5a", 2025, SEPT, None] for i, p in enumerate(world["new"])]
    run = services.import_upload(
        actor=world["actor"],
        kind=ImportKind.ENROLMENTS,
        institution=world["school"],
        source_system="tamo",
        stream=io.BytesIO(csv_file(rows)),
        file_name="mokiniai.csv",
    )
    run_worker()
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.DONE, 3)
    assert (run.job.status, run.job.done, run.job.total) == ("done", 3, 3)
    assert Enrolment.objects.filter(local_id__startswith="W-").count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_stopped_goes_on_from_its_first_row_without_a_result(world):
    """A worker killed between chunks leaves committed chunks with their results and the rest
    without: the resume task queues the run again and the rest is applied, nothing twice."""
    rows = [[f"K-{i}", p.personal_code, "5a", 2025, SEPT, None] for i, p in enumerate(world["new"])]
    run = services.import_upload(
        actor=world["actor"],
        kind=ImportKind.ENROLMENTS,
        institution=world["school"],
        source_system="tamo",
        stream=io.BytesIO(csv_file(rows)),
        file_name="mokiniai.csv",
    )
    # What a worker killed after its first chunk leaves: that chunk applied with its result
    # (one transaction), the run "running" with an old heartbeat, its queued task consumed.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    first = run.rows.get(line=2)
    with transaction.atomic():
        services._store(
            run, [first], services.apply_enrolments(run, services.actor_of(run), [first])
        )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.imports_resume() == [run.pk]
    run_worker()
    run.refresh_from_db()
    assert (run.status, run.created, run.refused) == (ImportStatus.DONE, 3, 0)
    assert Enrolment.objects.filter(local_id__startswith="K-").count() == 3
    assert verify_all() == []

"""Mass-disclosure queries: a recipient's system asks a query, follows its progress, downloads
the result in CSV, JSON Lines and XLSX; rows by its scope, fields by its agreement; at most
MASS_QUERY_CONCURRENCY run at once; a result expires (410); every query and every download is a
disclosure in each person's access log."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from edureg.citizen.tests.factories import sign_in
from edureg.core.models import AccessLogEntry
from edureg.exchange.agreements import services as agreement_services
from edureg.exchange.queries import files, services
from edureg.exchange.query_models import MassQuery, QueryStatus
from edureg.exchange.tests.agreement_helpers import (
    SYSTEM,
    agreement_for,
    recipient_client,
    token_for,
)
from edureg.exchange.tests.import_helpers import group_of, run_worker, school_client
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services as pupils
from edureg.pupils.models import Enrolment

pytestmark = pytest.mark.django_db

QUERIES = "/api/v1/exchange/queries/"
# A narrow agreement: three fields of enrolments, nothing of persons.
SCOPE = {"enrolments": ["id", "person", "valid_from"]}
DAY = "2025-11-01"


def _enrol(school: Any, person: Any, valid_from: dt.date, key: str) -> Any:
    if not hasattr(school, "_test_group"):
        school._test_group, school._test_system = group_of(school), school_client(school)
    return pupils.enrolment_upsert(
        actor=school._test_system,
        source_system="tamo",
        local_id=key,
        values={"person": person, "group": school._test_group, "valid_from": valid_from},
    ).record


@pytest.fixture
def world(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A recipient of municipality LT-13 under a narrow agreement; three pupils enrolled on
    DAY at a school of LT-13, one enrolled only after it, one at a school of LT-15."""
    here = InstitutionFactory(municipality=Municipality.objects.get(code="LT-13"))
    there = InstitutionFactory(municipality=Municipality.objects.get(code="LT-15"))
    inside = [
        _enrol(here, PersonFactory(), dt.date(2025, 9, 1), f"in-{i}").public_id for i in range(3)
    ]
    later = _enrol(here, PersonFactory(), dt.date(2025, 12, 1), "later")
    elsewhere = _enrol(there, PersonFactory(), dt.date(2025, 9, 1), "there")
    binding, secret = recipient_client("LT-13")
    agreement = agreement_for(binding, scope=SCOPE)
    return {
        "binding": binding,
        "agreement": agreement,
        "auth": token_for(client, binding, secret),
        "inside": sorted(str(i) for i in inside),
        "later": later,
        "elsewhere": elsewhere,
    }


def _ask(client, auth, **body: Any) -> Any:  # type: ignore[no-untyped-def]
    body = {"kind": "pupils_enrolled_on", "municipality": "LT-13", "date": DAY} | body
    return client.post(QUERIES, body, content_type="application/json", **auth)


def _asked(client, world, **body: Any) -> MassQuery:  # type: ignore[no-untyped-def]
    answer = _ask(client, world["auth"], **body)
    assert answer.status_code == 202, answer.content
    return MassQuery.objects.get(public_id=answer.json()["id"])


def _download(client, auth, query: MassQuery, file_format: str) -> Any:  # type: ignore[no-untyped-def]
    answer = client.get(f"{QUERIES}{query.public_id}/result/{file_format}/", **auth)
    if answer.streaming:
        # Read to the end: the test client then closes the response (and the file) itself,
        # without closing the test's database connection as a second close would.
        answer.body = b"".join(answer.streaming_content)
    return answer


def _body(answer: Any) -> bytes:
    return answer.body


def test_a_narrow_agreement_gets_exactly_its_fields_and_rows_in_every_format(client, world):
    # Given a query asked by the recipient and done by the worker
    query = _asked(client, world)
    services.mass_query_run(query.pk)
    auth = world["auth"]

    # When it downloads the three files
    as_csv = list(csv.reader(io.StringIO(_body(_download(client, auth, query, "csv")).decode())))
    as_jsonl = [
        json.loads(line) for line in _body(_download(client, auth, query, "jsonl")).splitlines()
    ]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_body(_download(client, auth, query, "xlsx"))))
    as_xlsx = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    # Then each holds the agreement's fields, no other, and the enrolments in force on the day
    # at the municipality's schools, no other
    assert as_csv[0] == ["id", "person", "valid_from"]
    assert as_xlsx[0] == ["id", "person", "valid_from"]
    assert sorted(row[0] for row in as_csv[1:]) == world["inside"]
    assert sorted(row[0] for row in as_xlsx[1:]) == world["inside"]
    assert [set(row) for row in as_jsonl] == [{"id", "person", "valid_from"}] * 3
    assert sorted(row["id"] for row in as_jsonl) == world["inside"]
    assert {row["valid_from"] for row in as_jsonl} == {"2025-09-01"}
    assert str(world["later"].public_id) not in json.dumps(as_jsonl)
    assert str(world["elsewhere"].public_id) not in json.dumps(as_jsonl)


def test_the_status_shows_the_progress_and_links_the_files_when_ready(client, world):
    answer = _ask(client, world["auth"], formats=["csv", "jsonl"])
    assert answer.status_code == 202
    waiting = answer.json()
    assert answer["Location"].endswith(f"{QUERIES}{waiting['id']}/")
    assert (waiting["status"], waiting["files"], waiting["progress"]["done"]) == ("queued", {}, 0)
    assert waiting["params"] == {"municipality": "LT-13", "date": DAY}

    services.mass_query_run(MassQuery.objects.get(public_id=waiting["id"]).pk)
    done = client.get(answer["Location"], **world["auth"]).json()

    assert done["status"] == "done"
    assert done["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert (done["rows"], done["fields"]) == (3, ["id", "person", "valid_from"])
    assert done["agreement_number"] == world["agreement"].number
    assert set(done["files"]) == {"csv", "jsonl"}
    assert done["files"]["csv"].endswith(f"{QUERIES}{waiting['id']}/result/csv/")
    query = MassQuery.objects.get(public_id=waiting["id"])
    assert _download(client, world["auth"], query, "csv").status_code == 200
    # A format not asked has no file
    assert _download(client, world["auth"], query, "xlsx").status_code == 404


def test_the_status_is_in_lithuanian(client, world):
    query = _asked(client, world)
    auth = world["auth"] | {"HTTP_ACCEPT_LANGUAGE": "lt"}
    assert client.get(f"{QUERIES}{query.public_id}/", **auth).json()["status_label"] == "laukia"


def test_bad_parameters_are_refused_naming_the_field(client, world):
    auth = world["auth"]
    cases = [
        ({"date": ""}, "date"),
        ({"date": "2025-13-01"}, "date"),
        ({"municipality": "LT-15"}, "municipality"),  # outside the recipient's scope
        ({"kind": "everything"}, "kind"),
        ({"formats": ["pdf"]}, "formats.0"),
    ]
    for body, field in cases:
        answer = _ask(client, auth, **body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["field"] == field, (body, answer.json())
    assert MassQuery.objects.count() == 0


def test_at_most_the_limit_run_at_once_and_the_others_wait(client, world, settings):
    settings.MASS_QUERY_CONCURRENCY = 1
    first, second = _asked(client, world), _asked(client, world)
    # Given the first holding the only slot
    assert services._claim_slot(first.pk)

    # When the second's task runs, it waits
    services.mass_query_run(second.pk)
    second.refresh_from_db()
    assert second.status == QueryStatus.QUEUED
    assert services.mass_queries_dispatch() == []

    # The first's worker died: the dispatcher queues it again, first in line
    MassQuery.objects.filter(pk=first.pk).update(
        heartbeat_at=timezone.now() - services.STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert services.mass_queries_dispatch() == [first.pk]
    services.mass_query_run(first.pk)
    services.mass_query_run(second.pk)
    assert set(MassQuery.objects.values_list("status", "slot")) == {(QueryStatus.DONE, None)}


def test_the_database_keeps_one_query_to_a_slot():
    binding, _secret = recipient_client("LT-13")
    common = {"kind": "pupils_enrolled_on", "dataset": "enrolments", "owner_client": binding}
    MassQuery.objects.create(status=QueryStatus.RUNNING, slot=0, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        MassQuery.objects.create(status=QueryStatus.RUNNING, slot=0, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        MassQuery.objects.create(status=QueryStatus.QUEUED, slot=1, **common)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_slots_at_once_never_pass_the_limit(settings):
    """On PostgreSQL, concurrent workers each try to take a slot: at most the limit succeed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers")
    settings.MASS_QUERY_CONCURRENCY = 2
    binding, _secret = recipient_client("LT-13")
    queries = [
        MassQuery.objects.create(
            kind="pupils_enrolled_on", dataset="enrolments", owner_client=binding
        )
        for _ in range(6)
    ]
    start = threading.Barrier(len(queries))
    claimed: list[bool] = []

    def claim(query_id: int) -> None:
        try:
            start.wait()
            claimed.append(services._claim_slot(query_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(q.pk,)) for q in queries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 4 + [True] * 2
    assert sorted(MassQuery.objects.exclude(slot=None).values_list("slot", flat=True)) == [0, 1]


def test_an_expired_result_answers_410_and_loses_its_files(client, world):
    query = _asked(client, world)
    services.mass_query_run(query.pk)
    query.refresh_from_db()
    assert query.expires_at - query.finished_at == dt.timedelta(days=3)
    assert files.path_of(query.public_id, "csv").exists()

    # When its time has passed, before the periodic task and after it
    MassQuery.objects.filter(pk=query.pk).update(expires_at=timezone.now())
    before = _download(client, world["auth"], query, "csv")
    assert services.mass_queries_expire() == 1
    after = _download(client, world["auth"], query, "csv")

    assert (before.status_code, after.status_code) == (410, 410)
    assert before.json()["code"] == "gone"
    assert not files.directory_of(query.public_id).exists()
    status = client.get(f"{QUERIES}{query.public_id}/", **world["auth"]).json()
    assert (status["status"], status["files"]) == ("expired", {})


def test_each_person_gets_a_disclosure_of_the_query_and_of_each_download(client, world):
    query = _asked(client, world)
    services.mass_query_run(query.pk)
    _download(client, world["auth"], query, "csv")
    _download(client, world["auth"], query, "jsonl")

    rows = AccessLogEntry.objects.filter(actor_kind="client")
    shown = {str(p) for p in rows.values_list("person_public_id", flat=True)}
    people = {
        str(p)
        for p in Enrolment.objects.filter(public_id__in=world["inside"]).values_list(
            "person__public_id", flat=True
        )
    }
    assert shown == people
    assert rows.filter(what="enrolment.query").count() == 3
    assert rows.filter(what="enrolment.query-download").count() == 6
    for row in rows:
        assert row.agreement_number == world["agreement"].number
        assert row.disclosed_fields == [
            "enrolments.id",
            "enrolments.person",
            "enrolments.valid_from",
        ]
        assert row.reader_organisation == world["agreement"].recipient

    # And the person reads it on "who saw my data", in Lithuanian
    person = Enrolment.objects.get(public_id=world["inside"][0]).person
    with translation.override("lt"):
        page = sign_in(person).get("/me/access/", HTTP_ACCEPT_LANGUAGE="lt")
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode())))
    assert "Masinė užklausa: mokymosi sutartys" in text
    assert "Masinės užklausos atsisiuntimas: mokymosi sutartys" in text
    assert f"pagal duomenų teikimo sutartį Nr. {world['agreement'].number}" in text


def test_a_system_without_an_agreement_in_force_gets_403(client, world):
    query = _asked(client, world)
    services.mass_query_run(query.pk)
    agreement_services.agreement_suspend(
        actor=SYSTEM, agreement=world["agreement"], reason="Patikrinimas"
    )
    auth = world["auth"]
    assert _ask(client, auth).status_code == 403
    assert client.get(f"{QUERIES}{query.public_id}/", **auth).status_code == 403
    assert _download(client, auth, query, "csv").status_code == 403


def test_a_query_waiting_when_the_agreement_is_suspended_gives_nothing(client, world):
    query = _asked(client, world)
    agreement_services.agreement_suspend(
        actor=SYSTEM, agreement=world["agreement"], reason="Patikrinimas"
    )
    services.mass_query_run(query.pk)
    query.refresh_from_db()
    assert (query.status, query.rows) == (QueryStatus.FAILED, None)
    assert "suspended" in query.message
    assert not files.directory_of(query.public_id).exists()
    assert not AccessLogEntry.objects.filter(actor_kind="client").exists()


def test_a_data_set_outside_the_agreement_and_a_person_get_403(client, world, agency_admin):
    answer = _ask(client, world["auth"], kind="graduates_of_year", year=2025)
    assert answer.status_code == 403
    client.force_login(agency_admin)
    assert _ask(client, {}).status_code == 403


def test_another_systems_query_is_not_found(client, world):
    query = _asked(client, world)
    services.mass_query_run(query.pk)
    other, secret = recipient_client("LT-13")
    agreement_for(other, scope=SCOPE)
    auth = token_for(client, other, secret)
    assert client.get(f"{QUERIES}{query.public_id}/", **auth).status_code == 404
    assert _download(client, auth, query, "csv").status_code == 404
    assert not AccessLogEntry.objects.filter(what="enrolment.query-download").exists()


def test_an_hei_system_gets_its_graduates_of_a_year_with_every_field(client):
    from edureg.access import services as access_services
    from edureg.access.models import FunctionArea, Level
    from edureg.students import services as students
    from edureg.students.tests.factories import hei, open_right, programme_of

    # Given an HEI's own system (no agreement: every field) and graduates of two years
    school = hei()
    programme = programme_of(school)
    start = dt.date(2023, 9, 1)
    rights = [open_right(school, programme=programme, started_on=start) for _ in range(3)]
    for right, year in zip(rights, (2025, 2025, 2024), strict=True):
        students.graduate(actor=SYSTEM, study_right=right, on=dt.date(year, 6, 30), degree="b")
    other_school = hei(name_lt="Kitas universitetas")
    other = open_right(other_school, started_on=start)
    students.graduate(actor=SYSTEM, study_right=other, on=dt.date(2025, 6, 30), degree="b")
    binding, secret = access_services.client_register(
        actor=SYSTEM,
        name="Universiteto IS",
        institution=school,
        rights=[(FunctionArea.STUDENT_DATA, Level.VIEWER)],
    )
    auth = token_for(client, binding, secret)

    answer = client.post(
        QUERIES,
        {"kind": "graduates_of_year", "year": 2025, "programme": programme.state_code},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 202, answer.content
    services.mass_query_run(MassQuery.objects.get(public_id=answer.json()["id"]).pk)
    query = MassQuery.objects.get(public_id=answer.json()["id"])
    lines = _body(_download(client, auth, query, "jsonl")).splitlines()

    got = [json.loads(line) for line in lines]
    assert sorted(r["id"] for r in got) == sorted(str(r.public_id) for r in rights[:2])
    assert {r["status"] for r in got} == {"graduated"}
    assert "personal_code" not in got[0] and "student_card_number" in got[0]
    bad = client.post(
        QUERIES,
        {"kind": "graduates_of_year", "year": 1800, "programme": "0000XX000"},
        content_type="application/json",
        **auth,
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "year")


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_query_asked_through_the_api(client, world):
    """Through the real queue: the request's commit enqueues the task, the worker runs it."""
    query = _asked(client, world)
    run_worker()
    status = client.get(f"{QUERIES}{query.public_id}/", **world["auth"]).json()
    assert (status["status"], status["rows"]) == ("done", 3)
    assert status["progress"]["percent"] == 100

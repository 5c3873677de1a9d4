"""An HEI's information system talks to the Student Register: idempotent upserts of study
rights with their status history, optimistic locking, batches answered per record, the actions
of the status history, results, loans and the rest, scoping by HEI and fixed query counts."""

from __future__ import annotations

import base64
import datetime as dt
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.audit import verify_all
from edureg.core.models import AccessLogEntry
from edureg.core.tests.concurrency import at_once
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.programmes.models import Programme
from edureg.students.models import (
    StatusPeriod,
    StudyLoan,
    StudyRight,
    StudyStatus,
)
from edureg.students.tests.factories import SYSTEM, hei, open_right, programme_of

pytestmark = pytest.mark.django_db

RIGHTS = "/api/v1/students/study-rights/"
BY_SOURCE = f"{RIGHTS}by-source"
BATCH = f"{RIGHTS}batch/"


def hei_system(institution: Institution, name: str = "Universiteto IS") -> APIClient:
    """The OAuth2 client of an HEI's information system, holding a fresh token."""
    binding, secret = access_services.client_register(
        actor=SYSTEM,
        name=name,
        institution=institution,
        rights=[(FunctionArea.STUDENT_DATA, Level.MANAGER)],
    )
    api = APIClient()
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    response = api.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


def data_manager(institution: Institution, name: str) -> APIClient:
    """A signed-in data manager of the HEI's student data (second factor verified)."""
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.STUDENT_DATA,
        level=Level.MANAGER,
    )
    return verified_login(APIClient(), user)


def right_body(person: Person, programme: Programme, **extra: Any) -> dict[str, Any]:
    return {
        "person": str(person.public_id),
        "programme": programme.state_code,
        "form": "full_time",
        "started_on": "2024-09-01",
        "course": 1,
        "funding_source": "11",
        **extra,
    }


# A status history with every step: leave for illness and the return, an interruption and the
# return to the second course, and the termination.
FULL_HISTORY = [
    {"status": "studying", "valid_from": "2024-09-01"},
    {"status": "academic_leave", "valid_from": "2025-02-01", "leave_reason": "illness"},
    {"status": "studying", "valid_from": "2025-09-01"},
    {"status": "interrupted", "valid_from": "2026-02-01", "reasons": ["academic-debt"]},
    {"status": "studying", "valid_from": "2026-09-01", "course": 2},
    {"status": "terminated", "valid_from": "2027-01-15", "reasons": ["own-request"]},
]
GRADUATED_HISTORY = [
    {"status": "studying", "valid_from": "2024-09-01"},
    {"status": "graduated", "valid_from": "2028-06-30"},
]
# Issue #11 item 4: 24 measured (the request included: token, client binding, roles; the
# history validated in memory and inserted one statement per table); 195, then 124 before.
STUDY_RIGHT_STATEMENTS = 25
GRADUATION = {"degree": "Informatikos bakalauras", "thesis_title": "Registrai"}


def history_rows() -> tuple[int, int]:
    return StudyRight.history.count(), StatusPeriod.history.count()


@pytest.fixture
def vu() -> Institution:
    return hei()


@pytest.fixture
def vu_api(vu: Institution) -> APIClient:
    return hei_system(vu)


@pytest.fixture
def programme(vu: Institution) -> Programme:
    return programme_of(vu)


@pytest.fixture
def created(vu_api: APIClient, programme: Programme) -> dict[str, Any]:
    response = vu_api.put(
        f"{BY_SOURCE}/vu-is/S-1/", right_body(PersonFactory(), programme), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- Upsert -----------------------------------------------------------------------------------


def test_an_hei_system_upserts_a_study_right_idempotently(vu, vu_api, programme):
    student = PersonFactory()
    url = f"{BY_SOURCE}/vu-is/S-1/"

    created = vu_api.put(url, right_body(student, programme), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["person"], body["institution"], body["programme"]) == (
        str(student.public_id),
        vu.register_id,
        programme.state_code,
    )
    assert (body["status"], body["cycle"], body["version"]) == ("studying", "bachelor", 1)
    assert body["periods"] == [
        {
            "status": "studying",
            "valid_from": "2024-09-01",
            "valid_to": None,
            "leave_reason": None,
            "course": None,
            "reasons": [],
        }
    ]
    assert [f["source"] for f in body["funding_periods"]] == ["11"]

    before = history_rows()
    repeated = vu_api.put(url, right_body(student, programme), format="json")
    assert repeated.status_code == 200
    assert repeated.json() == body
    assert history_rows() == before
    assert StudyRight.objects.filter(person=student).count() == 1

    # the HEI reads it back, in its list and by id
    assert [r["id"] for r in vu_api.get(RIGHTS).json()["results"]] == [body["id"]]
    assert vu_api.get(f"{RIGHTS}{body['id']}/").json() == body


def test_different_content_needs_the_current_version(vu_api, programme, created):
    url = f"{BY_SOURCE}/vu-is/S-1/"
    person = Person.objects.get(public_id=created["person"])
    changed = right_body(person, programme, course=2, student_card_number="VU-77")

    missing = vu_api.put(url, changed, format="json", HTTP_ACCEPT_LANGUAGE="en")
    stale = vu_api.put(url, {**changed, "version": 3}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    for refused in (missing, stale):
        assert refused.status_code == 409
        assert (refused.json()["code"], refused.json()["field"]) == ("stale_version", "version")
        assert "version 1" in refused.json()["message"]
    assert StudyRight.objects.get().version == 1

    updated = vu_api.put(url, {**changed, "version": 1}, format="json")
    assert updated.status_code == 200, updated.json()
    assert (updated.json()["course"], updated.json()["student_card_number"]) == (2, "VU-77")
    assert updated.json()["version"] == 2

    # what the study right is does not change by upsert, even with the current version
    moved = vu_api.put(url, {**changed, "started_on": "2024-10-01", "version": 2}, format="json")
    assert (moved.status_code, moved.json()["field"]) == (400, "started_on")
    assert StudyRight.objects.get().started_on == dt.date(2024, 9, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_version_one_wins_and_the_others_conflict(vu, programme):
    """Issue #10.2: writers holding the same version, each its own request and database
    connection, at once: in every round exactly one is applied and the others answer 409, so
    no update is lost (the version is compared on the row locked for the write)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL scenario (SQLite serialises writes)")
    writers, rounds = 3, 20
    first = hei_system(vu)
    token = first._credentials["HTTP_AUTHORIZATION"]
    url = f"{BY_SOURCE}/vu-is/S-race/"
    student = PersonFactory()
    assert first.put(url, right_body(student, programme), format="json").status_code == 201

    for round_ in range(rounds):
        version = StudyRight.objects.get(local_id="S-race").version

        def write(writer: int, version: int = version, round_: int = round_) -> int:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=token)
            body = right_body(
                student, programme, student_card_number=f"R{round_}-W{writer}", version=version
            )
            return api.put(url, body, format="json").status_code

        statuses = at_once([partial(write, w) for w in range(writers)])

        assert sorted(statuses) == [200] + [409] * (writers - 1), f"round {round_}: {statuses}"
        stored = StudyRight.objects.get(local_id="S-race")
        assert stored.version == version + 1
        assert stored.student_card_number.startswith(f"R{round_}-W")


def test_statements_of_a_new_study_right_with_four_status_periods(vu_api, programme):
    """Issue #11 item 4: what one new study right with four status periods after its start
    sends through the upsert, less the savepoints that stand for the request's transaction in
    a test: at most 25. Its history is all there, and the audit chain verifies."""
    vu_api.put(f"{BY_SOURCE}/vu-is/S-warm/", right_body(PersonFactory(), programme), format="json")
    body = right_body(PersonFactory(), programme, periods=FULL_HISTORY[:5])
    with CaptureQueriesContext(connection) as queries:
        response = vu_api.put(f"{BY_SOURCE}/vu-is/S-count/", body, format="json")
    assert response.status_code == 201, response.json()
    sent = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sent) <= STUDY_RIGHT_STATEMENTS, len(sent)
    right = StudyRight.objects.get(local_id="S-count")
    assert [(p["status"], p["valid_to"]) for p in response.json()["periods"]] == [
        ("studying", "2025-02-01"),
        ("academic_leave", "2025-09-01"),
        ("studying", "2026-02-01"),
        ("interrupted", "2026-09-01"),
        ("studying", None),
    ]
    assert response.json() == vu_api.get(f"{RIGHTS}{right.public_id}/").json()
    interrupted = right.periods.get(status="interrupted")
    version = interrupted.history.get()
    assert [r.classifiervalue.code for r in version.reasons.all()] == ["academic-debt"]
    assert StatusPeriod.history.filter(study_right_id=right.pk).count() == 5
    assert verify_all() == []


def test_an_upsert_appends_new_periods_with_the_current_version(vu_api, programme, created):
    url = f"{BY_SOURCE}/vu-is/S-1/"
    person = Person.objects.get(public_id=created["person"])
    with_leave = right_body(person, programme, periods=FULL_HISTORY[:2], version=1)

    response = vu_api.put(url, with_leave, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "academic_leave"
    assert [p["status"] for p in response.json()["periods"]] == ["studying", "academic_leave"]
    # a recorded period does not change by upsert
    rewritten = [FULL_HISTORY[0], {**FULL_HISTORY[1], "valid_from": "2025-03-01"}]
    refused = vu_api.put(
        url,
        right_body(person, programme, periods=rewritten, version=response.json()["version"]),
        format="json",
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "periods")


# --- Batch ------------------------------------------------------------------------------------


def test_a_batch_of_study_rights_with_status_histories_twice_writes_nothing_the_second_time(
    vu_api, programme
):
    records = [
        {
            "source_system": "vu-is",
            "local_id": "H-1",
            **right_body(PersonFactory(), programme, course=2, periods=FULL_HISTORY),
        },
        {
            "source_system": "vu-is",
            "local_id": "H-2",
            **right_body(
                PersonFactory(),
                programme,
                course=4,
                periods=GRADUATED_HISTORY,
                graduation=GRADUATION,
            ),
        },
        {
            "source_system": "vu-is",
            "local_id": "H-3",
            # the implied first period: studying from the start
            **right_body(
                PersonFactory(),
                programme,
                periods=[
                    {
                        "status": "academic_leave",
                        "valid_from": "2025-02-01",
                        "leave_reason": "personal",
                    }
                ],
            ),
        },
    ]

    first = vu_api.post(BATCH, {"records": records}, format="json")

    assert first.status_code == 200
    results = first.json()["results"]
    assert [(r["local_id"], r["status"]) for r in results] == [
        ("H-1", 201),
        ("H-2", 201),
        ("H-3", 201),
    ], results
    terminated = StudyRight.objects.get(local_id="H-1")
    assert (terminated.status, terminated.ended_on, terminated.course) == (
        StudyStatus.TERMINATED,
        dt.date(2027, 1, 15),
        2,
    )
    assert [
        (p.status, p.valid_from, p.valid_to) for p in terminated.periods.order_by("valid_from")
    ] == [
        ("studying", dt.date(2024, 9, 1), dt.date(2025, 2, 1)),
        ("academic_leave", dt.date(2025, 2, 1), dt.date(2025, 9, 1)),
        ("studying", dt.date(2025, 9, 1), dt.date(2026, 2, 1)),
        ("interrupted", dt.date(2026, 2, 1), dt.date(2026, 9, 1)),
        ("studying", dt.date(2026, 9, 1), dt.date(2027, 1, 15)),
        ("terminated", dt.date(2027, 1, 15), None),
    ]
    graduated = results[1]["study_right"]
    assert (graduated["status"], graduated["graduation"]["degree"]) == (
        "graduated",
        "Informatikos bakalauras",
    )

    before = history_rows()
    again = vu_api.post(BATCH, {"records": records}, format="json").json()["results"]
    assert [r["status"] for r in again] == [200, 200, 200]
    assert history_rows() == before
    assert StudyRight.objects.count() == 3
    assert [r["study_right"] for r in again] == [r["study_right"] for r in results]


def test_a_bad_batch_record_is_reported_by_field_and_changes_nothing(vu_api, programme):
    too_long = [
        {"status": "studying", "valid_from": "2024-09-01"},
        {"status": "academic_leave", "valid_from": "2025-02-01", "leave_reason": "personal"},
        {"status": "studying", "valid_from": "2026-09-01"},
    ]
    graduating_on_leave = [
        {"status": "studying", "valid_from": "2024-09-01"},
        {"status": "academic_leave", "valid_from": "2025-02-01", "leave_reason": "illness"},
        {"status": "graduated", "valid_from": "2026-06-30"},
    ]
    person = PersonFactory()
    records = [
        {"source_system": "vu-is", "local_id": "E-1", **right_body(person, programme)},
        {
            "source_system": "vu-is",
            "local_id": "E-2",
            **right_body(PersonFactory(), programme, periods=too_long),
        },
        {
            "source_system": "vu-is",
            "local_id": "E-3",
            **right_body(
                PersonFactory(), programme, periods=graduating_on_leave, graduation=GRADUATION
            ),
        },
        {"source_system": "vu-is", "local_id": "E-4", "person": str(person.public_id)},
        {
            "source_system": "vu-is",
            "local_id": "E-5",
            **{**right_body(PersonFactory(), programme), "programme": "NO-SUCH-CODE"},
        },
    ]

    response = vu_api.post(BATCH, {"records": records}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    results = response.json()["results"]
    assert [(r["local_id"], r["status"]) for r in results] == [
        ("E-1", 201),
        ("E-2", 400),
        ("E-3", 400),
        ("E-4", 400),
        ("E-5", 400),
    ]
    assert results[1]["errors"][0]["field"] == "periods[2].valid_from"
    assert "at most 1 year" in results[1]["errors"][0]["message"]
    assert results[2]["errors"][0]["field"] == "periods[2].status"
    assert {e["field"] for e in results[3]["errors"]} >= {"programme", "form", "started_on"}
    assert results[4]["errors"][0]["field"] == "programme"
    # only the good record was written, with nothing left of the others
    assert list(StudyRight.objects.values_list("local_id", flat=True)) == ["E-1"]
    assert StatusPeriod.objects.count() == 1


# --- Actions ----------------------------------------------------------------------------------


def post(api: APIClient, right: dict[str, Any], action: str, body: dict[str, Any]) -> Any:
    return api.post(f"{RIGHTS}{right['id']}/{action}/", body, format="json")


def test_the_status_history_through_the_actions(vu, vu_api, created):
    leave = post(vu_api, created, "leave", {"on": "2025-02-01", "leave_reason": "childcare"})
    assert leave.status_code == 200, leave.json()
    assert (leave.json()["status"], leave.json()["version"]) == ("academic_leave", 2)

    back = post(vu_api, created, "leave/end", {"on": "2026-02-01", "course": 2})
    assert (back.status_code, back.json()["course"]) == (200, 2)

    interrupted = post(
        vu_api, created, "interruption", {"on": "2026-09-01", "reasons": ["not-paying"]}
    )
    assert interrupted.json()["periods"][-1]["reasons"] == ["not-paying"]
    returned = post(vu_api, created, "interruption/end", {"on": "2027-02-01", "course": 2})
    assert returned.json()["status"] == "studying"

    # the leave really began two weeks earlier
    corrected = post(
        vu_api, created, "period-correction", {"period": "2025-02-01", "valid_from": "2025-01-15"}
    )
    assert corrected.status_code == 200, corrected.json()
    assert [p["valid_from"] for p in corrected.json()["periods"]][:2] == [
        "2024-09-01",
        "2025-01-15",
    ]

    funding = post(vu_api, created, "funding", {"source": "self-paid", "valid_from": "2027-09-01"})
    assert funding.status_code == 200, funding.json()
    assert [(f["source"], f["valid_to"]) for f in funding.json()["funding_periods"]] == [
        ("11", "2027-09-01"),
        ("self-paid", None),
    ]

    other_programme = programme_of(vu, name_lt="Matematika")
    moved = post(
        vu_api,
        created,
        "transfer",
        {"on": "2028-02-01", "programme": other_programme.state_code, "local_id": "S-1b"},
    )
    assert moved.status_code == 201, moved.json()
    assert (moved.json()["transferred_from"], moved.json()["programme"]) == (
        created["id"],
        other_programme.state_code,
    )
    old = vu_api.get(f"{RIGHTS}{created['id']}/").json()
    assert (old["status"], old["ended_on"], old["transferred_to"]) == (
        "transferred",
        "2028-02-01",
        moved.json()["id"],
    )

    graduated = post(
        vu_api, moved.json(), "graduate", {"on": "2029-06-30", "degree": "Matematikos bakalauras"}
    )
    assert graduated.status_code == 200, graduated.json()
    assert graduated.json()["graduation"]["graduated_on"] == "2029-06-30"


def test_state_machine_refusals_come_back_as_400_with_the_field(vu_api, created):
    post(vu_api, created, "leave", {"on": "2025-02-01", "leave_reason": "illness"})

    graduating = post(vu_api, created, "graduate", {"on": "2025-06-30", "degree": "Bakalauras"})
    interrupting = post(
        vu_api, created, "interruption", {"on": "2025-03-01", "reasons": ["academic-debt"]}
    )
    no_reason = post(vu_api, created, "terminate", {"on": "2025-03-01", "reasons": []})
    not_interrupted = post(vu_api, created, "interruption/end", {"on": "2025-03-01", "course": 1})
    too_long = post(vu_api, created, "leave/end", {"on": "2027-03-01"})

    assert (graduating.status_code, graduating.json()["field"]) == (400, "status")
    assert (interrupting.status_code, interrupting.json()["field"]) == (400, "status")
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reasons")
    assert (not_interrupted.status_code, not_interrupted.json()["field"]) == (400, "status")
    assert (too_long.status_code, too_long.json()["field"]) == (400, "on")
    right = StudyRight.objects.get()
    assert (right.status, right.version) == (StudyStatus.ACADEMIC_LEAVE, 2)


def test_results_loans_and_the_rest(vu_api, created):
    def result(semester: int, code: str, local_id: str, **outcome: Any) -> Any:
        body = {
            "semester": semester,
            "course_unit_code": code,
            "course_unit_title": f"Dalykas {code}",
            "credits": "5.0",
            "assessed_on": "2025-01-20",
            "source_system": "vu-is",
            "local_id": local_id,
            **outcome,
        }
        return post(vu_api, created, "results", body)

    assert result(1, "MAT1", "R-1", grade=9).status_code == 201
    assert result(2, "FIZ1", "R-2", grade=4).status_code == 201
    assert result(3, "PRG1", "R-3", passed=True).status_code == 201
    version = StudyRight.objects.get().version
    assert result(3, "PRG1", "R-3", passed=True).status_code == 200  # the same: nothing written
    assert StudyRight.objects.get().version == version
    both = result(4, "X", "R-4", grade=8, passed=True)
    assert (both.status_code, both.json()["field"]) == (400, "grade")

    transcript = vu_api.get(f"{RIGHTS}{created['id']}/results/").json()
    assert transcript["credits_earned"] == "10.0"
    assert [(y["year"], y["credits_earned"]) for y in transcript["years"]] == [
        (1, "5.0"),
        (2, "5.0"),
    ]

    loan = {
        "kind": "tuition",
        "amount": "1500.00",
        "granted_on": "2024-10-01",
        "valid_from": "2024-10-01",
    }
    url = f"{RIGHTS}{created['id']}/loans/by-source/vsf/L-1/"
    assert vu_api.put(url, loan, format="json").status_code == 201
    loans_before = StudyLoan.history.count()
    assert vu_api.put(url, loan, format="json").status_code == 200
    assert StudyLoan.history.count() == loans_before
    raised = vu_api.put(url, {**loan, "amount": "1800.00"}, format="json")
    assert (raised.status_code, raised.json()["amount"]) == (200, "1800.00")
    assert StudyLoan.objects.get().amount == 1800

    scholarship = post(
        vu_api,
        created,
        "scholarships",
        {
            "kind": "incentive",
            "amount": "200.00",
            "valid_from": "2025-02-01",
            "valid_to": "2025-07-01",
        },
    )
    assert scholarship.status_code == 201, scholarship.json()
    mobility = post(
        vu_api,
        created,
        "mobilities",
        {
            "host_institution": "Universität Wien",
            "host_country": "AT",
            "programme_name": "Erasmus+",
            "valid_from": "2025-09-01",
            "valid_to": "2026-01-31",
            "credits_earned": "30.0",
            "credits_recognised": "36.0",
        },
    )
    assert (mobility.status_code, mobility.json()["field"]) == (400, "credits_recognised")
    foreign = post(vu_api, created, "prior-education", {"kind": "foreign", "country": "UA"})
    assert (foreign.status_code, foreign.json()["field"]) == (400, "recognition_decision")
    prior = post(
        vu_api,
        created,
        "prior-education",
        {"kind": "foreign", "country": "UA", "recognition_decision": "SKVC 2024-123"},
    )
    assert prior.status_code == 201, prior.json()


# --- Scope ------------------------------------------------------------------------------------

ACTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "", {}),
    ("get", "results/", {}),
    ("post", "leave/", {"on": "2025-02-01", "leave_reason": "illness"}),
    ("post", "leave/end/", {"on": "2025-03-01"}),
    ("post", "interruption/", {"on": "2025-02-01", "reasons": ["academic-debt"]}),
    ("post", "interruption/end/", {"on": "2025-03-01", "course": 1}),
    ("post", "terminate/", {"on": "2025-02-01", "reasons": ["own-request"]}),
    ("post", "graduate/", {"on": "2025-02-01", "degree": "Bakalauras"}),
    ("post", "transfer/", {"on": "2025-02-01", "programme": "OTHER"}),
    ("post", "period-correction/", {"period": "2024-09-01", "valid_from": "2024-09-02"}),
    ("post", "funding/", {"source": "self-paid", "valid_from": "2025-02-01"}),
    ("post", "prior-education/", {"kind": "credential", "document_number": "A1"}),
    (
        "post",
        "mobilities/",
        {
            "host_institution": "X",
            "host_country": "AT",
            "valid_from": "2025-02-01",
            "valid_to": "2025-06-01",
        },
    ),
    (
        "post",
        "results/",
        {
            "semester": 1,
            "course_unit_code": "A",
            "course_unit_title": "A",
            "credits": "5.0",
            "grade": 9,
            "assessed_on": "2025-01-20",
        },
    ),
    (
        "put",
        "loans/by-source/vsf/L-9/",
        {
            "kind": "living",
            "amount": "100.00",
            "granted_on": "2025-01-01",
            "valid_from": "2025-01-01",
        },
    ),
    (
        "post",
        "scholarships/",
        {
            "kind": "social",
            "amount": "100.00",
            "valid_from": "2025-01-01",
            "valid_to": "2025-06-01",
        },
    ),
]


@pytest.mark.parametrize("caller", ["client", "user"])
@pytest.mark.parametrize(
    ("method", "suffix", "body"), ACTIONS, ids=[a[1] or "detail" for a in ACTIONS]
)
def test_another_hei_gets_404_on_every_path(caller, method, suffix, body, vu_api, created):
    ktu = hei(name_lt="Kauno technologijos universitetas")
    other = hei_system(ktu, "KTU IS") if caller == "client" else data_manager(ktu, "ktu-manager")
    before = (history_rows(), AccessLogEntry.objects.count())

    url = f"{RIGHTS}{created['id']}/{suffix}"
    response = (
        other.get(url) if method == "get" else getattr(other, method)(url, body, format="json")
    )

    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "not_found"
    assert (history_rows(), AccessLogEntry.objects.count()) == before
    assert StudyRight.objects.get().version == 1


@pytest.mark.parametrize("caller", ["client", "user"])
def test_another_hei_cannot_reach_a_right_by_its_key_list_or_batch(caller, vu_api, created):
    ktu = hei(name_lt="Kauno technologijos universitetas")
    other = hei_system(ktu, "KTU IS") if caller == "client" else data_manager(ktu, "ktu-manager")
    person = Person.objects.get(public_id=created["person"])
    body = right_body(person, StudyRight.objects.get().programme, course=3, version=1)
    if caller == "user":
        body["institution"] = ktu.register_id

    assert other.get(RIGHTS).json()["results"] == []
    assert other.get(RIGHTS, {"person": created["person"]}).json()["results"] == []
    assert other.put(f"{BY_SOURCE}/vu-is/S-1/", body, format="json").status_code == 404
    batch = other.post(
        BATCH, {"records": [{"source_system": "vu-is", "local_id": "S-1", **body}]}, format="json"
    ).json()["results"]
    assert [(r["status"], r["errors"][0]["code"]) for r in batch] == [(404, "not_found")]
    assert "study_right" not in batch[0]
    right = StudyRight.objects.get()
    assert (right.course, right.version) == (1, 1)


# --- Lists ------------------------------------------------------------------------------------


def test_the_list_keeps_the_same_number_of_queries_as_rights_grow(vu, vu_api, programme):
    def add(count: int) -> None:
        for _ in range(count):
            open_right(vu, programme=programme)

    def counted(**params: Any) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = vu_api.get(RIGHTS, params)
        assert response.status_code == 200, response.json()
        return len(queries), len(response.json()["results"])

    add(3)
    few = [counted(), counted(institution=vu.register_id, programme=programme.state_code)]
    add(20)
    many = [counted(), counted(institution=vu.register_id, programme=programme.state_code)]

    assert [rows for _, rows in few] == [3, 3]
    assert [rows for _, rows in many] == [23, 23]
    assert [queries for queries, _ in many] == [queries for queries, _ in few]
    assert AccessLogEntry.objects.filter(what="student.study-right.list").exists()


def test_the_list_filters(vu, vu_api, programme):
    first = open_right(vu, programme=programme)
    second = open_right(vu, programme=programme, started_on=dt.date(2025, 9, 1), form="part_time")
    vu_api.post(
        f"{RIGHTS}{first.public_id}/terminate/",
        {"on": "2025-01-10", "reasons": ["own-request"]},
        format="json",
    )

    def ids(**params: Any) -> set[str]:
        response = vu_api.get(RIGHTS, params)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids(status="terminated") == {str(first.public_id)}
    assert ids(form="part_time", started_since="2025-01-01") == {str(second.public_id)}
    assert ids(cycle="bachelor", course=1) == {str(first.public_id), str(second.public_id)}
    assert ids(programme=programme.state_code) == {str(first.public_id), str(second.public_id)}
    # An unknown state code is named as the field's error, not answered with an empty list.
    unknown = vu_api.get(RIGHTS, {"programme": "NONE"})
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "programme"
    changed = StudyRight.objects.get(pk=first.pk).updated_at
    assert ids(updated_since=changed.isoformat()) == {str(first.public_id)}

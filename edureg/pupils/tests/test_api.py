"""A school's information system talks to the Pupil Register: groups, idempotent enrolment
upserts with optimistic locking, transfers, batches answered per record, departures, NVŠ
funding, learning data, scoping and fixed query counts."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level
from edureg.core import audit
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry, Classifier, ClassifierValue
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services
from edureg.pupils.models import Enrolment, Group, GroupKind, NvsFundingMark, SpecialNeeds

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
GROUPS = "/api/v1/pupils/groups/"
ENROLMENTS = "/api/v1/pupils/enrolments/"
BY_SOURCE = "/api/v1/pupils/enrolments/by-source"
NVS = "/api/v1/pupils/nvs-marks/"


def school_system(institution: Institution, name: str = "Mokyklos IS") -> APIClient:
    """The OAuth2 client of a school's information system, holding a fresh token."""
    binding, secret = access_services.client_register(
        actor=SYSTEM,
        name=name,
        institution=institution,
        rights=[
            (FunctionArea.PUPIL_PERSONAL, Level.MANAGER),
            (FunctionArea.PUPIL_LEARNING, Level.MANAGER),
        ],
    )
    api = APIClient()
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    response = api.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


def create_group(api: APIClient, name: str = "5a", **extra: Any) -> dict[str, Any]:
    body = {"school_year": 2025, "name": name, "kind": "general", "grade": "5", **extra}
    response = api.post(GROUPS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def enrolment_body(person: Person, group: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "person": str(person.public_id),
        "group": group["id"],
        "valid_from": "2025-09-01",
        "contract_date": "2025-08-25",
        **extra,
    }


def departure_reason(code: str = "moved-abroad") -> ClassifierValue:
    value, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code=code,
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )
    return value


@pytest.fixture
def school() -> Institution:
    return InstitutionFactory()


@pytest.fixture
def school_api(school: Institution) -> APIClient:
    return school_system(school)


def test_a_school_system_creates_a_class_and_upserts_an_enrolment_idempotently(school, school_api):
    pupil = PersonFactory()
    group = create_group(school_api)
    assert (group["institution"], group["kind"], group["grade"]) == (
        school.register_id,
        "general",
        "5",
    )

    created = school_api.put(f"{BY_SOURCE}/tamo/E-1/", enrolment_body(pupil, group), format="json")

    assert created.status_code == 201, created.json()
    enrolment = created.json()
    assert enrolment["person"] == str(pupil.public_id)
    assert enrolment["group"] == group["id"]
    assert (enrolment["source_system"], enrolment["local_id"]) == ("tamo", "E-1")
    assert (enrolment["valid_to"], enrolment["version"]) == (None, 1)

    # The same call again: 200, and nothing is written
    history_before = Enrolment.history.count()
    repeated = school_api.put(f"{BY_SOURCE}/tamo/E-1/", enrolment_body(pupil, group), format="json")
    assert repeated.status_code == 200
    assert repeated.json() == enrolment
    assert Enrolment.history.count() == history_before
    assert Enrolment.objects.filter(person=pupil).count() == 1

    # The school reads it back, in its list and by id
    listed = school_api.get(ENROLMENTS).json()["results"]
    assert [e["id"] for e in listed] == [enrolment["id"]]
    assert school_api.get(f"{ENROLMENTS}{enrolment['id']}/").json() == enrolment


def test_an_upsert_with_a_stale_version_answers_409(school_api):
    pupil = PersonFactory()
    group = create_group(school_api)
    url = f"{BY_SOURCE}/tamo/E-2/"
    enrolment = school_api.put(url, enrolment_body(pupil, group), format="json").json()
    departed = school_api.post(
        f"{ENROLMENTS}{enrolment['id']}/depart/",
        {"date": "2026-01-15", "reason": departure_reason().code},
        format="json",
    )
    assert departed.json()["version"] == 2

    stale = school_api.put(
        url,
        enrolment_body(pupil, group, contract_date="2025-08-30", version=1),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["field"]) == ("stale_version", "version")
    assert "version 2" in stale.json()["message"]
    # with the current version the dates still do not change by upsert: the actions change them
    current = school_api.put(
        url, enrolment_body(pupil, group, contract_date="2025-08-30", version=2), format="json"
    )
    assert (current.status_code, current.json()["field"]) == (400, "contract_date")


def test_a_pupil_open_at_another_school_is_refused_naming_it_and_a_transfer_succeeds(
    school, school_api
):
    pupil = PersonFactory()
    first = school_api.put(
        f"{BY_SOURCE}/tamo/E-3/", enrolment_body(pupil, create_group(school_api)), format="json"
    ).json()
    other_school = InstitutionFactory()
    other_api = school_system(other_school, "Kitos mokyklos IS")
    other_group = create_group(other_api, name="6b", grade="6")
    body = enrolment_body(pupil, other_group, valid_from="2026-01-12")

    refused = other_api.put(f"{BY_SOURCE}/eduka/X-1/", body, format="json")

    assert refused.status_code == 400
    assert refused.json()["field"] == "group"
    assert school.name_lt in refused.json()["message"]
    assert not Enrolment.objects.filter(local_id="X-1").exists()

    moved = other_api.put(f"{BY_SOURCE}/eduka/X-1/", {**body, "transfer": True}, format="json")

    assert moved.status_code == 201, moved.json()
    # the first school sees its enrolment ended that day and linked to the new one
    ended = school_api.get(f"{ENROLMENTS}{first['id']}/").json()
    assert ended["valid_to"] == "2026-01-12"
    assert ended["transferred_to"] == moved.json()["id"]


def test_a_batch_applies_one_of_two_general_enrolments_for_a_pupil_and_reports_the_other(
    school_api,
):
    pupil, other_pupil = PersonFactory(), PersonFactory()
    group_a = create_group(school_api, "5a")
    group_b = create_group(school_api, "5b")
    records = [
        {"source_system": "tamo", "local_id": "B-1", **enrolment_body(pupil, group_a)},
        {"source_system": "tamo", "local_id": "B-2", **enrolment_body(pupil, group_b)},
        {"source_system": "tamo", "local_id": "B-3", **enrolment_body(other_pupil, group_b)},
        {"source_system": "tamo", "local_id": "B-4", "person": str(pupil.public_id)},
    ]

    response = school_api.post(f"{ENROLMENTS}batch/", {"records": records}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["local_id"], r["status"]) for r in results] == [
        (0, "B-1", 201),
        (1, "B-2", 400),
        (2, "B-3", 201),
        (3, "B-4", 400),
    ]
    assert results[1]["errors"][0]["field"] == "group"
    assert {e["field"] for e in results[3]["errors"]} == {"group", "valid_from"}
    assert set(Enrolment.objects.values_list("local_id", flat=True)) == {"B-1", "B-3"}
    assert Enrolment.objects.get(local_id="B-1").group.public_id.hex == group_a["id"].replace(
        "-", ""
    )

    # the same batch again writes nothing and answers the same
    history_before = Enrolment.history.count()
    again = school_api.post(f"{ENROLMENTS}batch/", {"records": records}, format="json").json()
    assert [r["status"] for r in again["results"]] == [200, 400, 200, 400]
    assert Enrolment.history.count() == history_before


def test_a_record_failing_unexpectedly_mid_batch_is_rolled_back_and_every_record_answered(
    school_api, monkeypatch, caplog
):
    """Issue #10 item 4: an error of the register's own in the middle of a batch loses no
    answer. The records before it keep theirs (they are committed), the failing one is
    answered 500 in the error shape with nothing of it kept, the ones after it are applied."""
    group = create_group(school_api, "6a")
    records = [
        {"source_system": "tamo", "local_id": f"U-{n}", **enrolment_body(PersonFactory(), group)}
        for n in range(3)
    ]
    enrol = services.pupil_enrol

    def enrol_then_fail(**kwargs: Any) -> Enrolment:
        enrolment = enrol(**kwargs)  # written, with its history, inside the record's transaction
        if kwargs["local_id"] == "U-1":
            raise RuntimeError("the register's own bug")
        return enrolment

    monkeypatch.setattr(services, "pupil_enrol", enrol_then_fail)
    history_before = Enrolment.history.count()

    response = school_api.post(
        f"{ENROLMENTS}batch/", {"records": records}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["local_id"], r["status"]) for r in results] == [
        ("U-0", 201),
        ("U-1", 500),
        ("U-2", 201),
    ]
    assert results[0]["enrolment"]["id"] and results[2]["enrolment"]["id"]
    assert "enrolment" not in results[1]
    assert results[1]["errors"] == [
        {
            "code": "server_error",
            "message": "The register could not apply this record because of an error of its "
            "own; nothing of it was written. Send it again later.",
            "field": None,
        }
    ]
    assert set(Enrolment.objects.values_list("local_id", flat=True)) == {"U-0", "U-2"}
    assert Enrolment.history.count() == history_before + 2  # none of the failed record's
    assert audit.verify_all() == []
    assert "batch record 1 of Enrolment failed unexpectedly" in caplog.text

    # sent again once the bug is gone, the failed record is applied, the others unchanged
    monkeypatch.setattr(services, "pupil_enrol", enrol)
    again = school_api.post(f"{ENROLMENTS}batch/", {"records": records}, format="json").json()
    assert [r["status"] for r in again["results"]] == [200, 201, 200]


def _statements(api: APIClient, records: list[dict[str, Any]]) -> tuple[int, Any]:
    """What a batch call sends, less the savepoints that stand for each record's transaction
    here (in production each record is its own transaction: BEGIN and COMMIT)."""
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"{ENROLMENTS}batch/", {"records": records}, format="json")
    assert response.status_code == 200
    sent = [q["sql"] for q in queries.captured_queries]
    return sum(1 for sql in sent if "SAVEPOINT" not in sql), response.json()["results"]


def test_a_new_enrolment_through_the_batch_costs_at_most_11_statements(school_api):
    """Issue #11 item 4: per new enrolment the batch sends the key look-up, the pupil's lock,
    the open-enrolment check and the insert, and its version and change-log rows go in one
    insert per table with the chain head locked once: at most 8 statements a record, whatever
    the batch size. The change feed (#14 item 3) adds 3 in the same transaction: the record's
    audiences before and after, and its two inserts. An unchanged re-send reads the key only
    and writes no history."""
    groups = [create_group(school_api, f"9{letter}") for letter in "abc"]

    def batch(prefix: str, count: int) -> list[dict[str, Any]]:
        return [
            {
                "source_system": "tamo",
                "local_id": f"{prefix}-{n}",
                **enrolment_body(PersonFactory(), groups[n % len(groups)]),
            }
            for n in range(count)
        ]

    small, large = batch("S", 5), batch("L", 25)
    _statements(school_api, batch("W", 1))  # the client's first call: token, roles, scope
    small_count, small_results = _statements(school_api, small)
    large_count, large_results = _statements(school_api, large)

    assert {r["status"] for r in small_results + large_results} == {201}
    per_record = (large_count - small_count) / (len(large) - len(small))
    assert per_record <= 11, per_record
    assert audit.verify_all() == []

    history_before = Enrolment.history.count()
    resent_count, resent = _statements(school_api, large)
    assert {r["status"] for r in resent} == {200}
    assert Enrolment.history.count() == history_before
    assert resent_count < large_count / 2


def test_another_schools_system_gets_404_and_does_not_list_the_enrolment(school_api):
    pupil = PersonFactory()
    group = create_group(school_api)
    enrolment = school_api.put(
        f"{BY_SOURCE}/tamo/E-4/", enrolment_body(pupil, group), format="json"
    ).json()
    other_api = school_system(InstitutionFactory(), "Kitos mokyklos IS")

    assert other_api.get(f"{ENROLMENTS}{enrolment['id']}/").status_code == 404
    assert other_api.get(ENROLMENTS).json()["results"] == []
    assert other_api.get(GROUPS).json()["results"] == []
    depart = other_api.post(
        f"{ENROLMENTS}{enrolment['id']}/depart/",
        {"date": "2026-01-15", "reason": departure_reason().code},
        format="json",
    )
    assert (depart.status_code, depart.json()["code"]) == (404, "not_found")
    # its key is not another school's to read either
    reput = other_api.put(f"{BY_SOURCE}/tamo/E-4/", enrolment_body(pupil, group), format="json")
    assert reput.status_code == 404
    assert Enrolment.objects.get().valid_to is None


def test_a_departure_and_a_move_are_actions(school_api):
    pupil = PersonFactory()
    group_a, group_b = create_group(school_api, "5a"), create_group(school_api, "5b")
    enrolment = school_api.put(
        f"{BY_SOURCE}/tamo/E-5/", enrolment_body(pupil, group_a), format="json"
    ).json()

    moved = school_api.post(
        f"{ENROLMENTS}{enrolment['id']}/move/",
        {"group": group_b["id"], "date": "2025-11-03"},
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    assert (moved.json()["group"], moved.json()["valid_from"]) == (group_b["id"], "2025-11-03")

    departed = school_api.post(
        f"{ENROLMENTS}{moved.json()['id']}/depart/",
        {"date": "2026-03-02", "reason": departure_reason().code, "order_number": "V-15"},
        format="json",
    )

    assert departed.status_code == 200, departed.json()
    body = departed.json()
    assert (body["valid_to"], body["departure_reason"], body["departure_order_number"]) == (
        "2026-03-02",
        "moved-abroad",
        "V-15",
    )
    assert school_api.get(ENROLMENTS, {"open": "true"}).json()["results"] == []
    on_day = school_api.get(ENROLMENTS, {"valid_on": "2025-10-01"}).json()["results"]
    assert [e["id"] for e in on_day] == [enrolment["id"]]
    again = school_api.post(
        f"{ENROLMENTS}{moved.json()['id']}/depart/",
        {"date": "2026-03-03", "reason": "moved-abroad"},
        format="json",
    )
    assert (again.status_code, again.json()["field"]) == (400, "date")

    # the emptied group can now be closed
    closed = school_api.post(
        f"{GROUPS}{group_a['id']}/close/", {"date": "2026-06-30"}, format="json"
    )
    assert (closed.status_code, closed.json()["closed_on"]) == (200, "2026-06-30")


def test_the_nvs_basket_taken_by_another_provider_answers_400_on_the_basket():
    pupil = PersonFactory()
    art_api = school_system(InstitutionFactory(), "Meno mokykla")
    sports_api = school_system(InstitutionFactory(), "Sporto klubas")
    body = {"person": str(pupil.public_id), "month_from": "2025-09-01", "month_to": "2025-12-31"}

    marked = art_api.post(NVS, {**body, "basket": True}, format="json")
    assert marked.status_code == 201, marked.json()
    assert [m["month"] for m in marked.json()] == [
        "2025-09-01",
        "2025-10-01",
        "2025-11-01",
        "2025-12-01",
    ]

    taken = sports_api.post(
        NVS,
        {**body, "month_from": "2025-11-01", "basket": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert taken.status_code == 400
    assert taken.json()["field"] == "basket"
    assert "already marked by another provider" in taken.json()["message"]
    assert NvsFundingMark.objects.count() == 4
    # other funding kinds the second provider may mark
    other = sports_api.post(NVS, {**body, "municipal_funds": True}, format="json")
    assert other.status_code == 201
    assert len(sports_api.get(NVS).json()["results"]) == 4


def test_learning_data_is_recorded_for_the_schools_own_institution(school, school_api):
    pupil = PersonFactory()
    # Learning data belongs to a school the pupil is enrolled at
    school_api.put(
        "/api/v1/pupils/enrolments/by-source/mokyklos-is/learner-1/",
        enrolment_body(pupil, create_group(school_api, "11a", grade="11")),
        format="json",
    )
    elective = school_api.post(
        "/api/v1/pupils/electives/",
        {
            "person": str(pupil.public_id),
            "school_year": 2025,
            "subject": "Informatika",
            "course_level": "A",
        },
        format="json",
    )
    assert elective.status_code == 201, elective.json()
    assert (elective.json()["institution"], elective.json()["course_level"]) == (
        school.register_id,
        "A",
    )
    achievement = school_api.post(
        "/api/v1/pupils/achievements/",
        {
            "person": str(pupil.public_id),
            "kind": "olympiad",
            "level": "national",
            "name": "Lietuvos mokinių informatikos olimpiada",
            "result": "II vieta",
            "achieved_on": "2026-03-20",
        },
        format="json",
    )
    assert achievement.status_code == 201, achievement.json()
    for level, starts in (("moderate", "2025-09-01"), ("large", "2026-02-01")):
        response = school_api.post(
            "/api/v1/pupils/special-needs/",
            {"person": str(pupil.public_id), "level": level, "valid_from": starts},
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert list(
        SpecialNeeds.objects.order_by("valid_from").values_list("level__code", "valid_to")
    ) == [("moderate", dt.date(2026, 2, 1)), ("large", None)]

    unknown = school_api.post(
        "/api/v1/pupils/electives/",
        {
            "person": "00000000-0000-4000-8000-000000000000",
            "school_year": 2025,
            "subject": "Fizika",
            "course_level": "B",
        },
        format="json",
    )
    assert (unknown.status_code, unknown.json()["field"]) == (400, "person")


def test_groups_are_listed_with_filters(school_api):
    create_group(school_api, "5a")
    create_group(school_api, "6a", grade="6")
    create_group(school_api, "Krepšinis", kind="club", grade="")
    create_group(school_api, "4a", grade="4", school_year=2024)

    def names(**params: Any) -> set[str]:
        return {g["name"] for g in school_api.get(GROUPS, params).json()["results"]}

    assert names(school_year=2025, kind="general") == {"5a", "6a"}
    assert names(grade="4") == {"4a"}
    assert names(kind="club") == {"Krepšinis"}
    invalid = school_api.post(
        GROUPS, {"school_year": 2025, "name": "7a", "kind": "general"}, format="json"
    )
    assert invalid.status_code == 400


def test_list_endpoints_keep_the_same_number_of_queries_as_enrolments_grow(school, school_api):
    group = Group.objects.get(public_id=create_group(school_api)["id"])
    club = Group.objects.get(
        public_id=create_group(school_api, "Krepšinis", kind=GroupKind.CLUB, grade="")["id"]
    )
    reason = departure_reason()

    def enrol(count: int) -> None:
        for _ in range(count):
            pupil = PersonFactory()
            enrolment = services.pupil_enrol(
                actor=SYSTEM, person=pupil, group=group, valid_from=dt.date(2025, 9, 1)
            )
            in_club = services.pupil_enrol(
                actor=SYSTEM, person=pupil, group=club, valid_from=dt.date(2025, 9, 1)
            )
            services.pupil_depart(
                actor=SYSTEM, enrolment=in_club, on=dt.date(2025, 12, 1), reason=reason
            )
            assert enrolment.is_open

    def counted(url: str, **params: Any) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = school_api.get(url, params)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    enrol(5)
    few = [
        counted(ENROLMENTS),
        counted(ENROLMENTS, institution=school.register_id, open="true", valid_on="2025-10-01"),
        counted(GROUPS),
    ]
    enrol(25)
    many = [
        counted(ENROLMENTS),
        counted(ENROLMENTS, institution=school.register_id, open="true", valid_on="2025-10-01"),
        counted(GROUPS),
    ]

    assert [rows for _, rows in few] == [10, 5, 2]
    assert [rows for _, rows in many] == [50, 30, 2]
    assert [queries for queries, _ in many] == [queries for queries, _ in few]
    # every pupil shown was written to the access log
    assert AccessLogEntry.objects.filter(what="enrolment.list").count() > 0


def test_a_school_system_ends_the_school_year_for_a_class(school, school_api):
    fifth = create_group(school_api)
    sixth = create_group(school_api, name="6a", school_year=2026, grade="6")
    promoted, kept_back = PersonFactory(), PersonFactory()
    for pupil, local_id in ((promoted, "p-1"), (kept_back, "p-2")):
        response = school_api.put(
            f"{BY_SOURCE}/mokyklos-is/{local_id}/", enrolment_body(pupil, fifth), format="json"
        )
        assert response.status_code == 201, response.json()
    kept_back_enrolment = Enrolment.objects.get(person=kept_back)
    url = f"{GROUPS}{fifth['id']}/year-end/"
    body = {
        "date": "2026-09-01",
        "promote_to": sixth["id"],
        "outcomes": [{"enrolment": str(kept_back_enrolment.public_id), "outcome": "repeat"}],
        "dry_run": True,
    }

    # Repeating needs a group of the same grade next year: the plan names the field, writes nothing
    refused = school_api.post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "repeat_to"

    body["outcomes"][0]["outcome"] = "stay"
    preview = school_api.post(url, body, format="json")
    assert preview.status_code == 200, preview.json()
    assert preview.json()["applied"] is False
    assert {(s["person"], s["outcome"]) for s in preview.json()["steps"]} == {
        (str(promoted.public_id), "promote"),
        (str(kept_back.public_id), "stay"),
    }
    assert not Enrolment.objects.filter(group__public_id=sixth["id"]).exists()

    previewed = [s["enrolment"] for s in preview.json()["steps"]]
    applied = school_api.post(
        url, {**body, "dry_run": False, "previewed": previewed}, format="json"
    )
    assert applied.status_code == 200, applied.json()
    assert applied.json()["applied"] is True
    moved = Enrolment.objects.get(group__public_id=sixth["id"])
    # The school system's key follows the pupil to the new enrolment
    assert (moved.person, moved.local_id) == (promoted, "p-1")


def test_another_schools_system_cannot_end_my_class_year(school, school_api):
    fifth = create_group(school_api)
    stranger = school_system(InstitutionFactory(), name="Kita IS")
    response = stranger.post(
        f"{GROUPS}{fifth['id']}/year-end/", {"date": "2026-09-01", "dry_run": True}, format="json"
    )
    assert response.status_code == 404

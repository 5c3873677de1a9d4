"""The change feed (issue #14 item 3): a school information system replays `/api/v1/changes/`
into an empty mirror after creates, updates, moves, a transfer out and a deletion, and its
mirror equals what the register's own lists show it; a recipient's system under an agreement
sees records leave its scope; pages keep a fixed number of statements; a concurrent writer
cannot make the feed skip a change (PostgreSQL)."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level
from edureg.archive import services as archive_services
from edureg.archive.tests.factories import rule
from edureg.core.models import AccessLogEntry
from edureg.exchange.change_models import Change
from edureg.exchange.changes import feed
from edureg.exchange.tests.agreement_helpers import (
    agreement_for,
    recipient_client,
    token_for,
    unique,
)
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people import services as people_services
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services as pupil_services
from edureg.pupils.models import Enrolment, Group
from edureg.pupils.tests.test_api import (
    GROUPS,
    SYSTEM,
    create_group,
    departure_reason,
    enrolment_body,
    school_system,
)
from edureg.students import services as student_services
from edureg.students.tests.factories import hei, open_right
from edureg.students.tests.test_api import RIGHTS, hei_system

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/changes/"
LATEST = "/api/v1/changes/latest/"
ENROLMENTS = "/api/v1/pupils/enrolments/"
LISTS = {"enrolments": ENROLMENTS, "groups": GROUPS, "study_rights": RIGHTS}


def at(cursor: str) -> feed.Position:
    position = feed.Position.parse(cursor)
    assert position is not None
    return position


def get(api: Any, url: str, **params: Any) -> dict[str, Any]:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def system_with(institution: Any, *rights: tuple[str, str]) -> APIClient:
    """An institution's information system holding a token, with the given rights."""
    binding, secret = access_services.client_register(
        actor=SYSTEM, name=unique("IS"), institution=institution, rights=list(rights)
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    token = api.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert token.status_code == 200, token.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    return api


def replay(api: Any, mirror: dict[str, dict[str, Any]], after: str = "", size: int = 3) -> str:
    """Follow the feed from `after` to its end, applying every entry to `mirror` as a school
    information system would; returns the cursor to go on from."""
    while True:
        params: dict[str, Any] = {"page_size": size}
        if after:
            params["after"] = after
        page = get(api, CHANGES, **params)
        for entry in page["results"]:
            records = mirror.setdefault(entry["dataset"], {})
            if entry["action"] in ("created", "updated"):
                records[entry["id"]] = entry["record"]
            else:
                assert entry["record"] is None
                records.pop(entry["id"], None)
        assert not after or at(page["cursor"]) >= at(after)  # monotonic
        after = page["cursor"]
        if not page["has_more"]:
            return after


def listed(api: Any, url: str) -> dict[str, Any]:
    """Every row the register's own list endpoint shows the caller, by id."""
    rows: dict[str, Any] = {}
    page = get(api, url, page_size=100)
    while True:
        rows.update({row["id"]: row for row in page["results"]})
        if not page.get("next"):
            return rows
        response = api.get(page["next"])
        assert response.status_code == 200
        page = response.json()


def register(api: Any, *datasets: str) -> dict[str, dict[str, Any]]:
    return {name: listed(api, LISTS[name]) for name in datasets}


def upsert(api: Any, local_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.put(f"{ENROLMENTS}by-source/sis/{local_id}/", body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def test_a_school_system_replays_the_feed_into_an_exact_mirror():
    # Given a school with a system, and another school the pupils transfer to.
    school, other = InstitutionFactory(), InstitutionFactory()
    api, other_api = school_system(school), school_system(other, "Kitos mokyklos IS")
    start = get(api, LATEST)["cursor"]
    fifth, sixth = create_group(api, "5a"), create_group(api, "6a")
    pupils = [PersonFactory() for _ in range(4)]
    enrolments = [upsert(api, unique("e"), enrolment_body(pupil, fifth)) for pupil in pupils]
    # When pupils move between classes, depart, transfer out, and one is archived (deleted).
    moved = api.post(
        f"{ENROLMENTS}{enrolments[0]['id']}/move/",
        {"group": sixth["id"], "date": "2026-01-05"},
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    departed = api.post(
        f"{ENROLMENTS}{enrolments[1]['id']}/depart/",
        {"date": "2026-02-01", "reason": departure_reason().code},
        format="json",
    )
    assert departed.status_code == 200, departed.json()
    other_group = create_group(other_api, "5b")
    upsert(
        other_api,
        unique("t"),
        enrolment_body(pupils[2], other_group, transfer=True, valid_from="2026-03-01"),
    )
    archive_services.person_archive(
        actor=SYSTEM,
        person=pupils[3],
        rule=rule(),
        event_date=dt.date(2026, 3, 1),
        now=timezone.now(),
    )
    # Then replaying the feed into an empty mirror gives what the register shows the school.
    mirror: dict[str, dict[str, Any]] = {}
    cursor = replay(api, mirror, after=start)
    expected = register(api, "enrolments", "groups")
    assert mirror == expected
    assert len(expected["enrolments"]) == 4  # three pupils, one of them in two classes
    assert enrolments[3]["id"] not in mirror["enrolments"]
    assert expected["enrolments"][enrolments[2]["id"]]["valid_to"] == "2026-03-01"
    # The other school's records never appear, not even by key.
    everything = get(api, CHANGES, page_size=5000)["results"]
    assert other_group["id"] not in {e["id"] for e in everything}
    assert {e["action"] for e in everything} >= {"created", "updated", "deleted"}
    # And from the cursor reached, the feed is quiet until the next change.
    assert get(api, CHANGES, after=cursor)["results"] == []
    assert at(get(api, LATEST)["cursor"]) >= at(cursor)
    # A page shows its pupils in their access logs.
    shown = AccessLogEntry.objects.filter(what="enrolment.changes")
    assert {str(p.public_id) for p in pupils[:3]} <= {
        str(i) for i in shown.values_list("person_public_id", flat=True)
    }


def test_a_school_system_mirrors_the_learning_data_and_documents_of_its_pupils():
    """Learning data and documents come through the feed like enrolments, each as its own data
    set; an HEI's documents, scoped otherwise, never reach a school, not even by key."""
    from edureg.credentials import services as credential_services
    from edureg.credentials.tests import factories as f

    graduating = f.graduating_class(size=2)
    school = graduating.school
    api = school_system(school)
    reader = system_with(
        school,
        (FunctionArea.CERTIFICATES, Level.VIEWER),
        (FunctionArea.PUPIL_LEARNING, Level.VIEWER),
    )
    start = get(reader, LATEST)["cursor"]
    # When the school records an elective and an olympiad, and forms and approves certificates
    pupil, other_pupil = graduating.pupils
    elective = api.post(
        "/api/v1/pupils/electives/",
        {
            "person": str(pupil.public_id),
            "school_year": 2025,
            "subject": "Filosofija",
            "course_level": "A",
        },
        format="json",
    )
    assert elective.status_code == 201, elective.json()
    achievement = pupil_services.achievement_add(
        actor=SYSTEM,
        person=other_pupil,
        institution=school,
        kind="olympiad",
        level="national",
        name="Matematikos olimpiada",
        result="II vieta",
        achieved_on=dt.date(2026, 3, 1),
    )
    maturity = f.document_type("maturity")
    f.blanks_on_hand(school, "3014", 3, series="BA")
    f.blanks_on_hand(school, "3016", 3, series="BP")
    formed = [
        credential_services.document_form(
            actor=SYSTEM, document_type=maturity, person=person, institution=school
        )
        for person in graduating.pupils
    ]
    approver = f.staff(school, unique("direktorius"), FunctionArea.CERTIFICATES)
    credential_services.document_approve(actor=approver, document=formed[0])
    # And a university nearby issues a document of its own
    university = hei()
    right = open_right(university)
    university_document = credential_services.document_form(
        actor=SYSTEM,
        document_type=credential_services.studies_type(),
        person=right.person,
        institution=university,
        study_right=right,
    )
    # Then the school's mirror holds the learning data and documents as the register shows them
    mirror: dict[str, dict[str, Any]] = {}
    replay(reader, mirror, after=start, size=4)
    documents = listed(reader, "/api/v1/documents/")
    assert mirror["school_documents"] == documents
    assert {d["status"] for d in documents.values()} == {"issued", "formed"}
    assert list(mirror["electives"].values()) == [elective.json()]
    assert mirror["achievements"][str(achievement.public_id)]["result"] == "II vieta"
    everything = get(reader, CHANGES, page_size=5000)["results"]
    assert "hei_documents" not in {e["dataset"] for e in everything}
    assert str(university_document.public_id) not in {e["id"] for e in everything}
    recorded = Change.objects.filter(public_id=university_document.public_id)
    assert set(recorded.values_list("dataset", flat=True)) == {"hei_documents"}
    # And the holders see the feed's reading in their access logs
    assert AccessLogEntry.objects.filter(
        what="credentials.changes", person_public_id=pupil.public_id
    ).exists()


def test_a_page_costs_the_same_statements_however_many_changes_it_holds(
    django_assert_max_num_queries,
):
    school = InstitutionFactory()
    api = school_system(school)
    group = create_group(api, "7a")

    def statements(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = get(api, CHANGES, page_size=size)
        assert len(page["results"]) == 2  # the group and one enrolment
        return len(captured)

    upsert(api, unique("e"), enrolment_body(PersonFactory(), group))
    small = statements(5000)
    for _ in range(15):
        upsert(api, unique("e"), enrolment_body(PersonFactory(), group))
    with django_assert_max_num_queries(small):
        page = get(api, CHANGES, page_size=5000)
    assert len(page["results"]) == 17  # the group and sixteen enrolments


def test_a_cursor_this_api_did_not_give_is_refused():
    api = school_system(InstitutionFactory())
    for bad in ("abc", "1.2.3", "-1.5"):
        response = api.get(CHANGES, {"after": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert response.json()["field"] == "after"
    assert api.get(CHANGES, {"page_size": 5001}).status_code == 400


def test_an_hei_system_mirrors_its_study_rights_and_sees_no_pupils():
    university, other = hei(), hei(name_lt="Kauno technologijos universitetas")
    api = hei_system(university)
    start = get(api, LATEST)["cursor"]
    rights = [open_right(university) for _ in range(3)]
    open_right(other)
    student_services.study_right_update(actor=SYSTEM, study_right=rights[0], course=2)
    mirror: dict[str, dict[str, Any]] = {}
    replay(api, mirror, after=start)
    assert mirror == register(api, "study_rights")
    assert set(mirror) == {"study_rights"}
    assert len(mirror["study_rights"]) == 3
    assert mirror["study_rights"][str(rights[0].public_id)]["course"] == 2


def test_a_recipient_sees_records_leave_its_municipality_with_only_the_agreed_fields():
    # Given a recipient's system of one municipality, under an agreement naming enrolments.
    here = Municipality.objects.get(code="LT-13")
    elsewhere = Municipality.objects.get(code="LT-19")
    binding, secret = recipient_client("LT-13")
    agreement = agreement_for(
        binding, scope={"enrolments": ["id", "person", "valid_from", "valid_to"]}
    )
    client = Client()
    headers = token_for(client, binding, secret)
    school = InstitutionFactory(municipality=elsewhere)
    group = Group.objects.create(
        institution=school, school_year=2025, name=unique("g")[:20], kind="general", grade="5"
    )
    resident, visitor = (
        PersonFactory(declared_municipality=here),
        PersonFactory(declared_municipality=elsewhere),
    )

    def enrol(person: Any) -> Enrolment:
        return pupil_services.enrolment_upsert(
            actor=SYSTEM,
            source_system="sis",
            local_id=unique("e"),
            values={"person": person, "group": group, "valid_from": dt.date(2025, 9, 1)},
        ).record

    start = client.get(LATEST, **headers).json()["cursor"]
    mine, theirs = enrol(resident), enrol(visitor)
    # When the resident moves away and the visitor moves in.
    people_services.person_update(actor=SYSTEM, person=resident, declared_municipality=elsewhere)
    people_services.person_update(actor=SYSTEM, person=visitor, declared_municipality=here)
    # Then the feed says the resident's enrolment left the scope, and the mirror matches.
    entries = []
    after = start
    while True:
        response = client.get(CHANGES, {"after": after}, **headers)
        assert response.status_code == 200, response.content
        page = response.json()
        entries += page["results"]
        after = page["cursor"]
        if not page["has_more"]:
            break
    by_id = [(e["id"], e["action"]) for e in entries]
    assert (str(mine.public_id), "out_of_scope") in by_id
    assert by_id[-1][0] in (str(mine.public_id), str(theirs.public_id))
    shown = [e["record"] for e in entries if e["record"]]
    assert shown and all(set(r) == {"id", "person", "valid_from", "valid_to"} for r in shown)
    mirror: dict[str, Any] = {}
    for e in entries:
        if e["record"]:
            mirror[e["id"]] = e["record"]
        else:
            mirror.pop(e["id"], None)
    listed_rows = client.get(ENROLMENTS, **headers).json()["results"]
    assert mirror == {row["id"]: row for row in listed_rows}
    assert list(mirror) == [str(theirs.public_id)]
    # And what was shown is a disclosure under the agreement in the person's access log.
    disclosed = AccessLogEntry.objects.filter(
        what="enrolment.changes", person_public_id=visitor.public_id
    ).first()
    assert disclosed is not None and disclosed.agreement_number == agreement.number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cursor_read_during_an_open_write_still_gets_that_write_after_it_commits():
    """A writer takes its change id, another commits a later one, a reader asks meanwhile: the
    reader's cursor must not pass the first writer's change, which it then sees committed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers")
    school = InstitutionFactory()
    api = school_system(school)
    group = Group.objects.get(public_id=create_group(api, "8a")["id"])
    slow_pupil, quick_pupil = PersonFactory(), PersonFactory()
    start = get(api, LATEST)["cursor"]
    written, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def enrol(person: Any) -> Enrolment:
        return pupil_services.enrolment_upsert(
            actor=SYSTEM,
            source_system="sis",
            local_id=unique("e"),
            values={"person": person, "group": group, "valid_from": dt.date(2025, 9, 1)},
        ).record

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                enrol(slow_pupil)
                written.set()
                assert release.wait(30)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(30)
    quick = enrol(quick_pupil)  # commits while the slow writer's change is uncommitted
    during = get(api, CHANGES, after=start)
    latest = get(api, LATEST)["cursor"]
    release.set()
    thread.join(30)
    assert not errors
    # Nothing after the open transaction was handed out, so neither cursor passes it.
    assert str(quick.public_id) not in {e["id"] for e in during["results"]}
    after = get(api, CHANGES, after=during["cursor"])["results"]
    from_latest = get(api, CHANGES, after=latest)["results"]
    slow = Enrolment.objects.get(person=slow_pupil)
    for results in (after, from_latest):
        assert {str(slow.public_id), str(quick.public_id)} <= {e["id"] for e in results}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_open_in_another_database_of_the_server_does_not_hold_the_feed_back():
    """Transaction ids are the server's, not the database's: a long transaction of another
    database (a second register, a test worker's) must not stop this feed serving commits."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL bounds the feed by running transactions")
    import psycopg

    settings = connection.settings_dict
    elsewhere = psycopg.connect(
        dbname="postgres",
        host=settings["HOST"],
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )
    try:
        # An open writing transaction there: it has an id and locks a relation of its database.
        elsewhere.execute("CREATE TEMPORARY TABLE held_open (n int)")
        elsewhere.execute("INSERT INTO held_open VALUES (1)")
        school = InstitutionFactory()
        api = school_system(school)
        start = get(api, LATEST)["cursor"]
        group = create_group(api, "5a")
        shown = get(api, CHANGES, after=start)["results"]
        assert group["id"] in {e["id"] for e in shown}
        assert at(get(api, LATEST)["cursor"]) > at(start)
    finally:
        elsewhere.rollback()
        elsewhere.close()


def test_a_recipient_whose_agreement_names_no_data_set_of_the_feed_is_refused():
    binding, secret = recipient_client("LT-13")
    agreement_for(binding)  # persons only
    client = Client()
    headers = token_for(client, binding, secret)
    response = client.get(CHANGES, **headers)
    assert response.status_code == 403
    assert "not covered" in response.json()["message"]

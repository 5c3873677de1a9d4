"""My data as a file (JSON and PDF) and the citizen's read-only API."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader

from conftest import make_user, verified_login
from edureg.access.citizens import citizen_user_for
from edureg.citizen import selectors
from edureg.citizen.export import FORMAT, my_data
from edureg.citizen.tests.factories import child, data_manager, parent_of, school_leaver, sign_in
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.people.selectors import person_get
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_json_file_holds_every_record_with_codes_and_names():
    history = school_leaver()
    person = history.person
    manager = data_manager(history.school, "reader")
    person_get(actor=manager, public_id=person.public_id, what="pupil.card")
    client = sign_in(person)

    response = client.get("/me/file/my-data.json")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["format"] == FORMAT and data["format_version"] == 1
    assert data["person"]["personal_code"] == person.personal_code
    assert data["person"]["citizenship"] == {"code": "LT", "name": "Lithuania"}
    me = Actor.for_user(citizen_user_for(person))
    timeline_keys = [e.key for e in selectors.learning_history(actor=me, person=person)]
    assert [e["key"] for e in data["learning_history"]] == timeline_keys
    pupils = data["records"]["pupil_register"]
    assert {e["subject"] for e in pupils["electives"]} == {
        "Informacinės technologijos",
        "Filosofija",
    }
    assert {e["course_level"]["code"] for e in pupils["electives"]} == {"A", "B"}
    exam = next(a for a in pupils["achievements"] if a["name"].startswith("Matematikos"))
    assert exam["result"] == "86 iš 100" and exam["kind"] == {"code": "exam", "name": "exam"}
    departure = next(e for e in pupils["enrolments"] if e["departure_reason"])
    assert departure["departure_reason"]["code"] == "completed"
    assert departure["institution"]["name"] == "Vilniaus „Ąžuolo“ gimnazija"
    rights = data["records"]["student_register"]["study_rights"]
    current = next(
        r for r in rights if r["public_id"] == str(history.written["study_right"].public_id)
    )
    assert current["credits_earned"] == "11.0"
    assert [p["status"]["code"] for p in current["status_periods"]] == [
        "studying",
        "academic_leave",
        "studying",
    ]
    assert current["loans"][0]["amount"] == "1250.50"
    assert current["mobility"][0]["host_country"] == "AT"
    assert data["access_log"][0]["who"] == "Vilniaus „Ąžuolo“ gimnazija, data manager"
    # and no internal labels of the register's users leak into it
    assert "user:" not in response.content.decode()


def test_the_pdf_file_is_a_real_pdf():
    history = school_leaver()
    response = sign_in(history.person).get("/me/file/my-data.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfFileReader(io.BytesIO(response.content))
    assert int(reader.root["/Pages"]["/Count"]) >= 1
    assert str(reader.trailer["/Info"]["/Title"]) == "My data: Austėja Žukauskaitė"


def test_a_parents_download_of_a_childs_file_is_in_the_childs_log():
    kid = child()
    parent = parent_of(kid)
    data = my_data(actor=Actor.for_user(citizen_user_for(parent)), person=kid)
    assert data["person"]["public_id"] == str(kid.public_id)
    assert data["guardianships"]["parents_and_guardians"][0]["name"] == parent.full_name
    assert AccessLogEntry.objects.filter(
        person_public_id=kid.public_id, what="citizen.export"
    ).exists()


# --- The API --------------------------------------------------------------------------------


def test_the_api_answers_the_signed_in_citizen_about_themselves_and_their_children():
    kid = child()
    history = school_leaver(PersonFactory(given_names="Inga"))
    parent_of(kid)
    client = sign_in(history.person)

    me = client.get("/api/v1/me/").json()
    assert me["public_id"] == str(history.person.public_id)
    assert me["children"] == []
    entries = client.get("/api/v1/me/history/").json()
    assert {e["kind"] for e in entries} >= {"exam", "study_right", "elective", "departure"}
    exam = next(e for e in entries if e["title"].startswith("Matematikos"))
    assert {"label": "Result", "value": "86 iš 100"} in exam["facts"]
    assert client.get("/api/v1/me/data/").json()["format"] == FORMAT
    # read-only
    assert client.post("/api/v1/me/history/", {}).status_code == 405
    # nobody else's data, and a parent's child only for that parent
    assert client.get("/api/v1/me/history/", {"child": str(kid.public_id)}).status_code == 404
    parent_client = sign_in(kid.guardianships.get().guardian)
    kids = parent_client.get("/api/v1/me/").json()["children"]
    assert [k["public_id"] for k in kids] == [str(kid.public_id)]
    assert (
        parent_client.get("/api/v1/me/history/", {"child": str(kid.public_id)}).status_code == 200
    )


def test_the_api_is_for_citizens_only_and_pages_the_access_log():
    person = PersonFactory()
    assert Client().get("/api/v1/me/").status_code in (401, 403)
    staff = verified_login(Client(), make_user("a-staff-user"))
    refused = staff.get("/api/v1/me/")
    assert refused.status_code == 403
    assert refused.json()["status"] == 403

    manager = data_manager(school_leaver(person).school, "many-reads")
    for _ in range(60):
        person_get(actor=manager, public_id=person.public_id, what="pupil.card")
    client = sign_in(person)
    first = client.get("/api/v1/me/access-log/").json()
    assert len(first["results"]) == 50 and first["next"]
    assert first["results"][0]["what"] == "pupil's card"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 10

"""The persons API: one error shape in the caller's language, scoping, access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from edureg.core.models import AccessLogEntry
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code

pytestmark = pytest.mark.django_db

INVALID = {
    "personal_code": "33309240065",
    "given_names": "Jonas",
    "family_name": "Jonaitis",
    "birth_date": "1933-09-24",
    "sex": "V",
}


def test_an_invalid_personal_code_gets_a_field_error_in_english(admin_api):
    response = admin_api.post("/api/v1/persons/", INVALID, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["field"] == "personal_code"
    assert body["code"] == "personal_code_checksum"
    assert body["message"] == "The personal code's check digit is wrong."
    assert Person.objects.count() == 0


def test_an_invalid_personal_code_gets_a_field_error_in_lithuanian(admin_api):
    response = admin_api.post("/api/v1/persons/", INVALID, format="json", HTTP_ACCEPT_LANGUAGE="lt")
    body = response.json()
    assert response.status_code == 400
    assert body["field"] == "personal_code"
    assert body["message"] == "Neteisingas asmens kodo kontrolinis skaitmuo."
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "does not match the personal code"), ("lt", "neatitinka asmens kodo")],
)
def test_a_birth_date_that_disagrees_with_the_code_gets_a_field_error(
    admin_api, language, expected
):
    payload = {
        "personal_code": personal_code(dt.date(2010, 5, 17)),
        "given_names": "Lukas",
        "family_name": "Butkus",
        "birth_date": "2010-05-18",
    }
    response = admin_api.post(
        "/api/v1/persons/", payload, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    body = response.json()
    assert response.status_code == 400
    assert body["field"] == "birth_date"
    assert expected in body["message"]
    assert Person.objects.count() == 0


def test_a_valid_person_is_registered_and_addressed_by_uuid(admin_api):
    code = personal_code(dt.date(2012, 2, 29), male=False)
    response = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": code, "given_names": "Liepa", "family_name": "Mockutė"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["birth_date"] == "2012-02-29"
    assert body["sex"] == "M"
    assert code not in str(body["id"])
    detail = admin_api.get(f"/api/v1/persons/{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["personal_code"] == code


def test_reading_a_person_is_written_to_their_access_log(admin_api, agency_admin):
    person = PersonFactory()
    admin_api.get(f"/api/v1/persons/{person.public_id}/")
    entry = AccessLogEntry.objects.get(person_public_id=person.public_id)
    assert entry.actor == f"user:{agency_admin.pk}"
    assert entry.channel == "api"
    assert entry.what == "person.detail"


def test_staff_without_rights_see_nobody(plain_staff):
    person = PersonFactory()
    client = APIClient()
    client.force_authenticate(plain_staff)
    assert client.get(f"/api/v1/persons/{person.public_id}/").status_code == 404
    assert client.get("/api/v1/persons/").json()["results"] == []
    assert AccessLogEntry.objects.count() == 0


def test_unknown_people_answer_404_in_the_error_shape(admin_api):
    response = admin_api.get("/api/v1/persons/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_callers_are_refused(client):
    response = client.get("/api/v1/persons/")
    assert response.status_code in (401, 403)
    assert set(response.json()) >= {"status", "code", "message", "field"}


def test_the_list_is_paginated_with_a_fixed_number_of_queries(admin_api):
    for _ in range(30):
        PersonFactory()
    admin_api.get("/api/v1/persons/?page_size=1")  # warm the per-process caches
    with CaptureQueriesContext(connection) as small_queries:
        small = admin_api.get("/api/v1/persons/?page_size=5")
    with CaptureQueriesContext(connection) as large_queries:
        large = admin_api.get("/api/v1/persons/?page_size=30")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 30
    assert small.json()["next"]
    # Reading the page, its access-log rows and the caller's rights: the same for any page size.
    assert len(small_queries) == len(large_queries) <= 20


def test_a_patch_changes_the_name_and_keeps_history(admin_api):
    person = PersonFactory(family_name="Kazlauskaitė")
    response = admin_api.patch(
        f"/api/v1/persons/{person.public_id}/", {"family_name": "Kazlauskienė"}, format="json"
    )
    assert response.status_code == 200
    assert person.history.count() == 2
    assert person.history.first().history_channel == "api"

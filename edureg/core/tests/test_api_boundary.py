"""What the API does with input it cannot take: a 4xx in the one error shape, nothing written.

The probes that found 500 answers and doubled identities, replayed: tampered cursors, deeply
nested JSON, lone surrogates and NUL characters, fullwidth and Arabic-Indic digits, bodies over
the size limit, unknown paths and ids that do not fit the URL.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from edureg.core.models import ChangeLogEntry, Classifier, ClassifierValue
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SHAPE = {"status", "code", "message", "field", "errors"}


def in_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == SHAPE
    assert body["status"] == status
    assert body["message"]
    return body


def raw_post(api: APIClient, url: str, body: str | bytes, method: str = "post") -> Any:
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return getattr(api, method)(url, data, content_type="application/json")


# --- Cursors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/institutions/",
        "/api/v1/persons/",
        "/api/v1/pupils/enrolments/",
        "/api/v1/students/study-rights/",
        "/api/v1/programmes/work/",
    ],
)
@pytest.mark.parametrize("cursor", ["p=abc", "p=1.5&r=1", "o=-1", "p=%00"])
def test_a_tampered_cursor_is_a_404_in_the_error_shape(admin_api, url, cursor):
    InstitutionFactory()
    tampered = base64.b64encode(cursor.encode()).decode()

    response = admin_api.get(url, {"cursor": tampered})

    assert in_error_shape(response, 404)["code"] == "not_found"


# --- JSON the register cannot store -------------------------------------------------------------


def test_deeply_nested_json_is_a_400_on_every_kind_of_write(admin_api):
    nested = "[" * 100_000 + "]" * 100_000
    for method, url in (
        ("post", "/api/v1/persons/"),
        ("put", "/api/v1/pupils/enrolments/by-source/tamo/E-1/"),
        ("post", "/api/v1/students/study-rights/batch/"),
    ):
        body = in_error_shape(raw_post(admin_api, url, nested, method), 400)
        assert body["code"] == "parse_error"
    # moderately nested but deeper than any register document
    assert raw_post(admin_api, "/api/v1/persons/", "[" * 40 + "]" * 40).status_code == 400


def test_a_lone_surrogate_anywhere_refuses_the_whole_batch_before_any_record_is_written(
    admin_api,
):
    school = InstitutionFactory()
    good = {"source_system": "tamo", "valid_from": "2025-09-01", "person": "x", "group": "y"}
    records = [{**good, "local_id": "E-1"}, {**good, "local_id": "E-\ud800"}]
    written = ChangeLogEntry.objects.count()

    # as a JSON escape, and as the bytes a careless encoder writes
    response = raw_post(
        admin_api, "/api/v1/pupils/enrolments/batch/", json.dumps({"records": records})
    )
    as_bytes = raw_post(
        admin_api,
        "/api/v1/pupils/enrolments/batch/",
        json.dumps({"records": records}, ensure_ascii=False),
    )
    in_key = raw_post(admin_api, "/api/v1/persons/", '{"given_\\udc00names": "A"}')

    body = in_error_shape(response, 400)
    assert body["field"] == "records[1].local_id"
    assert in_error_shape(as_bytes, 400)["code"] == "parse_error"
    assert in_error_shape(in_key, 400)["field"].startswith("given_")
    assert ChangeLogEntry.objects.count() == written
    assert school.pk  # the world stood still


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/api/v1/institutions/%00/", None),
        ("get", "/api/v1/institutions/", {"municipality": "LT\x0057"}),
        ("get", "/api/v1/classifiers/x\x00/", None),
        ("put", "/api/v1/pupils/enrolments/by-source/tamo%00/E-1/", {}),
        ("put", "/api/v1/students/study-rights/by-source/vu/S\x001/", {}),
        ("post", "/api/v1/persons/", {"given_names": "Jo\x00nas", "family_name": "K"}),
    ],
)
def test_a_nul_character_in_path_query_or_body_is_a_400(admin_api, method, url, data):
    written = ChangeLogEntry.objects.count()
    if method == "get":
        response = admin_api.get(url, data)
    else:
        response = getattr(admin_api, method)(url, data, format="json")

    assert in_error_shape(response, 400)["code"] == "invalid"
    assert ChangeLogEntry.objects.count() == written


def test_a_nul_character_in_a_web_form_changes_nothing(admin_web):
    response = admin_web.post("/people/", {"personal_code": "3\x000000000000"})
    assert response.status_code == 400


# --- Digits -----------------------------------------------------------------------------------


def test_a_fullwidth_personal_code_is_the_same_person_not_a_new_one(admin_api):
    existing = PersonFactory(personal_code="51308123296")

    response = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": "５１３０８１２３２９６", "given_names": "Jonas", "family_name": "Kitas"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = in_error_shape(response, 400)
    assert body["field"] == "personal_code"
    assert Person.objects.filter(personal_code__contains="3").count() == 1
    assert Person.objects.get().pk == existing.pk


def test_a_fullwidth_personal_code_is_stored_in_ascii_digits(admin_api):
    response = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": "５１３０８１２３２９６", "given_names": "Jonas", "family_name": "K"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["personal_code"] == "51308123296"
    assert Person.objects.get().personal_code == "51308123296"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "٢٠٢٤-٠١-٠١"),  # Arabic-Indic
        ("birth_date", "२०२४-०१-०१"),  # Devanagari
        ("personal_code", "٥١٣٠٨١٢٣٢٩٦"),
    ],
)
def test_digits_of_other_scripts_are_refused_where_the_format_is_digits(admin_api, field, value):
    body = {"given_names": "Jonas", "family_name": "K", "sex": "V", "citizenship": "UA"}
    body[field] = value
    if field != "birth_date":
        body["birth_date"] = "2013-08-12"

    response = admin_api.post("/api/v1/persons/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    error = in_error_shape(response, 400)
    assert error["field"] == field
    assert error["message"] == "Write digits as 0–9."
    assert not Person.objects.exists()


def test_a_personal_code_of_zeros_is_a_field_error(admin_api):
    response = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": "00000000000", "given_names": "Jonas", "family_name": "K"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    person = PersonFactory()
    update = admin_api.patch(
        f"/api/v1/persons/{person.public_id}/", {"personal_code": "00000000000"}, format="json"
    )

    assert in_error_shape(response, 400)["field"] == "personal_code"
    assert in_error_shape(update, 400)["field"] == "personal_code"
    assert Person.objects.get().personal_code == person.personal_code


# --- Sizes and paths ----------------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"given_names": "J" * 2000, "family_name": "K"})

    response = raw_post(admin_api, "/api/v1/persons/", body)

    assert in_error_shape(response, 413)["code"] == "too_large"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/no-such-thing/",
        "/api/v1/pupils/enrolments/not-a-uuid/",
        "/api/v1/students/study-rights/123/leave/",
        "/api/v1/persons/not-a-uuid/",
        "/api/v2/",
    ],
)
def test_unknown_paths_and_ids_that_do_not_fit_answer_404_in_the_error_shape(admin_api, url):
    assert in_error_shape(admin_api.get(url), 404)["code"] == "not_found"
    # a write to it: not found, or (where the path exists for other methods) not allowed
    written = admin_api.post(url, {}, format="json")
    assert in_error_shape(written, written.status_code)["code"] in (
        "not_found",
        "method_not_allowed",
    )


def test_an_unknown_path_is_json_for_anonymous_callers_too():
    assert in_error_shape(APIClient().get("/api/v1/nothing-here/"), 404)["code"] == "not_found"


# --- Field errors in the request's own words ------------------------------------------------


def test_depart_and_move_name_the_requests_date_and_constraints_name_a_field(admin_api):
    school = InstitutionFactory()
    pupil = PersonFactory()
    group = admin_api.post(
        "/api/v1/pupils/groups/",
        {
            "institution": school.register_id,
            "school_year": 2025,
            "name": "5a",
            "kind": "general",
            "grade": "5",
        },
        format="json",
    ).json()
    other = admin_api.post(
        "/api/v1/pupils/groups/",
        {
            "institution": school.register_id,
            "school_year": 2025,
            "name": "5b",
            "kind": "general",
            "grade": "5",
        },
        format="json",
    ).json()
    enrolment = admin_api.put(
        "/api/v1/pupils/enrolments/by-source/tamo/E-1/",
        {"person": str(pupil.public_id), "group": group["id"], "valid_from": "2025-09-01"},
        format="json",
    ).json()
    reason = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="moved-abroad",
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )[0]
    actions = f"/api/v1/pupils/enrolments/{enrolment['id']}"

    departed = admin_api.post(
        f"{actions}/depart/", {"date": "2025-08-01", "reason": reason.code}, format="json"
    )
    moved = admin_api.post(
        f"{actions}/move/", {"date": "2025-08-01", "group": other["id"]}, format="json"
    )
    no_grade = admin_api.post(
        "/api/v1/pupils/groups/",
        {"institution": school.register_id, "school_year": 2025, "name": "6a", "kind": "general"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert in_error_shape(departed, 400)["field"] == "date"
    assert in_error_shape(moved, 400)["field"] == "date"
    body = in_error_shape(no_grade, 400)
    assert (body["field"], body["message"]) == ("grade", "A general-education class needs a grade.")


def test_every_constraint_of_the_register_is_told_on_a_field_in_words():
    from django.apps import apps

    from edureg.core.models import TrackedModel

    told = 0
    for model in apps.get_models():
        if not issubclass(model, TrackedModel):
            continue
        names = {f.name for f in model._meta.get_fields()}
        for constraint in model._meta.constraints:
            field, message = model.constraint_error(constraint)
            assert field in names, (model, constraint.name, field)
            assert constraint.name not in str(message)
            assert "_" not in str(message), (constraint.name, message)  # no raw field names
            told += 1
    assert told > 40

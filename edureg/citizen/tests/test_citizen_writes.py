"""A citizen reads their own data and never writes a register field.

Signed in through the identity provider, a citizen tries every write operation of the API (and
the web UI's write pages) on their own records — their person, enrolment, group, study right —
with bodies that a data manager's call would carry. Every one is refused as the scoping rules
say (403 for a record the citizen may see, 404 for one they may not) and nothing is written.
The list of operations is checked against the committed OpenAPI schema, so a new write
endpoint joins this test or the test fails.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from edureg.access.citizens import citizen_user_for
from edureg.core.context import Actor
from edureg.core.models import ChangeLogEntry, Classifier, ClassifierValue
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.programmes.tests.factories import draft_study_programme
from edureg.pupils import services as pupil_services
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
WRITE_METHODS = ("post", "put", "patch", "delete")
REFUSED = (403, 404)


def _schema_write_operations() -> set[tuple[str, str]]:
    schema = yaml.safe_load((Path(settings.BASE_DIR) / "schema" / "openapi.yaml").read_text())
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    }


def _world() -> dict[str, Any]:
    ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="moved-abroad",
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )
    me = PersonFactory(
        given_names="Austėja",
        family_name="Žukauskaitė",
        declared_municipality=Municipality.objects.get(code="LT-57"),
    )
    school = InstitutionFactory()
    group = pupil_services.group_create(
        actor=SYSTEM, institution=school, school_year=2025, name="5a", kind="general", grade="5"
    )
    enrolment = pupil_services.pupil_enrol(
        actor=SYSTEM, person=me, group=group, valid_from=dt.date(2025, 9, 1)
    )
    university = hei()
    right = open_right(university, person=me)
    programme = draft_study_programme(university)
    return {
        "me": me,
        "school": school,
        "group": group,
        "enrolment": enrolment,
        "university": university,
        "right": right,
        "programme": programme,
    }


def _api_cases(w: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(method, schema path) -> (URL, a body a data manager's call would carry)."""
    me = str(w["me"].public_id)
    enrolment, group = str(w["enrolment"].public_id), str(w["group"].public_id)
    right, programme = str(w["right"].public_id), str(w["programme"].public_id)
    school, university = w["school"].register_id, w["university"].register_id
    person_body = {"given_names": "Austėja", "family_name": "Pakeista", "citizenship": "LT"}
    rights = f"/api/v1/students/study-rights/{right}"
    document = uuid.uuid4()  # a document's id: the citizen may act on none
    right_record = {
        "person": me,
        "institution": university,
        "programme": w["right"].programme.state_code,
        "form": "full_time",
        "started_on": "2024-09-01",
        "course": 2,
        "funding_source": "11",
        "version": 1,
    }
    enrolment_record = {
        "person": me,
        "group": group,
        "valid_from": "2025-10-01",
        "transfer": True,
    }
    draft = {"kind": "study", "name_lt": "Informatika", "provider": university, "version": 1}
    return {
        ("post", "/api/v1/persons/"): (
            "/api/v1/persons/",
            {**person_body, "birth_date": "2010-05-17", "sex": "M", "citizenship": "UA"},
        ),
        ("patch", "/api/v1/persons/{public_id}/"): (
            f"/api/v1/persons/{me}/",
            {"family_name": "Pakeista", "date_of_death": "2026-11-30", "personal_code": None},
        ),
        ("post", "/api/v1/programmes/{public_id}/change/"): (
            f"/api/v1/programmes/{programme}/change/",
            {},
        ),
        ("post", "/api/v1/programmes/{public_id}/deregister/"): (
            f"/api/v1/programmes/{programme}/deregister/",
            {"reason": "sunset"},
        ),
        ("post", "/api/v1/programmes/{public_id}/register/"): (
            f"/api/v1/programmes/{programme}/register/",
            {},
        ),
        ("post", "/api/v1/programmes/{public_id}/reject/"): (
            f"/api/v1/programmes/{programme}/reject/",
            {"reason": "Netinka"},
        ),
        ("post", "/api/v1/programmes/{public_id}/request-changes/"): (
            f"/api/v1/programmes/{programme}/request-changes/",
            {"note": "Pataisykite"},
        ),
        ("post", "/api/v1/programmes/{public_id}/submit/"): (
            f"/api/v1/programmes/{programme}/submit/",
            {},
        ),
        ("put", "/api/v1/programmes/drafts/{source_system}/{local_id}/"): (
            "/api/v1/programmes/drafts/manual/1/",
            draft,
        ),
        ("post", "/api/v1/programmes/drafts/batch/"): (
            "/api/v1/programmes/drafts/batch/",
            {"records": [{"source_system": "manual", "local_id": "1", **draft}]},
        ),
        ("post", "/api/v1/pupils/achievements/"): (
            "/api/v1/pupils/achievements/",
            {
                "person": me,
                "institution": school,
                "kind": "olympiad",
                "level": "national",
                "name": "Olimpiada",
                "result": "I vieta",
                "achieved_on": "2026-03-20",
            },
        ),
        ("post", "/api/v1/pupils/electives/"): (
            "/api/v1/pupils/electives/",
            {
                "person": me,
                "institution": school,
                "school_year": 2025,
                "subject": "Informatika",
                "course_level": "A",
            },
        ),
        ("post", "/api/v1/pupils/enrolments/{public_id}/depart/"): (
            f"/api/v1/pupils/enrolments/{enrolment}/depart/",
            {"date": "2026-01-10", "reason": "moved-abroad"},
        ),
        ("post", "/api/v1/pupils/enrolments/{public_id}/move/"): (
            f"/api/v1/pupils/enrolments/{enrolment}/move/",
            {"date": "2026-01-10", "group": group},
        ),
        ("post", "/api/v1/pupils/enrolments/batch/"): (
            "/api/v1/pupils/enrolments/batch/",
            {"records": [{"source_system": "mano", "local_id": "1", **enrolment_record}]},
        ),
        ("put", "/api/v1/pupils/enrolments/by-source/{source_system}/{local_id}/"): (
            "/api/v1/pupils/enrolments/by-source/mano/1/",
            enrolment_record,
        ),
        # Documents: forming one for oneself, and acting on a document by its id.
        ("post", "/api/v1/documents/"): (
            "/api/v1/documents/",
            {"document_type": "maturity", "person": me, "institution": school},
        ),
        **{
            ("post", f"/api/v1/documents/{{public_id}}/{act}/"): (
                f"/api/v1/documents/{document}/{act}/",
                body,
            )
            for act, body in (
                ("approve", {}),
                ("annul", {"reason": "Pamestas"}),
                ("discard", {}),
                ("reissue", {"kind": "duplicate"}),
            )
        },
        ("post", "/api/v1/exchange/imports/"): (
            "/api/v1/exchange/imports/",
            {"kind": "enrolments"},
        ),
        ("post", "/api/v1/exchange/queries/"): (
            "/api/v1/exchange/queries/",
            {"kind": "pupils_enrolled_on", "municipality": "LT-13", "date": "2025-10-01"},
        ),
        ("post", "/api/v1/pupils/groups/"): (
            "/api/v1/pupils/groups/",
            {"institution": school, "school_year": 2025, "name": "Mano", "kind": "club"},
        ),
        ("post", "/api/v1/pupils/groups/{public_id}/close/"): (
            f"/api/v1/pupils/groups/{group}/close/",
            {"date": "2026-06-30"},
        ),
        ("post", "/api/v1/pupils/groups/{public_id}/year-end/"): (
            f"/api/v1/pupils/groups/{group}/year-end/",
            {"date": "2026-09-01", "dry_run": False},
        ),
        ("post", "/api/v1/pupils/nvs-marks/"): (
            "/api/v1/pupils/nvs-marks/",
            {
                "person": me,
                "provider": school,
                "month_from": "2025-09-01",
                "month_to": "2025-12-31",
                "basket": True,
            },
        ),
        ("post", "/api/v1/pupils/special-needs/"): (
            "/api/v1/pupils/special-needs/",
            {"person": me, "institution": school, "level": "large", "valid_from": "2025-09-01"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/funding/"): (
            f"{rights}/funding/",
            {"source": "self-paid", "valid_from": "2025-02-01"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/graduate/"): (
            f"{rights}/graduate/",
            {"on": "2025-06-30", "degree": "Bakalauras"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/interruption/"): (
            f"{rights}/interruption/",
            {"on": "2025-02-01", "reasons": ["academic-debt"]},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/interruption/end/"): (
            f"{rights}/interruption/end/",
            {"on": "2025-03-01", "course": 1},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/leave/"): (
            f"{rights}/leave/",
            {"on": "2025-02-01", "leave_reason": "illness"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/leave/end/"): (
            f"{rights}/leave/end/",
            {"on": "2025-03-01"},
        ),
        (
            "put",
            "/api/v1/students/study-rights/{public_id}/loans/by-source/{source_system}/{local_id}/",
        ): (
            f"{rights}/loans/by-source/vsf/L-1/",
            {
                "kind": "living",
                "amount": "100.00",
                "granted_on": "2025-01-01",
                "valid_from": "2025-01-01",
            },
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/mobilities/"): (
            f"{rights}/mobilities/",
            {
                "host_institution": "Universität Wien",
                "host_country": "AT",
                "valid_from": "2025-02-01",
                "valid_to": "2025-06-01",
            },
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/period-correction/"): (
            f"{rights}/period-correction/",
            {"period": "2024-09-01", "valid_from": "2024-09-02"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/prior-education/"): (
            f"{rights}/prior-education/",
            {"kind": "foreign", "country": "UA"},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/results/"): (
            f"{rights}/results/",
            {
                "semester": 1,
                "course_unit_code": "A",
                "course_unit_title": "Algoritmai",
                "credits": "5.0",
                "grade": 10,
                "assessed_on": "2025-01-20",
            },
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/scholarships/"): (
            f"{rights}/scholarships/",
            {
                "kind": "social",
                "amount": "100.00",
                "valid_from": "2025-01-01",
                "valid_to": "2025-06-01",
            },
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/terminate/"): (
            f"{rights}/terminate/",
            {"on": "2025-02-01", "reasons": ["own-request"]},
        ),
        ("post", "/api/v1/students/study-rights/{public_id}/transfer/"): (
            f"{rights}/transfer/",
            {"on": "2025-02-01", "programme": w["right"].programme.state_code},
        ),
        ("post", "/api/v1/students/study-rights/batch/"): (
            "/api/v1/students/study-rights/batch/",
            {"records": [{"source_system": "mano", "local_id": "1", **right_record}]},
        ),
        ("put", "/api/v1/students/study-rights/by-source/{source_system}/{local_id}/"): (
            "/api/v1/students/study-rights/by-source/mano/1/",
            right_record,
        ),
    }


def _signed_in_citizen(person: Person, client: Client) -> Client:
    client.force_login(citizen_user_for(person))
    return client


def _written() -> int:
    return ChangeLogEntry.objects.count()


def _answer_statuses(response: Any) -> set[int]:
    """The answer's status; for a batch, the status of each record."""
    if response.status_code == 200 and "results" in response.json():
        return {r["status"] for r in response.json()["results"]}
    return {response.status_code}


def test_every_write_operation_of_the_schema_is_tried():
    w = _world()
    assert set(_api_cases(w)) == _schema_write_operations()


def test_a_citizen_is_refused_every_write_of_the_api_and_nothing_changes():
    w = _world()
    api = _signed_in_citizen(w["me"], APIClient())
    me_before = Person.objects.values().get(pk=w["me"].pk)
    before = _written()
    unexpected = {}
    for (method, path), (url, body) in _api_cases(w).items():
        response = getattr(api, method)(url, body, format="json")
        statuses = _answer_statuses(response)
        if not statuses <= set(REFUSED) or response.json().get("code") == "invalid":
            unexpected[f"{method.upper()} {path}"] = (statuses, response.json())
    assert unexpected == {}
    assert _written() == before
    assert Person.objects.values().get(pk=w["me"].pk) == me_before
    # what the citizen may do: read their own record
    own = api.get(f"/api/v1/persons/{w['me'].public_id}/")
    assert (own.status_code, own.json()["family_name"]) == (200, "Žukauskaitė")


def test_a_citizen_changing_their_own_record_is_told_they_may_only_view_it():
    w = _world()
    api = _signed_in_citizen(w["me"], APIClient())

    for body in (
        {"date_of_death": "2026-11-30"},
        {"personal_code": None},
        {"family_name": "Pakeista"},
        {"declared_municipality": "LT-15"},
    ):
        response = api.patch(
            f"/api/v1/persons/{w['me'].public_id}/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 403, (body, response.json())
        assert response.json()["code"] == "permission_denied"

    me = Person.objects.get(pk=w["me"].pk)
    assert (me.family_name, me.date_of_death, me.declared_municipality.code) == (
        "Žukauskaitė",
        None,
        "LT-57",
    )


def test_a_citizen_is_refused_the_web_uis_write_pages():
    w = _world()
    web = _signed_in_citizen(w["me"], Client())
    enrolment, group = w["enrolment"].public_id, w["group"].public_id
    right = w["right"].public_id
    before = _written()
    pages = {
        f"/pupils/enrolments/{enrolment}/depart/": {"on": "2026-01-10", "reason": "moved-abroad"},
        f"/pupils/enrolments/{enrolment}/move/": {"on": "2026-01-10", "group": str(group)},
        f"/pupils/card/{w['me'].public_id}/nvs/": {
            "month_from": "2025-09",
            "month_to": "2025-12",
            "basket": "on",
        },
        f"/pupils/groups/{group}/close/": {"on": "2026-06-30"},
        f"/students/{right}/leave-start/": {
            "leave-start-on": "2025-10-01",
            "leave-start-leave_reason": "illness",
        },
        f"/students/{right}/terminate/": {
            "terminate-on": "2025-10-01",
            "terminate-reasons": "own-request",
        },
    }
    answers = {url: web.post(url, body).status_code for url, body in pages.items()}
    assert {url: s for url, s in answers.items() if s not in REFUSED} == {}
    assert _written() == before

"""System clients: OAuth2 client credentials bound to an institution; revocation."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from edureg.access import services
from edureg.access.models import FunctionArea, Level
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _token(client: Client, client_id: str, secret: str) -> tuple[int, dict]:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    return response.status_code, response.json()


@pytest.fixture
def school_client():  # type: ignore[no-untyped-def]
    school = InstitutionFactory()
    binding, secret = services.client_register(
        actor=Actor.system("tests"),
        name="Mokyklos informacinė sistema",
        institution=school,
        rights=[(FunctionArea.PUPIL_PERSONAL, Level.MANAGER)],
    )
    return binding, secret


def test_a_client_gets_an_expiring_token_with_its_credentials(client, school_client):
    binding, secret = school_client
    status, body = _token(client, binding.application.client_id, secret)
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    status, _ = _token(client, binding.application.client_id, "wrong-secret")
    assert status == 401


def test_a_school_client_cannot_read_a_pupil_of_another_school(client, school_client):
    binding, secret = school_client
    _, body = _token(client, binding.application.client_id, secret)
    other_pupil = PersonFactory(declared_municipality=Municipality.objects.get(code="LT-15"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {body['access_token']}"}

    response = client.get(f"/api/v1/persons/{other_pupil.public_id}/", **auth)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    listed = client.get("/api/v1/persons/", **auth).json()["results"]
    assert str(other_pupil.public_id) not in {p["id"] for p in listed}
    assert AccessLogEntry.objects.count() == 0  # nothing was read, nothing logged


def test_a_revoked_client_token_stops_working_and_no_new_one_is_issued(client, school_client):
    binding, secret = school_client
    _, body = _token(client, binding.application.client_id, secret)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/persons/", **auth).status_code == 200

    services.client_revoke(actor=Actor.system("tests"), binding=binding)

    assert client.get("/api/v1/persons/", **auth).status_code in (401, 403)
    status, _ = _token(client, binding.application.client_id, secret)
    assert status == 401


def test_a_client_acts_within_its_institution_and_function_areas(school_client):
    from edureg.access.scoping import grant

    binding, _ = school_client
    actor = Actor.for_client(binding)
    assert grant(actor, [FunctionArea.PUPIL_PERSONAL], Level.MANAGER).institution_ids == {
        binding.institution_id
    }
    assert grant(actor, [FunctionArea.STUDENT_DATA]).empty
    assert not grant(actor, [FunctionArea.PUPIL_PERSONAL]).national

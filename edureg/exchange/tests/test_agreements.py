"""Data-provision agreements: the agency records them, a recipient's system receives only the
fields its agreement names, and a suspension or an expiry refuses the very next request."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import make_user, verified_actor
from edureg.access.models import Level
from edureg.core.models import AccessLogEntry
from edureg.exchange.agreement_models import Agreement, AgreementKind, AgreementStatus
from edureg.exchange.agreements import services
from edureg.exchange.tests.agreement_helpers import (
    agency_actor,
    agreement_for,
    recipient_client,
    token_for,
    unique,
)
from edureg.institutions.models import Municipality
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _resident(code: str = "LT-13"):  # type: ignore[no-untyped-def]
    return PersonFactory(declared_municipality=Municipality.objects.get(code=code))


# --- The agency's services ---------------------------------------------------------------------


def test_the_agency_records_an_agreement_and_each_change_is_a_version():
    actor = agency_actor()
    binding, _secret = recipient_client()

    agreement = services.agreement_create(
        actor=actor,
        number=unique("DTS"),
        recipient="Valstybinė mokesčių inspekcija",
        legal_basis="Mokesčių administravimo įstatymas",
        purpose="Mokesčių lengvatos už studijas",
        scope={"persons": ["given_names", "family_name", "id"]},
        valid_from=TODAY(),
        clients=[binding],
    )
    services.agreement_amend(
        actor=actor, agreement=agreement, changes={"purpose": "Lengvatų tikrinimas"}
    )
    services.agreement_suspend(actor=actor, agreement=agreement, reason="Pažeista sutartis")

    agreement.refresh_from_db()
    assert agreement.scope == {"persons": ["id", "given_names", "family_name"]}
    assert list(agreement.clients.all()) == [binding]
    assert agreement.status_on() == AgreementStatus.SUSPENDED
    versions = list(agreement.history.order_by("history_id"))
    assert [v.purpose for v in versions][-2:] == ["Lengvatų tikrinimas", "Lengvatų tikrinimas"]
    assert versions[0].purpose == "Mokesčių lengvatos už studijas"
    assert all(v.history_actor == actor.label for v in versions)
    assert versions[-1].status == AgreementStatus.SUSPENDED


def test_only_the_agency_manages_agreements():
    viewer = agency_actor(Level.VIEWER)
    stranger = verified_actor(make_user(unique("school")))
    for actor in (viewer, stranger):
        with pytest.raises(PermissionDenied):
            services.agreement_create(
                actor=actor,
                number=unique("DTS"),
                recipient="X",
                legal_basis="Y",
                purpose="Z",
                scope={"persons": ["id"]},
                valid_from=TODAY(),
            )
    assert not Agreement.objects.exists()


def test_an_agreement_names_known_fields_and_a_request_needs_a_decision_and_an_end():
    actor = agency_actor()
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=actor,
            number=unique("DTS"),
            recipient="X",
            legal_basis="Y",
            purpose="Z",
            scope={"persons": ["shoe_size"]},
            valid_from=TODAY(),
        )
    assert "scope" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=actor,
            kind=AgreementKind.REQUEST,
            number=unique("PR"),
            recipient="X",
            legal_basis="Y",
            purpose="Z",
            scope={"persons": ["id"]},
            valid_from=TODAY(),
        )
    assert {"decision", "valid_to"} <= set(error.value.message_dict)
    assert not Agreement.objects.exists()


# --- Field scope and refusals through the real OAuth2 library ----------------------------------


def test_a_recipient_gets_only_the_fields_its_agreement_names(client):
    binding, secret = recipient_client()
    agreement_for(binding)
    pupil = _resident()
    auth = token_for(client, binding, secret)

    one = client.get(f"/api/v1/persons/{pupil.public_id}/", **auth)
    page = client.get("/api/v1/persons/", **auth)

    assert one.status_code == 200
    assert set(one.json()) == {"id", "given_names", "family_name", "birth_date"}
    assert "personal_code" not in one.content.decode()
    assert page.status_code == 200
    assert [set(row) for row in page.json()["results"]] == [
        {"id", "given_names", "family_name", "birth_date"}
    ]


def test_rows_stay_scoped_by_the_recipient_roles(client):
    binding, secret = recipient_client("LT-13")
    agreement_for(binding)
    elsewhere = _resident("LT-15")
    auth = token_for(client, binding, secret)

    assert client.get(f"/api/v1/persons/{elsewhere.public_id}/", **auth).status_code == 404


def test_a_recipient_cannot_write_nor_read_a_data_set_outside_its_agreement(client):
    binding, secret = recipient_client()
    agreement_for(binding)
    pupil = _resident()
    auth = token_for(client, binding, secret)

    write = client.patch(
        f"/api/v1/persons/{pupil.public_id}/",
        {"given_names": "Kitas"},
        content_type="application/json",
        **auth,
    )
    rights = client.get("/api/v1/students/study-rights/", **auth)

    assert write.status_code == 403
    assert "change" in write.json()["message"]
    assert rights.status_code == 403
    assert "not covered" in rights.json()["message"]
    pupil.refresh_from_db()
    assert pupil.given_names != "Kitas"


def test_a_suspension_refuses_the_very_next_request_and_a_resumption_restores_it(client):
    binding, secret = recipient_client()
    agreement = agreement_for(binding)
    pupil = _resident()
    auth = token_for(client, binding, secret)
    url = f"/api/v1/persons/{pupil.public_id}/"
    assert client.get(url, **auth).status_code == 200

    services.agreement_suspend(actor=agency_actor(), agreement=agreement, reason="Patikrinimas")
    refused = client.get(url, **auth)

    assert refused.status_code == 403
    assert agreement.number in refused.json()["message"]
    assert "suspended" in refused.json()["message"]
    # nor does the suspended system get a new token
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    no_token = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert no_token.status_code == 401
    assert no_token.json()["error"] == "invalid_client"

    services.agreement_resume(actor=agency_actor(), agreement=agreement)
    assert client.get(url, **auth).status_code == 200
    assert token_for(client, binding, secret)


def test_an_expiry_refuses_the_very_next_request(client):
    binding, secret = recipient_client()
    agreement = agreement_for(binding)
    pupil = _resident()
    auth = token_for(client, binding, secret)
    url = f"/api/v1/persons/{pupil.public_id}/"
    assert client.get(url, **auth).status_code == 200

    # The term ends today (valid_to is the first day without the agreement).
    services.agreement_amend(
        actor=agency_actor(), agreement=agreement, changes={"valid_to": TODAY()}
    )
    by_date = client.get(url, **auth)

    assert by_date.status_code == 403
    assert "expired" in by_date.json()["message"]


def test_an_agreement_ended_early_refuses_at_once_and_a_bad_token_is_401(client):
    binding, secret = recipient_client()
    agreement = agreement_for(binding, valid_to=TODAY() + dt.timedelta(days=300))
    auth = token_for(client, binding, secret)
    services.agreement_end(actor=agency_actor(), agreement=agreement, reason="Nutraukta")

    assert client.get("/api/v1/persons/", **auth).status_code == 403
    bad = client.get("/api/v1/persons/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401
    assert not AccessLogEntry.objects.filter(actor_kind="client").exists()


def test_an_institution_system_without_agreements_is_not_limited(client):
    from edureg.access import services as access_services
    from edureg.access.models import FunctionArea
    from edureg.core.context import Actor
    from edureg.institutions.tests.factories import InstitutionFactory
    from edureg.people.tests.factories import personal_code

    school = InstitutionFactory()
    binding, secret = access_services.client_register(
        actor=Actor.system("tests"),
        name=unique("Mokyklos sistema"),
        institution=school,
        rights=[(FunctionArea.PUPIL_PERSONAL, Level.MANAGER)],
    )
    auth = token_for(client, binding, secret)
    created = client.post(
        "/api/v1/persons/",
        {"given_names": "Ona", "family_name": "Onaitė", "personal_code": personal_code()},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    assert "personal_code" in created.json()


def test_study_rights_show_only_the_agreed_fields_in_the_list_and_the_detail(client):
    from edureg.access.models import FunctionArea, ScopeKind
    from edureg.students.tests.factories import hei, open_right

    binding, secret = services.recipient_client_register(
        actor=agency_actor(),
        name=unique("Valstybinė mokesčių inspekcija"),
        areas=[FunctionArea.STUDENT_DATA],
        scope_kind=ScopeKind.NATIONAL,
    )
    agreement_for(binding, scope={"study_rights": ["id", "person", "institution"]})
    right = open_right(hei())
    auth = token_for(client, binding, secret)

    page = client.get("/api/v1/students/study-rights/", **auth)
    one = client.get(f"/api/v1/students/study-rights/{right.public_id}/", **auth)
    persons = client.get("/api/v1/persons/", **auth)

    assert page.status_code == 200
    assert [set(row) for row in page.json()["results"]] == [{"id", "person", "institution"}]
    assert one.status_code == 200
    assert set(one.json()) == {"id", "person", "institution"}
    assert persons.status_code == 403  # persons are not in this agreement

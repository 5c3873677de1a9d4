"""The agency's agreement pages: list, record (pickers, not codes), amend, suspend, resume."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from conftest import make_user
from edureg.access.models import Level
from edureg.exchange.agreement_models import Agreement, AgreementStatus
from edureg.exchange.tests.agreement_helpers import (
    agency_user,
    agreement_for,
    recipient_client,
    unique,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_agency_records_an_agreement_by_ticking_systems_and_fields(client):
    binding, _secret = recipient_client()
    client.force_login(agency_user())
    form = client.get("/agreements/new/")
    assert form.status_code == 200
    page = form.content.decode()
    # The systems and the fields are offered to tick, not typed.
    assert f'value="{binding.pk}"' in page
    assert 'value="persons.birth_date"' in page
    number = unique("DTS")

    response = client.post(
        "/agreements/new/",
        {
            "kind": "agreement",
            "number": number,
            "recipient": "Vilniaus miesto savivaldybės administracija",
            "legal_basis": "Švietimo įstatymas",
            "purpose": "Mokinių apskaita",
            "valid_from": timezone.localdate().isoformat(),
            "clients": [binding.pk],
            "scope": ["persons.given_names", "persons.birth_date"],
        },
    )

    agreement = Agreement.objects.get(number=number)
    assert response.status_code == 302
    assert agreement.scope == {"persons": ["given_names", "birth_date"]}
    detail = _text(client.get(response["Location"]))
    assert number in detail
    assert binding.name in detail
    listing = _text(client.get("/agreements/"))
    assert number in listing and "Vilniaus miesto savivaldybės administracija" in listing


def test_a_written_request_without_a_decision_is_refused_with_the_field_named(client):
    client.force_login(agency_user())
    response = client.post(
        "/agreements/new/",
        {
            "kind": "request",
            "number": unique("PR"),
            "recipient": "Teismas",
            "legal_basis": "CPK",
            "purpose": "Byla",
            "valid_from": timezone.localdate().isoformat(),
            "scope": ["persons.given_names"],
        },
    )
    assert response.status_code == 400
    assert "decision" in response.context["form"].errors
    assert not Agreement.objects.exists()


def test_the_agency_amends_suspends_and_resumes_on_the_pages(client):
    binding, _secret = recipient_client()
    agreement = agreement_for(binding)
    client.force_login(agency_user())
    base = f"/agreements/{agreement.public_id}/"

    amend = client.get(f"{base}amend/")
    assert amend.status_code == 200
    data = {
        "kind": "agreement",
        "number": agreement.number,
        "recipient": agreement.recipient,
        "legal_basis": agreement.legal_basis,
        "purpose": "Naujas tikslas",
        "valid_from": agreement.valid_from.isoformat(),
        "clients": [binding.pk],
        "scope": ["persons.id", "persons.family_name"],
    }
    assert client.post(f"{base}amend/", data).status_code == 302
    refused = client.post(f"{base}suspend/", {"reason": ""})
    assert refused.status_code == 400
    assert client.post(f"{base}suspend/", {"reason": "Patikrinimas"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    assert agreement.scope == {"persons": ["id", "family_name"]}
    page = _text(client.get(base))
    assert "Patikrinimas" in page
    assert client.post(f"{base}resume/", {"reason": ""}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.history.count() >= 4


def test_a_viewer_reads_but_cannot_change_and_others_do_not_find_the_pages(client):
    binding, _secret = recipient_client()
    agreement = agreement_for(binding)
    base = f"/agreements/{agreement.public_id}/"
    client.force_login(agency_user(Level.VIEWER))
    assert client.get("/agreements/").status_code == 200
    assert client.get(base).status_code == 200
    assert client.get("/agreements/new/").status_code == 403
    assert client.post(f"{base}suspend/", {"reason": "x"}).status_code == 403

    client.force_login(make_user(unique("school")))
    assert client.get("/agreements/").status_code == 404
    assert client.get(base).status_code == 404
    assert client.post(f"{base}suspend/", {"reason": "x"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

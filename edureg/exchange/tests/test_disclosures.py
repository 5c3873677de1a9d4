"""Disclosures: every answer that shows persons to a recipient's system is recorded in their
access log with the agreement, the system, the fields and the time, and the person reads it
on "who saw my data" in plain words."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import translation

from edureg.citizen.tests.factories import sign_in
from edureg.core.audit import verify_all
from edureg.core.models import AccessLogEntry
from edureg.exchange.tests.agreement_helpers import agreement_for, recipient_client, token_for
from edureg.institutions.models import Municipality
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_each_person_shown_to_a_recipient_gets_a_disclosure_under_its_agreement(client):
    # Given a recipient's system under an agreement naming names and birth dates of persons
    binding, secret = recipient_client()
    agreement = agreement_for(binding)
    vilnius = Municipality.objects.get(code="LT-13")
    pupils = [PersonFactory(declared_municipality=vilnius) for _ in range(2)]
    auth = token_for(client, binding, secret)

    # When it reads one person and then the list
    client.get(f"/api/v1/persons/{pupils[0].public_id}/", **auth)
    client.get("/api/v1/persons/", **auth)

    # Then each person shown has a disclosure naming the agreement, the system and the fields
    rows = AccessLogEntry.objects.filter(actor_kind="client").order_by("id")
    assert sorted(str(r.person_public_id) for r in rows) == sorted(
        [str(pupils[0].public_id)] + [str(p.public_id) for p in pupils]
    )
    for row in rows:
        assert row.agreement_number == agreement.number
        assert row.agreement_kind == "agreement"
        assert row.reader_name == binding.name
        assert row.reader_organisation == agreement.recipient
        assert row.purpose == agreement.purpose
        assert row.disclosed_fields == [
            "persons.id",
            "persons.given_names",
            "persons.family_name",
            "persons.birth_date",
        ]
        assert row.at is not None
    assert verify_all() == []


def test_the_citizen_reads_the_disclosure_in_plain_words(client):
    binding, secret = recipient_client()
    agreement = agreement_for(binding)
    person = PersonFactory(declared_municipality=Municipality.objects.get(code="LT-13"))
    client.get(f"/api/v1/persons/{person.public_id}/", **token_for(client, binding, secret))

    with translation.override("lt"):
        page = _text(sign_in(person).get("/me/access/", HTTP_ACCEPT_LANGUAGE="lt"))

    assert f"{binding.name}, {agreement.recipient}" in page
    assert f"pagal duomenų teikimo sutartį Nr. {agreement.number}" in page
    assert agreement.purpose in page
    assert "personal_code" not in page

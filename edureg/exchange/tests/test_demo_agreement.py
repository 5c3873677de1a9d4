"""`make run`'s demo data: a recipient's system under an active agreement, limited to its fields."""

from __future__ import annotations

import pytest

from edureg.exchange.agreement_models import Agreement
from edureg.exchange.demo import (
    DEMO_AGREEMENT_NUMBER,
    DEMO_RECIPIENT_SECRET,
    DEMO_SCOPE,
    agreements_seed,
)
from edureg.exchange.tests.agreement_helpers import token_for
from edureg.institutions.models import Municipality
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_demo_recipient_reads_vilnius_residents_within_its_agreement(client):
    agreement = agreements_seed()
    assert agreements_seed() == agreement  # seeding again changes nothing
    assert agreement is not None and agreement.in_force()
    assert Agreement.objects.get(number=DEMO_AGREEMENT_NUMBER).clients.count() == 1
    resident = PersonFactory(declared_municipality=Municipality.objects.get(code="LT-57"))
    binding = agreement.clients.get()

    answer = client.get(
        f"/api/v1/persons/{resident.public_id}/",
        **token_for(client, binding, DEMO_RECIPIENT_SECRET),
    )

    assert answer.status_code == 200
    assert set(answer.json()) == set(DEMO_SCOPE["persons"])

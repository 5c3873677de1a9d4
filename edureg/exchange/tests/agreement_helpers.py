"""Shared helpers of the agreement tests: an agency user, a recipient's system and its token."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import uuid
from typing import Any

from django.test import Client
from django.utils import timezone

from conftest import make_user, verified_actor
from edureg.access.models import FunctionArea, Level, RoleAssignment, ScopeKind
from edureg.core.context import Actor
from edureg.exchange.agreements import services
from edureg.institutions.models import Municipality

SYSTEM = Actor.system("tests")
_numbers = itertools.count(1)

# Name, birth date and the institution, no personal code: the example of a scope.
NARROW_SCOPE = {"persons": ["id", "given_names", "family_name", "birth_date"]}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def agency_user(level: str = Level.MANAGER) -> Any:
    """A staff user of the agency holding the agreements area nationally."""
    user = make_user(unique("agency"))
    RoleAssignment.objects.create(
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.AGREEMENTS,
        level=level,
    )
    return user


def agency_actor(level: str = Level.MANAGER) -> Actor:
    return verified_actor(agency_user(level))


def recipient_client(municipality_code: str = "LT-13") -> tuple[Any, str]:
    """A recipient's system reading persons (pupils' personal data) of one municipality."""
    return services.recipient_client_register(
        actor=SYSTEM,
        name=unique("Savivaldybės švietimo sistema"),
        areas=[FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA],
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=Municipality.objects.get(code=municipality_code),
    )


def agreement_for(binding: Any, scope: dict | None = None, **terms: Any) -> Any:
    today = timezone.localdate()
    values = {
        "number": f"DTS-{next(_numbers)}-{uuid.uuid4().hex[:6]}",
        "recipient": "Vilniaus miesto savivaldybės administracija",
        "legal_basis": "Švietimo įstatymo 53 straipsnis",
        "purpose": "Mokinių apskaita savivaldybėje",
        "scope": scope or NARROW_SCOPE,
        "valid_from": today - dt.timedelta(days=30),
        "clients": [binding],
    } | terms
    return services.agreement_create(actor=SYSTEM, **values)


def token_for(client: Client, binding: Any, secret: str) -> dict[str, str]:
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    # Messages in English, so that tests read them whatever the default language.
    return {
        "HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}",
        "HTTP_ACCEPT_LANGUAGE": "en",
    }

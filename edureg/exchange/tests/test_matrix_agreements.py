"""The authorization matrix of data-provision agreements: agreement clients and the agency's
agreement pages join the matrix (STYLE.md: every new kind of actor joins it).

Web: each kind of staff user × each agreement page. API: a recipient's system whose agreement
is active, suspended, expired, not yet in force or whose client is revoked × each operation
(a person in its scope, one outside it, the list, a write, a data set outside its agreement, an
endpoint that declares no data set, and asking for a new token). The expected status comes
from a small oracle written from the rules, not from the code under test. Each case runs in a
savepoint rolled back, so every case sees the same world.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import Level
from edureg.exchange.agreement_models import AgreementStatus
from edureg.exchange.agreements import services
from edureg.exchange.query_models import MassQuery
from edureg.exchange.tests.agreement_helpers import (
    SYSTEM,
    agency_user,
    agreement_for,
    recipient_client,
    token_for,
    unique,
)
from edureg.institutions.models import Municipality
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

WEB_ACTORS = ("anonymous", "staff_without_area", "agency_viewer", "agency_manager", "superuser")
WEB_OPERATIONS = ("list", "detail", "create_form", "amend_form", "suspend", "resume", "end")
STATES = ("active", "suspended", "expired_by_date", "ended_early", "pending", "revoked")
API_OPERATIONS = (
    "person_in_scope",
    "person_out_of_scope",
    "person_list",
    "person_write",
    "dataset_outside_agreement",
    "endpoint_without_dataset",
    "new_token",
    "query_ask",
    "query_out_of_scope",
    "query_dataset_outside_agreement",
    "query_of_another_system",
)


# Persons' names and pupils' enrolments: the data sets the operations read.
MATRIX_SCOPE = {
    "persons": ["id", "given_names", "family_name", "birth_date"],
    "enrolments": ["id", "person", "valid_from"],
}


def expected_web(actor: str, operation: str) -> int:
    """The rules: the pages are the agency's; viewers read; managers (and the register's
    administrators) change; the world's agreement is active, so resuming it is refused."""
    if actor == "anonymous":
        return 302  # to the sign-in page
    if actor == "staff_without_area":
        return 404
    reads = operation in ("list", "detail")
    if actor == "agency_viewer":
        return 200 if reads else 403
    if operation in ("suspend", "end"):
        return 302
    if operation == "resume":
        return 400
    return 200


def expected_api(state: str, operation: str) -> int:
    if state == "revoked":
        return 401
    if operation == "new_token":
        # OAuth2's invalid_client: no token for a system without an agreement in force
        return 200 if state == "active" else 401
    if state != "active":
        return 403
    return {
        "person_in_scope": 200,
        "person_out_of_scope": 404,
        "person_list": 200,
        "person_write": 403,
        "dataset_outside_agreement": 403,
        "endpoint_without_dataset": 403,
        # A mass query is a read asked by POST: let through, its parameters checked.
        "query_ask": 202,
        "query_out_of_scope": 400,  # a municipality outside the recipient's scope
        "query_dataset_outside_agreement": 403,
        "query_of_another_system": 404,
    }[operation]


def _web_user(actor: str) -> Any:
    if actor == "agency_viewer":
        return agency_user(Level.VIEWER)
    if actor == "agency_manager":
        return agency_user()
    if actor == "superuser":
        return make_user(unique("admin"), is_superuser=True, is_staff=True)
    return make_user(unique("staff"))


def _web_call(client: Client, operation: str, agreement: Any) -> int:
    base = f"/agreements/{agreement.public_id}/"
    calls = {
        "list": lambda: client.get("/agreements/"),
        "detail": lambda: client.get(base),
        "create_form": lambda: client.get("/agreements/new/"),
        "amend_form": lambda: client.get(f"{base}amend/"),
        "suspend": lambda: client.post(f"{base}suspend/", {"reason": "Patikrinimas"}),
        "resume": lambda: client.post(f"{base}resume/", {"reason": ""}),
        "end": lambda: client.post(f"{base}end/", {"reason": "Nutraukta"}),
    }
    return calls[operation]().status_code


def test_agreement_pages_matrix(client):
    binding, _secret = recipient_client()
    agreement = agreement_for(binding)
    users = {actor: _web_user(actor) for actor in WEB_ACTORS if actor != "anonymous"}
    wrong = []
    for actor in WEB_ACTORS:
        client.logout()
        if actor != "anonymous":
            # With the second factor: an administrator is sent to it before any page.
            verified_login(client, users[actor])
        for operation in WEB_OPERATIONS:
            with transaction.atomic():
                status = _web_call(client, operation, agreement)
                transaction.set_rollback(True)
            if status != expected_web(actor, operation):
                wrong.append((actor, operation, status, expected_web(actor, operation)))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert wrong == []
    assert len(WEB_ACTORS) * len(WEB_OPERATIONS) == 35


@dataclass(frozen=True)
class Recipient:
    """A recipient's system in one state: its credentials and a token taken while its
    agreement was in force (what that token may still do after the change is the question)."""

    binding: Any
    secret: str
    auth: dict[str, str]


def _recipient_in(state: str, client: Client) -> Recipient:
    binding, secret = recipient_client("LT-13")
    today = timezone.localdate()
    agreement = agreement_for(binding, scope=MATRIX_SCOPE)
    recipient = Recipient(binding, secret, token_for(client, binding, secret))
    if state == "expired_by_date":
        services.agreement_amend(actor=SYSTEM, agreement=agreement, changes={"valid_to": today})
    elif state == "pending":
        tomorrow = today + dt.timedelta(days=1)
        services.agreement_amend(
            actor=SYSTEM, agreement=agreement, changes={"valid_from": tomorrow}
        )
    elif state == "suspended":
        services.agreement_suspend(actor=SYSTEM, agreement=agreement, reason="Patikrinimas")
    elif state == "ended_early":
        services.agreement_end(actor=SYSTEM, agreement=agreement, reason="Nutraukta")
    elif state == "revoked":
        access_services.client_revoke(actor=SYSTEM, binding=binding)
    return recipient


def _api_call(client: Client, operation: str, recipient: Recipient, world: dict[str, Any]) -> int:
    inside, outside, auth = world["inside"], world["outside"], recipient.auth
    client_id = recipient.binding.application.client_id
    basic = base64.b64encode(f"{client_id}:{recipient.secret}".encode()).decode()

    def ask(body: dict[str, Any]) -> Any:
        query = {"kind": "pupils_enrolled_on", "date": "2025-11-01"} | body
        return client.post(
            "/api/v1/exchange/queries/", query, content_type="application/json", **auth
        )

    calls = {
        "new_token": lambda: client.post(
            "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
        ),
        "person_in_scope": lambda: client.get(f"/api/v1/persons/{inside.public_id}/", **auth),
        "person_out_of_scope": lambda: client.get(f"/api/v1/persons/{outside.public_id}/", **auth),
        "person_list": lambda: client.get("/api/v1/persons/", **auth),
        "person_write": lambda: client.patch(
            f"/api/v1/persons/{inside.public_id}/",
            {"given_names": "Kitas"},
            content_type="application/json",
            **auth,
        ),
        "dataset_outside_agreement": lambda: client.get("/api/v1/students/study-rights/", **auth),
        "endpoint_without_dataset": lambda: client.get(
            f"/api/v1/pupils/cards/{inside.public_id}/", **auth
        ),
        "query_ask": lambda: ask({"municipality": "LT-13"}),
        "query_out_of_scope": lambda: ask({"municipality": "LT-15"}),
        "query_dataset_outside_agreement": lambda: ask({"kind": "graduates_of_year", "year": 2025}),
        "query_of_another_system": lambda: client.get(
            f"/api/v1/exchange/queries/{world['other_query'].public_id}/", **auth
        ),
    }
    return calls[operation]().status_code


def test_agreement_clients_matrix(client):
    world = {
        "inside": PersonFactory(declared_municipality=Municipality.objects.get(code="LT-13")),
        "outside": PersonFactory(declared_municipality=Municipality.objects.get(code="LT-15")),
        "other_query": MassQuery.objects.create(
            kind="pupils_enrolled_on", dataset="enrolments", owner_client=recipient_client()[0]
        ),
    }
    wrong = []
    for state in STATES:
        recipient = _recipient_in(state, client)
        for operation in API_OPERATIONS:
            with transaction.atomic():
                status = _api_call(client, operation, recipient, world)
                transaction.set_rollback(True)
            if status != expected_api(state, operation):
                wrong.append((state, operation, status, expected_api(state, operation)))
    world["inside"].refresh_from_db()
    assert world["inside"].given_names != "Kitas"
    assert wrong == []
    assert len(STATES) * len(API_OPERATIONS) == 66

"""The authorization matrix: every role × scope kind × operation × target location, over
both registers (a pupil and a student at each target).

For each actor (a function area at a level in a scope, or no role at all) and each target (the
actor's own institution, its branch, another institution of the same municipality, an
institution of another municipality), every operation is tried through the web UI and the API,
and the status must be what the rules say: 404 outside the scope (existence does not leak), 403
in scope without the needed level, success otherwise. The expectation is computed by a small
oracle written from the rules, independently of `access.scoping`.

Writes are tried inside a savepoint that is rolled back, so every case sees the same world.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from conftest import make_user, verified_login
from edureg.access import services
from edureg.access.models import FunctionArea, Level, PledgeText, RoleAssignment, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.credentials import services as credential_services
from edureg.credentials.models import DocumentType
from edureg.institutions.models import FounderType, InstitutionKind, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import exams
from edureg.pupils import services as pupil_services
from edureg.pupils.models import Group
from edureg.students.tests.factories import open_right

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
TARGETS = ("own", "branch", "other_institution", "other_municipality")
AREAS = (
    FunctionArea.PUPIL_PERSONAL,
    FunctionArea.STUDENT_DATA,
    FunctionArea.PUPIL_LEARNING,
    FunctionArea.USER_ADMIN,
    FunctionArea.STATISTICS,
    FunctionArea.CERTIFICATES,
)
SCOPES = (ScopeKind.INSTITUTION, ScopeKind.MUNICIPALITY, ScopeKind.NATIONAL)
LEVELS = (Level.VIEWER, Level.MANAGER)
# Safeguards: complete, or missing the second factor, or missing the current pledge.
SAFEGUARDS = ("complete", "no_second_factor", "no_pledge")

ACTORS = [None] + [
    (scope, area, level, safeguard)
    for scope, area, level, safeguard in itertools.product(SCOPES, AREAS, LEVELS, SAFEGUARDS)
    # Safeguards matter only for areas about personal data; statistics is not one.
    if not (area == FunctionArea.STATISTICS and safeguard != "complete")
]

CASES_RUN: list[int] = []


@dataclass
class World:
    municipality: Municipality
    other_municipality: Municipality
    institutions: dict[str, Any]
    people: dict[str, Any]
    requests: dict[str, Any]
    roles: dict[str, Any]
    study_rights: dict[str, Any]
    # Per target: a certificate of learning achievements issued by the target's institution to
    # its pupil, and one formed and awaiting approval.
    issued: dict[str, Any]
    formed: dict[str, Any]


def build_world() -> World:
    vilnius = Municipality.objects.get(code="LT-57")
    kaunas = Municipality.objects.get(code="LT-15")
    own = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    branch = InstitutionFactory(
        municipality=vilnius,
        founder_type=FounderType.MUNICIPAL,
        kind=InstitutionKind.BRANCH,
        parent=own,
        jar_code=own.jar_code,
        branch_code="01",
    )
    # A state school: its requests go to the national agency, not to the municipality.
    other = InstitutionFactory(municipality=vilnius, founder_type=FounderType.STATE)
    far = InstitutionFactory(municipality=kaunas, founder_type=FounderType.MUNICIPAL)
    institutions = {
        "own": own,
        "branch": branch,
        "other_institution": other,
        "other_municipality": far,
    }
    residence = {
        "own": vilnius,
        "branch": vilnius,
        "other_institution": vilnius,
        "other_municipality": kaunas,
    }
    people = {t: PersonFactory(declared_municipality=residence[t]) for t in TARGETS}
    # Each target's pupil is enrolled in a class of the target's institution.
    for target, institution in institutions.items():
        group = pupil_services.group_create(
            actor=SYSTEM,
            institution=institution,
            school_year=2025,
            name="5a",
            kind="general",
            grade="5",
        )
        pupil_services.pupil_enrol(
            actor=SYSTEM, person=people[target], group=group, valid_from=dt.date(2025, 9, 1)
        )
    # Each target's person also studies at the target's institution (a study programme of it).
    study_rights = {t: open_right(institutions[t], person=people[t]) for t in TARGETS}
    pledge = PledgeText.current()
    requests, roles = {}, {}
    for target, institution in institutions.items():
        applicant = make_user(f"applicant-{target}")
        requests[target] = services.user_request_submit(
            actor=Actor.for_user(applicant),
            institution=institution,
            position="mokytoja",
            lines={FunctionArea.PUPIL_LEARNING: Level.MANAGER},
            pledge=pledge,
            pledge_accepted=True,
        )
        holder = make_user(f"holder-{target}")
        roles[target] = services.role_grant(
            actor=SYSTEM,
            user=holder,
            scope_kind=ScopeKind.INSTITUTION,
            institution=institution,
            function_area=FunctionArea.LISTS,
            level=Level.VIEWER,
        )
    achievements = DocumentType.objects.get(code="achievements")
    maths = ClassifierValue.objects.of("school-subject").get(code="mathematics")
    issued, formed = {}, {}
    for target, institution in institutions.items():
        exams.annual_grade_set(
            actor=SYSTEM,
            person=people[target],
            institution=institution,
            school_year=2025,
            subject=maths,
            grade=8,
        )
        documents = [
            credential_services.document_form(
                actor=SYSTEM,
                document_type=achievements,
                person=people[target],
                institution=institution,
            )
            for _ in range(2)
        ]
        issued[target] = credential_services.document_approve(actor=SYSTEM, document=documents[0])
        formed[target] = documents[1]
    return World(
        vilnius, kaunas, institutions, people, requests, roles, study_rights, issued, formed
    )


def make_actor(world: World, spec: Any) -> Any:
    user = make_user("actor")
    if spec is None:
        return user, "complete"
    scope, area, level, safeguard = spec
    services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=scope,
        institution=world.institutions["own"] if scope == ScopeKind.INSTITUTION else None,
        municipality=world.municipality if scope == ScopeKind.MUNICIPALITY else None,
        function_area=area,
        level=level,
    )
    return user, safeguard


def signed_in(user: Any, safeguard: str, api: bool) -> Client:
    client: Client = APIClient() if api else Client()
    if safeguard == "complete":
        return verified_login(client, user)
    verified_login(client, user)
    if safeguard == "no_pledge":
        user.pledge_acceptances.all().delete()
    else:  # no second factor: a fresh session that never passed the second step
        client = APIClient() if api else Client()
        client.force_login(user)
    return client


# --- The oracle: the rules, written out --------------------------------------------------

PERSON_AREAS = {FunctionArea.PUPIL_PERSONAL, FunctionArea.STUDENT_DATA}
PERSONAL_DATA_AREAS = {
    FunctionArea.PUPIL_PERSONAL,
    FunctionArea.STUDENT_DATA,
    FunctionArea.PUPIL_LEARNING,
    FunctionArea.USER_ADMIN,
    FunctionArea.CERTIFICATES,
}


def covers(spec: Any, kind: str, target: str) -> bool:
    """Whether the actor's scope covers the target, for one kind of record."""
    scope, area, _level, safeguard = spec
    if area in PERSONAL_DATA_AREAS and safeguard != "complete":
        return False
    if kind == "person":
        if area not in PERSON_AREAS:
            return False
        # A pupil is seen by the school they are enrolled at (with its branches), by the
        # municipality of that school and of their residence, and nationally.
        if scope == ScopeKind.NATIONAL:
            return True
        if scope == ScopeKind.MUNICIPALITY:
            return target != "other_municipality"
        return target in ("own", "branch")
    if kind == "document":
        # A school's documents: the school (with its branches), the municipality of the school,
        # the agency — through certificate forming and printing only.
        if area != FunctionArea.CERTIFICATES:
            return False
        if scope == ScopeKind.NATIONAL:
            return True
        if scope == ScopeKind.MUNICIPALITY:
            return target != "other_municipality"
        return target in ("own", "branch")
    if kind == "study right":
        # The Student Register: the HEI (with its branches) and the agency; no municipality.
        if area != FunctionArea.STUDENT_DATA:
            return False
        if scope == ScopeKind.NATIONAL:
            return True
        return scope == ScopeKind.INSTITUTION and target in ("own", "branch")
    if area != FunctionArea.USER_ADMIN:
        return False
    if kind == "request":
        # Decided where routed: municipal schools by their municipality, the state one nationally.
        if scope == ScopeKind.NATIONAL:
            return target == "other_institution"
        if scope == ScopeKind.MUNICIPALITY:
            return target in ("own", "branch")
        return False
    # kind == "institution users": the school's own administrators (with branches), its
    # municipality (for municipal schools), the agency.
    # The municipality administers the users of municipal institutions only: the state school
    # ("other_institution") is the agency's.
    if scope == ScopeKind.NATIONAL:
        return True
    return target in ("own", "branch")


SAFEGUARD = "sent to the second factor or the pledge"
# A form that picks its target from a list offers only what the actor may act on: a target
# outside that list (out of scope, or in scope below the level) is refused as not offered.
NOT_OFFERED = 400


def expected(
    spec: Any, kind: str, target: str, needs: str, api: bool = True, picked: bool = False
) -> int | str:
    """200 allowed, 403 in scope below the level, 404 out of scope; in the web UI a user who
    holds a personal-data area but has not finished the safeguards is sent to finish them."""
    if spec is not None and spec[1] in PERSONAL_DATA_AREAS and spec[3] != "complete" and not api:
        return SAFEGUARD
    if spec is None or not covers(spec, kind, target):
        return NOT_OFFERED if picked else 404
    if needs == Level.MANAGER and spec[2] != Level.MANAGER:
        return NOT_OFFERED if picked else 403
    return 200


# --- The operations ------------------------------------------------------------------------


def _status(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(
        ("/access/second-factor/", "/access/pledge/")
    ):
        return SAFEGUARD
    return 200 if response.status_code in (200, 201, 302) else response.status_code


OPERATIONS = {
    # name: (kind, level needed, api?, call)
    "person page (web)": (
        "person",
        Level.VIEWER,
        False,
        lambda c, w, t: c.get(f"/people/{w.people[t].public_id}/"),
    ),
    "person (API)": (
        "person",
        Level.VIEWER,
        True,
        lambda c, w, t: c.get(f"/api/v1/persons/{w.people[t].public_id}/"),
    ),
    "person change (API)": (
        "person",
        Level.MANAGER,
        True,
        lambda c, w, t: c.patch(
            f"/api/v1/persons/{w.people[t].public_id}/", {"family_name": "Pakeista"}, format="json"
        ),
    ),
    "student card (web)": (
        "study right",
        Level.VIEWER,
        False,
        lambda c, w, t: c.get(f"/students/{w.study_rights[t].public_id}/"),
    ),
    "study right (API)": (
        "study right",
        Level.VIEWER,
        True,
        lambda c, w, t: c.get(f"/api/v1/students/study-rights/{w.study_rights[t].public_id}/"),
    ),
    "academic leave (web)": (
        "study right",
        Level.MANAGER,
        False,
        lambda c, w, t: c.post(
            f"/students/{w.study_rights[t].public_id}/leave-start/",
            {"leave-start-on": "2025-10-01", "leave-start-leave_reason": "illness"},
        ),
    ),
    "academic leave (API)": (
        "study right",
        Level.MANAGER,
        True,
        lambda c, w, t: c.post(
            f"/api/v1/students/study-rights/{w.study_rights[t].public_id}/leave/",
            {"on": "2025-10-01", "leave_reason": "illness"},
            format="json",
        ),
    ),
    "document page (web)": (
        "document",
        Level.VIEWER,
        False,
        lambda c, w, t: c.get(f"/documents/{w.issued[t].public_id}/"),
    ),
    "document (API)": (
        "document",
        Level.VIEWER,
        True,
        lambda c, w, t: c.get(f"/api/v1/documents/{w.issued[t].public_id}/"),
    ),
    "document form (API)": (
        "document",
        Level.MANAGER,
        True,
        lambda c, w, t: c.post(
            "/api/v1/documents/",
            {
                "document_type": "achievements",
                "person": str(w.people[t].public_id),
                "institution": w.institutions[t].register_id,
            },
            format="json",
        ),
    ),
    "document approve (web)": (
        "document",
        Level.MANAGER,
        False,
        lambda c, w, t: c.post(f"/documents/{w.formed[t].public_id}/approve/", {"confirm": "on"}),
    ),
    "document approve (API)": (
        "document",
        Level.MANAGER,
        True,
        lambda c, w, t: c.post(
            f"/api/v1/documents/{w.formed[t].public_id}/approve/", {}, format="json"
        ),
    ),
    "document annul (web)": (
        "document",
        Level.MANAGER,
        False,
        lambda c, w, t: c.post(
            f"/documents/{w.issued[t].public_id}/annul/",
            {"reason": "Klaida", "then": "", "confirm": "on"},
        ),
    ),
    "document annul (API)": (
        "document",
        Level.MANAGER,
        True,
        lambda c, w, t: c.post(
            f"/api/v1/documents/{w.issued[t].public_id}/annul/",
            {"reason": "Klaida"},
            format="json",
        ),
    ),
    "request page (web)": (
        "request",
        Level.VIEWER,
        False,
        lambda c, w, t: c.get(f"/access/requests/{w.requests[t].public_id}/"),
    ),
    "request decision (web)": (
        "request",
        Level.MANAGER,
        False,
        lambda c, w, t: c.post(
            f"/access/requests/{w.requests[t].public_id}/",
            {"decision": "reject", "reason": "Netinka"},
        ),
    ),
    "institution users (web)": (
        "institution users",
        Level.VIEWER,
        False,
        lambda c, w, t: c.get(f"/access/institutions/{w.institutions[t].register_id}/users/"),
    ),
    "role revoke (web)": (
        "institution users",
        Level.MANAGER,
        False,
        lambda c, w, t: c.post(f"/access/roles/{w.roles[t].pk}/revoke/"),
    ),
}

# Forms that pick their target from a list of what the actor may act on.
PICKED = {
    "class documents form (web)": (
        "document",
        Level.MANAGER,
        lambda c, w, t: c.post(
            "/documents/form/",
            {
                "document_type": DocumentType.objects.get(code="achievements").pk,
                "group": Group.objects.get(enrolments__person=w.people[t]).pk,
            },
        ),
    ),
}

# Lists: the target must be listed exactly when it is visible.
LISTS = {
    "person list (API)": (
        "person",
        True,
        lambda c: c.get("/api/v1/persons/?page_size=500"),
        lambda r, w, t: (
            str(w.people[t].public_id) in {p["id"] for p in r.json().get("results", [])}
        ),
    ),
    "person list (web)": (
        "person",
        False,
        lambda c: c.get("/people/"),
        lambda r, w, t: str(w.people[t].public_id) in r.content.decode(),
    ),
    "study right list (API)": (
        "study right",
        True,
        lambda c: c.get("/api/v1/students/study-rights/?page_size=500"),
        lambda r, w, t: (
            str(w.study_rights[t].public_id) in {s["id"] for s in r.json().get("results", [])}
        ),
    ),
    "student list (web)": (
        "study right",
        False,
        lambda c: c.get("/students/"),
        lambda r, w, t: str(w.study_rights[t].public_id) in r.content.decode(),
    ),
    "document list (API)": (
        "document",
        True,
        lambda c: c.get("/api/v1/documents/?page_size=500"),
        lambda r, w, t: (
            str(w.issued[t].public_id) in {d["id"] for d in r.json().get("results", [])}
        ),
    ),
    "document list (web)": (
        "document",
        False,
        lambda c: c.get("/documents/"),
        lambda r, w, t: str(w.issued[t].public_id) in r.content.decode(),
    ),
    "request list (web)": (
        "request",
        False,
        lambda c: c.get("/access/requests/"),
        lambda r, w, t: str(w.requests[t].public_id) in r.content.decode(),
    ),
}


def _run_case(client: Client, call: Any, world: World, target: str) -> int | str:
    with transaction.atomic():
        status = _status(call(client, world, target))
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("spec", ACTORS, ids=lambda s: "no-role" if s is None else "-".join(s))
def test_authorization_matrix(spec):
    world = build_world()
    user, safeguard = make_actor(world, spec)
    clients = {api: signed_in(user, safeguard, api) for api in (False, True)}
    mismatches = []
    cases = 0
    for name, (kind, needs, api, call) in OPERATIONS.items():
        for target in TARGETS:
            want = expected(spec, kind, target, needs, api)
            got = _run_case(clients[api], call, world, target)
            cases += 1
            if got != want:
                mismatches.append(f"{name} on {target}: expected {want}, got {got}")
    for name, (kind, needs, call) in PICKED.items():
        for target in TARGETS:
            want = expected(spec, kind, target, needs, api=False, picked=True)
            got = _run_case(clients[False], call, world, target)
            cases += 1
            if got != want:
                mismatches.append(f"{name} on {target}: expected {want}, got {got}")
    for name, (kind, api, fetch, listed) in LISTS.items():
        response = fetch(clients[api])
        for target in TARGETS:
            cases += 1
            visible = expected(spec, kind, target, Level.VIEWER) == 200
            if response.status_code != 200:
                if visible:
                    mismatches.append(f"{name}: status {response.status_code}")
                continue
            if listed(response, world, target) != visible:
                mismatches.append(f"{name} on {target}: listed={not visible}, expected {visible}")
    CASES_RUN.append(cases)
    assert mismatches == []


def test_the_matrix_covers_thousands_of_cases():
    """Guards the matrix from shrinking unnoticed (counts what the parametrisation enumerates)."""
    per_actor = (len(OPERATIONS) + len(PICKED) + len(LISTS)) * len(TARGETS)
    assert len(ACTORS) * per_actor >= 4000


def test_a_revoked_role_gives_nothing_any_more():
    world = build_world()
    user = make_user("former")
    role = services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
        valid_from=dt.date(2020, 1, 1),
    )
    client = verified_login(Client(), user)
    assert client.get(f"/people/{world.people['own'].public_id}/").status_code == 200
    RoleAssignment.objects.filter(pk=role.pk).update(valid_to=dt.date(2021, 1, 1))
    client = verified_login(Client(), user)
    assert client.get(f"/people/{world.people['own'].public_id}/").status_code == 404

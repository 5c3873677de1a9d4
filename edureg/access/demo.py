"""Demo staff users, their rights, pending requests and a demo system client.

Only for demo mode (seed_demo refuses otherwise). The passwords are published in the README;
second-factor backup codes are issued afresh by `manage.py demo_logins`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.models import Application

from edureg.access import services
from edureg.access.models import (
    FunctionArea,
    Level,
    PledgeAcceptance,
    PledgeText,
    ScopeKind,
)
from edureg.core.context import Actor
from edureg.institutions.models import FounderType, Institution, InstitutionKind, Municipality

DEMO_PASSWORD = "edureg-demo"  # noqa: S105  (published demo login, refused outside demo mode)
DEMO_CLIENT_ID = "demo-school-sis"
DEMO_CLIENT_SECRET = "demo-school-sis-secret"  # noqa: S105  (published, demo only)
SYSTEM = Actor.system("seed_demo")


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    description: str


DEMO_USERS = (
    DemoUser(
        "agentura",
        "Rūta",
        "Agentūrienė",
        "national agency: approves state and non-state requests, sees all people",
    ),
    DemoUser(
        "vilnius",
        "Gintaras",
        "Savivaldis",
        "Vilnius city education department: approves municipal requests, sees its residents",
    ),
    DemoUser("mokykla", "Aušra", "Mokytojienė", "data manager of a Vilnius school (pupil data)"),
    DemoUser(
        "universitetas", "Tomas", "Studijauskas", "Student Register data manager of a university"
    ),
    DemoUser(
        "direktore",
        "Danutė",
        "Direktorienė",
        "director of the Vilnius school: approves the certificates the school forms",
    ),
    DemoUser(
        "registratorius",
        "Jonas",
        "Registratorius",
        "registrar of the programmes register (SMPKR): registers or rejects submitted programmes",
    ),
    DemoUser(
        "programos",
        "Lina",
        "Programauskienė",
        "the university's programme applicant: drafts and submits programmes for registration",
    ),
)


def _school(municipality: Municipality, founder: str) -> Institution | None:
    return (
        Institution.objects.filter(
            municipality=municipality,
            founder_type=founder,
            kind=InstitutionKind.INSTITUTION,
            main_group__code="school",
        )
        .order_by("register_id")
        .first()
    )


def _user(spec: DemoUser) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=spec.username).first()
    if user is None:
        user = user_model.objects.create_user(
            username=spec.username,
            email=f"{spec.username}@example.lt",
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
    PledgeAcceptance.objects.get_or_create(user=user, pledge=PledgeText.current())
    return user


@transaction.atomic
def demo_access_ensure() -> list[DemoUser]:
    """Create the demo staff, their roles, two pending requests and the demo client."""
    vilnius = Municipality.objects.get(code="LT-57")
    school = _school(vilnius, FounderType.MUNICIPAL)
    university = (
        Institution.objects.filter(main_group__code="university").order_by("register_id").first()
    )
    if school is None or university is None:
        return []
    grants: dict[str, list[dict[str, Any]]] = {
        "agentura": [
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.USER_ADMIN,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.PUPIL_PERSONAL,
                "level": Level.VIEWER,
            },
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.BLANK_ALLOCATION,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.CERTIFICATES,
                "level": Level.VIEWER,
            },
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.STATISTICS,
                "level": Level.VIEWER,
            },
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.FUNDING_CALCULATION,
                "level": Level.MANAGER,
            },
            # Reads the retention rules, the daily runs and the archive (lawful search).
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.ARCHIVE,
                "level": Level.VIEWER,
            },
        ],
        "vilnius": [
            {
                "scope_kind": ScopeKind.MUNICIPALITY,
                "municipality": vilnius,
                "function_area": FunctionArea.USER_ADMIN,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.MUNICIPALITY,
                "municipality": vilnius,
                "function_area": FunctionArea.PUPIL_PERSONAL,
                "level": Level.VIEWER,
            },
            {
                "scope_kind": ScopeKind.MUNICIPALITY,
                "municipality": vilnius,
                "function_area": FunctionArea.STATISTICS,
                "level": Level.VIEWER,
            },
            {
                "scope_kind": ScopeKind.MUNICIPALITY,
                "municipality": vilnius,
                "function_area": FunctionArea.FUNDING_CALCULATION,
                "level": Level.VIEWER,
            },
        ],
        "mokykla": [
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.PUPIL_PERSONAL,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.PUPIL_LEARNING,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.USER_ADMIN,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.CERTIFICATES,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.EXAM_PLANNING,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.STATISTICS,
                "level": Level.VIEWER,
            },
        ],
        "direktore": [
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": school,
                "function_area": FunctionArea.CERTIFICATES,
                "level": Level.MANAGER,
            },
        ],
        "registratorius": [
            {
                "scope_kind": ScopeKind.NATIONAL,
                "function_area": FunctionArea.PROGRAMME_REGISTRATION,
                "level": Level.MANAGER,
            },
        ],
        "programos": [
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": university,
                "function_area": FunctionArea.PROGRAMME_SUBMISSION,
                "level": Level.MANAGER,
            },
        ],
        "universitetas": [
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": university,
                "function_area": FunctionArea.STUDENT_DATA,
                "level": Level.MANAGER,
            },
            {
                "scope_kind": ScopeKind.INSTITUTION,
                "institution": university,
                "function_area": FunctionArea.STATISTICS,
                "level": Level.VIEWER,
            },
        ],
    }
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is not None:
        PledgeAcceptance.objects.get_or_create(user=admin, pledge=PledgeText.current())
    created = []
    for spec in DEMO_USERS:
        user = _user(spec)
        if not user.role_assignments.exists():
            for grant in grants[spec.username]:
                services.role_grant(actor=SYSTEM, user=user, **grant)
        created.append(spec)
    _pending_requests(school)
    _demo_client(school)
    return created


def _agency_routed_institution() -> Institution | None:
    """An institution whose user requests the agency decides (a state or non-state founder, see
    routing.route_for) that keeps pupils' data: a school when the data has one, else a
    kindergarten or an NVŠ provider. The demo data's founders are drawn by weights, so a small
    seed may hold no state school (higher-education institutions do not ask for pupil data,
    and their student rights need a nomination first)."""
    national = (
        Institution.objects.filter(
            founder_type__in=[FounderType.STATE, FounderType.NON_STATE],
            kind=InstitutionKind.INSTITUTION,
            parent__isnull=True,
        )
        .exclude(main_group__code__in=services.HEI_GROUPS)
        .order_by("-founder_type", "register_id")
    )
    return national.filter(main_group__code="school").first() or national.first()


def _pending_requests(school: Institution) -> None:
    """One request for the Vilnius department's queue and one for the agency's (the README's
    "one each in the demo data")."""
    pledge = PledgeText.current()
    assert pledge is not None  # created on migrate
    for username, institution in (
        ("mokytoja", school),
        ("direktorius", _agency_routed_institution()),
    ):
        if institution is None or get_user_model().objects.filter(username=username).exists():
            continue
        services.user_request_submit(
            actor=Actor.system("seed_demo"),
            institution=institution,
            position="mokytoja" if username == "mokytoja" else "direktorius",
            lines={FunctionArea.PUPIL_PERSONAL: Level.MANAGER, FunctionArea.LISTS: Level.VIEWER},
            pledge=pledge,
            pledge_accepted=True,
            new_account={
                "username": username,
                "email": f"{username}@example.lt",
                "first_name": "Eglė" if username == "mokytoja" else "Vytautas",
                "last_name": "Pavyzdienė" if username == "mokytoja" else "Pavyzdys",
                "password": DEMO_PASSWORD + "-2026",
            },
        )


def _demo_client(school: Institution) -> None:
    if Application.objects.filter(client_id=DEMO_CLIENT_ID).exists():
        return
    services.client_register(
        actor=SYSTEM,
        name="Demo school information system",
        institution=school,
        rights=[(FunctionArea.PUPIL_PERSONAL, Level.MANAGER)],
        client_id=DEMO_CLIENT_ID,
        secret=DEMO_CLIENT_SECRET,
    )

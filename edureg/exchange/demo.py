"""Demo data of the data exchange: a recipient's system under an active data-provision
agreement (the Vilnius city municipality's education system, persons' names and birth dates
and pupils' enrolments of Vilnius, no personal code), and the agency's right to manage
agreements for the demo agency user."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import Application

from edureg.access import services as access_services
from edureg.access.models import ClientBinding, FunctionArea, Level, RoleAssignment, ScopeKind
from edureg.core.context import Actor
from edureg.exchange.agreement_models import Agreement
from edureg.exchange.agreements import services
from edureg.institutions.models import Municipality

SYSTEM = Actor.system("seed_demo")
DEMO_RECIPIENT_ID = "demo-vilnius-recipient"
DEMO_RECIPIENT_SECRET = "demo-vilnius-recipient-secret"  # noqa: S105  (published, demo only)
DEMO_AGREEMENT_NUMBER = "DTS-2026/01"
DEMO_SCOPE = {
    "persons": ["id", "given_names", "family_name", "birth_date"],
    "enrolments": ["id", "person", "group", "institution", "kind", "valid_from", "valid_to"],
}


def agreements_seed() -> Agreement | None:
    """The demo recipient, its agreement, and the agency user's right to manage agreements."""
    agency = get_user_model().objects.filter(username="agentura").first()
    if (
        agency is not None
        and not RoleAssignment.objects.filter(
            user=agency, function_area=FunctionArea.AGREEMENTS
        ).exists()
    ):
        access_services.role_grant(
            actor=SYSTEM,
            user=agency,
            scope_kind=ScopeKind.NATIONAL,
            function_area=FunctionArea.AGREEMENTS,
            level=Level.MANAGER,
        )
    existing = Agreement.objects.filter(number=DEMO_AGREEMENT_NUMBER).first()
    if existing is not None:
        return existing
    vilnius = Municipality.objects.filter(code="LT-57").first()
    if vilnius is None:
        return None
    if Application.objects.filter(client_id=DEMO_RECIPIENT_ID).exists():
        binding = ClientBinding.objects.get(application__client_id=DEMO_RECIPIENT_ID)
    else:
        binding, _secret = services.recipient_client_register(
            actor=SYSTEM,
            name="Vilniaus miesto švietimo informacinė sistema",
            areas=[FunctionArea.PUPIL_PERSONAL],
            scope_kind=ScopeKind.MUNICIPALITY,
            municipality=vilnius,
            client_id=DEMO_RECIPIENT_ID,
            secret=DEMO_RECIPIENT_SECRET,
        )
    today = timezone.localdate()
    return services.agreement_create(
        actor=SYSTEM,
        number=DEMO_AGREEMENT_NUMBER,
        recipient="Vilniaus miesto savivaldybės administracija",
        recipient_code="188710061",
        legal_basis="Lietuvos Respublikos švietimo įstatymo 53 straipsnis; Mokinių registro "
        "nuostatai",
        purpose="Vaikų, gyvenančių savivaldybėje, mokymosi apskaita",
        scope=DEMO_SCOPE,
        valid_from=today.replace(month=1, day=1),
        valid_to=dt.date(today.year + 3, 1, 1),
        clients=[binding],
    )

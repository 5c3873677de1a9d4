"""Test data for access control, made through the services like real data.

Roles and user requests are created by `access.services` acting as the register itself, so they
carry history and pass the same checks as in production.
"""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from conftest import PASSWORD
from edureg.access import services
from edureg.access.models import (
    FunctionArea,
    Level,
    PledgeText,
    RoleAssignment,
    ScopeKind,
    UserRequest,
)
from edureg.core.context import Actor, Channel
from edureg.core.models import ClassifierValue
from edureg.institutions.models import FounderType, Institution, Municipality
from edureg.institutions.tests.factories import InstitutionFactory

SYSTEM = Actor.system("tests", Channel.SYSTEM)

VILNIUS = "LT-57"
KAUNAS = "LT-15"


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


class StaffUserFactory(factory.django.DjangoModelFactory):
    """An active staff user who signs in with the shared test password."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.lt")
    first_name = factory.Iterator(["Rūta", "Tomas", "Aistė", "Mantas", "Eglė"])
    last_name = factory.Iterator(["Vaitkutė", "Jankauskas", "Butkutė", "Stankevičius"])
    password = factory.django.Password(PASSWORD)


class RoleFactory(factory.Factory):
    """A role granted through `services.role_grant`; institution scope unless a trait says
    otherwise (`municipal=True` for Vilnius, `national=True`)."""

    class Meta:
        model = RoleAssignment

    class Params:
        municipal = factory.Trait(
            scope_kind=ScopeKind.MUNICIPALITY,
            institution=None,
            municipality=factory.LazyFunction(lambda: municipality(VILNIUS)),
        )
        national = factory.Trait(scope_kind=ScopeKind.NATIONAL, institution=None)

    user = factory.SubFactory(StaffUserFactory)
    scope_kind = ScopeKind.INSTITUTION
    institution = factory.SubFactory(InstitutionFactory)
    municipality = None
    function_area = FunctionArea.PUPIL_PERSONAL
    level = Level.MANAGER

    @classmethod
    def _create(
        cls, model_class: type[RoleAssignment], *args: object, **kwargs: object
    ) -> RoleAssignment:
        return services.role_grant(actor=SYSTEM, **kwargs)  # type: ignore[arg-type]


def user_admin(**kwargs: object) -> RoleAssignment:
    """A user administrator (manager): the approver of requests in the role's scope."""
    return RoleFactory.create(function_area=FunctionArea.USER_ADMIN, level=Level.MANAGER, **kwargs)


def university(**kwargs: object) -> Institution:
    """A state university: a higher-education institution, whose requests go to the agency."""
    return InstitutionFactory.create(
        main_group=ClassifierValue.objects.get(
            classifier__code="institution-group", code="university"
        ),
        main_type=ClassifierValue.objects.get(
            classifier__code="institution-type", code="university"
        ),
        founder_type=FounderType.STATE,
        **kwargs,
    )


class UserRequestFactory(factory.Factory):
    """A newcomer's request filed through `services.user_request_submit` (an inactive account
    is created for the applicant)."""

    class Meta:
        model = UserRequest

    institution = factory.SubFactory(InstitutionFactory)
    position = "Direktoriaus pavaduotoja ugdymui"
    lines = factory.LazyFunction(lambda: {FunctionArea.PUPIL_PERSONAL: Level.MANAGER})
    pledge = factory.LazyFunction(PledgeText.current)
    pledge_accepted = True
    new_account = factory.Sequence(
        lambda n: {
            "username": f"applicant-{n}",
            "email": f"applicant-{n}@example.lt",
            "first_name": "Ieva",
            "last_name": f"Pareiškėja-{n}",
            "password": PASSWORD,
        }
    )

    @classmethod
    def _create(
        cls, model_class: type[UserRequest], *args: object, **kwargs: object
    ) -> UserRequest:
        return services.user_request_submit(actor=SYSTEM, **kwargs)  # type: ignore[arg-type]

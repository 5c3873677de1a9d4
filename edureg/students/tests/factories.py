"""Student Register test data made through the services, as an HEI's data manager would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.models import FounderType, Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.programmes.models import Programme
from edureg.programmes.tests.factories import registered_study_programme
from edureg.students import services
from edureg.students.models import StudyForm, StudyRight

SYSTEM = Actor.system("tests")
SEPT_1 = dt.date(2024, 9, 1)


def classifier(code_list: str, code: str) -> ClassifierValue:
    return ClassifierValue.objects.get(classifier__code=code_list, code=code)


def leave_reason(code: str) -> ClassifierValue:
    return classifier("academic-leave-reason", code)


def termination_reason(code: str) -> ClassifierValue:
    return classifier("study-termination-reason", code)


def funding_source(code: str) -> ClassifierValue:
    return classifier("study-funding-source", code)


def hei(**overrides: Any) -> Institution:
    fields: dict[str, Any] = {
        "name_lt": "Vilniaus universitetas",
        "name_en": "Vilnius University",
        "main_group": classifier("institution-group", "university"),
        "main_type": classifier("institution-type", "university"),
        "founder_type": FounderType.STATE,
    }
    fields.update(overrides)
    return InstitutionFactory(**fields)


def staff_for(
    institution: Institution, name: str, level: str = Level.MANAGER, national: bool = False
) -> Actor:
    """A verified staff user with a student-data role of the HEI (or national)."""
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL if national else ScopeKind.INSTITUTION,
        institution=None if national else institution,
        function_area=FunctionArea.STUDENT_DATA,
        level=level,
    )
    return verified_actor(user)


def programme_of(institution: Institution, **overrides: Any) -> Programme:
    return registered_study_programme(institution, **overrides)


def open_right(
    institution: Institution,
    actor: Actor = SYSTEM,
    programme: Programme | None = None,
    started_on: dt.date = SEPT_1,
    **fields: Any,
) -> StudyRight:
    return services.study_right_open(
        actor=actor,
        person=fields.pop("person", None) or PersonFactory(),
        institution=institution,
        programme=programme or programme_of(institution),
        form=fields.pop("form", StudyForm.FULL_TIME),
        started_on=started_on,
        **fields,
    )

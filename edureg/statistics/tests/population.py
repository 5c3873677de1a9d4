"""A small known population for the statistics tests, made through the registers' services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.models import Institution, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person, Sex
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import services
from edureg.pupils.models import Enrolment, Group, GroupKind

SYSTEM = Actor.system("tests")
YEAR = 2024
SEPT_1 = dt.date(YEAR, 9, 1)
VILNIUS, KAUNAS = "LT-57", "LT-15"


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


def school(code: str = VILNIUS, **fields: Any) -> Institution:
    return InstitutionFactory(municipality=municipality(code), **fields)


def klass(
    institution: Institution, grade: str, year: int = YEAR, language: str = "lt", **extra: Any
) -> Group:
    return services.group_create(
        actor=SYSTEM,
        institution=institution,
        school_year=year,
        name=f"{grade}{language}{Group.objects.count()}",
        kind=extra.pop("kind", GroupKind.GENERAL),
        grade=grade,
        language=language,
        **extra,
    )


_born = iter(range(1, 100_000))


def child(born: dt.date = dt.date(2013, 3, 1), **fields: Any) -> Person:
    born = born + dt.timedelta(days=next(_born) % 200)
    return PersonFactory(
        personal_code=personal_code(born, male=True),
        birth_date=born,
        sex=Sex.MALE,
        **fields,
    )


def enrol(group: Group, count: int, on: dt.date = SEPT_1, **person: Any) -> list[Enrolment]:
    return [
        services.pupil_enrol(actor=SYSTEM, person=child(**person), group=group, valid_from=on)
        for _i in range(count)
    ]


def reason(code: str, name_lt: str, name_en: str) -> ClassifierValue:
    value, _created = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code=code,
        defaults={"name_lt": name_lt, "name_en": name_en},
    )
    return value


def statistics_user(
    name: str,
    *,
    institution: Institution | None = None,
    municipality_code: str | None = None,
) -> Any:
    user = make_user(name)
    if institution is not None:
        scope: dict[str, Any] = {"scope_kind": ScopeKind.INSTITUTION, "institution": institution}
    elif municipality_code is not None:
        scope = {
            "scope_kind": ScopeKind.MUNICIPALITY,
            "municipality": municipality(municipality_code),
        }
    else:
        scope = {"scope_kind": ScopeKind.NATIONAL}
    access_services.role_grant(
        actor=SYSTEM, user=user, function_area=FunctionArea.STATISTICS, level=Level.VIEWER, **scope
    )
    return user


def statistics_actor(name: str, **scope: Any) -> Actor:
    return Actor.for_user(statistics_user(name, **scope))

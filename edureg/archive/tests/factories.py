"""Test helpers of the archive: a rule, an archive user, a school leaver with records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.archive import services
from edureg.archive.models import RecordKind, RetentionEvent, RetentionRule
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import exams
from edureg.pupils import services as pupil_services
from edureg.statistics.tests.population import reason as departure_reason

SYSTEM = Actor.system("tests")

LEFT_ON = dt.date(2023, 6, 30)


def rule(
    *, archive_after_years: int = 2, destroy_after_years: int = 10, **fields: Any
) -> RetentionRule:
    return services.retention_rule_create(
        actor=SYSTEM,
        code=fields.pop("code", f"pupils-{uuid.uuid4().hex[:8]}"),
        kind=fields.pop("kind", RecordKind.PERSON),
        event=fields.pop("event", RetentionEvent.LEARNING_ENDED),
        archive_after_years=archive_after_years,
        destroy_after_years=destroy_after_years,
        legal_basis=fields.pop(
            "legal_basis", "Mokinių registro nuostatai, asmens duomenų saugojimo terminai"
        ),
        valid_from=fields.pop("valid_from", dt.date(2020, 1, 1)),
        **fields,
    )


def archive_user(level: str = Level.MANAGER, scope: str = ScopeKind.NATIONAL, **where: Any) -> Any:
    user = make_user(f"archivist-{uuid.uuid4().hex[:8]}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=scope,
        function_area=FunctionArea.ARCHIVE,
        level=level,
        **where,
    )
    return user


@dataclass
class Leaver:
    person: Person
    name: str
    code: str
    schools: tuple[Any, Any]  # the school they left from last, and the one before


def school_leaver(left_on: dt.date = LEFT_ON) -> Leaver:
    """A pupil who learnt at two schools (a transfer), had an annual grade, and left."""
    family = f"Archyvaite{uuid.uuid4().hex[:10]}"
    code = personal_code(dt.date(2008, 3, 4), male=False)
    person = PersonFactory(given_names="Ieva", family_name=family, personal_code=code)
    first, second = InstitutionFactory(), InstitutionFactory()
    groups = [
        pupil_services.group_create(
            actor=SYSTEM,
            institution=school,
            school_year=year,
            name="8a",
            kind="general",
            grade="8",
        )
        for school, year in ((first, 2020), (second, 2021))
    ]
    pupil_services.pupil_enrol(
        actor=SYSTEM, person=person, group=groups[0], valid_from=dt.date(2020, 9, 1)
    )
    moved = pupil_services.pupil_enrol(
        actor=SYSTEM,
        person=person,
        group=groups[1],
        valid_from=dt.date(2021, 9, 1),
        transfer=True,
    )
    maths = ClassifierValue.objects.of("school-subject").get(code="mathematics")
    exams.annual_grade_set(
        actor=SYSTEM,
        person=person,
        institution=second,
        school_year=2021,
        subject=maths,
        grade=9,
    )
    reason = departure_reason("archive-test-emigrated", "Išvyko į užsienį", "Emigrated")
    pupil_services.pupil_depart(actor=SYSTEM, enrolment=moved, on=left_on, reason=reason)
    return Leaver(person=person, name=family, code=code, schools=(second, first))


def tables_holding(*needles: str) -> dict[str, list[str]]:
    """Every table and column (of every table, version tables included) whose text holds one
    of the needles."""
    found: dict[str, list[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "
                        f"WHERE CAST({quote(column)} AS TEXT) LIKE %s",
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.setdefault(table, []).append(column)
    return found

"""Documents test data made through the services: a graduating class with its grades and exams,
blanks received and allocated, and the staff who form and approve."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.credentials import blanks
from edureg.credentials.models import BlankType, DocumentType
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import exams
from edureg.pupils import services as pupil_services
from edureg.pupils.models import Exam, ExamKind, ExamSession, Group, GroupKind

SYSTEM = Actor.system("tests")
SCHOOL_YEAR = 2025
SEPT_1 = dt.date(SCHOOL_YEAR, 9, 1)
_series = itertools.count(1)


def subject(code: str) -> ClassifierValue:
    return ClassifierValue.objects.get(classifier__code="school-subject", code=code)


def document_type(code: str) -> DocumentType:
    return DocumentType.objects.select_related("kind").get(code=code)


def staff(institution: Institution, name: str, *areas: str, level: str = Level.MANAGER) -> Actor:
    user = make_user(name)
    for area in areas:
        access_services.role_grant(
            actor=SYSTEM,
            user=user,
            scope_kind=ScopeKind.INSTITUTION,
            institution=institution,
            function_area=area,
            level=level,
        )
    return verified_actor(user)


def agency(name: str, *areas: str) -> Actor:
    user = make_user(name)
    for area in areas:
        access_services.role_grant(
            actor=SYSTEM,
            user=user,
            scope_kind=ScopeKind.NATIONAL,
            function_area=area,
            level=Level.MANAGER,
        )
    return verified_actor(user)


def final_class(
    school: Institution, size: int = 3, name: str = "IVa"
) -> tuple[Group, list[Person]]:
    group = pupil_services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=SCHOOL_YEAR,
        name=name,
        kind=GroupKind.GENERAL,
        grade="12",
    )
    pupils = [PersonFactory() for _ in range(size)]
    for person in pupils:
        pupil_services.pupil_enrol(actor=SYSTEM, person=person, group=group, valid_from=SEPT_1)
    return group, pupils


def exam_session(year: int = SCHOOL_YEAR) -> tuple[ExamSession, dict[str, Exam]]:
    session = exams.exam_session_create(
        actor=SYSTEM,
        school_year=year,
        name=f"{year + 1} m. pagrindinė sesija",
        starts_on=dt.date(year + 1, 5, 25),
        ends_on=dt.date(year + 1, 6, 30),
    )
    held = {
        "lithuanian": dt.date(year + 1, 6, 2),
        "mathematics": dt.date(year + 1, 6, 9),
        "english": dt.date(year + 1, 6, 16),
    }
    return session, {
        code: exams.exam_create(
            actor=SYSTEM,
            session=session,
            subject=subject(code),
            kind=ExamKind.STATE_MATURITY,
            held_on=day,
        )
        for code, day in held.items()
    }


def annual_grades(school: Institution, person: Person, grades: dict[str, int]) -> None:
    for code, grade in grades.items():
        exams.annual_grade_set(
            actor=SYSTEM,
            person=person,
            institution=school,
            school_year=SCHOOL_YEAR,
            subject=subject(code),
            grade=grade,
        )


GRADES = {"lithuanian": 8, "mathematics": 7, "english": 9, "history": 10}


def blanks_on_hand(school: Institution, code: str, count: int, series: str | None = None) -> Any:
    """Blanks of a type received by the agency and allocated to the school."""
    blank_type = BlankType.objects.get(code=code)
    series = series or f"T{next(_series)}"
    blanks.blanks_receive(
        actor=SYSTEM,
        blank_type=blank_type,
        series=series,
        first_number=1,
        last_number=count,
        received_on=dt.date(SCHOOL_YEAR + 1, 3, 1),
    )
    return blanks.blanks_allocate(
        actor=SYSTEM,
        institution=school,
        blank_type=blank_type,
        series=series,
        first_number=1,
        last_number=count,
        allocated_on=dt.date(SCHOOL_YEAR + 1, 3, 2),
    )


@dataclass
class Graduating:
    school: Institution
    group: Group
    pupils: list[Person]
    exams: dict[str, Exam]


def graduating_class(size: int = 3, school: Institution | None = None) -> Graduating:
    """A final class whose pupils all have positive grades and passed Lithuanian and maths."""
    school = school or InstitutionFactory()
    group, pupils = final_class(school, size)
    _session, by_subject = exam_session()
    for person in pupils:
        annual_grades(school, person, GRADES)
        for code in ("lithuanian", "mathematics"):
            exams.exam_register(
                actor=SYSTEM, exam=by_subject[code], person=person, institution=school
            )
            exams.exam_result_record(actor=SYSTEM, exam=by_subject[code], person=person, score=70)
    return Graduating(school, group, pupils, by_subject)

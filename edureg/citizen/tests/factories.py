"""Citizen portal test data: a school leaver whose whole history the registers' services wrote,
parents and children, and signing a citizen in through the demo identity provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.test import Client

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people import services as people_services
from edureg.people.models import Guardianship, Person
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import services as pupils_services
from edureg.pupils.models import AchievementKind, AchievementLevel, GroupKind
from edureg.students import services as students_services
from edureg.students.models import LoanKind, ScholarshipKind, StudyForm
from edureg.students.tests.factories import classifier, hei, programme_of

SYSTEM = Actor.system("tests")


def sign_in(person: Person, client: Client | None = None) -> Client:
    """A browser session signed in as `person` through the demo identity provider."""
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/demo-idp/", {"person": str(person.public_id)})
    assert response.status_code == 302, response.status_code
    return client


def data_manager(
    institution: Institution, name: str, area: str = FunctionArea.PUPIL_PERSONAL
) -> Actor:
    user = make_user(name, first_name="Rūta", last_name="Vaitkutė")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=area,
        level=Level.MANAGER,
    )
    return verified_actor(user)


def course_level(code: str) -> ClassifierValue:
    return classifier("course-level", code)


def departure_reason(code: str = "completed") -> ClassifierValue:
    value, _created = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code=code,
        defaults={"name_lt": "Baigė ugdymo programą", "name_en": "Completed the programme"},
    )
    return value


@dataclass
class History:
    """A school leaver: two years at a gymnasium with electives, exams and an olympiad, an NVŠ
    group with funding and a club, then a study right at a university with a leave, results,
    mobility, a loan and a scholarship; and an earlier, graduated study right."""

    person: Person
    school: Institution
    university: Institution
    written: dict[str, Any] = field(default_factory=dict)


def school_leaver(person: Person | None = None) -> History:
    person = person or PersonFactory(
        given_names="Austėja",
        family_name="Žukauskaitė",
        personal_code=personal_code(dt.date(2006, 3, 14), male=False),
    )
    # Proper names, the same in both languages.
    school = InstitutionFactory(name_lt="Vilniaus „Ąžuolo“ gimnazija", name_en="")
    provider = InstitutionFactory(name_lt="Vilniaus jaunimo dailės studija", name_en="")
    university = hei(name_lt="Vilniaus universitetas", name_en="")
    w: dict[str, Any] = {}
    g11 = pupils_services.group_create(
        actor=SYSTEM, institution=school, school_year=2023, name="III a", kind=GroupKind.GENERAL,
        grade="11",
    )  # fmt: skip
    g12 = pupils_services.group_create(
        actor=SYSTEM, institution=school, school_year=2024, name="IV a", kind=GroupKind.GENERAL,
        grade="12",
    )  # fmt: skip
    w["enrolment_11"] = pupils_services.pupil_enrol(
        actor=SYSTEM, person=person, group=g11, valid_from=dt.date(2023, 9, 1),
        contract_date=dt.date(2023, 8, 20),
    )  # fmt: skip
    w["enrolment_12"] = pupils_services.pupil_move(
        actor=SYSTEM, enrolment=w["enrolment_11"], group=g12, on=dt.date(2024, 9, 1)
    )
    w["enrolment_11"].refresh_from_db()
    w["departure"] = pupils_services.pupil_depart(
        actor=SYSTEM,
        enrolment=w["enrolment_12"],
        on=dt.date(2025, 6, 30),
        reason=departure_reason(),
        order_number="V-117",
    )
    club = pupils_services.group_create(
        actor=SYSTEM, institution=school, school_year=2023, name="Robotikos būrelis",
        kind=GroupKind.CLUB,
    )  # fmt: skip
    w["club"] = pupils_services.pupil_enrol(
        actor=SYSTEM, person=person, group=club, valid_from=dt.date(2023, 9, 15)
    )
    nvs = pupils_services.group_create(
        actor=SYSTEM, institution=provider, school_year=2023, name="Tapybos studija 1",
        kind=GroupKind.NVS,
    )  # fmt: skip
    w["nvs"] = pupils_services.pupil_enrol(
        actor=SYSTEM, person=person, group=nvs, valid_from=dt.date(2023, 9, 10)
    )
    w["nvs_marks"] = pupils_services.nvs_funding_mark(
        actor=SYSTEM,
        person=person,
        provider=provider,
        months=[dt.date(2023, 10, 1), dt.date(2023, 11, 1)],
        basket=True,
    )
    w["electives"] = [
        pupils_services.elective_add(
            actor=SYSTEM, person=person, institution=school, school_year=2023,
            subject="Informacinės technologijos", course_level=course_level("A"),
        ),
        pupils_services.elective_add(
            actor=SYSTEM, person=person, institution=school, school_year=2024,
            subject="Filosofija", course_level=course_level("B"),
        ),
    ]  # fmt: skip
    w["achievements"] = [
        pupils_services.achievement_add(
            actor=SYSTEM, person=person, institution=school, kind=AchievementKind.EXAM,
            level=AchievementLevel.NATIONAL,
            name="Matematikos valstybinis brandos egzaminas", result="86 iš 100",
            achieved_on=dt.date(2025, 6, 4),
        ),
        pupils_services.achievement_add(
            actor=SYSTEM, person=person, institution=school, kind=AchievementKind.EXAM,
            level=AchievementLevel.NATIONAL,
            name="Lietuvių kalbos ir literatūros valstybinis brandos egzaminas",
            result="74 iš 100", achieved_on=dt.date(2025, 6, 2),
        ),
        pupils_services.achievement_add(
            actor=SYSTEM, person=person, institution=school, kind=AchievementKind.OLYMPIAD,
            level=AchievementLevel.NATIONAL, name="Lietuvos mokinių informatikos olimpiada",
            result="II vieta", achieved_on=dt.date(2024, 3, 10),
        ),
    ]  # fmt: skip
    earlier = students_services.study_right_open(
        actor=SYSTEM, person=person, institution=university,
        programme=programme_of(university, name_lt="Informatika"), form=StudyForm.PART_TIME,
        started_on=dt.date(2021, 9, 1),
    )  # fmt: skip
    students_services.result_add(
        actor=SYSTEM, study_right=earlier, semester=1, course_unit_code="INF101",
        course_unit_title="Programavimo pagrindai", credits=Decimal(6), grade=9,
        assessed_on=dt.date(2022, 1, 20),
    )  # fmt: skip
    w["graduation"] = students_services.graduate(
        actor=SYSTEM, study_right=earlier, on=dt.date(2022, 6, 30), degree="Informatikos bakalauras"
    )
    right = students_services.study_right_open(
        actor=SYSTEM, person=person, institution=university,
        programme=programme_of(university, name_lt="Matematika", name_en="Mathematics"),
        form=StudyForm.FULL_TIME, started_on=dt.date(2025, 9, 1),
        funding_source=classifier("study-funding-source", "11"),
    )  # fmt: skip
    w["results"] = [
        students_services.result_add(
            actor=SYSTEM, study_right=right, semester=1, course_unit_code="MAT101",
            course_unit_title="Matematinė analizė I", credits=Decimal(6), grade=8,
            assessed_on=dt.date(2026, 1, 15),
        ),
        students_services.result_add(
            actor=SYSTEM, study_right=right, semester=1, course_unit_code="MAT102",
            course_unit_title="Tiesinė algebra", credits=Decimal(5), passed=True,
            assessed_on=dt.date(2026, 1, 22),
        ),
    ]  # fmt: skip
    w["leave"] = students_services.leave_start(
        actor=SYSTEM,
        study_right=right,
        on=dt.date(2026, 2, 1),
        leave_reason=classifier("academic-leave-reason", "illness"),
    )
    students_services.leave_end(actor=SYSTEM, study_right=right, on=dt.date(2026, 4, 1))
    w["mobility"] = students_services.mobility_add(
        actor=SYSTEM, study_right=right, host_institution="Universität Wien", host_country="AT",
        valid_from=dt.date(2026, 4, 10), valid_to=dt.date(2026, 6, 30), programme_name="Erasmus+",
        credits_earned=Decimal(15), credits_recognised=Decimal(12),
    )  # fmt: skip
    w["loan"] = students_services.loan_record(
        actor=SYSTEM, study_right=right, kind=LoanKind.LIVING, amount=Decimal("1250.50"),
        granted_on=dt.date(2025, 10, 1), valid_from=dt.date(2025, 10, 1),
    )  # fmt: skip
    w["scholarship"] = students_services.scholarship_add(
        actor=SYSTEM, study_right=right, kind=ScholarshipKind.INCENTIVE, amount=Decimal(300),
        valid_from=dt.date(2025, 9, 1), valid_to=dt.date(2026, 1, 31), payer="VU",
    )  # fmt: skip
    w["study_right"] = right
    w["earlier_study_right"] = earlier
    return History(person=person, school=school, university=university, written=w)


def parent_of(*children: Person, given_names: str = "Inga") -> Person:
    """A parent of these children, as the population register's feed records it."""
    parent = PersonFactory(
        given_names=given_names,
        family_name="Žukauskienė",
        personal_code=personal_code(dt.date(1980, 2, 2), male=False),
    )
    for child in children:
        people_services.guardianship_set(
            actor=SYSTEM, guardian=parent, child=child, valid_from=child.birth_date,
            source="population-register",
        )  # fmt: skip
    return parent


def child(born: dt.date = dt.date(2014, 5, 5), given_names: str = "Kajus") -> Person:
    return PersonFactory(
        given_names=given_names,
        family_name="Žukauskas",
        personal_code=personal_code(born, male=True),
    )


__all__ = ["Guardianship", "History", "child", "parent_of", "school_leaver", "sign_in"]

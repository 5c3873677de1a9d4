"""Demo documents: last school year's graduating class of the demo school with its grades and
maturity exams (results through the exam centre's feed), blanks received by the agency and
allocated to the school, the class's maturity certificates formed by the data manager
(`mokykla`) and approved by the director (`direktore`), one of them annulled and replaced by a
duplicate. Everything is written through the services, as the people would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.lt import asmens

from edureg.access.models import FunctionArea, RoleAssignment
from edureg.core.context import Actor
from edureg.core.demo import Progress, Scale
from edureg.core.models import Classifier, ClassifierValue
from edureg.credentials import blanks, services
from edureg.credentials.models import Blank, BlankStatus, BlankType, DocumentType, ReissueKind
from edureg.people.models import Person
from edureg.people.services import person_create
from edureg.pupils import exams
from edureg.pupils import services as pupil_services
from edureg.pupils.exam_centre import exam_results_import
from edureg.pupils.models import ExamKind, Group, GroupKind

SYSTEM = Actor.system("seed_demo")
CLASS_SIZE = 12
GIVEN = ("Ugnė", "Gabija", "Austėja", "Kamilė", "Lukas", "Matas", "Jonas", "Dominykas")
FAMILY = ("Kazlauskas", "Jankauskas", "Petrauskas", "Žukauskas", "Paulauskas", "Butkus")
GRADES = ("lithuanian", "mathematics", "english", "history", "physics", "pe")


def _staff_actor(username: str) -> Actor | None:
    user = get_user_model().objects.filter(username=username).first()
    return replace(Actor.for_user(user), second_factor=True) if user is not None else None


def _personal_code(birth: dt.date, male: bool, serial: int) -> str:
    first = "5" if male else "6"
    stem = f"{first}{birth:%y%m%d}{serial:03d}"
    return stem + asmens.calc_check_digit(stem + "0")  # the last character is ignored


def _family(name: str, male: bool) -> str:
    if male:
        return name
    return name[:-2] + "aitė" if name.endswith("as") else name[:-2] + "ytė"


def credentials_seed(*, scale: Scale, seed: int, progress: Progress) -> int:
    """Create the demo documents; returns how many documents were issued."""
    former, approver = _staff_actor("mokykla"), _staff_actor("direktore")
    role = (
        RoleAssignment.objects.filter(
            user__username="mokykla", function_area=FunctionArea.CERTIFICATES
        )
        .select_related("institution")
        .first()
    )
    if former is None or approver is None or role is None or role.institution is None:
        return 0
    school = role.institution
    rng = random.Random(seed)
    today = timezone.localdate()
    year = (today.year if today.month >= 9 else today.year - 1) - 1  # last school year
    # The class of last school year, its pupils, grades, exams.
    group = Group.objects.filter(institution=school, school_year=year, name="IV d").first()
    if group is None:
        group = pupil_services.group_create(
            actor=SYSTEM,
            institution=school,
            school_year=year,
            name="IV d",
            kind=GroupKind.GENERAL,
            grade="12",
        )
    birth_year = year - 17
    pupils = []
    for index in range(CLASS_SIZE):
        male = index % 2 == 0
        birth = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        serial = 900 + index
        while Person.objects.filter(personal_code=_personal_code(birth, male, serial)).exists():
            serial += 20
        person = person_create(
            actor=SYSTEM,
            given_names=rng.choice(GIVEN[4:] if male else GIVEN[:4]),
            family_name=_family(rng.choice(FAMILY), male),
            personal_code=_personal_code(birth, male, serial),
            declared_municipality=school.municipality,
        )
        pupil_services.pupil_enrol(
            actor=SYSTEM, person=person, group=group, valid_from=dt.date(year, 9, 1)
        )
        pupils.append(person)
    session = exams.exam_session_create(
        actor=SYSTEM,
        school_year=year,
        name=f"{year + 1} m. pagrindinė sesija",
        starts_on=dt.date(year + 1, 5, 25),
        ends_on=dt.date(year + 1, 6, 30),
    )
    subjects = {v.code: v for v in ClassifierValue.objects.of("school-subject")}
    exam_days = {"lithuanian": 2, "mathematics": 9, "english": 16}
    by_subject = {
        code: exams.exam_create(
            actor=SYSTEM,
            session=session,
            subject=subjects[code],
            kind=ExamKind.STATE_MATURITY,
            held_on=dt.date(year + 1, 6, day),
        )
        for code, day in exam_days.items()
    }
    rows: list[dict[str, Any]] = []
    for index, person in enumerate(pupils):
        for code in GRADES:
            exams.annual_grade_set(
                actor=SYSTEM,
                person=person,
                institution=school,
                school_year=year,
                subject=subjects[code],
                grade=rng.randint(5, 10),
            )
        # The last pupil did not sit Lithuanian: the class's forming refuses them, naming it.
        sits = ("mathematics", "english") if index == len(pupils) - 1 else exam_days
        for code in sits:
            exams.exam_register(
                actor=former, exam=by_subject[code], person=person, institution=school
            )
            rows.append(
                {
                    "personal_code": person.personal_code,
                    "school_year": year,
                    "subject": code,
                    "level": "state_maturity",
                    "score": rng.randint(35, 98),
                }
            )
    exam_results_import(rows=rows, source="demo-exam-centre.json")
    completed = ClassifierValue.objects.filter(
        classifier__code="departure-reason", code="completed"
    ).first() or ClassifierValue.objects.create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="completed",
        name_lt="Baigė ugdymo programą",
        name_en="Completed the programme",
    )
    for enrolment in group.enrolments.filter(valid_to__isnull=True):
        pupil_services.pupil_depart(
            actor=SYSTEM, enrolment=enrolment, on=dt.date(year + 1, 6, 30), reason=completed
        )
    # Blanks: received by the agency, a hundred of each allocated to the school.
    received_on = dt.date(year + 1, 3, 2)
    for code, series in (("3014", "BA"), ("3016", "BP"), ("2001", "PG")):
        blank_type = BlankType.objects.get(code=code)
        blanks.blanks_receive(
            actor=SYSTEM,
            blank_type=blank_type,
            series=series,
            first_number=1,
            last_number=500,
            received_on=received_on,
        )
        blanks.blanks_allocate(
            actor=SYSTEM,
            institution=school,
            blank_type=blank_type,
            series=series,
            first_number=1,
            last_number=100,
            allocated_on=received_on + dt.timedelta(days=7),
        )
    # Form, approve; one is lost, annulled and replaced by a duplicate.
    maturity = DocumentType.objects.get(code="maturity")
    forming = services.documents_form_for_group(actor=former, document_type=maturity, group=group)
    issued = [services.document_approve(actor=approver, document=d) for d in forming.formed]
    if issued:
        lost = issued[0]
        services.document_annul(
            actor=approver,
            document=lost,
            reason="Pamestas; turėtojo prašymas išduoti dublikatą",
        )
        duplicate = services.document_reissue(
            actor=former, document=lost, kind=ReissueKind.DUPLICATE
        )
        issued.append(services.document_approve(actor=approver, document=duplicate))
    # A blank spoiled in printing, written off by the school.
    spoiled = (
        Blank.objects.filter(
            institution=school, blank_type__code="3014", status=BlankStatus.ON_HAND
        )
        .order_by("-number")
        .first()
    )
    if spoiled is not None:
        blanks.blank_write_off(
            actor=former,
            blank=spoiled,
            status=BlankStatus.SPOILED,
            reason=ClassifierValue.objects.of("blank-write-off-reason").get(code="misprint"),
            on=dt.date(year + 1, 7, 1),
            note="Spausdintuvas suglamžė lapą",
        )
    # This school year's session, announced by the agency, for the school to plan.
    current = exams.exam_session_create(
        actor=SYSTEM,
        school_year=year + 1,
        name=f"{year + 2} m. pagrindinė sesija",
        starts_on=dt.date(year + 2, 5, 25),
        ends_on=dt.date(year + 2, 6, 30),
    )
    for code, day in {**exam_days, "history": 19}.items():
        exams.exam_create(
            actor=SYSTEM,
            session=current,
            subject=subjects[code],
            kind=ExamKind.STATE_MATURITY,
            held_on=dt.date(year + 2, 6, day),
        )
    progress(
        f"documents: class {group} with {len(pupils)} pupils, {len(rows)} exam results, "
        f"{len(issued)} maturity certificates issued, {len(forming.refused)} refused"
    )
    return len(issued)

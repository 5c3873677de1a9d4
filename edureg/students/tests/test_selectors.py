"""Who sees which study rights, what a read leaves in the access log, and the transcript."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from edureg.access.models import Level
from edureg.core.context import Actor, ActorKind
from edureg.core.models import AccessLogEntry
from edureg.people.selectors import person_get
from edureg.students import selectors, services
from edureg.students.tests.factories import hei, open_right, staff_for

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def vu():  # type: ignore[no-untyped-def]
    return hei(name_lt="Vilniaus universitetas")


@pytest.fixture
def ktu():  # type: ignore[no-untyped-def]
    return hei(name_lt="Kauno technologijos universitetas")


def test_each_hei_sees_its_own_students_only(vu, ktu):  # type: ignore[no-untyped-def]
    vu_manager, ktu_manager = staff_for(vu, "vu"), staff_for(ktu, "ktu")
    vu_right, ktu_right = open_right(vu, vu_manager), open_right(ktu, ktu_manager)

    assert list(selectors.student_rights_in_scope(actor=vu_manager)) == [vu_right]
    assert selectors.study_right_get(actor=vu_manager, public_id=vu_right.public_id) == vu_right
    with pytest.raises(Http404):
        selectors.study_right_get(actor=vu_manager, public_id=ktu_right.public_id)
    # the person record too: through the study right's HEI, not another's
    assert person_get(actor=vu_manager, public_id=vu_right.person.public_id) == vu_right.person
    with pytest.raises(Http404):
        person_get(actor=vu_manager, public_id=ktu_right.person.public_id)


def test_unknown_and_malformed_ids_are_404(vu):  # type: ignore[no-untyped-def]
    manager = staff_for(vu, "vu")
    for public_id in ["not-a-uuid", "5b1f7c8e-0000-4000-8000-000000000000"]:
        with pytest.raises(Http404):
            selectors.study_right_get(actor=manager, public_id=public_id)


def test_a_read_is_in_the_students_access_log(vu):  # type: ignore[no-untyped-def]
    manager = staff_for(vu, "vu")
    right = open_right(vu, manager)
    selectors.study_right_get(actor=manager, public_id=right.public_id)
    entry = AccessLogEntry.objects.get(person_public_id=right.person.public_id)
    assert (entry.what, entry.actor) == ("student.study-right", manager.label)


def test_the_agency_reads_nationally_but_does_not_change(vu, ktu):  # type: ignore[no-untyped-def]
    agency = staff_for(vu, "agency", level=Level.VIEWER, national=True)
    rights = {open_right(vu), open_right(ktu)}
    assert set(selectors.student_rights_in_scope(actor=agency)) == rights
    some = rights.pop()
    assert selectors.study_right_get(actor=agency, public_id=some.public_id) == some
    with pytest.raises(PermissionDenied):
        services.study_right_update(actor=agency, study_right=some, course=2)


def test_a_student_sees_their_own_rights_and_cannot_change_them(vu):  # type: ignore[no-untyped-def]
    mine, other = open_right(vu), open_right(vu)
    student = Actor(kind=ActorKind.CITIZEN, label="citizen:1", person_id=mine.person_id)
    assert list(selectors.student_rights_in_scope(actor=student)) == [mine]
    assert selectors.study_right_get(actor=student, public_id=mine.public_id) == mine
    with pytest.raises(Http404):
        selectors.study_right_get(actor=student, public_id=other.public_id)
    with pytest.raises(Http404):
        services.study_right_update(actor=student, study_right=mine, course=2)


def test_transcript_by_year_with_credits_of_passed_units(vu):  # type: ignore[no-untyped-def]
    manager = staff_for(vu, "vu")
    right = open_right(vu, manager)

    def result(semester: int, code: str, credits: int, **outcome: object) -> None:
        services.result_add(
            actor=manager,
            study_right=right,
            semester=semester,
            course_unit_code=code,
            course_unit_title=code,
            credits=Decimal(credits),
            assessed_on=D(2025, 1, 20),
            **outcome,  # type: ignore[arg-type]
        )

    result(1, "INF101", 6, grade=9)
    result(1, "MAT101", 6, grade=4)  # failed: no credits
    result(2, "INF102", 5, passed=True)
    result(3, "INF201", 6, grade=5)  # the lowest passing grade
    result(3, "SEM201", 3, passed=False)

    transcript = selectors.transcript(right)
    assert [(y.year, y.credits_earned) for y in transcript.years] == [
        (1, Decimal(11)),
        (2, Decimal(6)),
    ]
    assert [s.semester for s in transcript.years[0].semesters] == [1, 2]
    assert [r.course_unit_code for r in transcript.years[0].semesters[0].results] == [
        "INF101",
        "MAT101",
    ]
    assert transcript.credits_earned == Decimal(17)


def test_the_back_office_shows_a_study_right_and_logs_the_read(admin_web, vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    listing = admin_web.get("/admin/students/studyright/")
    assert listing.status_code == 200
    page = admin_web.get(f"/admin/students/studyright/{right.pk}/change/")
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(
        person_public_id=right.person.public_id, what="student.backoffice"
    ).exists()

"""A school's June: plan the maturity exams, results arrive through the exam centre's feed, form
the class's certificates (one pupil refused, with the missing exam named), approve them (each
gets a blank and a registration number), verify one by its QR link, annul one and issue its
duplicate, and the blank report balances."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.utils import timezone, translation

from edureg.access.models import FunctionArea
from edureg.core.models import AccessLogEntry, ClassifierValue
from edureg.credentials import blanks, selectors, services
from edureg.credentials.models import Blank, BlankStatus, Document, DocumentStatus, ReissueKind
from edureg.credentials.tests import factories as f
from edureg.exchange.feeds.base import FileDropSource, feeds_poll
from edureg.exchange.import_models import FeedKind, RowOutcome
from edureg.exchange.imports.services import import_apply
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.pupils import exams
from edureg.pupils.models import Achievement, AchievementKind, ExamResult

pytestmark = pytest.mark.django_db


def test_a_schools_june(tmp_path):
    # Given a final class of four, the session's exams and blanks the agency allocated
    school = InstitutionFactory(name_lt="Vilniaus Žirmūnų gimnazija")
    group, pupils = f.final_class(school, size=4)
    refused_pupil = pupils[3]
    _session, by_subject = f.exam_session()
    f.blanks_on_hand(school, "3014", 10, series="BA")
    f.blanks_on_hand(school, "3016", 10, series="BP")
    planner = f.staff(school, "planner", FunctionArea.EXAM_PLANNING)
    teacher = f.staff(school, "teacher", FunctionArea.PUPIL_LEARNING)
    former = f.staff(school, "former", FunctionArea.CERTIFICATES)
    approver = f.staff(school, "approver", FunctionArea.CERTIFICATES)

    # The school plans the exams: everyone sits maths, all but one Lithuanian
    for person in pupils:
        exams.exam_register(
            actor=planner, exam=by_subject["mathematics"], person=person, institution=school
        )
        if person != refused_pupil:
            exams.exam_register(
                actor=planner, exam=by_subject["lithuanian"], person=person, institution=school
            )
        for code, grade in f.GRADES.items():
            exams.annual_grade_set(
                actor=teacher,
                person=person,
                institution=school,
                school_year=f.SCHOOL_YEAR,
                subject=f.subject(code),
                grade=grade,
            )

    # The exam centre drops a results file; one of its rows is about nobody we know
    source = FileDropSource(tmp_path)
    lines = ["personal_code,school_year,subject,level,score,grade"]
    for index, person in enumerate(pupils):
        lines.append(f"{person.personal_code},2025,mathematics,state_maturity,{60 + index},")
        if person != refused_pupil:
            lines.append(f"{person.personal_code},2025,lithuanian,state_maturity,{75 + index},")
    lines.append("39001010000,2025,lithuanian,state_maturity,50,")
    incoming = tmp_path / "exam-centre" / "incoming"
    incoming.mkdir(parents=True)
    (incoming / "results-2026-07-01.csv").write_text("\n".join(lines) + "\n")
    with translation.override("en"):
        (run,) = feeds_poll(source, kinds=[FeedKind.EXAM_RESULTS])
        run = import_apply(run.pk)
    assert (run.created, run.refused) == (7, 1)
    refused = run.rows.get(outcome=RowOutcome.REFUSED)
    assert (refused.line, refused.field, refused.code) == (9, "personal_code", "not_found")
    assert list((tmp_path / "exam-centre" / "processed").iterdir())
    assert not list(incoming.iterdir())
    # The results are the pupils' achievements, with history
    result = ExamResult.objects.get(person=pupils[0], exam=by_subject["lithuanian"])
    assert result.passed and result.achievement.kind == AchievementKind.EXAM
    assert Achievement.objects.filter(person=pupils[0], kind=AchievementKind.EXAM).count() == 2
    assert result.history.count() == 1

    # The data manager forms the class's maturity certificates
    maturity = f.document_type("maturity")
    with translation.override("en"):
        forming = services.documents_form_for_group(
            actor=former, document_type=maturity, group=group
        )
    assert len(forming.formed) == 3
    assert {r.person for r in forming.refused} == {refused_pupil}
    refusal = next(r for r in forming.refused if r.rule == "required_exam")
    assert refused_pupil.full_name in refusal.message
    assert "Lithuanian language and literature" in refusal.message
    assert all(
        d.status == DocumentStatus.FORMED and not d.registration_number for d in forming.formed
    )

    # The former may not approve their own; the approver approves all three
    with pytest.raises(ValidationError):
        services.document_approve(actor=former, document=forming.formed[0])
    issued = [services.document_approve(actor=approver, document=d) for d in forming.formed]
    assert [d.blank.number for d in issued] == [1, 2, 3]
    assert [d.supplement_blank.number for d in issued] == [1, 2, 3]
    year = timezone.localdate().year
    assert [d.registration_number for d in issued] == [f"BA-{year}-{n:06d}" for n in (1, 2, 3)]
    assert all(d.status == DocumentStatus.ISSUED and d.verification_code for d in issued)

    # Anyone verifies one by the link of its QR code: valid, initials only
    first = issued[0]
    response = Client().get(f"/verify/{first.verification_code}/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "valid" in page.lower() and first.registration_number in page
    assert first.person.personal_code not in page and first.person.family_name not in page
    assert first.holder_initials in page
    assert AccessLogEntry.objects.filter(
        person_public_id=first.person.public_id, what="credentials.verification"
    ).exists()

    # The holder lost it: annul with a reason, then issue a duplicate on the next blank
    with pytest.raises(ValidationError):
        services.document_annul(actor=approver, document=first, reason="  ")
    services.document_annul(actor=approver, document=first, reason="Pamestas, prašymas 2026-07-10")
    duplicate = services.document_reissue(actor=former, document=first, kind=ReissueKind.DUPLICATE)
    duplicate = services.document_approve(actor=approver, document=duplicate)
    assert duplicate.document_type.code == "maturity-duplicate"
    assert duplicate.replaces == first and duplicate.blank.number == 4
    assert duplicate.content["grades"] == first.content["grades"]
    check = selectors.document_verify(code=first.verification_code)
    assert check.validity == selectors.Validity.REPLACED
    assert check.replaced_by == duplicate.registration_number
    first.refresh_from_db()
    assert first.status == DocumentStatus.ANNULLED and first.blank.status == BlankStatus.USED

    # A spoiled blank is written off; the blank report balances
    spoiled = Blank.objects.get(blank_type__code="3014", series="BA", number=5)
    blanks.blank_write_off(
        actor=former,
        blank=spoiled,
        status=BlankStatus.SPOILED,
        reason=ClassifierValue.objects.get(
            classifier__code="blank-write-off-reason", code="misprint"
        ),
        on=timezone.localdate(),
    )
    rows = blanks.blank_report(
        actor=former,
        institution=school,
        date_from=dt.date(f.SCHOOL_YEAR + 1, 1, 1),
        date_to=timezone.localdate(),
    )
    by_code = {r.blank_type.code: r for r in rows}
    maturity_blanks = by_code["3014"]
    assert (maturity_blanks.received, maturity_blanks.used, maturity_blanks.spoiled) == (10, 4, 1)
    assert maturity_blanks.closing == 5 and maturity_blanks.balances
    assert by_code["3016"].used == 4 and by_code["3016"].balances


def test_a_blank_number_is_received_and_used_once():
    school = InstitutionFactory()
    f.blanks_on_hand(school, "2001", 3, series="PG")
    with pytest.raises(ValidationError):
        blanks.blanks_receive(
            actor=f.SYSTEM,
            blank_type=Blank.objects.first().blank_type,
            series="PG",
            first_number=3,
            last_number=5,
            received_on=dt.date(2026, 3, 1),
        )
    with pytest.raises(ValidationError):
        blanks.blanks_allocate(
            actor=f.SYSTEM,
            institution=InstitutionFactory(),
            blank_type=Blank.objects.first().blank_type,
            series="PG",
            first_number=1,
            last_number=2,
            allocated_on=dt.date(2026, 3, 3),
        )


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_take_consecutive_blanks():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent approvers are a PostgreSQL scenario")
    graduating = f.graduating_class(size=6)
    school = graduating.school
    f.blanks_on_hand(school, "3014", 20, series="KA")
    f.blanks_on_hand(school, "3016", 20, series="KP")
    former = f.staff(school, "former", FunctionArea.CERTIFICATES)
    approvers = [f.staff(school, f"approver-{i}", FunctionArea.CERTIFICATES) for i in range(2)]
    forming = services.documents_form_for_group(
        actor=former, document_type=f.document_type("maturity"), group=graduating.group
    )
    documents = forming.formed
    assert len(documents) == 6
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def approve(approver, mine):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            for document in mine:
                services.document_approve(actor=approver, document=document)
        except Exception as exc:  # any failure is the test's failure
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(approvers[i], documents[i::2])) for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    used = sorted(
        Blank.objects.filter(series="KA", status=BlankStatus.USED).values_list("number", flat=True)
    )
    assert used == [1, 2, 3, 4, 5, 6]  # none twice, none skipped
    numbers = set(
        Document.objects.filter(pk__in=[d.pk for d in documents]).values_list(
            "registration_number", flat=True
        )
    )
    assert len(numbers) == 6 and None not in numbers

"""An HEI data manager's work in the Student Register, through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from edureg.access.models import Level
from edureg.people.tests.factories import PersonFactory
from edureg.students import services
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    PriorEducationKind,
    Result,
    StatusPeriod,
    StudyRight,
    StudyStatus,
)
from edureg.students.tests.factories import (
    SEPT_1,
    funding_source,
    hei,
    leave_reason,
    open_right,
    programme_of,
    staff_for,
    termination_reason,
)

pytestmark = pytest.mark.django_db
D = dt.date
FEB_1 = D(2025, 2, 1)


@pytest.fixture
def university():  # type: ignore[no-untyped-def]
    return hei()


@pytest.fixture
def manager(university):  # type: ignore[no-untyped-def]
    return staff_for(university, "vu-manager")


@pytest.fixture
def right(university, manager):  # type: ignore[no-untyped-def]
    return open_right(university, manager, funding_source=funding_source("11"))


def statuses(right: StudyRight) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(p.status, p.valid_from, p.valid_to) for p in right.periods.order_by("valid_from")]


def message(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return exc.value.message_dict[field][0]


# --- Opening ------------------------------------------------------------------------------


def test_opening_starts_studying_with_the_funding_source(right):  # type: ignore[no-untyped-def]
    assert right.status == StudyStatus.STUDYING
    assert right.cycle == "bachelor"  # from the programme
    assert statuses(right) == [(StudyStatus.STUDYING, SEPT_1, None)]
    funding = right.funding_periods.get()
    assert (funding.source.code, funding.valid_from, funding.valid_to) == ("11", SEPT_1, None)


def test_a_programme_of_another_hei_is_refused(university, manager):  # type: ignore[no-untyped-def]
    other = hei(name_lt="Kauno technologijos universitetas")
    with pytest.raises(ValidationError) as exc:
        open_right(university, manager, programme=programme_of(other))
    assert message(exc, "programme") == "The programme is not provided by this institution."


# --- Every allowed transition through the services ----------------------------------------


def test_leave_and_return(right, manager):  # type: ignore[no-untyped-def]
    services.leave_start(
        actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
    )
    right.refresh_from_db()
    assert right.status == StudyStatus.ACADEMIC_LEAVE
    services.leave_end(actor=manager, study_right=right, on=D(2025, 9, 1))
    right.refresh_from_db()
    assert right.status == StudyStatus.STUDYING
    assert right.version == 3
    assert statuses(right) == [
        (StudyStatus.STUDYING, SEPT_1, FEB_1),
        (StudyStatus.ACADEMIC_LEAVE, FEB_1, D(2025, 9, 1)),
        (StudyStatus.STUDYING, D(2025, 9, 1), None),
    ]


def test_interruption_and_return_to_a_course(right, manager):  # type: ignore[no-untyped-def]
    services.interruption_start(
        actor=manager,
        study_right=right,
        on=FEB_1,
        reasons=[termination_reason("academic-debt"), termination_reason("not-paying")],
    )
    interrupted = right.periods.get(status=StudyStatus.INTERRUPTED)
    assert sorted(r.code for r in interrupted.reasons.all()) == ["academic-debt", "not-paying"]
    services.interruption_end(actor=manager, study_right=right, on=D(2025, 9, 1), course=2)
    right.refresh_from_db()
    assert (right.status, right.course) == (StudyStatus.STUDYING, 2)
    assert right.periods.order_by("valid_from").last().course == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("before", ["studying", "academic_leave", "interrupted"])
def test_termination_from_every_open_state(right, manager, before):  # type: ignore[no-untyped-def]
    if before == "academic_leave":
        services.leave_start(
            actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("childcare")
        )
    elif before == "interrupted":
        services.interruption_start(
            actor=manager, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
        )
    ended = services.terminate(
        actor=manager,
        study_right=right,
        on=D(2025, 6, 1),
        reasons=[termination_reason("no-return"), termination_reason("academic-debt")],
    )
    assert (ended.status, ended.ended_on) == (StudyStatus.TERMINATED, D(2025, 6, 1))
    marker = ended.periods.get(status=StudyStatus.TERMINATED)
    assert (marker.valid_from, marker.valid_to, marker.reasons.count()) == (D(2025, 6, 1), None, 2)
    # the funding in force ends with the studies
    assert ended.funding_periods.get().valid_to == D(2025, 6, 1)


def test_graduation_records_the_diploma(right, manager):  # type: ignore[no-untyped-def]
    graduation = services.graduate(
        actor=manager,
        study_right=right,
        on=D(2028, 6, 30),
        degree="Informatikos bakalauras",
        thesis_title="Registrų duomenų kokybė",
        diploma_reference="BA 123456",
    )
    right.refresh_from_db()
    assert (right.status, right.ended_on) == (StudyStatus.GRADUATED, D(2028, 6, 30))
    assert graduation.study_right == right
    assert Graduation.objects.get(study_right=right).diploma_reference == "BA 123456"


def test_transfer_closes_the_old_right_and_opens_a_linked_one(university, manager, right):  # type: ignore[no-untyped-def]
    other_programme = programme_of(university, name_lt="Matematika", name_en="Mathematics")
    new = services.transfer(
        actor=manager,
        study_right=right,
        on=FEB_1,
        institution=university,
        programme=other_programme,
    )
    right.refresh_from_db()
    assert (right.status, right.ended_on) == (StudyStatus.TRANSFERRED, FEB_1)
    assert new.transferred_from == right
    assert right.transferred_to == new
    assert (new.person, new.started_on, new.status) == (right.person, FEB_1, StudyStatus.STUDYING)
    # the funding source carries over
    assert new.funding_periods.get().source.code == "11"


def test_transfer_to_another_hei_needs_a_manager_of_both(university, manager, right):  # type: ignore[no-untyped-def]
    other = hei(name_lt="Kauno technologijos universitetas")
    with pytest.raises(Http404):
        services.transfer(
            actor=manager,
            study_right=right,
            on=FEB_1,
            institution=other,
            programme=programme_of(other),
        )
    right.refresh_from_db()
    assert right.status == StudyStatus.STUDYING  # nothing changed


# --- Refused transitions through the services ---------------------------------------------


def test_graduation_on_leave_is_refused(right, manager):  # type: ignore[no-untyped-def]
    services.leave_start(
        actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
    )
    with pytest.raises(ValidationError) as exc:
        services.graduate(actor=manager, study_right=right, on=D(2025, 6, 1), degree="BA")
    assert message(exc, "status") == (
        "A student on academic leave cannot graduate: record the return first."
    )
    assert not Graduation.objects.exists()


def test_graduation_while_interrupted_is_refused(right, manager):  # type: ignore[no-untyped-def]
    services.interruption_start(
        actor=manager, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
    )
    with pytest.raises(ValidationError) as exc:
        services.graduate(actor=manager, study_right=right, on=D(2025, 6, 1), degree="BA")
    assert message(exc, "status").startswith("A student whose studies are interrupted")


@pytest.mark.parametrize("end", ["terminate", "graduate", "transfer"])
def test_nothing_after_the_end(university, right, manager, end):  # type: ignore[no-untyped-def]
    if end == "terminate":
        services.terminate(
            actor=manager, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
        )
    elif end == "graduate":
        services.graduate(actor=manager, study_right=right, on=FEB_1, degree="BA")
    else:
        services.transfer(
            actor=manager,
            study_right=right,
            on=FEB_1,
            institution=university,
            programme=programme_of(university),
        )
    with pytest.raises(ValidationError) as exc:
        services.leave_start(
            actor=manager, study_right=right, on=D(2025, 3, 1), leave_reason=leave_reason("illness")
        )
    assert "The studies have already ended" in message(exc, "status")


def test_a_return_before_the_leave_is_refused_on_the_date(right, manager):  # type: ignore[no-untyped-def]
    services.leave_start(
        actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
    )
    with pytest.raises(ValidationError) as exc:
        services.leave_end(actor=manager, study_right=right, on=D(2025, 1, 15))
    assert (
        message(exc, "on") == "The return must come after the academic leave starts (2025-02-01)."
    )


def test_illness_leave_of_exactly_two_years_then_one_day_more(university, manager):  # type: ignore[no-untyped-def]
    ok, too_long = open_right(university, manager), open_right(university, manager)
    for right in (ok, too_long):
        services.leave_start(
            actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
        )
    services.leave_end(actor=manager, study_right=ok, on=D(2027, 2, 1))
    with pytest.raises(ValidationError) as exc:
        services.leave_end(actor=manager, study_right=too_long, on=D(2027, 2, 2))
    assert message(exc, "on") == (
        "Academic leave for illness may last at most 2 years: "
        "the return must be no later than 2027-02-01."
    )
    too_long.refresh_from_db()
    assert too_long.status == StudyStatus.ACADEMIC_LEAVE


def test_a_second_personal_leave_is_refused(right, manager):  # type: ignore[no-untyped-def]
    personal = leave_reason("personal")
    services.leave_start(actor=manager, study_right=right, on=FEB_1, leave_reason=personal)
    services.leave_end(actor=manager, study_right=right, on=D(2025, 9, 1))
    with pytest.raises(ValidationError) as exc:
        services.leave_start(
            actor=manager, study_right=right, on=D(2026, 2, 1), leave_reason=personal
        )
    assert "only once" in message(exc, "leave_reason")


def test_return_from_interruption_needs_a_course(right, manager):  # type: ignore[no-untyped-def]
    services.interruption_start(
        actor=manager, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
    )
    with pytest.raises(ValidationError) as exc:
        services.interruption_end(actor=manager, study_right=right, on=D(2025, 9, 1), course=None)
    assert message(exc, "course") == "Give the course the student returns to."
    with pytest.raises(ValidationError) as exc:
        services.leave_end(actor=manager, study_right=right, on=D(2025, 9, 1))
    assert message(exc, "status") == "The student is not on academic leave."


def test_interruption_and_termination_need_reasons(right, manager):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.interruption_start(actor=manager, study_right=right, on=FEB_1, reasons=[])
    assert message(exc, "reasons") == "Give at least one reason for the interruption."
    with pytest.raises(ValidationError) as exc:
        services.terminate(actor=manager, study_right=right, on=FEB_1, reasons=[])
    assert message(exc, "reasons") == "Give at least one reason for the termination."
    with pytest.raises(ValidationError):  # a leave reason is not a termination reason
        services.terminate(
            actor=manager, study_right=right, on=FEB_1, reasons=[leave_reason("illness")]
        )


def test_a_change_before_the_start_of_the_studies_is_refused(right, manager):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.leave_start(
            actor=manager, study_right=right, on=D(2024, 8, 1), leave_reason=leave_reason("illness")
        )
    assert message(exc, "on") == "A change must come after the current period starts (2024-09-01)."


# --- Back-dated corrections ---------------------------------------------------------------


def test_a_back_dated_correction_moves_the_boundary_and_keeps_history(right, manager):  # type: ignore[no-untyped-def]
    leave = services.leave_start(
        actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
    )
    versions_before = leave.history.count()
    services.period_correct(actor=manager, period=leave, valid_from=D(2025, 1, 10))
    assert statuses(right) == [
        (StudyStatus.STUDYING, SEPT_1, D(2025, 1, 10)),
        (StudyStatus.ACADEMIC_LEAVE, D(2025, 1, 10), None),
    ]
    assert leave.history.count() == versions_before + 1
    assert leave.history.earliest().valid_from == FEB_1  # the previous version is kept


def test_a_correction_is_validated_against_the_whole_history(right, manager):  # type: ignore[no-untyped-def]
    leave = services.leave_start(
        actor=manager, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
    )
    services.leave_end(actor=manager, study_right=right, on=D(2025, 9, 1))
    # the return moved three years later makes the illness leave too long
    with pytest.raises(ValidationError) as exc:
        services.period_correct(actor=manager, period=leave, valid_to=D(2028, 9, 1))
    assert "at most 2 years" in message(exc, "valid_to")
    # a leave that started before the studies
    with pytest.raises(ValidationError) as exc:
        services.period_correct(actor=manager, period=leave, valid_from=D(2024, 8, 1))
    assert message(exc, "valid_from")
    leave.refresh_from_db()
    assert (leave.valid_from, leave.valid_to) == (FEB_1, D(2025, 9, 1))  # unchanged


def test_correcting_the_end_date_moves_the_end_of_the_right(right, manager):  # type: ignore[no-untyped-def]
    services.graduate(actor=manager, study_right=right, on=D(2028, 6, 30), degree="BA")
    marker = right.periods.get(status=StudyStatus.GRADUATED)
    services.period_correct(actor=manager, period=marker, valid_from=D(2028, 6, 20))
    right.refresh_from_db()
    assert right.ended_on == D(2028, 6, 20)
    assert right.graduation.graduated_on == D(2028, 6, 20)
    assert right.funding_periods.get().valid_to == D(2028, 6, 20)


# --- Funding, prior education, mobility, results, loans, scholarships ---------------------


def test_funding_change_closes_the_current_source(right, manager):  # type: ignore[no-untyped-def]
    services.funding_change(
        actor=manager, study_right=right, source=funding_source("self-paid"), valid_from=FEB_1
    )
    periods = list(right.funding_periods.order_by("valid_from"))
    assert [(p.source.code, p.valid_from, p.valid_to) for p in periods] == [
        ("11", SEPT_1, FEB_1),
        ("self-paid", FEB_1, None),
    ]
    with pytest.raises(ValidationError) as exc:
        services.funding_change(
            actor=manager, study_right=right, source=funding_source("11"), valid_from=FEB_1
        )
    assert message(exc, "valid_from").startswith("The new funding source must start after")
    assert FundingPeriod.objects.filter(study_right=right).count() == 2


def test_a_foreign_document_needs_its_recognition(right, manager):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.prior_education_add(
            actor=manager, study_right=right, kind=PriorEducationKind.FOREIGN, country="UA"
        )
    assert "recognition_decision" in exc.value.message_dict
    record = services.prior_education_add(
        actor=manager,
        study_right=right,
        kind=PriorEducationKind.FOREIGN,
        country="UA",
        issuer="Kyiv Lyceum No. 1",
        recognition_decision="SKVC 2024-07-15 Nr. 123",
        recognition_date=D(2024, 7, 15),
    )
    assert right.prior_education.get() == record


def test_mobility_recognises_no_more_than_earned(right, manager):  # type: ignore[no-untyped-def]
    fields = {
        "host_institution": "Universidad de Granada",
        "host_country": "es",
        "programme_name": "Erasmus+",
        "valid_from": FEB_1,
        "valid_to": D(2025, 6, 30),
        "credits_earned": Decimal(30),
    }
    with pytest.raises(ValidationError) as exc:
        services.mobility_add(
            actor=manager, study_right=right, credits_recognised=Decimal(31), **fields
        )
    assert "credits_recognised" in exc.value.message_dict
    mobility = services.mobility_add(
        actor=manager, study_right=right, credits_recognised=Decimal(27), **fields
    )
    assert (mobility.host_country, mobility.credits_recognised) == ("ES", Decimal(27))


def test_results_are_a_grade_or_pass_fail_and_upsert_by_key(right, manager):  # type: ignore[no-untyped-def]
    base = {
        "semester": 1,
        "course_unit_code": "INF101",
        "course_unit_title": "Programavimo pagrindai",
        "credits": Decimal(6),
        "assessed_on": D(2025, 1, 20),
    }
    with pytest.raises(ValidationError) as exc:
        services.result_add(actor=manager, study_right=right, grade=8, passed=True, **base)
    assert "grade" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.result_add(actor=manager, study_right=right, grade=11, **base)
    first = services.result_add(
        actor=manager, study_right=right, grade=4, source_system="vu-sis", local_id="r1", **base
    )
    again = services.result_add(
        actor=manager, study_right=right, grade=9, source_system="vu-sis", local_id="r1", **base
    )
    assert again.pk == first.pk
    assert Result.objects.get(pk=first.pk).grade == 9


def test_the_database_holds_grade_or_pass_for_every_writer(right):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(
            study_right=right,
            semester=1,
            course_unit_code="X",
            course_unit_title="X",
            credits=Decimal(3),
            assessed_on=D(2025, 1, 1),
        )


def test_loans_upsert_and_scholarships(right, manager):  # type: ignore[no-untyped-def]
    loan = services.loan_record(
        actor=manager,
        study_right=right,
        kind="tuition",
        amount=Decimal("1200.00"),
        granted_on=D(2024, 10, 1),
        valid_from=D(2024, 10, 1),
        source_system="vssaa",
        local_id="L-1",
    )
    same = services.loan_record(
        actor=manager,
        study_right=right,
        kind="tuition",
        amount=Decimal("1500.00"),
        granted_on=D(2024, 10, 1),
        valid_from=D(2024, 10, 1),
        source_system="vssaa",
        local_id="L-1",
    )
    assert same.pk == loan.pk and right.loans.get().amount == Decimal("1500.00")
    with pytest.raises(ValidationError):
        services.scholarship_add(
            actor=manager,
            study_right=right,
            kind="incentive",
            amount=Decimal(100),
            valid_from=FEB_1,
            valid_to=FEB_1,
        )
    services.scholarship_add(
        actor=manager,
        study_right=right,
        kind="social",
        amount=Decimal("240.00"),
        valid_from=FEB_1,
        valid_to=D(2025, 7, 1),
        payer="VSSA",
    )
    assert right.scholarships.count() == 1


def test_update_changes_descriptive_fields_only(right, manager):  # type: ignore[no-untyped-def]
    updated = services.study_right_update(
        actor=manager, study_right=right, course=2, student_card_number=" S-42 "
    )
    assert (updated.course, updated.student_card_number, updated.version) == (2, "S-42", 2)
    with pytest.raises(ValidationError) as exc:
        services.study_right_update(actor=manager, study_right=right, status="graduated")
    assert "status" in exc.value.message_dict


# --- Scope --------------------------------------------------------------------------------


def test_a_manager_of_another_hei_cannot_write_by_any_service(right):  # type: ignore[no-untyped-def]
    outsider = staff_for(hei(name_lt="Kitas universitetas"), "other-manager")
    period = right.periods.get()
    writes = [
        lambda: services.leave_start(
            actor=outsider, study_right=right, on=FEB_1, leave_reason=leave_reason("illness")
        ),
        lambda: services.interruption_start(
            actor=outsider, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
        ),
        lambda: services.terminate(
            actor=outsider, study_right=right, on=FEB_1, reasons=[termination_reason("own-request")]
        ),
        lambda: services.graduate(actor=outsider, study_right=right, on=FEB_1, degree="BA"),
        lambda: services.study_right_update(actor=outsider, study_right=right, course=2),
        lambda: services.period_correct(actor=outsider, period=period, valid_from=D(2024, 9, 2)),
        lambda: services.funding_change(
            actor=outsider, study_right=right, source=funding_source("self-paid"), valid_from=FEB_1
        ),
        lambda: services.result_add(
            actor=outsider,
            study_right=right,
            semester=1,
            course_unit_code="X",
            course_unit_title="X",
            credits=Decimal(3),
            grade=10,
            assessed_on=FEB_1,
        ),
        lambda: services.scholarship_add(
            actor=outsider,
            study_right=right,
            kind="social",
            amount=Decimal(1),
            valid_from=FEB_1,
            valid_to=D(2025, 3, 1),
        ),
        lambda: services.prior_education_add(
            actor=outsider, study_right=right, kind=PriorEducationKind.CREDENTIAL
        ),
        lambda: services.mobility_add(
            actor=outsider,
            study_right=right,
            host_institution="X",
            host_country="ES",
            valid_from=FEB_1,
            valid_to=D(2025, 3, 1),
        ),
        lambda: services.loan_record(
            actor=outsider,
            study_right=right,
            kind="tuition",
            amount=Decimal(1),
            granted_on=FEB_1,
            valid_from=FEB_1,
        ),
    ]
    for write in writes:
        with pytest.raises(Http404):
            write()
    right.refresh_from_db()
    assert (right.version, right.status) == (1, StudyStatus.STUDYING)
    assert StatusPeriod.objects.filter(study_right=right).count() == 1


def test_a_manager_cannot_open_a_right_at_another_hei(university):  # type: ignore[no-untyped-def]
    outsider = staff_for(hei(name_lt="Kitas universitetas"), "other-manager")
    with pytest.raises(Http404):
        open_right(university, outsider, person=PersonFactory())
    assert not StudyRight.objects.exists()


def test_a_viewer_of_the_hei_may_not_change(university, right):  # type: ignore[no-untyped-def]
    viewer = staff_for(university, "vu-viewer", level=Level.VIEWER)
    with pytest.raises(PermissionDenied):
        services.study_right_update(actor=viewer, study_right=right, course=2)

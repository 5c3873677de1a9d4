"""Demo students: `seed_demo` fills the Student Register with study rights whose histories keep
the register's rules, with versions and change-log entries, and every kind of record for the
screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from edureg.core.audit import verify_all
from edureg.core.demo import Scale
from edureg.core.models import ChangeLogEntry
from edureg.institutions.models import Institution
from edureg.pupils.models import Enrolment
from edureg.students import timeline
from edureg.students.demo import (
    HeiRef,
    RightSpec,
    StudentRef,
    StudyProgrammeRef,
    plan_check,
    students_generate,
)
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Result,
    Scholarship,
    StatusPeriod,
    StudyLoan,
    StudyRight,
    StudyStatus,
)

S = StudyStatus
RECORDS = (
    StudyRight,
    StatusPeriod,
    FundingPeriod,
    PriorEducation,
    Mobility,
    Result,
    StudyLoan,
    Scholarship,
    Graduation,
)


def _timeline(right: StudyRight) -> list[timeline.Period]:
    return [
        timeline.Period(
            status=period.status,
            valid_from=period.valid_from,
            valid_to=period.valid_to,
            leave_reason=getattr(period.leave_reason, "code", None),
            course=period.course,
            reasons=tuple(sorted(reason.code for reason in period.reasons.all())),
        )
        for period in right.periods.all()
    ]


@pytest.mark.django_db
def test_small_seed_gives_a_student_register_that_keeps_its_rules() -> None:
    # Given a freshly migrated database
    # When the small demo data is seeded
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", "3", stdout=out)
    today = timezone.localdate()

    # Then there are some hundred study rights, most of them current
    rights = StudyRight.objects.all()
    current = rights.filter(ended_on__isnull=True)
    assert 100 <= rights.count() <= 400
    assert current.count() >= rights.count() // 2
    # and the university of the demo user "universitetas" has current students
    university = (
        Institution.objects.filter(main_group__code="university").order_by("register_id").first()
    )
    assert current.filter(institution=university).count() >= 10
    # and every status appears, current and ended, with transfers linked to what they continue
    statuses = set(rights.values_list("status", flat=True))
    assert statuses == set(S.values)
    for right in rights.filter(transferred_from__isnull=False).select_related("transferred_from"):
        old = right.transferred_from
        assert old is not None
        assert (old.status, old.ended_on) == (S.TRANSFERRED, right.started_on)
        assert old.person_id == right.person_id
    # and every study right's history, read back, keeps the timeline rules, and its status and
    # end date follow from it
    for right in rights.prefetch_related("periods__reasons", "periods__leave_reason"):
        periods = _timeline(right)
        timeline.validate(right.started_on, periods)
        assert timeline.outcome(periods) == (right.status, right.ended_on)
        assert max(p.valid_from for p in periods) <= today
    # and every leave reason, interruptions and terminations with their reasons
    leave_reasons = StatusPeriod.objects.filter(status=S.ACADEMIC_LEAVE).values_list(
        "leave_reason__code", flat=True
    )
    assert set(leave_reasons) == set(timeline.LEAVE_LIMIT_YEARS)
    for status in (S.INTERRUPTED, S.TERMINATED):
        with_status = StatusPeriod.objects.filter(status=status)
        assert with_status.exists()
        assert not with_status.filter(reasons__isnull=True).exists()
    # and a graduation for every graduated study right, on its end date
    graduated = rights.filter(status=S.GRADUATED)
    assert Graduation.objects.count() == graduated.count() > 0
    for right in graduated.select_related("graduation"):
        assert right.graduation.graduated_on == right.ended_on
        assert right.graduation.degree and right.graduation.diploma_reference
    # and prior education of every study right: from the Pupil Register for school leavers,
    # foreign documents with the recognition decision, other credentials
    assert not rights.filter(prior_education__isnull=True).exists()
    kinds = set(PriorEducation.objects.values_list("kind", flat=True))
    assert kinds == set(PriorEducationKind.values)
    for prior in PriorEducation.objects.filter(kind=PriorEducationKind.PUPIL_REGISTER):
        person = prior.study_right.person_id
        assert Enrolment.objects.filter(person_id=person, group__grade="12").exists()
    for prior in PriorEducation.objects.filter(kind=PriorEducationKind.FOREIGN).select_related(
        "study_right__person"
    ):
        assert prior.recognition_decision and prior.recognition_date
        assert prior.country == prior.study_right.person.citizenship != "LT"
    # and funding from the start of the studies, some with a change of source
    assert not rights.filter(funding_periods__isnull=True).exists()
    assert FundingPeriod.objects.count() > rights.count()
    for funding in FundingPeriod.objects.select_related("study_right"):
        assert funding.valid_from >= funding.study_right.started_on
    open_funding = FundingPeriod.objects.filter(valid_to__isnull=True)
    assert open_funding.count() == current.count()
    assert not open_funding.filter(study_right__ended_on__isnull=False).exists()
    # and mobility, results graded and pass/fail, loans and scholarships
    assert Mobility.objects.filter(programme_name="Erasmus+").exists()
    assert Result.objects.filter(grade__isnull=False).exists()
    assert Result.objects.filter(passed__isnull=False).exists()
    assert StudyLoan.objects.exists() and Scholarship.objects.exists()
    # and every record has its first version and change-log entry, and the chains verify
    for model in RECORDS:
        count = model.objects.count()
        assert model.history.count() >= count
        assert ChangeLogEntry.objects.filter(model=model._meta.label_lower).count() >= count
    reasons_history = apps.get_model("students", "HistoricalStatusPeriod_reasons")
    assert reasons_history.objects.count() == StatusPeriod.reasons.through.objects.count() > 0
    assert verify_all() == []
    assert f"{rights.count()} study rights" in out.getvalue()

    # When seeded again with --if-empty
    counts = {model: model.objects.count() for model in RECORDS}
    again = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", "3", "--if-empty", stdout=again)

    # Then nothing is added
    assert "not loaded" in again.getvalue()
    assert {model: model.objects.count() for model in RECORDS} == counts


def _references() -> dict[str, Any]:
    students = [
        StudentRef(i, dt.date(1990 + i % 17, 3, 1 + i % 28), "LT" if i % 9 else "UA")
        for i in range(1, 300)
    ]
    students += [
        StudentRef(i, dt.date(2007, 5, 5), "LT", dt.date(2026, 9, 1), "Vilniaus licėjus")
        for i in range(300, 340)
    ]
    heis = [
        HeiRef(1, "Vilniaus universitetas", "university"),
        HeiRef(2, "Vilniaus kolegija", "college"),
    ]
    programmes = [
        StudyProgrammeRef(10, 1, "bachelor", 4, True, "Informatika", ""),
        StudyProgrammeRef(11, 1, "master", 2, False, "Teisė", ""),
        StudyProgrammeRef(12, 2, "professional_bachelor", 3, True, "Slauga", ""),
    ]
    return {"students": students, "heis": heis, "programmes": programmes}


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    day = dt.date(2026, 11, 22)

    def generate(seed: int) -> list[RightSpec]:
        return students_generate(scale=Scale.SMALL, seed=seed, today=day, **_references()).rights

    first, again, other = generate(3), generate(3), generate(4)

    assert first == again
    assert first != other
    # Nothing is dated after the day the data is generated for, and the school leavers start
    # their first year on the day their grade 12 ended.
    assert max(right.started_on for right in first) <= day
    leavers = [right for right in first if right.person_id >= 300]
    assert leavers and {right.started_on for right in leavers} == {dt.date(2026, 9, 1)}


def test_the_check_refuses_a_history_that_breaks_the_rules() -> None:
    day = dt.date(2026, 11, 22)
    plan = students_generate(scale=Scale.SMALL, seed=3, today=day, **_references())
    plan_check(plan, day)
    # A termination without a reason, as a generator bug might make it.
    right = next(r for r in plan.rights if r.status == S.TERMINATED)
    right.periods[-1] = replace(right.periods[-1], reasons=())

    with pytest.raises(AssertionError):
        plan_check(plan, day)

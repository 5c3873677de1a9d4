"""Reads of the Student Register, scoped like every read of personal data.

Study rights are seen by the data managers and viewers an HEI appointed (function area
"student data", institution scope: the HEI with its branches), by the agency (national scope)
and by the student. Municipalities have no part in the Student Register.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, ensure_in_scope, get_in_scope, restrict
from edureg.core.audit import log_person_access
from edureg.core.context import Actor
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.people.selectors import person_to_register
from edureg.students.models import FundingPeriod, Result, StatusPeriod, StudyRight

STUDENT_AREAS = (FunctionArea.STUDENT_DATA,)

STUDY_RIGHT_PATHS = ScopePaths(institution=("institution",), person="person")
# A student reads their own rights but never changes them: no person path for changes.
STUDY_RIGHT_CHANGE_PATHS = ScopePaths(institution=("institution",))
INSTITUTION_ITSELF = ScopePaths(institution=("pk",))

# A passing grade on the Lithuanian 10-point scale is 5 ("pakankamai") or more.
PASSING_GRADE = 5
SEMESTERS_A_YEAR = 2


def institution_for_student_work(
    *, actor: Actor, institution: Institution, level: str = Level.MANAGER
) -> Institution:
    """The HEI if the actor keeps its students' data at `level` (404 out of scope, 403 below
    the level); asked once per request for an institution."""
    ensure_in_scope(
        Institution,
        institution.pk,
        actor=actor,
        areas=STUDENT_AREAS,
        paths=INSTITUTION_ITSELF,
        level=level,
    )
    return institution


def managed_institutions(*, actor: Actor) -> QuerySet[Institution]:
    """The HEIs whose students' data the actor keeps (manager level)."""
    return restrict(
        Institution.objects.all(),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
    )


def person_for_study_right(
    *, actor: Actor, personal_code: str | None = None, public_id: Any = None
) -> Person | None:
    """A person an HEI may admit, found by personal code (or the public id of one found so)
    whether or not the HEI sees them yet (a new student). Only for actors who keep some HEI's
    student data at manager level; a found person is written to their access log, like any
    other read."""
    return person_to_register(
        actor=actor,
        areas=STUDENT_AREAS,
        what="student.admission-lookup",
        personal_code=personal_code,
        public_id=public_id,
    )


def student_rights_in_scope(*, actor: Actor, level: str = Level.VIEWER) -> QuerySet[StudyRight]:
    """The study rights the actor may see (or, with level=manager, change)."""
    return restrict(
        StudyRight.objects.select_related("person", "institution", "programme"),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=_paths_for(level),
        level=level,
    )


def with_history(rights: QuerySet[StudyRight]) -> QuerySet[StudyRight]:
    """Study rights with what the detail shows, in a fixed number of queries."""
    return rights.select_related(
        "person",
        "institution",
        "programme",
        "transferred_from",
        "transferred_to",
        "graduation__qualification",
    ).prefetch_related(
        Prefetch(
            "periods",
            queryset=StatusPeriod.objects.select_related("leave_reason")
            .prefetch_related("reasons")
            .order_by("valid_from", "id"),
        ),
        Prefetch(
            "funding_periods",
            queryset=FundingPeriod.objects.select_related("source").order_by("valid_from"),
        ),
    )


def as_written(
    right: StudyRight,
    *,
    periods: list[StatusPeriod],
    funding: list[FundingPeriod],
    graduation: Any = None,
) -> StudyRight:
    """A new study right just written, with what `with_history` loads, from memory (its
    periods with their reasons set by the writer): read back, it would be the same."""
    right._prefetched_objects_cache = {
        "periods": prefetched(right.periods, periods),
        "funding_periods": prefetched(right.funding_periods, funding),
    }
    right._state.fields_cache["transferred_to"] = None
    right._state.fields_cache["graduation"] = graduation
    return right


def prefetched(manager: Any, objs: list[Any]) -> Any:
    rows = manager.get_queryset()
    rows._result_cache = list(objs)
    rows._prefetch_done = True
    return rows


def reloaded(right: StudyRight) -> StudyRight:
    """The right as stored after a write (the caller has already read it in scope)."""
    return with_history(StudyRight.objects.all()).get(pk=right.pk)


def _paths_for(level: str) -> ScopePaths:
    return STUDY_RIGHT_PATHS if level == Level.VIEWER else STUDY_RIGHT_CHANGE_PATHS


def study_right_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    what: str = "student.study-right",
    level: str = Level.VIEWER,
) -> StudyRight:
    """One study right in scope with its status history, logged as a read of the student's
    data. Unknown and out-of-scope rights are both 404; in scope but below `level`, 403."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    right = get_in_scope(
        StudyRight.objects.select_related(
            "person", "institution", "programme", "transferred_from"
        ).prefetch_related(
            Prefetch(
                "periods",
                queryset=StatusPeriod.objects.select_related("leave_reason")
                .prefetch_related("reasons")
                .order_by("valid_from", "id"),
            ),
            "funding_periods__source",
        ),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=_paths_for(level),
        level=level,
        public_id=key,
    )
    log_person_access(actor=actor, person_public_ids=[right.person.public_id], what=what)
    return right


def study_right_for_change(*, actor: Actor, study_right: StudyRight) -> StudyRight:
    """The study right locked for a write, if the actor manages it (404/403 otherwise)."""
    return get_in_scope(
        StudyRight.objects.all(),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=STUDY_RIGHT_CHANGE_PATHS,
        level=Level.MANAGER,
        lock=True,
        pk=study_right.pk,
    )


@dataclass
class TranscriptSemester:
    semester: int
    results: list[Result] = field(default_factory=list)
    credits_earned: Decimal = Decimal(0)


@dataclass
class TranscriptYear:
    year: int
    semesters: list[TranscriptSemester] = field(default_factory=list)
    credits_earned: Decimal = Decimal(0)


@dataclass
class Transcript:
    years: list[TranscriptYear]
    credits_earned: Decimal


def result_passed(result: Result) -> bool:
    if result.grade is not None:
        return result.grade >= PASSING_GRADE
    return bool(result.passed)


def transcript(study_right: StudyRight) -> Transcript:
    """The results of a study right by year of study and semester, with the credits earned
    (passed results only) per semester, per year and in all. Semesters 1–2 are year 1, 3–4
    year 2, and so on. The caller has read the study right through `study_right_get`."""
    by_semester: dict[int, TranscriptSemester] = {}
    results = Result.objects.filter(study_right=study_right).order_by(
        "semester", "assessed_on", "course_unit_code"
    )
    for result in results:
        semester = by_semester.setdefault(
            result.semester, TranscriptSemester(semester=result.semester)
        )
        semester.results.append(result)
        if result_passed(result):
            semester.credits_earned += result.credits
    years: dict[int, TranscriptYear] = defaultdict(lambda: TranscriptYear(year=0))
    for number in sorted(by_semester):
        year_number = (number + SEMESTERS_A_YEAR - 1) // SEMESTERS_A_YEAR
        year = years[year_number]
        year.year = year_number
        year.semesters.append(by_semester[number])
        year.credits_earned += by_semester[number].credits_earned
    ordered = [years[n] for n in sorted(years)]
    return Transcript(
        years=ordered, credits_earned=sum((y.credits_earned for y in ordered), Decimal(0))
    )


def status_history(study_right: StudyRight) -> list[Any]:
    """The status periods of a right in order (prefetched by `study_right_get`)."""
    return sorted(study_right.periods.all(), key=lambda p: (p.valid_from, p.pk))

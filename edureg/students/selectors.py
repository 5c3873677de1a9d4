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

from django.db.models import OuterRef, Prefetch, QuerySet
from django.http import Http404

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, ensure_in_scope, get_in_scope, grant, restrict
from edureg.core.audit import log_person_access
from edureg.core.context import Actor
from edureg.core.db import columns, instance_from_json, json_object, json_rows, set_prefetched
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.people.selectors import person_to_register
from edureg.programmes.models import Programme, ProgrammeVersion
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    Mobility,
    PriorEducation,
    Result,
    Scholarship,
    StatusPeriod,
    StudyLoan,
    StudyRight,
)

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


def institutions_in_view(*, actor: Actor) -> QuerySet[Institution]:
    """The HEIs whose students the actor may see (viewer level): what the student list's
    institution picker offers."""
    return restrict(
        Institution.objects.all(), actor=actor, areas=STUDENT_AREAS, paths=INSTITUTION_ITSELF
    )


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
            Prefetch("funding_periods", queryset=FundingPeriod.objects.select_related("source")),
        ),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=_paths_for(level),
        level=level,
        public_id=key,
    )
    log_person_access(actor=actor, person_public_ids=[right.person.public_id], what=what)
    return right


def study_right_for_card(
    *, actor: Actor, public_id: uuid.UUID | str, what: str = "student.card"
) -> StudyRight:
    """One study right in scope with its student, HEI and programme only (the card loads the
    rest with `card_rights`), logged as a read of the student's data; 404 when unknown or out
    of scope."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    right = get_in_scope(
        StudyRight.objects.select_related("person", "institution", "programme"),
        actor=actor,
        areas=STUDENT_AREAS,
        paths=STUDY_RIGHT_PATHS,
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
    results = Result.objects.filter(study_right=study_right).order_by(
        "semester", "assessed_on", "course_unit_code"
    )
    return _transcript(list(results))


def _transcript(results: list[Result]) -> Transcript:
    by_semester: dict[int, TranscriptSemester] = {}
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


def transcript_of(results: list[Result]) -> Transcript:
    """The transcript of results already loaded (see `transcript`)."""
    ordered = sorted(results, key=lambda r: (r.semester, r.assessed_on, r.course_unit_code))
    return _transcript(ordered)


def manages(actor: Actor, institution_id: int) -> bool:
    """Whether the actor keeps this HEI's students' data at manager level (as
    `managed_institutions` would answer), decided from the actor's roles without a query."""
    given = grant(actor, STUDENT_AREAS, Level.MANAGER)
    return given.national or institution_id in given.institution_ids


# --- The student card: a person's study rights with everything shown, in one statement --------

_CLASSIFIER = ("id", "code", "name_lt", "name_en")


def _classifier(prefix: str) -> dict[str, str]:
    return {name: f"{prefix}{name}" for name in _CLASSIFIER}


def _versions(programme: str) -> Any:
    """The programme's versions (for its name in force), by the outer row's programme id."""
    return json_rows(
        ProgrammeVersion.objects.filter(programme=OuterRef(programme)),
        per="programme",
        id="id",
        programme_id="programme_id",
        number="number",
        status="status",
        name_lt="name_lt",
        name_en="name_en",
    )


def _programme_of(prefix: str) -> dict[str, Any]:
    """A right's programme with its versions, as a nested object."""
    return {
        **columns(Programme, f"{prefix}programme__"),
        "versions": _versions(f"{prefix}programme_id"),
    }


def _linked_right(prefix: str) -> dict[str, Any]:
    """A transferred-from or -to right, with its institution and programme, as a nested object."""
    return {
        **columns(StudyRight, prefix),
        "institution": columns(Institution, f"{prefix}institution__"),
        "programme": _programme_of(prefix),
    }


def _card_rows(model: type[Any], **related: Any) -> Any:
    return json_rows(
        model.objects.filter(study_right=OuterRef("pk")),
        per="study_right",
        **columns(model, skip=related),
        **related,
    )


def card_rights(*, actor: Actor, person: Person) -> list[StudyRight]:
    """The person's study rights in the actor's scope, newest first, each with its programme's
    versions, status periods (with their reasons), funding, prior education, mobility, results,
    loans, scholarships, graduation and the rights it was transferred from and to — in one
    statement, whatever the length of the history (see core.db)."""
    reasons_through = StatusPeriod.reasons.through
    rows = (
        student_rights_in_scope(actor=actor)
        .filter(person=person)
        .order_by("-started_on", "-pk")
        .values(*columns(StudyRight))
        .annotate(
            _institution=json_object(columns(Institution, "institution__")),
            _programme=json_object(_programme_of("")),
            _from=json_object(_linked_right("transferred_from__")),
            _to=json_object(_linked_right("transferred_to__")),
            _graduation=json_object(
                {
                    **columns(Graduation, "graduation__", skip=["qualification"]),
                    "qualification": _classifier("graduation__qualification__"),
                }
            ),
            _periods=_card_rows(
                StatusPeriod,
                leave_reason=_classifier("leave_reason__"),
                reasons=json_rows(
                    reasons_through.objects.filter(statusperiod=OuterRef("pk")),
                    per="statusperiod",
                    **_classifier("classifiervalue__"),
                ),
            ),
            _funding=_card_rows(FundingPeriod, source=_classifier("source__")),
            _prior=_card_rows(PriorEducation, document_type=_classifier("document_type__")),
            _mobilities=_card_rows(Mobility),
            _results=_card_rows(Result),
            _loans=_card_rows(StudyLoan),
            _scholarships=_card_rows(Scholarship),
        )
    )
    return [_card_right(row, person) for row in rows]


def _card_right(row: dict[str, Any], person: Person) -> StudyRight:
    right = instance_from_json(StudyRight, {k: v for k, v in row.items() if not k.startswith("_")})
    right.person = person
    right.institution = instance_from_json(Institution, row["_institution"])
    right.programme = instance_from_json(Programme, row["_programme"])
    for name, key in (("transferred_from", "_from"), ("transferred_to", "_to")):
        linked = row[key]
        other = instance_from_json(StudyRight, linked) if linked.get("id") is not None else None
        _cache(right, name, other)
    graduation = row["_graduation"]
    found = instance_from_json(Graduation, graduation) if graduation.get("id") else None
    _cache(right, "graduation", found)
    for name, key, order in (
        ("periods", "_periods", lambda p: (p.valid_from, p.pk)),
        ("funding_periods", "_funding", lambda f: (f.valid_from, f.pk)),
        ("prior_education", "_prior", lambda d: d.pk),
        ("mobilities", "_mobilities", lambda m: (m.valid_from, m.pk)),
        ("results", "_results", lambda r: (r.semester, r.assessed_on, r.course_unit_code)),
        ("loans", "_loans", lambda loan: (loan.granted_on, loan.pk)),
        ("scholarships", "_scholarships", lambda s: (s.valid_from, s.pk)),
    ):
        model = StudyRight._meta.get_field(name).related_model
        rows = sorted((instance_from_json(model, r) for r in row[key]), key=order)
        set_prefetched(right, name, rows)
    return right


def _cache(instance: Any, name: str, value: Any) -> None:
    """Set a one-to-one relation (either side) as select_related would, None included."""
    instance._meta.get_field(name).set_cached_value(instance, value)


def status_history(study_right: StudyRight) -> list[Any]:
    """The status periods of a right in order (prefetched by `study_right_get`)."""
    return sorted(study_right.periods.all(), key=lambda p: (p.valid_from, p.pk))

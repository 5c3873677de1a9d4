"""Exams, annual grades and competence assessment: writes (services) and scoped reads.

The rules:
- the agency (exam planning, national manager) opens a session and lists its exams;
- a school (exam planning, manager of the school) plans which of its enrolled pupils sit which
  exams; a pupil sits an exam once;
- results come from the exam centre (`pupils.exam_centre`) only for pupils planned for that exam;
  a result lands as the pupil's `Achievement` of kind exam; a changed result (an appeal) updates
  both, with history;
- annual grades are recorded by a school the pupil is or was enrolled at (pupil learning data);
- competence assessment results are recorded per module of the learner's vocational programme
  by the institution's assessor (competence assessment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import ScopePaths, get_in_scope, require, restrict
from edureg.core.audit import log_person_access
from edureg.core.collation import name_order
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.core.models import ClassifierValue, localized_name
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.programmes.models import Module
from edureg.pupils.learning_models import (
    PASSING_GRADE,
    STATE_EXAM_PASS_SCORE,
    AnnualGrade,
    CompetenceAssessment,
    Exam,
    ExamKind,
    ExamRegistration,
    ExamResult,
    ExamSession,
)
from edureg.pupils.models import (
    Achievement,
    AchievementKind,
    AchievementLevel,
    Enrolment,
    Group,
    GroupKind,
)
from edureg.pupils.selectors import INSTITUTION_ITSELF, LEARNING_PATHS, PUPIL_AREAS

EXAM_AREAS = (FunctionArea.EXAM_PLANNING,)
REGISTRATION_PATHS = ScopePaths(
    institution=("institution",), municipality=("institution__municipality",), person="person"
)


def _check(actor: Actor, institution: Institution, area: str) -> None:
    """The actor manages `area` at the institution (404 out of scope, 403 below manager)."""
    if actor.kind == ActorKind.SYSTEM:
        return
    get_in_scope(
        Institution.objects.all(),
        actor=actor,
        areas=[area],
        paths=INSTITUTION_ITSELF,
        level=Level.MANAGER,
        pk=institution.pk,
    )


def _enrolled(person: Person, institution: Institution, *, open_only: bool) -> bool:
    enrolments = Enrolment.objects.filter(person=person, institution=institution)
    if open_only:
        enrolments = enrolments.filter(valid_to__isnull=True)
    return enrolments.exists()


# --- Sessions and exams (the agency) ------------------------------------------------------------


@transaction.atomic
def exam_session_create(
    *, actor: Actor, school_year: int, name: str, starts_on: dt.date, ends_on: dt.date
) -> ExamSession:
    require(actor, FunctionArea.EXAM_PLANNING, Level.MANAGER, national=True)
    session = ExamSession(
        school_year=school_year, name=name.strip(), starts_on=starts_on, ends_on=ends_on
    )
    with acting_as(actor):
        session.full_clean()
        session.save()
    return session


@transaction.atomic
def exam_create(
    *, actor: Actor, session: ExamSession, subject: ClassifierValue, kind: str, held_on: dt.date
) -> Exam:
    require(actor, FunctionArea.EXAM_PLANNING, Level.MANAGER, national=True)
    if not session.starts_on <= held_on <= session.ends_on:
        raise ValidationError({"held_on": [_("The exam must be held within its session.")]})
    exam = Exam(session=session, subject=subject, kind=kind, held_on=held_on)
    with acting_as(actor):
        exam.full_clean()
        exam.save()
    return exam


# --- Exam planning (the school) -----------------------------------------------------------------


@transaction.atomic
def exam_register(
    *, actor: Actor, exam: Exam, person: Person, institution: Institution
) -> ExamRegistration:
    """Plan a pupil of the school to sit an exam; planning again after a withdrawal restores it."""
    _check(actor, institution, FunctionArea.EXAM_PLANNING)
    if not _enrolled(person, institution, open_only=True):
        raise ValidationError({"person": [_("The pupil is not enrolled at this school.")]})
    existing = ExamRegistration.objects.select_for_update().filter(exam=exam, person=person).first()
    with acting_as(actor):
        if existing is not None:
            if existing.institution_id != institution.pk:
                raise ValidationError(
                    {"person": [_("Another school has planned this pupil for the exam.")]}
                )
            if existing.withdrawn:
                existing.withdrawn = False
                existing.save()
            return existing
        registration = ExamRegistration(exam=exam, person=person, institution=institution)
        registration.full_clean(validate_constraints=False)
        registration.save()
    return registration


@transaction.atomic
def exam_withdraw(*, actor: Actor, registration: ExamRegistration) -> ExamRegistration:
    _check(actor, registration.institution, FunctionArea.EXAM_PLANNING)
    if ExamResult.objects.filter(exam=registration.exam, person=registration.person).exists():
        raise ValidationError({"exam": [_("The pupil already has a result in this exam.")]})
    with acting_as(actor):
        registration.withdrawn = True
        registration.save()
    return registration


@dataclass
class PlanChange:
    registered: int = 0
    withdrawn: int = 0


@transaction.atomic
def exam_plan_apply(
    *, actor: Actor, group: Group, session: ExamSession, wanted: dict[int, set[int]]
) -> PlanChange:
    """Plan a class for a session at once: `wanted` maps each pupil (person id) of the class to
    the exams (ids) of the session they sit. Pupils not named are left as they are; exams newly
    wanted are registered and those no longer wanted withdrawn, each through `exam_register` /
    `exam_withdraw`, so every rule holds; a refusal changes nothing of the class's plan."""
    _check(actor, group.institution, FunctionArea.EXAM_PLANNING)
    exams = {e.pk: e for e in session.exams.all()}
    unknown = {e for chosen in wanted.values() for e in chosen} - set(exams)
    if unknown:
        raise ValidationError({"exam": [_("Choose exams of this session.")]})
    pupils = {
        e.person_id: e.person
        for e in group.enrolments.filter(valid_to__isnull=True).select_related("person")
    }
    if set(wanted) - set(pupils):
        raise ValidationError({"person": [_("The pupil is not enrolled in this class.")]})
    current = {
        (r.person_id, r.exam_id): r
        for r in ExamRegistration.objects.select_for_update().filter(
            exam__session=session, person_id__in=list(wanted)
        )
    }
    change = PlanChange()
    for person_id, chosen in wanted.items():
        for exam_id, exam in exams.items():
            registration = current.get((person_id, exam_id))
            sits = registration is not None and not registration.withdrawn
            if exam_id in chosen and not sits:
                exam_register(
                    actor=actor, exam=exam, person=pupils[person_id], institution=group.institution
                )
                change.registered += 1
            elif exam_id not in chosen and sits:
                assert registration is not None
                if registration.institution_id != group.institution_id:
                    continue  # planned by another school: not this class's to change
                try:
                    exam_withdraw(actor=actor, registration=registration)
                except ValidationError as exc:
                    raise ValidationError(
                        {
                            "exam": [
                                _("%(name)s already has a result in %(exam)s: it stays planned.")
                                % {"name": pupils[person_id].full_name, "exam": exam}
                            ]
                        }
                    ) from exc
                change.withdrawn += 1
    return change


# --- Results (the exam centre) --------------------------------------------------------------


def exam_passed(kind: str, *, score: int | None, grade: int | None) -> bool:
    if kind == ExamKind.STATE_MATURITY:
        return score is not None and score >= STATE_EXAM_PASS_SCORE
    return grade is not None and grade >= PASSING_GRADE


@dataclass(frozen=True)
class Recorded:
    result: ExamResult
    outcome: str  # "created", "updated" or "unchanged"


@transaction.atomic
def exam_result_record(
    *,
    actor: Actor,
    exam: Exam,
    person: Person,
    score: int | None = None,
    grade: int | None = None,
    source: str = "",
) -> Recorded:
    """A result from the exam centre: points for a state exam, a grade for a school exam.

    Only the exam centre's feed (a system actor) or the agency's exam planners record results;
    the pupil must have been planned for the exam. The result lands as the pupil's achievement.
    """
    if actor.kind != ActorKind.SYSTEM:
        require(actor, FunctionArea.EXAM_PLANNING, Level.MANAGER, national=True)
    registration = ExamRegistration.objects.filter(
        exam=exam, person=person, withdrawn=False
    ).first()
    if registration is None:
        raise ValidationError(
            {
                "person": [
                    ValidationError(_("The pupil was not planned for this exam."), "not_planned")
                ]
            }
        )
    if exam.kind == ExamKind.STATE_MATURITY:
        if score is None or not 0 <= score <= 100 or grade is not None:
            raise ValidationError(
                {"score": [_("A state exam's result is a number of points from 0 to 100.")]}
            )
    elif grade is None or not 1 <= grade <= 10 or score is not None:
        raise ValidationError({"grade": [_("A school exam's result is a grade from 1 to 10.")]})
    passed = exam_passed(exam.kind, score=score, grade=grade)
    mark = str(score if score is not None else grade)
    achievement_name = f"{exam.subject.name_lt} ({exam.get_kind_display()})"
    level = (
        AchievementLevel.NATIONAL
        if exam.kind == ExamKind.STATE_MATURITY
        else (AchievementLevel.SCHOOL)
    )
    existing = ExamResult.objects.select_for_update().filter(exam=exam, person=person).first()
    with acting_as(actor):
        if existing is None:
            achievement = Achievement(
                person=person,
                institution=registration.institution,
                kind=AchievementKind.EXAM,
                level=level,
                name=achievement_name[:300],
                result=mark,
                achieved_on=exam.held_on,
            )
            achievement.full_clean()
            achievement.save()
            result = ExamResult(
                exam=exam,
                person=person,
                institution=registration.institution,
                score=score,
                grade=grade,
                passed=passed,
                achievement=achievement,
                source=source[:200],
            )
            result.full_clean(validate_constraints=False)
            result.save()
            return Recorded(result, "created")
        if (existing.score, existing.grade) == (score, grade):
            return Recorded(existing, "unchanged")
        existing.score, existing.grade, existing.passed = score, grade, passed
        existing.source = source[:200]
        existing.save()
        achievement = existing.achievement
        achievement.result = mark
        achievement.save()
        return Recorded(existing, "updated")


# --- Annual grades and competence assessment --------------------------------------------------


@transaction.atomic
def annual_grade_set(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    school_year: int,
    subject: ClassifierValue,
    grade: int | None = None,
    passed: bool | None = None,
    course_level: ClassifierValue | None = None,
) -> AnnualGrade:
    """The annual grade of a subject (1–10, or passed for subjects assessed so); recording it
    again changes it, with history."""
    _check(actor, institution, FunctionArea.PUPIL_LEARNING)
    if not _enrolled(person, institution, open_only=False):
        raise ValidationError({"person": [_("The pupil is not enrolled at this institution.")]})
    if (grade is None) == (passed is None):
        raise ValidationError({"grade": [_("Give either a grade from 1 to 10 or a pass.")]})
    if grade is not None and not 1 <= grade <= 10:
        raise ValidationError({"grade": [_("A grade is from 1 to 10.")]})
    record = (
        AnnualGrade.objects.select_for_update()
        .filter(person=person, school_year=school_year, subject=subject)
        .first()
    ) or AnnualGrade(person=person, school_year=school_year, subject=subject)
    record.institution = institution
    record.grade, record.passed, record.course_level = grade, passed, course_level
    with acting_as(actor):
        record.full_clean(validate_constraints=False)
        record.save()
    return record


@transaction.atomic
def competence_assess(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    module: Module,
    assessed_on: dt.date,
    acquired: bool,
    grade: int | None = None,
) -> CompetenceAssessment:
    """An assessor records whether the learner acquired a module's competences."""
    _check(actor, institution, FunctionArea.COMPETENCE_ASSESSMENT)
    enrolled_in_programme = Enrolment.objects.filter(
        person=person,
        institution=institution,
        group__programme__versions__modules=module,
    ).exists()
    if not enrolled_in_programme:
        raise ValidationError(
            {"module": [_("The learner is not enrolled in a programme with this module.")]}
        )
    if grade is not None and not 1 <= grade <= 10:
        raise ValidationError({"grade": [_("A grade is from 1 to 10.")]})
    record = (
        CompetenceAssessment.objects.select_for_update()
        .filter(person=person, module=module)
        .first()
    ) or CompetenceAssessment(person=person, module=module)
    record.institution = institution
    record.assessed_on, record.acquired, record.grade = assessed_on, acquired, grade
    with acting_as(actor):
        record.full_clean(validate_constraints=False)
        record.save()
    return record


# --- Scoped reads ------------------------------------------------------------------------------


def exam_registrations(*, actor: Actor, exam: Exam | None = None) -> QuerySet[ExamRegistration]:
    """Registrations the actor sees through exam planning (its schools', nationally all)."""
    registrations = restrict(
        ExamRegistration.objects.select_related("exam", "exam__subject", "person", "institution"),
        actor=actor,
        areas=EXAM_AREAS,
        paths=REGISTRATION_PATHS,
    )
    return registrations.filter(exam=exam) if exam is not None else registrations


def exam_planning_groups(*, actor: Actor, level: str = Level.VIEWER) -> QuerySet[Group]:
    """The general-education classes of the schools where the actor does exam planning."""
    institutions = restrict(
        Institution.objects.all(),
        actor=actor,
        areas=EXAM_AREAS,
        paths=INSTITUTION_ITSELF,
        level=level,
    )
    return (
        Group.objects.filter(institution__in=institutions, kind=GroupKind.GENERAL)
        .select_related("institution")
        .order_by("-school_year", "institution__name_lt", "-grade", "name")
    )


@dataclass(frozen=True)
class PlanRow:
    person: Person
    sits: frozenset[int]  # exam ids planned (not withdrawn)
    elsewhere: frozenset[int]  # exam ids planned by another school
    results: dict[int, str]  # exam id → the result, which fixes the registration


def exam_plan_of(*, actor: Actor, group: Group, session: ExamSession) -> list[PlanRow]:
    """Who of the class's current pupils sits which exam of the session; the pupils shown are
    written to their access logs. The caller got the class through `exam_planning_groups`."""
    people = [
        e.person
        for e in group.enrolments.filter(valid_to__isnull=True)
        .select_related("person")
        .order_by(*name_order("person__"))
    ]
    ids = [p.pk for p in people]
    registrations = ExamRegistration.objects.filter(exam__session=session, person_id__in=ids)
    results = ExamResult.objects.filter(exam__session=session, person_id__in=ids)
    sits: dict[int, set[int]] = {}
    elsewhere: dict[int, set[int]] = {}
    for r in registrations:
        if r.withdrawn:
            continue
        target = sits if r.institution_id == group.institution_id else elsewhere
        target.setdefault(r.person_id, set()).add(r.exam_id)
    shown: dict[int, dict[int, str]] = {}
    for result in results:
        value = result.score if result.score is not None else result.grade
        shown.setdefault(result.person_id, {})[result.exam_id] = str(value)
    log_person_access(
        actor=actor, person_public_ids=[p.public_id for p in people], what="pupil.exam-planning"
    )
    return [
        PlanRow(
            person=p,
            sits=frozenset(sits.get(p.pk, ())),
            elsewhere=frozenset(elsewhere.get(p.pk, ())),
            results=shown.get(p.pk, {}),
        )
        for p in people
    ]


def learning_of(*, actor: Actor, person: Person, what: str = "pupil.learning") -> dict[str, list]:
    """A pupil's exam results, annual grades and competence assessments within the actor's
    scope, logged as read."""
    areas = (*PUPIL_AREAS, FunctionArea.EXAM_PLANNING, FunctionArea.COMPETENCE_ASSESSMENT)

    def scoped(queryset: QuerySet) -> list:
        return list(restrict(queryset, actor=actor, areas=areas, paths=LEARNING_PATHS))

    data = {
        "exams": scoped(
            ExamResult.objects.filter(person=person).select_related(
                "exam", "exam__subject", "exam__session", "institution"
            )
        ),
        "grades": scoped(
            AnnualGrade.objects.filter(person=person).select_related(
                "subject", "course_level", "institution"
            )
        ),
        "competences": scoped(
            CompetenceAssessment.objects.filter(person=person).select_related(
                "module", "institution"
            )
        ),
    }
    if any(data.values()):
        log_person_access(actor=actor, person_public_ids=[person.public_id], what=what)
    return data


def subject_name(subject: ClassifierValue) -> str:
    return localized_name(subject)

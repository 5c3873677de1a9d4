"""Who may receive a document, and what it states: the eligibility rules and the content.

`check` gathers the register facts a type is formed from (final-year class, annual grades,
maturity exams, modules assessed, study right) and returns the refusals, each naming the rule
and the person, or the content the document will state. The caller (a service) has checked that
the actor forms documents at the institution; these reads serve that one write.

Rules by source (DocumentType.source):
- general education: enrolled in the final class (`final_grade`) of the school in the school
  year (`final_class`); annual grades of that year recorded (`grades_present`) and all positive
  (`grades_positive`: the programme completed); each required exam passed (`required_exam`) and
  at least `min_exams_passed` maturity exams passed (`exams_count`);
- a leaver's learning achievements: enrolled at the school, grades recorded;
- vocational training: every mandatory module of the programme assessed as acquired
  (`modules_acquired`); acquired competences: at least one module acquired (`modules_some`);
- higher education: the study right graduated (`graduated`); a certificate of studies needs only
  the study right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from edureg.core.collation import name_order
from edureg.core.models import ClassifierValue, localized_name
from edureg.credentials.models import DocumentSource, DocumentType
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.programmes.models import Programme
from edureg.pupils.models import (
    AnnualGrade,
    CompetenceAssessment,
    Enrolment,
    ExamResult,
    Group,
    GroupKind,
)
from edureg.students.models import StudyRight, StudyStatus
from edureg.students.selectors import status_history, transcript


@dataclass(frozen=True)
class Refusal:
    person: Person
    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class Outcome:
    refusals: list[Refusal] = field(default_factory=list)
    content: dict[str, Any] = field(default_factory=dict)
    group: Group | None = None
    school_year: int | None = None

    @property
    def eligible(self) -> bool:
        return not self.refusals


def _names(values: list[Any]) -> dict[str, str]:
    return {"name_lt": str(values[0]), "name_en": str(values[1])}


def _programme_names(programme: Programme | None) -> dict[str, str]:
    version = programme.current_version() if programme is not None else None
    if version is None:
        return {"name_lt": "", "name_en": ""}
    return {"name_lt": version.name_lt, "name_en": version.name_en or version.name_lt}


def _holder(person: Person) -> dict[str, Any]:
    return {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "birth_date": person.birth_date.isoformat(),
    }


def _issuer(institution: Institution) -> dict[str, Any]:
    return {
        "name": institution.name_lt,
        "name_en": institution.name_en or institution.name_lt,
        "code": institution.jar_code or "",
    }


def _year_label(school_year: int) -> str:
    return f"{school_year}–{school_year + 1}"


def check(
    *,
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    group: Group | None = None,
    school_year: int | None = None,
    study_right: StudyRight | None = None,
) -> Outcome:
    source = document_type.source
    if source in (DocumentSource.GRADUATION, DocumentSource.STUDIES):
        return _higher_education(document_type, person, institution, study_right)
    if source in (DocumentSource.VOCATIONAL, DocumentSource.COMPETENCES):
        return _vocational(document_type, person, institution)
    return _general(document_type, person, institution, group, school_year)


def _final_enrolment(
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    group: Group | None,
    school_year: int | None,
) -> Enrolment | None:
    enrolments = Enrolment.objects.filter(
        person=person, institution=institution, kind=GroupKind.GENERAL
    ).select_related("group", "group__programme")
    if group is not None:
        enrolments = enrolments.filter(group=group)
    if school_year is not None:
        enrolments = enrolments.filter(group__school_year=school_year)
    if document_type.final_grade:
        enrolments = enrolments.filter(group__grade=document_type.final_grade)
    return enrolments.order_by("-group__school_year", "-valid_from").first()


def _general(
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    group: Group | None,
    school_year: int | None,
) -> Outcome:
    outcome = Outcome()
    name = person.full_name
    enrolment = _final_enrolment(document_type, person, institution, group, school_year)
    if enrolment is None:
        year = school_year or (group.school_year if group else None)
        message = (
            _(
                "%(name)s is not enrolled in a final class (grade %(grade)s) of this school "
                "in %(year)s."
            )
            if document_type.final_grade
            else _("%(name)s is not enrolled at this school in %(year)s.")
        )
        outcome.refusals.append(
            Refusal(
                person,
                "final_class",
                message
                % {
                    "name": name,
                    "grade": document_type.final_grade,
                    "year": _year_label(year) if year else "—",
                },
            )
        )
        return outcome
    year = enrolment.group.school_year
    outcome.group, outcome.school_year = enrolment.group, year
    grades = list(
        AnnualGrade.objects.filter(person=person, school_year=year)
        .select_related("subject", "course_level")
        .order_by("subject__sort_order", "subject__code")
    )
    if not grades:
        outcome.refusals.append(
            Refusal(
                person,
                "grades_present",
                _("%(name)s has no annual grades recorded for %(year)s.")
                % {"name": name, "year": _year_label(year)},
            )
        )
    failing = [localized_name(g.subject) for g in grades if not g.positive]
    if failing:
        outcome.refusals.append(
            Refusal(
                person,
                "grades_positive",
                _("%(name)s has no positive annual grade in: %(subjects)s.")
                % {"name": name, "subjects": ", ".join(failing)},
            )
        )
    results = list(
        ExamResult.objects.filter(person=person, exam__session__school_year=year)
        .select_related("exam", "exam__subject")
        .order_by("exam__held_on", "pk")
    )
    passed_subjects = {r.exam.subject_id for r in results if r.passed}
    if document_type.source == DocumentSource.GENERAL:
        required: list[ClassifierValue] = list(document_type.required_subjects.all())
        for subject in required:
            if subject.pk not in passed_subjects:
                outcome.refusals.append(
                    Refusal(
                        person,
                        "required_exam",
                        _("%(name)s has not passed the %(subject)s maturity exam.")
                        % {"name": name, "subject": localized_name(subject)},
                    )
                )
        passed_count = sum(1 for r in results if r.passed)
        if passed_count < document_type.min_exams_passed:
            outcome.refusals.append(
                Refusal(
                    person,
                    "exams_count",
                    _("%(name)s has passed %(passed)s of the %(needed)s maturity exams required.")
                    % {
                        "name": name,
                        "passed": passed_count,
                        "needed": document_type.min_exams_passed,
                    },
                )
            )
    outcome.content = {
        "holder": _holder(person),
        "issuer": _issuer(institution),
        "school_year": year,
        "class": enrolment.group.name,
        "programme": _programme_names(enrolment.group.programme),
        "grades": [
            {
                **_names([g.subject.name_lt, g.subject.name_en]),
                "course_level": g.course_level.code if g.course_level_id else "",
                "grade": g.grade,
                "passed": g.passed,
            }
            for g in grades
        ],
        "exams": [
            {
                **_names([r.exam.subject.name_lt, r.exam.subject.name_en]),
                "kind": r.exam.kind,
                "score": r.score,
                "grade": r.grade,
                "passed": r.passed,
            }
            for r in results
            if r.passed
        ],
    }
    return outcome


def _vocational(document_type: DocumentType, person: Person, institution: Institution) -> Outcome:
    outcome = Outcome()
    name = person.full_name
    enrolment = (
        Enrolment.objects.filter(
            person=person, institution=institution, group__programme__kind="vocational"
        )
        .select_related("group", "group__programme")
        .order_by("-valid_from")
        .first()
    )
    if enrolment is None:
        outcome.refusals.append(
            Refusal(
                person,
                "programme",
                _("%(name)s is not enrolled in a vocational programme of this institution.")
                % {"name": name},
            )
        )
        return outcome
    programme = enrolment.group.programme
    version = programme.current_version() if programme else None
    modules = list(version.modules.all()) if version else []
    assessed = {
        a.module_id: a
        for a in CompetenceAssessment.objects.filter(person=person, module__in=modules)
    }
    acquired = [m for m in modules if m.pk in assessed and assessed[m.pk].acquired]
    if document_type.source == DocumentSource.VOCATIONAL:
        missing = [m.name_lt for m in modules if m.mandatory and m not in acquired]
        if missing or not modules:
            outcome.refusals.append(
                Refusal(
                    person,
                    "modules_acquired",
                    _("%(name)s has not acquired the competences of the modules: %(modules)s.")
                    % {"name": name, "modules": ", ".join(missing) or "—"},
                )
            )
    elif not acquired:
        outcome.refusals.append(
            Refusal(
                person,
                "modules_some",
                _("%(name)s has no module assessed as acquired.") % {"name": name},
            )
        )
    outcome.group, outcome.school_year = enrolment.group, enrolment.group.school_year
    outcome.content = {
        "holder": _holder(person),
        "issuer": _issuer(institution),
        "programme": _programme_names(programme),
        "programme_code": programme.state_code if programme else "",
        "modules": [
            {
                **_names([m.name_lt, m.name_en or m.name_lt]),
                "credits": str(m.credits) if m.credits is not None else "",
                "grade": assessed[m.pk].grade,
                "assessed_on": assessed[m.pk].assessed_on.isoformat(),
            }
            for m in acquired
        ],
    }
    return outcome


def _higher_education(
    document_type: DocumentType,
    person: Person,
    institution: Institution,
    study_right: StudyRight | None,
) -> Outcome:
    outcome = Outcome()
    name = person.full_name
    if (
        study_right is None
        or study_right.person_id != person.pk
        or study_right.institution_id != institution.pk
    ):
        outcome.refusals.append(
            Refusal(
                person,
                "study_right",
                _("%(name)s holds no such study right at this institution.") % {"name": name},
            )
        )
        return outcome
    graduation = getattr(study_right, "graduation", None)
    if document_type.source == DocumentSource.GRADUATION and (
        study_right.status != StudyStatus.GRADUATED or graduation is None
    ):
        outcome.refusals.append(
            Refusal(
                person,
                "graduated",
                _("%(name)s has not graduated from these studies.") % {"name": name},
            )
        )
        return outcome
    record = transcript(study_right)
    periods = status_history(study_right)
    with translation.override("lt"):  # the document states its labels in Lithuanian
        outcome.content = _studies_content(person, institution, study_right, record, periods)
    outcome.content["graduation"] = (
        {
            "graduated_on": graduation.graduated_on.isoformat(),
            "degree": graduation.degree,
            "thesis_title": graduation.thesis_title,
            "diploma_reference": graduation.diploma_reference,
        }
        if graduation is not None
        else None
    )
    return outcome


def _studies_content(
    person: Person, institution: Institution, study_right: StudyRight, record: Any, periods: Any
) -> dict[str, Any]:
    return {
        "holder": _holder(person),
        "issuer": _issuer(institution),
        "programme": _programme_names(study_right.programme),
        "programme_code": study_right.programme.state_code or "",
        "cycle": study_right.cycle,
        "cycle_label": str(study_right.get_cycle_display()),
        "form_label": str(study_right.get_form_display()),
        "started_on": study_right.started_on.isoformat(),
        "status": study_right.status,
        "status_label": str(study_right.get_status_display()),
        "course": study_right.course,
        "periods": [
            {
                "status_label": str(p.get_status_display()),
                "valid_from": p.valid_from.isoformat(),
                "valid_to": p.valid_to.isoformat() if p.valid_to else "",
            }
            for p in periods
        ],
        "results": [
            {
                "semester": r.semester,
                "code": r.course_unit_code,
                "title": r.course_unit_title,
                "credits": str(r.credits),
                "grade": r.grade,
                "passed": r.passed,
            }
            for year in record.years
            for semester in year.semesters
            for r in semester.results
        ],
        "credits_earned": str(record.credits_earned),
    }


def pupils_of_group(group: Group) -> list[Person]:
    """The pupils of a class on its last day of enrolment: open now, or ended with the class."""
    enrolments = (
        Enrolment.objects.filter(group=group)
        .filter(Q(valid_to__isnull=True) | Q(departure_reason__code="completed"))
        .select_related("person")
        .order_by(*name_order("person__"))
    )
    return list(dict.fromkeys(e.person for e in enrolments))

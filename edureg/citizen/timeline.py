"""A person's learning history as one timeline across the registers, in words a person reads.

`build_timeline` turns the records the registers hold (read by `citizen.selectors` through the
registers' scoped selectors) into entries: one per enrolment, departure, NVŠ group, club,
elective, exam, olympiad, competition, special-needs level, study right (with its status
periods, funding, prior education, results and credits, mobility, loans and scholarships),
graduation and issued document. Each entry has a stable `key` ("study-right:<public id>") by
which a citizen shares it or asks for its correction, and the institution responsible for it.

No entry shows a raw code: classifier values, statuses and kinds are shown by their names in the
active language; dates as YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pycountry
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from edureg.core.countries import country_name
from edureg.core.models import localized_name
from edureg.programmes.models import ProgrammeKind
from edureg.pupils.models import (
    CURRENT,
    PLANNED,
    Achievement,
    AchievementKind,
    Elective,
    Enrolment,
    Grade,
    GroupKind,
    NvsFundingMark,
    SpecialNeeds,
)
from edureg.students.models import StudyRight, StudyStatus
from edureg.students.selectors import Transcript


class EntryKind(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-school education")
    PREPRIMARY = "preprimary", _("pre-primary education")
    GENERAL = "general", _("general education")
    VOCATIONAL = "vocational", _("vocational training")
    DEPARTURE = "departure", _("departure")
    NVS = "nvs", _("non-formal education (NVŠ)")
    CLUB = "club", _("club")
    ELECTIVE = "elective", _("elective subject")
    EXAM = "exam", _("exam")
    OLYMPIAD = "olympiad", _("olympiad")
    COMPETITION = "competition", _("competition")
    SPECIAL_NEEDS = "special_needs", _("special educational needs")
    ANNUAL_GRADES = "annual_grades", _("annual grades")
    COMPETENCE = "competence", _("competence assessment")
    STUDY_RIGHT = "study_right", _("studies")
    GRADUATION = "graduation", _("graduation")
    DOCUMENT = "document", _("document")


PUPIL_REGISTER = "pupils"
STUDENT_REGISTER = "students"
CREDENTIALS_REGISTER = "credentials"


@dataclass
class Section:
    """A table inside an entry: status periods, results of a year, funding months."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    summary: str = ""


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Entry:
    key: str
    kind: str
    title: str
    start: dt.date | None
    end: dt.date | None
    register: str
    institution_id: int | None = None
    institution_name: str = ""
    ongoing: bool = False
    status: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # The entry this one belongs to (a graduation belongs to its study right): sharing a record
    # shares what belongs to it.
    parent: str = ""

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label)

    @property
    def period(self) -> str:
        return period_text(self.start, self.end, ongoing=self.ongoing)

    @property
    def sort_day(self) -> dt.date:
        return self.start or self.end or dt.date.min


@dataclass
class Records:
    """What the registers hold about one person, as read for them by `citizen.selectors`."""

    enrolments: Sequence[Enrolment] = ()
    nvs_marks: Sequence[NvsFundingMark] = ()
    electives: Sequence[Elective] = ()
    achievements: Sequence[Achievement] = ()
    special_needs: Sequence[SpecialNeeds] = ()
    annual_grades: Sequence[Any] = ()
    competences: Sequence[Any] = ()
    study_rights: Sequence[StudyRight] = ()
    transcripts: dict[int, Transcript] = field(default_factory=dict)
    documents: Sequence[Entry] = ()  # already entries: built by the credentials register


# --- Words --------------------------------------------------------------------------------


def day_text(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


def period_text(start: dt.date | None, end: dt.date | None, *, ongoing: bool = False) -> str:
    if start and end and start == end:
        return start.isoformat()
    if start is None and end is None:
        return ""
    until = gettext("now") if ongoing and end is None else day_text(end)
    return f"{day_text(start)} – {until}"


def school_year_text(year: int) -> str:
    return f"{year}–{year + 1}"


def money_text(amount: Decimal) -> str:
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)} €"


def credits_text(value: Decimal) -> str:
    return number_format(value, 0 if value == value.to_integral() else 1)


_LANGUAGES = {
    "lt": _("Lithuanian"),
    "pl": _("Polish"),
    "ru": _("Russian"),
    "en": _("English"),
    "de": _("German"),
    "fr": _("French"),
}


def language_name(code: str) -> str:
    label = _LANGUAGES.get(code)
    if label is not None:
        return str(label)
    language = pycountry.languages.get(alpha_2=code) if code else None
    return str(language.name) if language is not None else code


def name_of(value: Any) -> str:
    """A classifier value, an institution or a municipality by its name in the active language."""
    if value is None:
        return "—"
    if hasattr(value, "name_lt"):
        return localized_name(value)
    return str(value)


def programme_name(programme: Any) -> str:
    """A programme's name in the active language, with its state code when it has one."""
    if programme is None:
        return ""
    version = programme.current_version()
    name = localized_name(version) if version is not None else ""
    return f"{name} ({programme.state_code})" if programme.state_code and name else name


# --- Entries of the Pupil Register -----------------------------------------------------------

_BASIC = {str(g) for g in range(5, 11)}
_PRIMARY = {str(g) for g in range(1, 5)}


def _enrolment_kind(enrolment: Enrolment) -> str:
    group = enrolment.group
    programme = group.programme
    if programme is not None and programme.kind == ProgrammeKind.VOCATIONAL:
        return EntryKind.VOCATIONAL
    if group.grade == Grade.PRESCHOOL:
        return EntryKind.PRESCHOOL
    if group.grade == Grade.PREPRIMARY:
        return EntryKind.PREPRIMARY
    return EntryKind.GENERAL


def _stage_title(enrolment: Enrolment) -> str:
    grade = enrolment.group.grade
    kind = _enrolment_kind(enrolment)
    if kind != EntryKind.GENERAL:
        return capfirst(str(EntryKind(kind).label))
    if grade in _PRIMARY:
        return gettext("Primary education")
    if grade in _BASIC:
        return gettext("Basic education")
    return gettext("Secondary education")


def _directions(enrolment: Enrolment) -> str:
    return ", ".join(name_of(d) for d in enrolment.group.directions.all()) or "—"


def _funding_kinds(mark: NvsFundingMark) -> str:
    kinds = [
        (mark.basket, gettext("NVŠ basket")),
        (mark.municipal_funds, gettext("municipal funds")),
        (mark.state_funds, gettext("state funds")),
        (mark.other_funding, gettext("other funding")),
    ]
    return ", ".join(label for present, label in kinds if present)


def _group_entry(enrolment: Enrolment, marks: Sequence[NvsFundingMark]) -> Entry:
    group = enrolment.group
    institution = enrolment.institution
    base: dict[str, Any] = {
        "key": f"enrolment:{enrolment.public_id}",
        "start": enrolment.valid_from,
        "end": enrolment.valid_to,
        "register": PUPIL_REGISTER,
        "institution_id": institution.pk,
        "institution_name": name_of(institution),
        "ongoing": enrolment.is_open,
    }
    if enrolment.kind == GroupKind.GENERAL:
        facts = [
            (gettext("Institution"), name_of(institution)),
            (pgettext("pupil group", "Class or group"), _class_text(enrolment)),
            (gettext("School year"), school_year_text(group.school_year)),
        ]
        if group.programme is not None:
            facts.append((gettext("Programme"), programme_name(group.programme)))
        facts.append((gettext("Language of instruction"), language_name(group.language)))
        if group.learning_form is not None:
            facts.append((gettext("Learning form"), name_of(group.learning_form)))
        if enrolment.contract_date:
            facts.append((gettext("Learning contract"), day_text(enrolment.contract_date)))
        if enrolment.transferred_to is not None:
            successor = enrolment.transferred_to
            facts.append(
                (
                    gettext("Continued as"),
                    f"{name_of(successor.institution)}, {successor.group.name}",
                )
            )
        return Entry(
            kind=_enrolment_kind(enrolment),
            title=f"{_stage_title(enrolment)}: {_class_text(enrolment)}",
            status=_enrolment_status(enrolment, gettext("learning now")),
            facts=facts,
            **base,
        )
    where = gettext("Provider") if enrolment.kind == GroupKind.NVS else gettext("Institution")
    facts = [
        (where, name_of(institution)),
        (gettext("Directions"), _directions(enrolment)),
        (gettext("School year"), school_year_text(group.school_year)),
    ]
    sections = []
    if enrolment.kind == GroupKind.NVS:
        if group.programme is not None:
            facts.insert(1, (gettext("Programme"), programme_name(group.programme)))
        if marks:
            sections.append(
                Section(
                    title=gettext("Funding by month"),
                    columns=[gettext("Month"), gettext("Funding")],
                    rows=[[f"{m.month:%Y-%m}", _funding_kinds(m)] for m in marks],
                )
            )
    return Entry(
        kind=EntryKind.NVS if enrolment.kind == GroupKind.NVS else EntryKind.CLUB,
        title=group.name,
        status=_enrolment_status(enrolment, gettext("attending now")),
        facts=facts,
        sections=sections,
        **base,
    )


def _enrolment_status(enrolment: Enrolment, now: str) -> str:
    """Valid time on today: a move dated ahead (the end of the school year recorded with
    1 September) leaves the pupil in the current class until that day, the next one planned."""
    state = enrolment.state_on(timezone.localdate())
    if state == PLANNED:
        return gettext("planned from %(date)s") % {"date": day_text(enrolment.valid_from)}
    return now if state == CURRENT else ""


def _class_text(enrolment: Enrolment) -> str:
    group = enrolment.group
    if group.grade and group.grade not in (Grade.PRESCHOOL, Grade.PREPRIMARY):
        return f"{group.name} ({group.get_grade_display()})"
    return group.name


def _departure_entry(enrolment: Enrolment) -> Entry:
    reason = enrolment.departure_reason
    facts = [
        (gettext("Institution"), name_of(enrolment.institution)),
        (pgettext("pupil group", "Class or group"), _class_text(enrolment)),
        (gettext("Date"), day_text(enrolment.valid_to)),
        (gettext("Reason"), name_of(reason)),
    ]
    if enrolment.departure_order_number:
        facts.append((gettext("Director's order No."), enrolment.departure_order_number))
    return Entry(
        key=f"departure:{enrolment.public_id}",
        kind=EntryKind.DEPARTURE,
        title=gettext("Departure: %(reason)s") % {"reason": name_of(reason)},
        start=enrolment.valid_to,
        end=enrolment.valid_to,
        register=PUPIL_REGISTER,
        institution_id=enrolment.institution_id,
        institution_name=name_of(enrolment.institution),
        facts=facts,
        parent=f"enrolment:{enrolment.public_id}",
    )


def _elective_entry(elective: Elective) -> Entry:
    return Entry(
        key=f"elective:{elective.pk}",
        kind=EntryKind.ELECTIVE,
        title=elective.subject,
        start=dt.date(elective.school_year, 9, 1),
        end=None,
        register=PUPIL_REGISTER,
        institution_id=elective.institution_id,
        institution_name=name_of(elective.institution),
        facts=[
            (gettext("Course level"), _course_level(elective)),
            (gettext("School year"), school_year_text(elective.school_year)),
            (gettext("Institution"), name_of(elective.institution)),
        ],
    )


def _course_level(elective: Elective) -> str:
    level = elective.course_level
    return f"{level.code} — {name_of(level)}" if level is not None else "—"


_ACHIEVEMENT_KINDS = {
    AchievementKind.EXAM: EntryKind.EXAM,
    AchievementKind.OLYMPIAD: EntryKind.OLYMPIAD,
    AchievementKind.COMPETITION: EntryKind.COMPETITION,
}


def _achievement_entry(achievement: Achievement) -> Entry:
    return Entry(
        key=f"achievement:{achievement.pk}",
        kind=_ACHIEVEMENT_KINDS[AchievementKind(achievement.kind)],
        title=achievement.name,
        start=achievement.achieved_on,
        end=achievement.achieved_on,
        register=PUPIL_REGISTER,
        institution_id=achievement.institution_id,
        institution_name=name_of(achievement.institution),
        status=achievement.result,
        facts=[
            (gettext("Result"), achievement.result),
            (gettext("Level"), str(achievement.get_level_display())),
            (gettext("Date"), day_text(achievement.achieved_on)),
            (gettext("Recorded by"), name_of(achievement.institution)),
        ],
    )


def _special_needs_entry(needs: SpecialNeeds) -> Entry:
    return Entry(
        key=f"special-needs:{needs.pk}",
        kind=EntryKind.SPECIAL_NEEDS,
        title=gettext("Special educational needs: %(level)s") % {"level": name_of(needs.level)},
        start=needs.valid_from,
        end=needs.valid_to,
        ongoing=needs.valid_to is None,
        register=PUPIL_REGISTER,
        institution_id=needs.institution_id,
        institution_name=name_of(needs.institution),
        facts=[
            (gettext("Level"), name_of(needs.level)),
            (gettext("Period"), period_text(needs.valid_from, needs.valid_to, ongoing=True)),
            (gettext("Recorded by"), name_of(needs.institution)),
        ],
    )


def _annual_grade_entries(grades: Sequence[Any]) -> list[Entry]:
    """One entry per school and school year: the year's annual grades of every subject."""
    by_year: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for grade in grades:
        by_year[(grade.institution_id, grade.school_year)].append(grade)
    entries = []
    for (institution_id, year), rows in sorted(by_year.items()):
        institution = rows[0].institution
        entries.append(
            Entry(
                key=f"annual-grades:{institution_id}:{year}",
                kind=EntryKind.ANNUAL_GRADES,
                title=gettext("Annual grades %(year)s") % {"year": school_year_text(year)},
                start=dt.date(year + 1, 6, 30),
                end=None,
                register=PUPIL_REGISTER,
                institution_id=institution_id,
                institution_name=name_of(institution),
                facts=[
                    (gettext("Institution"), name_of(institution)),
                    (gettext("School year"), school_year_text(year)),
                ],
                sections=[
                    Section(
                        title=gettext("Subjects"),
                        columns=[gettext("Subject"), gettext("Course level"), gettext("Grade")],
                        rows=[
                            [
                                name_of(g.subject),
                                name_of(g.course_level) if g.course_level else "—",
                                _grade_text(g),
                            ]
                            for g in sorted(rows, key=lambda g: name_of(g.subject))
                        ],
                    )
                ],
            )
        )
    return entries


def _competence_entry(assessment: Any) -> Entry:
    module = assessment.module
    acquired = gettext("acquired") if assessment.acquired else gettext("not acquired")
    facts = [
        (gettext("Module"), name_of(module)),
        (gettext("Result"), acquired),
        (gettext("Assessed on"), day_text(assessment.assessed_on)),
        (gettext("Institution"), name_of(assessment.institution)),
    ]
    if assessment.grade is not None:
        facts.insert(2, (gettext("Grade"), str(assessment.grade)))
    return Entry(
        key=f"competence:{assessment.pk}",
        kind=EntryKind.COMPETENCE,
        title=name_of(module),
        start=assessment.assessed_on,
        end=assessment.assessed_on,
        register=PUPIL_REGISTER,
        institution_id=assessment.institution_id,
        institution_name=name_of(assessment.institution),
        status=acquired,
        facts=facts,
    )


# --- Entries of the Student Register ---------------------------------------------------------


def _status_text(period: Any) -> str:
    text = str(StudyStatus(period.status).label)
    details = []
    if period.leave_reason is not None:
        details.append(name_of(period.leave_reason))
    details += [name_of(reason) for reason in period.reasons.all()]
    if period.course:
        details.append(gettext("returned to course %(course)s") % {"course": period.course})
    return f"{text} ({'; '.join(details)})" if details else text


def _prior_row(prior: Any) -> list[str]:
    document = name_of(prior.document_type) if prior.document_type else prior.get_kind_display()
    return [
        " ".join(x for x in (str(document), prior.document_number) if x),
        prior.issuer or "—",
        day_text(prior.issued_on),
        country_name(prior.country),
    ]


def _grade_text(result: Any) -> str:
    if result.grade is not None:
        return str(result.grade)
    return gettext("passed") if result.passed else gettext("not passed")


def _study_right_entry(right: StudyRight, transcript: Transcript | None) -> list[Entry]:
    key = f"study-right:{right.public_id}"
    institution = right.institution
    facts = [
        (gettext("Higher education institution"), name_of(institution)),
        (gettext("Study programme"), programme_name(right.programme)),
        (gettext("Study cycle"), str(right.get_cycle_display())),
        (gettext("Study form"), str(right.get_form_display())),
        (gettext("Started on"), day_text(right.started_on)),
    ]
    if right.expected_end:
        facts.append((gettext("Expected end"), day_text(right.expected_end)))
    if right.ended_on:
        facts.append((gettext("Ended on"), day_text(right.ended_on)))
    facts.append((gettext("Course (year of study)"), str(right.course)))
    facts.append((gettext("Status"), str(right.get_status_display())))
    if right.admission_basis:
        facts.append((gettext("Admission basis"), right.admission_basis))
    if right.transferred_from is not None:
        facts.append(
            (gettext("Continues the studies at"), name_of(right.transferred_from.institution))
        )
    sections = [
        Section(
            title=gettext("Status history"),
            columns=[gettext("Status"), gettext("From"), gettext("Until")],
            rows=[
                [_status_text(p), day_text(p.valid_from), day_text(p.valid_to)]
                for p in sorted(right.periods.all(), key=lambda p: (p.valid_from, p.pk))
            ],
        )
    ]
    funding = sorted(right.funding_periods.all(), key=lambda f: (f.valid_from, f.pk))
    if funding:
        sections.append(
            Section(
                title=gettext("Funding"),
                columns=[gettext("Funding source"), gettext("From"), gettext("Until")],
                rows=[
                    [name_of(f.source), day_text(f.valid_from), day_text(f.valid_to)]
                    for f in funding
                ],
            )
        )
    prior = list(right.prior_education.all())
    if prior:
        sections.append(
            Section(
                title=gettext("Prior education"),
                columns=[
                    gettext("Document"),
                    gettext("Issued by"),
                    gettext("Issued on"),
                    gettext("Country"),
                ],
                rows=[_prior_row(p) for p in prior],
            )
        )
    if transcript is not None:
        for year in transcript.years:
            sections.append(
                Section(
                    title=gettext("Results: year of study %(year)s") % {"year": year.year},
                    columns=[
                        gettext("Semester"),
                        gettext("Course unit"),
                        gettext("Credits"),
                        gettext("Grade"),
                        gettext("Assessed on"),
                    ],
                    rows=[
                        [
                            str(semester.semester),
                            result.course_unit_title,
                            credits_text(result.credits),
                            _grade_text(result),
                            day_text(result.assessed_on),
                        ]
                        for semester in year.semesters
                        for result in semester.results
                    ],
                    summary=gettext("Credits earned in the year: %(credits)s")
                    % {"credits": credits_text(year.credits_earned)},
                )
            )
        if transcript.years:
            facts.append((gettext("Credits earned"), credits_text(transcript.credits_earned)))
    mobilities = sorted(right.mobilities.all(), key=lambda m: (m.valid_from, m.pk))
    if mobilities:
        sections.append(
            Section(
                title=gettext("Partial studies (mobility)"),
                columns=[
                    gettext("Host institution"),
                    gettext("Country"),
                    gettext("Programme"),
                    gettext("Period"),
                    gettext("Credits earned"),
                    gettext("Credits recognised"),
                ],
                rows=[
                    [
                        m.host_institution,
                        country_name(m.host_country),
                        m.programme_name or "—",
                        period_text(m.valid_from, m.valid_to),
                        credits_text(m.credits_earned),
                        credits_text(m.credits_recognised),
                    ]
                    for m in mobilities
                ],
            )
        )
    loans = sorted(right.loans.all(), key=lambda loan: (loan.granted_on, loan.pk))
    if loans:
        sections.append(
            Section(
                title=gettext("Study loans"),
                columns=[
                    gettext("Kind"),
                    gettext("Amount"),
                    gettext("Granted on"),
                    gettext("Period"),
                ],
                rows=[
                    [
                        str(loan.get_kind_display()),
                        money_text(loan.amount),
                        day_text(loan.granted_on),
                        period_text(loan.valid_from, loan.valid_to, ongoing=True),
                    ]
                    for loan in loans
                ],
            )
        )
    scholarships = sorted(right.scholarships.all(), key=lambda s: (s.valid_from, s.pk))
    if scholarships:
        sections.append(
            Section(
                title=gettext("Scholarships"),
                columns=[gettext("Kind"), gettext("Amount"), gettext("Period"), gettext("Payer")],
                rows=[
                    [
                        str(s.get_kind_display()),
                        money_text(s.amount),
                        period_text(s.valid_from, s.valid_to),
                        s.payer or "—",
                    ]
                    for s in scholarships
                ],
            )
        )
    entries = [
        Entry(
            key=key,
            kind=EntryKind.STUDY_RIGHT,
            title=programme_name(right.programme) or gettext("Studies"),
            start=right.started_on,
            end=right.ended_on,
            ongoing=right.is_open,
            status=str(right.get_status_display()),
            register=STUDENT_REGISTER,
            institution_id=institution.pk,
            institution_name=name_of(institution),
            facts=facts,
            sections=sections,
        )
    ]
    graduation = getattr(right, "graduation", None) if _has_graduation(right) else None
    if graduation is not None:
        grad_facts = [
            (gettext("Higher education institution"), name_of(institution)),
            (gettext("Study programme"), programme_name(right.programme)),
            (gettext("Graduated on"), day_text(graduation.graduated_on)),
            (gettext("Degree awarded"), graduation.degree),
        ]
        if graduation.qualification is not None:
            grad_facts.append((gettext("Qualification awarded"), name_of(graduation.qualification)))
        if graduation.thesis_title:
            grad_facts.append((gettext("Final thesis"), graduation.thesis_title))
        if graduation.diploma_reference:
            grad_facts.append((gettext("Diploma"), graduation.diploma_reference))
        entries.append(
            Entry(
                key=f"graduation:{graduation.pk}",
                kind=EntryKind.GRADUATION,
                title=gettext("Graduation: %(degree)s") % {"degree": graduation.degree},
                start=graduation.graduated_on,
                end=graduation.graduated_on,
                register=STUDENT_REGISTER,
                institution_id=institution.pk,
                institution_name=name_of(institution),
                facts=grad_facts,
                parent=key,
            )
        )
    return entries


def _has_graduation(right: StudyRight) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return right.graduation is not None
    except ObjectDoesNotExist:
        return False


# --- Documents (the credentials register) --------------------------------------------------


def document_entry(document: Any, *, pdf_url: str = "") -> Entry:
    """An issued (or annulled) certificate, diploma or document on demand, with the link to its
    PDF (when the reader may download it) and to its public verification page."""
    from django.urls import reverse

    title = str(document.document_type)
    if document.reissue_kind != "original":
        title = f"{title} ({document.get_reissue_kind_display()})"
    facts = [
        (gettext("Document"), str(document.document_type)),
        (gettext("Registration number"), document.registration_number or "—"),
        (gettext("Issued on"), day_text(document.issued_on)),
        (gettext("Issued by"), name_of(document.institution)),
    ]
    if document.blank is not None:
        facts.append((gettext("Blank"), str(document.blank)))
    if document.verification_code:
        facts.append((gettext("Verification code"), document.verification_code))
    if document.annulled_on:
        facts.append((gettext("Annulled on"), day_text(document.annulled_on)))
        if document.annul_reason:
            facts.append((gettext("Reason for annulment"), document.annul_reason))
    links = []
    if pdf_url:
        links.append(Link(gettext("Download the PDF"), pdf_url))
    if document.verification_code:
        links.append(
            Link(gettext("Verification page"), reverse("verify", args=[document.verification_code]))
        )
    study_right = document.study_right
    return Entry(
        key=f"document:{document.public_id}",
        kind=EntryKind.DOCUMENT,
        title=title,
        start=document.issued_on,
        end=document.issued_on,
        register=CREDENTIALS_REGISTER,
        institution_id=document.institution_id,
        institution_name=name_of(document.institution),
        status=str(document.get_status_display()),
        facts=facts,
        links=links,
        parent=f"study-right:{study_right.public_id}" if study_right is not None else "",
    )


# --- The timeline ----------------------------------------------------------------------------

# Ties on a day: the later step of a life first (graduation after the studies' last day).
_KIND_ORDER = {kind: index for index, kind in enumerate(reversed(EntryKind.values))}


def build_timeline(records: Records) -> list[Entry]:
    """Every record as an entry, newest first."""
    marks, unattached = _marks_by_enrolment(records)
    entries: list[Entry] = []
    for enrolment in records.enrolments:
        entries.append(_group_entry(enrolment, marks.get(enrolment.pk, [])))
        if enrolment.departure_reason_id is not None and enrolment.valid_to is not None:
            entries.append(_departure_entry(enrolment))
    entries += _unattached_funding_entries(unattached)
    entries += [_elective_entry(e) for e in records.electives]
    entries += [_achievement_entry(a) for a in records.achievements]
    entries += [_special_needs_entry(n) for n in records.special_needs]
    entries += _annual_grade_entries(records.annual_grades)
    entries += [_competence_entry(c) for c in records.competences]
    for right in records.study_rights:
        entries += _study_right_entry(right, records.transcripts.get(right.pk))
    entries += list(records.documents)
    return sorted(
        entries, key=lambda e: (e.sort_day, _KIND_ORDER.get(e.kind, 0), e.key), reverse=True
    )


def _marks_by_enrolment(
    records: Records,
) -> tuple[dict[int, list[NvsFundingMark]], list[NvsFundingMark]]:
    """NVŠ funding marks by the NVŠ enrolment they belong to: the one they name, else the
    provider's NVŠ enrolment of the pupil that covers the month. Marks of a provider the pupil
    has no enrolment at are returned apart (shown on their own, never dropped)."""
    groups = [e for e in records.enrolments if e.kind == GroupKind.NVS]
    by_enrolment: dict[int, list[NvsFundingMark]] = defaultdict(list)
    unattached: list[NvsFundingMark] = []
    for mark in sorted(records.nvs_marks, key=lambda m: (m.month, m.pk)):
        home = mark.enrolment_id
        if home is None:
            covering = [
                e
                for e in groups
                if e.institution_id == mark.provider_id
                and e.valid_from.replace(day=1) <= mark.month
                and (e.valid_to is None or mark.month < e.valid_to)
            ]
            home = covering[0].pk if covering else None
        if home is None or not any(e.pk == home for e in groups):
            unattached.append(mark)
        else:
            by_enrolment[home].append(mark)
    return by_enrolment, unattached


def _unattached_funding_entries(marks: Sequence[NvsFundingMark]) -> list[Entry]:
    by_provider: dict[int, list[NvsFundingMark]] = defaultdict(list)
    for mark in marks:
        by_provider[mark.provider_id].append(mark)
    entries = []
    for provider_marks in by_provider.values():
        provider = provider_marks[0].provider
        entries.append(
            Entry(
                key=f"nvs-funding:{provider.pk}",
                kind=EntryKind.NVS,
                title=gettext("NVŠ funding"),
                start=provider_marks[0].month,
                end=provider_marks[-1].month,
                register=PUPIL_REGISTER,
                institution_id=provider.pk,
                institution_name=name_of(provider),
                facts=[(gettext("Provider"), name_of(provider))],
                sections=[
                    Section(
                        title=gettext("Funding by month"),
                        columns=[gettext("Month"), gettext("Funding")],
                        rows=[[f"{m.month:%Y-%m}", _funding_kinds(m)] for m in provider_marks],
                    )
                ],
            )
        )
    return entries


def with_parts(entries: Iterable[Entry], keys: Iterable[str]) -> list[Entry]:
    """The entries with these keys and the entries that belong to them (a study right's
    graduation), in timeline order."""
    wanted = set(keys)
    return [e for e in entries if e.key in wanted or (e.parent and e.parent in wanted)]


def by_year(entries: Sequence[Entry]) -> list[tuple[int | None, list[Entry]]]:
    """Entries grouped by the calendar year they start in, newest year first."""
    groups: dict[int | None, list[Entry]] = {}
    for entry in entries:
        year = entry.sort_day.year if entry.sort_day != dt.date.min else None
        groups.setdefault(year, []).append(entry)
    return list(groups.items())

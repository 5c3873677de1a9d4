"""Demo learning data of the Pupil Register: electives with their course level, maturity
exams and the basic-education achievement test, olympiads and competitions.

`learning_generate` is a pure function of plain references to the general-education enrolments
already in the database, the scale, the seed and today's date; `learning_seed` reads those
references and writes the records through the audited bulk path (`bulk_create_with_audit`),
like the rest of the demo data. Every record is dated within the enrolment at the school that
records it, and never after today:
- electives in grades 11 and 12 (gymnasium III–IV), two or three a year, level A or B;
- the maturity exams in June after grade 12 — the state exams in Lithuanian language and
  literature, mathematics and usually English, and one or two more — scored 0–100, with a
  school exam now and then scored 1–10;
- the basic-education achievement test (PUPP) in June of grade 10, in Lithuanian and
  mathematics, scored 1–10;
- olympiads (municipal, national, a few international) and competitions from grade 5 up.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from edureg.core.audit import bulk_create_with_audit
from edureg.core.demo import DEFAULT_BATCH_SIZE, Progress, Scale, demo_rng
from edureg.core.models import ClassifierValue
from edureg.pupils.models import (
    Achievement,
    AchievementKind,
    AchievementLevel,
    Elective,
    Enrolment,
    GroupKind,
)


@dataclass(frozen=True)
class LearningRates:
    elective_pupils: float  # of the grade 11–12 enrolments of a year, share with electives
    exam_pupils: float  # of grade-12 completers, share whose exams are in the register
    pupp_pupils: float  # of grade-10 years ended, share with the achievement test
    olympiad: float  # per enrolment of grades 5–12 and year
    competition: float


RATES = {
    Scale.SMALL: LearningRates(1.0, 1.0, 1.0, 0.08, 0.08),
    # At national scale the share is kept small: the seed must stay within minutes.
    Scale.NATIONAL: LearningRates(0.1, 0.2, 0.05, 0.01, 0.01),
}

ELECTIVE_SUBJECTS = (
    "Informacinės technologijos", "Fizika", "Chemija", "Biologija", "Istorija", "Geografija",
    "Ekonomika ir verslumas", "Dailė", "Muzika", "Filosofija", "Psichologija", "Braižyba",
    "Technologijos", "Vokiečių kalba", "Prancūzų kalba", "Rusų kalba", "Etika", "Teatras",
)  # fmt: skip
ADVANCED_SHARE = 0.55

MANDATORY_EXAMS = (
    "Lietuvių kalbos ir literatūros valstybinis brandos egzaminas",
    "Matematikos valstybinis brandos egzaminas",
)
ENGLISH_EXAM = "Anglų kalbos valstybinis brandos egzaminas"
OTHER_STATE_EXAMS = (
    "Istorijos valstybinis brandos egzaminas", "Biologijos valstybinis brandos egzaminas",
    "Fizikos valstybinis brandos egzaminas", "Chemijos valstybinis brandos egzaminas",
    "Informacinių technologijų valstybinis brandos egzaminas",
    "Geografijos valstybinis brandos egzaminas",
)  # fmt: skip
SCHOOL_EXAMS = (
    "Technologijų mokyklinis brandos egzaminas", "Menų mokyklinis brandos egzaminas",
    "Gimtosios kalbos (lenkų) mokyklinis brandos egzaminas",
)  # fmt: skip
PUPP_TESTS = (
    "Pagrindinio ugdymo pasiekimų patikrinimas: lietuvių kalba ir literatūra",
    "Pagrindinio ugdymo pasiekimų patikrinimas: matematika",
)
OLYMPIADS = (
    "Lietuvos mokinių matematikos olimpiada", "Lietuvos mokinių informatikos olimpiada",
    "Lietuvos mokinių chemijos olimpiada", "Lietuvos mokinių biologijos olimpiada",
    "Lietuvos mokinių fizikos olimpiada", "Lietuvos mokinių istorijos olimpiada",
    "Lietuvos mokinių lietuvių kalbos ir literatūros olimpiada",
    "Lietuvos mokinių anglų kalbos olimpiada", "Lietuvos mokinių geografijos olimpiada",
)  # fmt: skip
OLYMPIAD_RESULTS = (("I vieta", 8), ("II vieta", 12), ("III vieta", 18), ("Pagyrimo raštas", 22),
                    ("Dalyvis", 40))  # fmt: skip
COMPETITIONS = (
    ("Tarptautinis matematikos konkursas „Kengūra“", AchievementLevel.INTERNATIONAL),
    ("Lietuvos mokinių dailės konkursas", AchievementLevel.NATIONAL),
    ("Respublikinis raiškiojo skaitymo konkursas", AchievementLevel.NATIONAL),
    ("Jaunųjų gamtininkų konkursas", AchievementLevel.MUNICIPAL),
    ("Mokyklos matematikos konkursas", AchievementLevel.SCHOOL),
    ("Sporto varžybos „Drąsūs, stiprūs, vikrūs“", AchievementLevel.MUNICIPAL),
)
COMPETITION_RESULTS = (("I vieta", 10), ("II vieta", 12), ("III vieta", 15), ("Diplomas", 30),
                       ("Pagyrimo raštas", 33))  # fmt: skip


@dataclass(frozen=True, slots=True)
class SchoolYearRef:
    """A pupil's general-education enrolment in one school year."""

    person_id: int
    institution_id: int
    school_year: int
    grade: str
    valid_from: dt.date
    valid_to: dt.date | None
    completed: bool  # left with the reason "completed the programme"


@dataclass(frozen=True, slots=True)
class ElectiveSpec:
    person_id: int
    institution_id: int
    school_year: int
    subject: str
    advanced: bool


@dataclass(frozen=True, slots=True)
class AchievementSpec:
    person_id: int
    institution_id: int
    kind: str
    level: str
    name: str
    result: str
    achieved_on: dt.date


def _within(ref: SchoolYearRef, day: dt.date, today: dt.date) -> bool:
    """Whether `day` lies in the enrolment (the day it ended counts: a completer's exams fall
    on days before the next 1 September) and not after today."""
    return ref.valid_from <= day <= min(ref.valid_to or today, today)


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def learning_generate(
    *, scale: Scale, seed: int, today: dt.date, years: Sequence[SchoolYearRef]
) -> tuple[list[ElectiveSpec], list[AchievementSpec]]:
    rng = demo_rng(seed, "pupil-learning")
    rates = RATES[scale]
    electives: list[ElectiveSpec] = []
    achievements: list[AchievementSpec] = []
    for ref in years:
        grade = int(ref.grade) if ref.grade.isdigit() else 0
        june = dt.date(ref.school_year + 1, 6, 1)
        if grade in (11, 12) and rng.random() < rates.elective_pupils:
            for subject in rng.sample(ELECTIVE_SUBJECTS, rng.choice((2, 2, 3))):
                electives.append(
                    ElectiveSpec(
                        ref.person_id,
                        ref.institution_id,
                        ref.school_year,
                        subject,
                        rng.random() < ADVANCED_SHARE,
                    )
                )
        if grade == 12 and ref.completed and rng.random() < rates.exam_pupils:
            exams = list(MANDATORY_EXAMS)
            if rng.random() < 0.85:
                exams.append(ENGLISH_EXAM)
            exams += rng.sample(OTHER_STATE_EXAMS, rng.choice((1, 1, 2)))
            for number, name in enumerate(exams):
                day = june + dt.timedelta(days=2 + 3 * number)
                if _within(ref, day, today):
                    score = max(0, min(100, round(rng.gauss(62, 20))))
                    achievements.append(
                        AchievementSpec(ref.person_id, ref.institution_id, AchievementKind.EXAM,
                                        AchievementLevel.NATIONAL, name, f"{score} iš 100", day)
                    )  # fmt: skip
            if rng.random() < 0.2:
                day = june - dt.timedelta(days=10)
                if _within(ref, day, today):
                    achievements.append(
                        AchievementSpec(ref.person_id, ref.institution_id, AchievementKind.EXAM,
                                        AchievementLevel.SCHOOL, rng.choice(SCHOOL_EXAMS),
                                        str(rng.randint(4, 10)), day)
                    )  # fmt: skip
        if grade == 10 and rng.random() < rates.pupp_pupils:
            for number, name in enumerate(PUPP_TESTS):
                day = june + dt.timedelta(days=5 + 2 * number)
                if _within(ref, day, today):
                    achievements.append(
                        AchievementSpec(ref.person_id, ref.institution_id, AchievementKind.EXAM,
                                        AchievementLevel.NATIONAL, name,
                                        str(max(1, min(10, round(rng.gauss(6.5, 2))))), day)
                    )  # fmt: skip
        if grade >= 5 and rng.random() < rates.olympiad:
            day = dt.date(ref.school_year + 1, 2, 1) + dt.timedelta(days=rng.randrange(40))
            if _within(ref, day, today):
                draw = rng.random()
                level = (
                    AchievementLevel.MUNICIPAL
                    if draw < 0.7
                    else AchievementLevel.NATIONAL
                    if draw < 0.96
                    else AchievementLevel.INTERNATIONAL
                )
                achievements.append(
                    AchievementSpec(ref.person_id, ref.institution_id, AchievementKind.OLYMPIAD,
                                    level, rng.choice(OLYMPIADS),
                                    _weighted(rng, OLYMPIAD_RESULTS), day)
                )  # fmt: skip
        if grade >= 1 and rng.random() < rates.competition:
            day = dt.date(ref.school_year, 11, 1) + dt.timedelta(days=rng.randrange(150))
            if _within(ref, day, today):
                name, level = rng.choice(COMPETITIONS)
                achievements.append(
                    AchievementSpec(ref.person_id, ref.institution_id,
                                    AchievementKind.COMPETITION, level, name,
                                    _weighted(rng, COMPETITION_RESULTS), day)
                )  # fmt: skip
    return electives, achievements


def _references() -> list[SchoolYearRef]:
    rows = (
        Enrolment.objects.filter(kind=GroupKind.GENERAL)
        .exclude(group__grade__in=("preschool", "preprimary"))
        .order_by("person_id", "valid_from", "pk")
        .values_list(
            "person_id",
            "institution_id",
            "group__school_year",
            "group__grade",
            "valid_from",
            "valid_to",
            "departure_reason__code",
        )
    )
    return [
        SchoolYearRef(person, institution, year, grade, start, end, reason == "completed")
        for person, institution, year, grade, start, end, reason in rows
    ]


def learning_seed(
    *,
    scale: Scale,
    seed: int,
    progress: Progress,
    today: dt.date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Generate and insert the demo electives and achievements; returns how many records."""
    today = today or timezone.localdate()
    electives, achievements = learning_generate(
        scale=scale, seed=seed, today=today, years=_references()
    )
    levels = dict(
        ClassifierValue.objects.filter(classifier__code="course-level").values_list("code", "pk")
    )
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for spec in electives:  # one subject once a year per pupil (a transfer repeats the year)
        if (key := (spec.person_id, spec.school_year, spec.subject)) not in seen:
            seen.add(key)
            unique.append(spec)
    for start in range(0, len(unique), batch_size):
        bulk_create_with_audit(
            Elective,
            [
                Elective(
                    person_id=spec.person_id,
                    institution_id=spec.institution_id,
                    school_year=spec.school_year,
                    subject=spec.subject,
                    course_level_id=levels["A" if spec.advanced else "B"],
                )
                for spec in unique[start : start + batch_size]
            ],
            batch_size=batch_size,
        )
    for start in range(0, len(achievements), batch_size):
        bulk_create_with_audit(
            Achievement,
            [
                Achievement(
                    person_id=spec.person_id,
                    institution_id=spec.institution_id,
                    kind=spec.kind,
                    level=spec.level,
                    name=spec.name,
                    result=spec.result,
                    achieved_on=spec.achieved_on,
                )
                for spec in achievements[start : start + batch_size]
            ],
            batch_size=batch_size,
        )
    progress(f"pupils' learning data: {len(unique)} electives, {len(achievements)} achievements")
    return len(unique) + len(achievements)

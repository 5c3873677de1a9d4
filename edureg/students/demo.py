"""Demo Student Register: study rights of the student-age demo people in the demo HEIs, with
six years of status history, funding, prior education, mobility, results, loans, scholarships
and graduations.

`students_generate` is a pure function of its inputs (plain references to the people, HEIs,
study programmes and pupils' school completions already in the database, the seed and today's
date), so the same seed gives the same register; `students_seed` reads those references,
generates, checks every study right's status history with the pure timeline rules
(`edureg.students.timeline`) and writes everything through the audited bulk path
(`bulk_create_with_audit`: a version and a change-log entry for every row), never a service
per row.

How a person's studies are drawn:
- most student-age people study now (the current study right is open: studying, on academic
  leave or interrupted); a current master's student usually graduated a first-cycle programme
  just before, a few current students were terminated earlier and admitted again, and a few
  continue a study right they transferred from;
- the others have only a past: a graduated programme (sometimes followed by a graduated
  master's) or studies terminated for one or more reasons;
- school leavers of the Pupil Register start their first year on the 1 September after they
  completed grade 12, with the maturity certificate from the Pupil Register as their prior
  education; foreign citizens bring a foreign document with its recognition decision;
- study rights start at most `HISTORY_YEARS` years ago; a leave or an interruption keeps to
  its limit, personal leave is taken at most once, and nothing is dated after today.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from edureg.core.audit import bulk_create_with_audit
from edureg.core.demo import DEFAULT_BATCH_SIZE, PROGRESS_EVERY, Progress, Scale, demo_rng
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.programmes.models import (
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    StudyCycle,
    VersionStatus,
)
from edureg.pupils.models import Enrolment, GroupKind
from edureg.students import timeline
from edureg.students.models import (
    MAX_COURSE,
    MAX_SEMESTER,
    FundingPeriod,
    Graduation,
    LoanKind,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Result,
    Scholarship,
    ScholarshipKind,
    StatusPeriod,
    StudyForm,
    StudyLoan,
    StudyRight,
    StudyStatus,
)
from edureg.students.timeline import Period, add_years

S = StudyStatus

# Study rights start at most this many years before the current study year.
HISTORY_YEARS = 6
# Students are at least this old in the calendar year they start.
ENTRY_AGE = 19
HEI_GROUPS = ("university", "college", "foreign-hei-branch")
FIRST_CYCLES = (StudyCycle.BACHELOR, StudyCycle.PROFESSIONAL_BACHELOR)


@dataclass(frozen=True)
class Rates:
    """Shares of people and study rights; the small scale has more of the rare things so that
    every screen has something to show."""

    current_student: float  # a student-age person studies now
    current_school_leaver: float  # a grade-12 leaver of the Pupil Register studies now
    master: float  # a current student old enough for it studies for a master's degree
    bachelor_before_master: float  # ... after a first-cycle programme graduated in the window
    readmitted: float  # a current student was terminated earlier and admitted again
    transferred: float  # a current study right continues a transferred one
    master_after_graduation: float  # a past graduate went on to a (graduated) master's
    open_leave: float  # an open study right is on academic leave now
    open_interruption: float  # ... interrupted now
    past_leave: float  # a study right had an academic leave that ended
    past_interruption: float  # ... an interruption that ended
    terminated_from_pause: float  # a termination came during a leave or an interruption
    mobility: float
    results: float  # study rights with results
    results_semesters: int  # the last semesters with results (0: every semester)
    loan: float
    scholarship: float
    state_funded: float
    funding_change: float


RATES = {
    Scale.SMALL: Rates(
        current_student=0.8,
        current_school_leaver=0.75,
        master=0.35,
        bachelor_before_master=0.8,
        readmitted=0.12,
        transferred=0.12,
        master_after_graduation=0.3,
        open_leave=0.08,
        open_interruption=0.06,
        past_leave=0.15,
        past_interruption=0.1,
        terminated_from_pause=0.25,
        mobility=0.2,
        results=1.0,
        results_semesters=0,
        loan=0.12,
        scholarship=0.3,
        state_funded=0.55,
        funding_change=0.15,
    ),
    Scale.NATIONAL: Rates(
        current_student=0.85,
        current_school_leaver=0.72,
        master=0.3,
        bachelor_before_master=0.75,
        readmitted=0.06,
        transferred=0.03,
        master_after_graduation=0.25,
        open_leave=0.035,
        open_interruption=0.015,
        past_leave=0.05,
        past_interruption=0.03,
        terminated_from_pause=0.15,
        mobility=0.03,
        results=0.06,
        results_semesters=2,
        loan=0.02,
        scholarship=0.08,
        state_funded=0.55,
        funding_change=0.06,
    ),
}

# Students of each HEI in thousands (rounded, the agency's recent counts): the demo spreads its
# students by these weights; an HEI not listed weighs `DEFAULT_HEI_WEIGHT`.
HEI_WEIGHTS = {
    "Vilniaus universitetas": 22.0,
    "Kauno technologijos universitetas": 9.0,
    "Vytauto Didžiojo universitetas": 8.0,
    "Vilniaus Gedimino technikos universitetas": 8.5,
    "Lietuvos sveikatos mokslų universitetas": 7.5,
    "Mykolo Romerio universitetas": 5.5,
    "Klaipėdos universitetas": 3.0,
    "Lietuvos sporto universitetas": 1.6,
    "Vilniaus dailės akademija": 1.8,
    "Lietuvos muzikos ir teatro akademija": 1.0,
    "Generolo Jono Žemaičio Lietuvos karo akademija": 0.5,
    "ISM vadybos ir ekonomikos universitetas": 1.6,
    "Europos humanitarinis universitetas": 0.8,
    "Kazimiero Simonavičiaus universitetas": 0.8,
    "LCC tarptautinis universitetas": 0.6,
    "Vilniaus Šv. Juozapo kunigų seminarija": 0.05,
    "Telšių vyskupo Vincento Borisevičiaus kunigų seminarija": 0.05,
    "Vilniaus kolegija": 6.5,
    "Kauno kolegija": 6.0,
    "Klaipėdos valstybinė kolegija": 2.8,
    "Panevėžio kolegija": 1.2,
    "Šiaulių valstybinė kolegija": 1.5,
    "Utenos kolegija": 1.1,
    "Alytaus kolegija": 0.8,
    "Marijampolės kolegija": 0.6,
    "Lietuvos aukštoji jūreivystės mokykla": 0.5,
    "Vilniaus technologijų ir dizaino kolegija": 1.8,
    "Kauno technikos kolegija": 1.6,
    "Kauno miškų ir aplinkos inžinerijos kolegija": 0.9,
    "Vilniaus verslo kolegija": 1.2,
    "Kolpingo kolegija": 0.5,
    "Socialinių mokslų kolegija": 1.6,
    "Tarptautinė teisės ir verslo aukštoji mokykla": 0.9,
    "Vilniaus kooperacijos kolegija": 0.3,
    "Šv. Ignaco Lojolos kolegija": 0.4,
    "Vilniaus dizaino kolegija": 0.8,
}
DEFAULT_HEI_WEIGHT = 0.4

# (code, weight) of the termination reasons, from studying; from a leave or an interruption the
# student mostly did not come back or register.
TERMINATION_REASONS = (
    ("own-request", 45),
    ("academic-debt", 25),
    ("not-registered", 14),
    ("not-paying", 12),
    ("dishonesty", 2),
)
PAUSE_TERMINATION_REASONS = (("no-return", 60), ("not-registered", 25), ("own-request", 15))
INTERRUPTION_REASONS = (("not-paying", 40), ("academic-debt", 35), ("own-request", 25))
LEAVE_REASONS = (("illness", 40), ("childcare", 30), ("personal", 30))

# Partial studies: (host institution, country).
HOSTS = (
    ("Universität Wien", "AT"),
    ("Technische Universität München", "DE"),
    ("Universität Heidelberg", "DE"),
    ("Universidad de Granada", "ES"),
    ("Universitat de València", "ES"),
    ("Università di Bologna", "IT"),
    ("Politecnico di Milano", "IT"),
    ("Université de Lille", "FR"),
    ("Sorbonne Université", "FR"),
    ("Uniwersytet Warszawski", "PL"),
    ("Latvijas Universitāte", "LV"),
    ("Tartu Ülikool", "EE"),
    ("Aalto-yliopisto", "FI"),
    ("Lunds universitet", "SE"),
    ("Københavns Universitet", "DK"),
    ("Universidade do Porto", "PT"),
    ("Univerzita Karlova", "CZ"),
    ("University College Dublin", "IE"),
)
MOBILITY_PROGRAMMES = (("Erasmus+", 85), ("Nordplus", 8), ("Dvišalė sutartis", 7))

COURSE_UNITS = (
    "Akademinis rašymas", "Profesinė etika", "Tyrimų metodologija", "Statistika",
    "Anglų kalba", "Filosofija", "Informacinės technologijos", "Vadybos pagrindai",
    "Teisės pagrindai", "Ekonomikos teorija", "Psichologijos įvadas", "Projektų valdymas",
    "Duomenų analizė", "Kritinis mąstymas", "Komunikacija", "Specialybės praktika",
    "Kursinis darbas", "Pasirenkamasis dalykas", "Studijų krypties seminaras",
    "Tarpdalykinis projektas", "Lietuvių kalbos kultūra", "Matematinė analizė",
)  # fmt: skip
THESIS_UNIT = "Baigiamasis darbas"
THESIS_TOPICS = (
    "Skaitmeninių paslaugų prieinamumas savivaldybėse",
    "Jaunimo užimtumo politikos poveikis regionuose",
    "Mašininio mokymosi taikymas duomenų kokybei gerinti",
    "Tvarios energetikos sprendimai daugiabučiuose",
    "Pacientų saugos kultūra ligoninėse",
    "Mažųjų įmonių eksporto strategijos",
    "Mokinių motyvacijos veiksniai gimnazijose",
    "Atvirų duomenų panaudojimas viešajame sektoriuje",
    "Lietuvos ir Latvijos darbo teisės palyginimas",
    "Vartotojų elgsena elektroninėje prekyboje",
    "Miesto žaliųjų erdvių planavimas",
    "Savanorystės reikšmė socialinei įtraukčiai",
)
# Grades of the 10-point scale and how often they are given; 1–4 fail.
GRADE_WEIGHTS = ((10, 8), (9, 15), (8, 20), (7, 17), (6, 12), (5, 7), (4, 3), (3, 1))
DEGREES: dict[str, str] = {
    StudyCycle.PROFESSIONAL_BACHELOR: "profesinio bakalauro laipsnis",
    StudyCycle.BACHELOR: "bakalauro laipsnis",
    StudyCycle.MASTER: "magistro laipsnis",
}
LOAN_LENDER = "vsf"
STATE_STUDY_FUND = "Valstybinis studijų fondas"
RECOGNITION_BODY = "SKVC"


# --- Inputs and outputs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StudentRef:
    person_id: int
    birth_date: dt.date
    citizenship: str
    school_completed_on: dt.date | None = None  # end of the completed grade-12 enrolment
    school_name: str = ""


@dataclass(frozen=True, slots=True)
class HeiRef:
    institution_id: int
    name: str
    group: str  # institution-group code: university, college or foreign-hei-branch


@dataclass(frozen=True, slots=True)
class StudyProgrammeRef:
    programme_id: int
    institution_id: int
    cycle: str
    years: int  # full-time duration, whole years
    part_time: bool
    name: str
    degree: str


@dataclass(slots=True)
class PriorSpec:
    kind: str
    document_type: str  # document-type code, "" for none
    document_number: str
    issued_on: dt.date | None
    issuer: str
    country: str = "LT"
    recognition_decision: str = ""
    recognition_date: dt.date | None = None


@dataclass(slots=True)
class ResultSpec:
    semester: int
    code: str
    title: str
    credits: Decimal
    grade: int | None
    passed: bool | None
    assessed_on: dt.date


@dataclass(slots=True)
class RightSpec:
    public_id: uuid.UUID
    person_id: int
    institution_id: int
    programme_id: int
    cycle: str
    form: str
    started_on: dt.date
    course: int
    expected_end: dt.date | None
    admission_basis: str
    student_card_number: str
    status: str = S.STUDYING
    ended_on: dt.date | None = None
    transferred_from: int = -1  # index of the study right this one continues
    periods: list[Period] = field(default_factory=list)
    funding: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)
    prior: list[PriorSpec] = field(default_factory=list)
    mobilities: list[tuple[str, str, str, dt.date, dt.date, Decimal, Decimal]] = field(
        default_factory=list
    )
    results: list[ResultSpec] = field(default_factory=list)
    loans: list[tuple[str, Decimal, dt.date, dt.date | None, str]] = field(default_factory=list)
    scholarships: list[tuple[str, Decimal, dt.date, dt.date, str]] = field(default_factory=list)
    graduation: tuple[dt.date, str, str, str] | None = None  # date, degree, thesis, diploma


@dataclass
class StudentPlan:
    rights: list[RightSpec] = field(default_factory=list)

    def count(self, attribute: str) -> int:
        return sum(len(getattr(right, attribute)) for right in self.rights)


# --- Dates -----------------------------------------------------------------------------------


def study_year_of(day: dt.date) -> int:
    """The study year a day falls in, by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def _september(year: int) -> dt.date:
    return dt.date(year, 9, 1)


def _semester_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """1 September and 1 February dates in [first, last]."""
    starts = []
    for year in range(first.year - 1, last.year + 1):
        for day in (dt.date(year, 2, 1), dt.date(year, 9, 1)):
            if first <= day <= last:
                starts.append(day)
    return starts


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    if last < first:
        return None
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


# --- Generation ------------------------------------------------------------------------------


class _Programmes:
    """Weighted choice of a programme of a kind (first cycle or master), by HEI size."""

    def __init__(self, heis: Sequence[HeiRef], programmes: Sequence[StudyProgrammeRef]) -> None:
        weight = {hei.institution_id: HEI_WEIGHTS.get(hei.name, DEFAULT_HEI_WEIGHT) for hei in heis}
        self.by_kind: dict[str, dict[int, list[StudyProgrammeRef]]] = {"first": {}, "master": {}}
        for programme in programmes:
            if programme.institution_id not in weight:
                continue
            kind = "master" if programme.cycle == StudyCycle.MASTER else "first"
            if programme.cycle not in (*FIRST_CYCLES, StudyCycle.MASTER):
                continue
            self.by_kind[kind].setdefault(programme.institution_id, []).append(programme)
        self.choices = {
            kind: (list(offers), [weight[i] for i in offers])
            for kind, offers in self.by_kind.items()
        }

    def choose(
        self, rng: random.Random, kind: str, institution_id: int | None = None
    ) -> StudyProgrammeRef | None:
        offers = self.by_kind[kind]
        if not offers:
            return None
        if institution_id is None or institution_id not in offers:
            institutions, weights = self.choices[kind]
            institution_id = rng.choices(institutions, weights)[0]
        return rng.choice(offers[institution_id])


@dataclass(slots=True)
class _Pause:
    """An academic leave or an interruption."""

    status: str
    start: dt.date
    end: dt.date | None  # the return, or None when it lasts until the right ends or today
    leave_reason: str | None = None
    reasons: tuple[str, ...] = ()


class _Generator:
    def __init__(
        self,
        scale: Scale,
        seed: int,
        today: dt.date,
        heis: Sequence[HeiRef],
        programmes: Sequence[StudyProgrammeRef],
        schools: Sequence[str],
    ) -> None:
        self.rng = demo_rng(seed, "students")
        self.rates = RATES[scale]
        self.today = today
        self.year = study_year_of(today)
        self.window_start = _september(self.year - HISTORY_YEARS)
        self.programmes = _Programmes(heis, programmes)
        self.hei_names = {hei.institution_id: hei.name for hei in heis}
        self.schools = list(schools) or ["Vilniaus licėjus"]
        self.plan = StudentPlan()
        self.card_serial = itertools.count(1)
        self.document_serial = itertools.count(1)

    # -- people --

    def person(self, student: StudentRef) -> None:
        rng, rates = self.rng, self.rates
        first_entry = student.school_completed_on or _september(student.birth_date.year + ENTRY_AGE)
        if first_entry > self.today:
            return
        share = rates.current_school_leaver if student.school_completed_on else None
        current = rng.random() < (share if share is not None else rates.current_student)
        if current:
            self._current_path(student, first_entry)
        else:
            self._past_path(student, first_entry)

    def _current_path(self, student: StudentRef, first_entry: dt.date) -> None:
        rng, rates = self.rng, self.rates
        age = self.year - student.birth_date.year
        earliest = max(first_entry, self.window_start)
        kind = "master" if age >= 23 and rng.random() < rates.master else "first"
        programme = self.programmes.choose(rng, kind)
        if programme is None:
            return
        form, years = self._form(programme, age)
        first_year = max(study_year_of(earliest), self.year - years + 1)
        if first_year > self.year:
            return
        # Most begin in the year they could first begin (after school); the others later.
        natural = study_year_of(earliest)
        start_years = list(range(first_year, self.year + 1))
        weights = [3.0 if year == natural else 1.0 for year in start_years]
        study_start = _september(rng.choices(start_years, weights)[0])
        prior: PriorSpec | None = None
        if kind == "master" and rng.random() < rates.bachelor_before_master:
            prior = self._bachelor_before(student, study_start, earliest)
        elif kind == "first" and rng.random() < rates.readmitted:
            prior = self._terminated_before(student, study_start, earliest)
        started_on = study_start
        transferred_from = -1
        if rng.random() < rates.transferred and study_start.year < self.year:
            # The student began these studies elsewhere and transferred on a semester start.
            moves = _semester_starts(study_start + dt.timedelta(150), self.today)
            if moves:
                started_on = rng.choice(moves)
                transferred_from = self._transferred_before(
                    student, programme, study_start, started_on, form, prior
                )
                if transferred_from >= 0:
                    prior = self.plan.rights[transferred_from].prior[0]
                else:
                    started_on = study_start
        self._right(
            student,
            programme,
            form,
            years,
            study_start=study_start,
            started_on=started_on,
            end_status=None,
            end_on=None,
            transferred_from=transferred_from,
            prior=prior,
        )

    def _past_path(self, student: StudentRef, first_entry: dt.date) -> None:
        rng, rates = self.rng, self.rates
        age = self.year - student.birth_date.year
        start_year = study_year_of(max(first_entry, self.window_start))
        programme = self.programmes.choose(rng, "first")
        if programme is None or start_year > self.year:
            return
        form, years = self._form(programme, age)
        # Graduates finished in a June that has passed.
        last_graduation = self.today.year if self.today.month >= 7 else self.today.year - 1
        if start_year + years <= last_graduation and rng.random() < 0.65:
            study_start = _september(rng.randint(start_year, last_graduation - years))
            index = self._right(
                student,
                programme,
                form,
                years,
                study_start=study_start,
                started_on=study_start,
                end_status=S.GRADUATED,
                end_on=self._graduation_day(study_start.year + years),
            )
            graduated = self.plan.rights[index].ended_on
            master = self.programmes.choose(rng, "master")
            if (
                master is None
                or graduated is None
                or graduated.year + master.years > last_graduation
                or rng.random() >= rates.master_after_graduation
            ):
                return
            master_start = _september(graduated.year)
            self._right(
                student,
                master,
                StudyForm.FULL_TIME,
                master.years,
                study_start=master_start,
                started_on=master_start,
                end_status=S.GRADUATED,
                end_on=self._graduation_day(master_start.year + master.years),
                prior=self._diploma_prior(index),
                allow_pauses=False,
            )
            return
        study_start = _september(rng.randint(start_year, self.year))
        end = _between(rng, study_start + dt.timedelta(45), self.today - dt.timedelta(1))
        if end is None:
            return
        self._right(
            student,
            programme,
            form,
            years,
            study_start=study_start,
            started_on=study_start,
            end_status=S.TERMINATED,
            end_on=end,
        )

    def _bachelor_before(
        self, student: StudentRef, master_start: dt.date, earliest: dt.date
    ) -> PriorSpec | None:
        """A first-cycle programme graduated in the June before the master's studies; its
        diploma is the master's prior education."""
        programme = self.programmes.choose(self.rng, "first")
        if programme is None:
            return None
        start = _september(master_start.year - programme.years)
        if start < earliest:
            return None
        index = self._right(
            student,
            programme,
            StudyForm.FULL_TIME,
            programme.years,
            study_start=start,
            started_on=start,
            end_status=S.GRADUATED,
            end_on=self._graduation_day(master_start.year),
            allow_pauses=False,
        )
        return self._diploma_prior(index)

    def _terminated_before(
        self, student: StudentRef, start: dt.date, earliest: dt.date
    ) -> PriorSpec | None:
        """Studies terminated in the year or two before the student was admitted again; the
        same school document admitted the student both times."""
        first = _september(start.year - self.rng.randint(1, 2))
        if first < earliest:
            return None
        programme = self.programmes.choose(self.rng, "first")
        end = _between(self.rng, first + dt.timedelta(45), start - dt.timedelta(30))
        if programme is None or end is None:
            return None
        form, years = self._form(programme, self.year - student.birth_date.year)
        index = self._right(
            student,
            programme,
            form,
            years,
            study_start=first,
            started_on=first,
            end_status=S.TERMINATED,
            end_on=end,
        )
        return self.plan.rights[index].prior[0]

    def _transferred_before(
        self,
        student: StudentRef,
        target: StudyProgrammeRef,
        study_start: dt.date,
        on: dt.date,
        form: str,
        prior: PriorSpec | None,
    ) -> int:
        """The study right the current one continues: studies of the same kind in another
        programme until the transfer."""
        kind = "master" if target.cycle == StudyCycle.MASTER else "first"
        programme = self.programmes.choose(self.rng, kind)
        if programme is None or programme.programme_id == target.programme_id:
            return -1
        years = programme.years if form == StudyForm.FULL_TIME else _part_time(programme.years)
        return self._right(
            student,
            programme,
            form,
            years,
            study_start=study_start,
            started_on=study_start,
            end_status=S.TRANSFERRED,
            end_on=on,
            prior=prior,
            allow_pauses=False,
        )

    def _form(self, programme: StudyProgrammeRef, age: int) -> tuple[str, int]:
        part_time = programme.part_time and self.rng.random() < (0.5 if age >= 24 else 0.1)
        if part_time:
            return StudyForm.PART_TIME, _part_time(programme.years)
        return StudyForm.FULL_TIME, programme.years

    def _graduation_day(self, year: int) -> dt.date:
        return dt.date(year, 6, self.rng.randint(15, 30))

    # -- one study right --

    def _right(
        self,
        student: StudentRef,
        programme: StudyProgrammeRef,
        form: str,
        years: int,
        *,
        study_start: dt.date,
        started_on: dt.date,
        end_status: str | None,
        end_on: dt.date | None,
        transferred_from: int = -1,
        prior: PriorSpec | None = None,
        allow_pauses: bool = True,
    ) -> int:
        rng, rates = self.rng, self.rates
        last_day = end_on or self.today
        pauses: list[_Pause] = []
        if allow_pauses:
            pauses = self._pauses(started_on, last_day, end_status)
        if end_status == S.GRADUATED and pauses:
            # A pause delays the graduation by the years it took.
            lost = sum(((p.end or last_day) - p.start).days for p in pauses)
            end_on = self._graduation_day(last_day.year + (1 if lost <= 366 else 2))
            if end_on > self.today:
                pauses, end_on = [], last_day
        reasons: tuple[str, ...] = ()
        if end_status == S.TERMINATED:
            paused = bool(pauses) and pauses[-1].end is None
            reasons = self._reasons(PAUSE_TERMINATION_REASONS if paused else TERMINATION_REASONS)
        periods = _periods(started_on, pauses, end_status, end_on, reasons, study_start, years)
        status, ended_on = timeline.outcome(periods)
        lost_years = round(sum(((p.end or last_day) - p.start).days for p in pauses) / 365)
        reference = ended_on - dt.timedelta(1) if ended_on else self.today
        course = _clamp(1 + study_year_of(reference) - study_start.year - lost_years, years)
        right = RightSpec(
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            person_id=student.person_id,
            institution_id=programme.institution_id,
            programme_id=programme.programme_id,
            cycle=programme.cycle,
            form=form,
            started_on=started_on,
            course=course,
            expected_end=_expected_end(study_start, years, started_on),
            admission_basis=self._admission_basis(student, programme, transferred_from),
            student_card_number=f"LSP{next(self.card_serial):08d}",
            status=status,
            ended_on=ended_on,
            transferred_from=transferred_from,
            periods=periods,
        )
        index = len(self.plan.rights)
        self.plan.rights.append(right)
        right.prior.append(prior or self._school_prior(student, started_on))
        self._funding(right, student)
        if status == S.GRADUATED and ended_on is not None:
            right.graduation = (
                ended_on,
                _degree(programme),
                rng.choice(THESIS_TOPICS),
                f"{programme.cycle[:1].upper()}{ended_on:%y} {next(self.document_serial):07d}",
            )
        studying = _studying_spans(periods, self.today)
        if rng.random() < rates.mobility:
            self._mobility(right, studying)
        if rng.random() < rates.results:
            self._results(right, studying, study_start)
        if rng.random() < rates.loan:
            self._loan(right, studying)
        if rng.random() < rates.scholarship:
            self._scholarship(right, studying)
        return index

    def _pauses(self, start: dt.date, last_day: dt.date, end_status: str | None) -> list[_Pause]:
        """At most one pause that ended, then perhaps one that lasts until the end or today."""
        rng, rates = self.rng, self.rates
        pauses: list[_Pause] = []
        final: _Pause | None = None
        if end_status is None:
            draw = rng.random()
            if draw < rates.open_leave:
                reason = _pick(rng, LEAVE_REASONS)
                limit_days = (
                    add_years(self.today, timeline.LEAVE_LIMIT_YEARS[reason]) - self.today
                ).days
                begin = _between(
                    rng,
                    max(start, self.today - dt.timedelta(limit_days - 30)) + dt.timedelta(30),
                    self.today - dt.timedelta(1),
                )
                if begin is not None:
                    final = _Pause(S.ACADEMIC_LEAVE, begin, None, leave_reason=reason)
            elif draw < rates.open_leave + rates.open_interruption:
                begin = _between(
                    rng,
                    max(start + dt.timedelta(30), self.today - dt.timedelta(330)),
                    self.today - dt.timedelta(1),
                )
                if begin is not None:
                    final = _Pause(
                        S.INTERRUPTED, begin, None, reasons=self._reasons(INTERRUPTION_REASONS)
                    )
        elif end_status == S.TERMINATED and rng.random() < rates.terminated_from_pause:
            # Terminated while on leave or interrupted: the pause began within its limit.
            status = S.ACADEMIC_LEAVE if rng.random() < 0.5 else S.INTERRUPTED
            begin = _between(
                rng,
                max(start + dt.timedelta(30), last_day - dt.timedelta(300)),
                last_day - dt.timedelta(1),
            )
            if begin is not None:
                final = (
                    _Pause(status, begin, None, leave_reason=_pick(rng, LEAVE_REASONS))
                    if status == S.ACADEMIC_LEAVE
                    else _Pause(status, begin, None, reasons=self._reasons(INTERRUPTION_REASONS))
                )
        room_end = (final.start if final else last_day) - dt.timedelta(30)
        draw = rng.random()
        if draw < rates.past_leave:
            pause = self._past_leave(start, room_end)
        elif draw < rates.past_leave + rates.past_interruption:
            pause = self._past_interruption(start, room_end)
        else:
            pause = None
        if pause is not None:
            pauses.append(pause)
        if final is not None:
            if (
                pause is not None
                and pause.leave_reason == timeline.PERSONAL_LEAVE
                and final.leave_reason == timeline.PERSONAL_LEAVE
            ):
                final.leave_reason = "illness"  # personal leave once per study right
            pauses.append(final)
        return pauses

    def _past_leave(self, start: dt.date, room_end: dt.date) -> _Pause | None:
        """A leave of one or two semesters (illness or child care: up to four), from a
        semester start to a later one."""
        rng = self.rng
        reason = _pick(rng, LEAVE_REASONS)
        semesters = rng.randint(1, 2 if reason == timeline.PERSONAL_LEAVE else 4)
        options = []
        for begin in _semester_starts(start + dt.timedelta(60), room_end):
            later = _semester_starts(begin + dt.timedelta(1), dt.date(begin.year + 3, 12, 31))
            if len(later) >= semesters and later[semesters - 1] <= room_end:
                options.append((begin, later[semesters - 1]))
        if not options:
            return None
        begin, end = rng.choice(options)
        return _Pause(S.ACADEMIC_LEAVE, begin, end, leave_reason=reason)

    def _past_interruption(self, start: dt.date, room_end: dt.date) -> _Pause | None:
        """An interruption from a day early in a semester to the next semester start."""
        rng = self.rng
        options = []
        for semester in _semester_starts(start + dt.timedelta(60), room_end):
            begin = semester + dt.timedelta(rng.randint(0, 40))
            ends = _semester_starts(begin + dt.timedelta(60), add_years(begin, 1))
            ends = [day for day in ends if day <= room_end]
            if ends:
                options.append((begin, rng.choice(ends)))
        if not options:
            return None
        begin, end = rng.choice(options)
        return _Pause(S.INTERRUPTED, begin, end, reasons=self._reasons(INTERRUPTION_REASONS))

    def _reasons(self, weighted: Sequence[tuple[str, float]]) -> tuple[str, ...]:
        first = _pick(self.rng, weighted)
        if self.rng.random() < 0.15:
            second = _pick(self.rng, weighted)
            return tuple(sorted({first, second}))
        return (first,)

    # -- the rest of a study right --

    def _admission_basis(
        self, student: StudentRef, programme: StudyProgrammeRef, transferred: int
    ) -> str:
        if transferred >= 0:
            return "Perkėlimas iš kitos studijų programos"
        if student.citizenship != "LT":
            return "Užsieniečių priėmimas"
        if programme.cycle == StudyCycle.MASTER:
            return "Priėmimas į magistrantūros studijas"
        return "Bendrasis priėmimas"

    def _school_prior(self, student: StudentRef, started_on: dt.date) -> PriorSpec:
        rng = self.rng
        number = f"{rng.randrange(10_000_000):07d}"
        if student.school_completed_on is not None:
            return PriorSpec(
                kind=PriorEducationKind.PUPIL_REGISTER,
                document_type="3014",
                document_number=f"BA {number}",
                issued_on=dt.date(student.school_completed_on.year, 7, rng.randint(1, 15)),
                issuer=student.school_name,
            )
        finished = dt.date(student.birth_date.year + ENTRY_AGE - 1, 7, rng.randint(1, 15))
        finished = min(finished, started_on - dt.timedelta(30))
        if student.citizenship != "LT":
            decided = _between(rng, finished + dt.timedelta(14), started_on - dt.timedelta(7))
            decided = decided or started_on - dt.timedelta(7)
            return PriorSpec(
                kind=PriorEducationKind.FOREIGN,
                document_type="",
                document_number=number,
                issued_on=finished,
                issuer=f"Secondary school ({student.citizenship})",
                country=student.citizenship,
                recognition_decision=(
                    f"{RECOGNITION_BODY} sprendimas Nr. SR-{decided.year}-{rng.randrange(1, 9999)}"
                ),
                recognition_date=decided,
            )
        return PriorSpec(
            kind=PriorEducationKind.CREDENTIAL,
            document_type="3014",
            document_number=f"BA {number}",
            issued_on=finished,
            issuer=rng.choice(self.schools),
        )

    def _diploma_prior(self, index: int) -> PriorSpec | None:
        right = self.plan.rights[index]
        if right.graduation is None:
            return None
        day, _degree, _thesis, diploma = right.graduation
        return PriorSpec(
            kind=PriorEducationKind.CREDENTIAL,
            document_type="",
            document_number=diploma,
            issued_on=day,
            issuer=self.hei_names.get(right.institution_id, ""),
        )

    def _funding(self, right: RightSpec, student: StudentRef) -> None:
        rng, rates = self.rng, self.rates
        share = rates.state_funded if student.citizenship == "LT" else 0.1
        if right.form == StudyForm.PART_TIME:
            share /= 2
        source = "11" if rng.random() < share else "self-paid"
        end = right.ended_on
        change = None
        if rng.random() < rates.funding_change:
            options = [
                day
                for day in _semester_starts(right.started_on + dt.timedelta(300), self.today)
                if day.month == 9 and (end is None or day < end)
            ]
            change = rng.choice(options) if options else None
        if change is None:
            right.funding.append((source, right.started_on, end))
            return
        other = "self-paid" if source == "11" else "11"
        right.funding.append((source, right.started_on, change))
        right.funding.append((other, change, end))

    def _mobility(self, right: RightSpec, studying: list[tuple[dt.date, dt.date]]) -> None:
        rng = self.rng
        options = []
        for first, last in studying:
            for begin in _semester_starts(max(first, right.started_on + dt.timedelta(300)), last):
                end = (
                    dt.date(begin.year + 1, 1, 31)
                    if begin.month == 9
                    else dt.date(begin.year, 6, 30)
                )
                if begin <= self.today and (end <= last or last >= self.today):
                    options.append((begin, end))
        if not options:
            return
        begin, end = rng.choice(options)
        host, country = rng.choice(HOSTS)
        earned = Decimal(rng.choice((15, 20, 24, 25, 27, 30))) if end <= self.today else Decimal(0)
        recognised = (
            earned if rng.random() < 0.8 else max(Decimal(0), earned - rng.choice((3, 5, 6)))
        )
        right.mobilities.append(
            (host, country, _pick(rng, MOBILITY_PROGRAMMES), begin, end, earned, recognised)
        )

    def _results(
        self, right: RightSpec, studying: list[tuple[dt.date, dt.date]], study_start: dt.date
    ) -> None:
        """Course unit results of the semesters the student studied, assessed at their end."""
        rng, rates = self.rng, self.rates
        semesters = []
        # The semester number counts from the start of the studies, transfers included.
        number = 2 * (study_year_of(right.started_on) - study_year_of(study_start)) + (
            1 if right.started_on.month >= 9 else 2
        )
        for begin in _semester_starts(right.started_on, self.today):
            assessed = (
                dt.date(begin.year + 1, 1, 25) if begin.month == 9 else dt.date(begin.year, 6, 10)
            )
            if assessed > self.today:
                break
            if any(first <= begin and assessed < last for first, last in studying):
                semesters.append((number, assessed))
                number += 1
        semesters = [(n, day) for n, day in semesters if 1 <= n <= MAX_SEMESTER]
        if rates.results_semesters:
            semesters = semesters[-rates.results_semesters :]
        full_time = right.form == StudyForm.FULL_TIME
        prefix = f"P{right.programme_id % 1000:03d}"
        for number, assessed in semesters:
            thesis = (
                right.ended_on is not None
                and right.status == S.GRADUATED
                and (right.ended_on - assessed).days < 40
            )
            units = rng.sample(COURSE_UNITS, 5 if full_time else 3)
            for position, title in enumerate(units):
                credits = Decimal(6 if full_time else 5)
                if thesis and position == 0:
                    title, credits = THESIS_UNIT, Decimal(15)
                if position == len(units) - 1 and rng.random() < 0.5:
                    grade, passed = None, rng.random() < 0.95
                else:
                    grade, passed = _pick(rng, GRADE_WEIGHTS), None
                right.results.append(
                    ResultSpec(
                        semester=number,
                        code=f"{prefix}B{number:02d}{position}",
                        title=title,
                        credits=credits,
                        grade=grade,
                        passed=passed,
                        assessed_on=assessed - dt.timedelta(rng.randint(0, 20)),
                    )
                )

    def _loan(self, right: RightSpec, studying: list[tuple[dt.date, dt.date]]) -> None:
        rng = self.rng
        options = []
        for first, last in studying:
            for begin in _semester_starts(first, min(last, self.today)):
                granted = begin + dt.timedelta(rng.randint(10, 40))
                if begin.month == 9 and granted <= min(last, self.today):
                    options.append(granted)
        if not options:
            return
        granted = rng.choice(options)
        kind = _pick(
            rng,
            ((LoanKind.TUITION, 50), (LoanKind.LIVING, 40))
            + (((LoanKind.PARTIAL_STUDIES, 40),) if right.mobilities else ()),
        )
        amount = Decimal(rng.randrange(10, 80) * 50)
        until = dt.date(granted.year + 1, 6, 30) if rng.random() < 0.5 else None
        right.loans.append((kind, amount, granted, until, f"L{next(self.document_serial):08d}"))

    def _scholarship(self, right: RightSpec, studying: list[tuple[dt.date, dt.date]]) -> None:
        rng = self.rng
        options = []
        for first, last in studying:
            for begin in _semester_starts(first, min(last, self.today)):
                end = (
                    dt.date(begin.year + 1, 1, 31)
                    if begin.month == 9
                    else dt.date(begin.year, 6, 30)
                )
                if end <= last or last >= self.today:
                    options.append((begin, end))
        if not options:
            return
        begin, end = rng.choice(options)
        kind = _pick(
            rng,
            (
                (ScholarshipKind.INCENTIVE, 60),
                (ScholarshipKind.SOCIAL, 30),
                (ScholarshipKind.TARGET, 5),
                (ScholarshipKind.OTHER, 5),
            ),
        )
        monthly = {"incentive": (100, 300), "social": (150, 250), "target": (200, 400)}
        low, high = monthly.get(kind, (50, 200))
        payer = (
            STATE_STUDY_FUND
            if kind == ScholarshipKind.SOCIAL
            else self.hei_names.get(right.institution_id, "")
        )
        amount = Decimal(rng.randrange(low, high + 1, 10) * 5)
        right.scholarships.append((kind, amount, begin, end, payer))


def _degree(programme: StudyProgrammeRef) -> str:
    """The degree awarded, e.g. "Bakalauro laipsnis (Informatika)"."""
    if programme.cycle in DEGREES:
        return f"{DEGREES[programme.cycle].capitalize()} ({programme.name})"
    return programme.degree or programme.name


def _part_time(years: int) -> int:
    """Part-time studies last at most one and a half times as long (whole years)."""
    return min(MAX_COURSE, -(-years * 3 // 2))


def _clamp(course: int, years: int) -> int:
    return max(1, min(course, years, MAX_COURSE))


def _expected_end(study_start: dt.date, years: int, started_on: dt.date) -> dt.date | None:
    end = dt.date(study_start.year + years, 6, 30)
    return end if end > started_on else None


def _periods(
    started_on: dt.date,
    pauses: Sequence[_Pause],
    end_status: str | None,
    end_on: dt.date | None,
    end_reasons: tuple[str, ...],
    study_start: dt.date,
    years: int,
) -> list[Period]:
    """The status history: studying, the pauses with the returns between, the end marker."""
    periods = [Period(S.STUDYING, started_on)]
    lost = 0
    for pause in pauses:
        periods[-1] = _closed(periods[-1], pause.start)
        periods.append(
            Period(
                pause.status,
                pause.start,
                leave_reason=pause.leave_reason,
                reasons=tuple(sorted(pause.reasons)),
            )
        )
        if pause.end is not None:
            periods[-1] = _closed(periods[-1], pause.end)
            lost += round((pause.end - pause.start).days / 365)
            course = _clamp(1 + study_year_of(pause.end) - study_start.year - lost, years)
            returned_to = course if pause.status == S.INTERRUPTED else None
            periods.append(Period(S.STUDYING, pause.end, course=returned_to))
    if end_status is not None and end_on is not None:
        periods[-1] = _closed(periods[-1], end_on)
        periods.append(Period(end_status, end_on, reasons=end_reasons))
    return periods


def _closed(period: Period, day: dt.date) -> Period:
    return Period(
        period.status,
        period.valid_from,
        day,
        leave_reason=period.leave_reason,
        course=period.course,
        reasons=period.reasons,
    )


def _studying_spans(periods: Sequence[Period], today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[from, to) spans of studying; an open one runs to the end of the current study year."""
    spans = []
    for period in periods:
        if period.status == S.STUDYING:
            end = period.valid_to or max(dt.date(study_year_of(today) + 1, 8, 31), today)
            spans.append((period.valid_from, end))
    return spans


def students_generate(
    *,
    scale: Scale,
    seed: int,
    today: dt.date,
    students: Sequence[StudentRef],
    heis: Sequence[HeiRef],
    programmes: Sequence[StudyProgrammeRef],
    schools: Sequence[str] = (),
) -> StudentPlan:
    """Study rights and everything recorded about them, reproducible for the seed and the day."""
    generator = _Generator(scale, seed, today, heis, programmes, schools)
    for student in students:
        generator.person(student)
    return generator.plan


def plan_check(plan: StudentPlan, today: dt.date) -> None:
    """Every study right keeps the Student Register's rules (the same pure checks the services
    run), its status and end date follow from its history, and nothing is dated after today.
    Raises AssertionError naming the study right: a generator bug, not bad input."""
    for index, right in enumerate(plan.rights):
        try:
            timeline.validate(right.started_on, right.periods)
        except Exception as exc:
            raise AssertionError(f"study right {index}: {exc} in {right.periods}") from exc
        problems = []
        if timeline.outcome(right.periods) != (right.status, right.ended_on):
            problems.append("status or end date out of step with the periods")
        if (right.status == S.GRADUATED) != (right.graduation is not None):
            problems.append("graduation row and status disagree")
        if not 1 <= right.course <= MAX_COURSE:
            problems.append("course out of range")
        if max(p.valid_from for p in right.periods) > today:
            problems.append("a period starts after today")
        if right.transferred_from >= 0:
            old = plan.rights[right.transferred_from]
            if (old.status, old.ended_on) != (S.TRANSFERRED, right.started_on):
                problems.append("a transfer does not continue on the day the old right ended")
        if not right.prior:
            problems.append("no prior education")
        for _source, begin, end in right.funding:
            if begin < right.started_on or (end is not None and end <= begin):
                problems.append("funding period out of the studies")
        if sum(1 for _s, _b, end in right.funding if end is None) > 1:
            problems.append("more than one open funding period")
        for _host, _country, _name, begin, end, earned, recognised in right.mobilities:
            if not right.started_on <= begin < end or recognised > earned:
                problems.append("mobility dates or credits")
        for result in right.results:
            if result.assessed_on < right.started_on or result.assessed_on > today:
                problems.append("result assessed outside the studies")
        if problems:
            raise AssertionError(f"study right {index}: {', '.join(problems)}")


# --- Insertion -------------------------------------------------------------------------------


def _references(today: dt.date) -> dict[str, Any]:
    youngest = study_year_of(today) - ENTRY_AGE
    completions: dict[int, tuple[dt.date | None, str]] = {}
    for person_id, valid_to, school in (
        Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            group__grade="12",
            departure_reason__code="completed",
            valid_to__isnull=False,
            valid_to__lte=today,
        )
        .order_by("person_id", "valid_to")
        .values_list("person_id", "valid_to", "institution__name_lt")
    ):
        completions[person_id] = (valid_to, school)
    students = []
    for pk, born, citizenship in (
        Person.objects.filter(birth_date__year__lte=youngest, birth_date__year__gte=youngest - 30)
        .order_by("pk")
        .values_list("pk", "birth_date", "citizenship")
    ):
        completed, school = completions.get(pk, (None, ""))
        students.append(StudentRef(pk, born, citizenship, completed, school))
    heis = [
        HeiRef(pk, name, group)
        for pk, name, group in Institution.objects.filter(
            main_group__code__in=HEI_GROUPS, deregistered_on__isnull=True
        )
        .order_by("register_id")
        .values_list("pk", "name_lt", "main_group__code")
    ]
    programmes: dict[int, StudyProgrammeRef] = {}
    for pk, provider, cycle, years, part_time, name, awarded in (
        Programme.objects.filter(
            kind=ProgrammeKind.STUDY,
            status=ProgrammeStatus.REGISTERED,
            state_code__isnull=False,
            provider_id__in=[hei.institution_id for hei in heis],
            versions__status=VersionStatus.REGISTERED,
        )
        .order_by("state_code", "pk", "-versions__number")
        .values_list(
            "pk",
            "provider_id",
            "versions__cycle",
            "versions__duration_years",
            "versions__part_time",
            "versions__name_lt",
            "versions__education_awarded_lt",
        )
    ):
        default_years = 2 if cycle == StudyCycle.MASTER else 4
        programmes.setdefault(
            pk,
            StudyProgrammeRef(
                programme_id=pk,
                institution_id=provider,
                cycle=cycle,
                years=max(1, min(MAX_COURSE, math.ceil(years or default_years))),
                part_time=bool(part_time),
                name=name,
                degree=awarded,
            ),
        )
    schools = list(
        Institution.objects.filter(main_group__code="school")
        .order_by("register_id")
        .values_list("name_lt", flat=True)[:500]
    )
    return {
        "students": students,
        "heis": heis,
        "programmes": list(programmes.values()),
        "schools": schools,
    }


class _Inserter:
    """Chunked inserts through the audited bulk path, with progress lines."""

    def __init__(self, progress: Progress, batch_size: int) -> None:
        self.progress = progress
        self.batch_size = batch_size
        self.done: dict[str, int] = {}

    def insert(self, model: Any, objs: list[Any], label: str, total: int) -> list[Any]:
        created = bulk_create_with_audit(model, objs, batch_size=self.batch_size)
        before = self.done.get(label, 0)
        after = self.done[label] = before + len(created)
        if after // PROGRESS_EVERY > before // PROGRESS_EVERY or after == total:
            self.progress(f"{label}: {after}/{total}")
        return created


def _classifier_ids() -> dict[tuple[str, str], int]:
    return {
        (classifier, code): pk
        for classifier, code, pk in ClassifierValue.objects.filter(
            classifier__code__in=(
                "study-funding-source",
                "academic-leave-reason",
                "study-termination-reason",
                "document-type",
            )
        ).values_list("classifier__code", "code", "pk")
    }


def _insert_rights(plan: StudentPlan, inserter: _Inserter) -> list[int]:
    """Rights in order of their transfer chains, so the right a transfer continues has its key."""
    ids = [0] * len(plan.rights)
    depth = [0] * len(plan.rights)
    for index, right in enumerate(plan.rights):  # a right comes after the one it continues
        if right.transferred_from >= 0:
            depth[index] = depth[right.transferred_from] + 1
    total = len(plan.rights)
    for level in range(max(depth, default=0) + 1):
        order = [i for i in range(total) if depth[i] == level]
        for start in range(0, len(order), inserter.batch_size):
            chunk = order[start : start + inserter.batch_size]
            objs = []
            for index in chunk:
                spec = plan.rights[index]
                objs.append(
                    StudyRight(
                        public_id=spec.public_id,
                        person_id=spec.person_id,
                        institution_id=spec.institution_id,
                        programme_id=spec.programme_id,
                        cycle=spec.cycle,
                        form=spec.form,
                        started_on=spec.started_on,
                        course=spec.course,
                        expected_end=spec.expected_end,
                        admission_basis=spec.admission_basis,
                        student_card_number=spec.student_card_number,
                        status=spec.status,
                        ended_on=spec.ended_on,
                        transferred_from_id=ids[spec.transferred_from]
                        if spec.transferred_from >= 0
                        else None,
                    )
                )
            for index, obj in zip(
                chunk, inserter.insert(StudyRight, objs, "study rights", total), strict=True
            ):
                ids[index] = obj.pk
    return ids


def _insert_periods(
    plan: StudentPlan, right_ids: list[int], values: dict[tuple[str, str], int], inserter: _Inserter
) -> None:
    """Periods, then the reasons of interruptions and terminations: the many-to-many rows and
    their copies in the periods' first versions, as `reasons.set()` on a new period leaves."""
    through = StatusPeriod.reasons.through
    history_m2m = apps.get_model("students", "HistoricalStatusPeriod_reasons")
    total = plan.count("periods")
    pending: list[tuple[StatusPeriod, tuple[str, ...]]] = []

    def flush() -> None:
        created = inserter.insert(
            StatusPeriod, [period for period, _ in pending], "status periods", total
        )
        with_reasons = [
            (obj, reasons) for obj, (_, reasons) in zip(created, pending, strict=True) if reasons
        ]
        pending.clear()
        if not with_reasons:
            return
        links = through.objects.bulk_create(
            [
                through(
                    statusperiod_id=obj.pk,
                    classifiervalue_id=values[("study-termination-reason", code)],
                )
                for obj, reasons in with_reasons
                for code in reasons
            ],
            batch_size=inserter.batch_size,
        )
        versions = dict(
            StatusPeriod.history.filter(id__in=[obj.pk for obj, _ in with_reasons]).values_list(
                "id", "history_id"
            )
        )
        history_m2m.objects.bulk_create(
            [
                history_m2m(
                    id=link.pk,
                    history_id=versions[link.statusperiod_id],
                    statusperiod_id=link.statusperiod_id,
                    classifiervalue_id=link.classifiervalue_id,
                )
                for link in links
            ],
            batch_size=inserter.batch_size,
        )

    for right, pk in zip(plan.rights, right_ids, strict=True):
        for period in right.periods:
            pending.append(
                (
                    StatusPeriod(
                        study_right_id=pk,
                        status=period.status,
                        valid_from=period.valid_from,
                        valid_to=period.valid_to,
                        leave_reason_id=values[("academic-leave-reason", period.leave_reason)]
                        if period.leave_reason
                        else None,
                        course=period.course,
                    ),
                    period.reasons,
                )
            )
        if len(pending) >= inserter.batch_size:
            flush()
    if pending:
        flush()


def _insert_children(
    plan: StudentPlan, right_ids: list[int], values: dict[tuple[str, str], int], inserter: _Inserter
) -> None:
    """Funding, prior education, mobility, results, loans, scholarships and graduations."""

    def funding(right: RightSpec, pk: int) -> list[Any]:
        return [
            FundingPeriod(
                study_right_id=pk,
                source_id=values[("study-funding-source", source)],
                valid_from=begin,
                valid_to=end,
            )
            for source, begin, end in right.funding
        ]

    def prior(right: RightSpec, pk: int) -> list[Any]:
        return [
            PriorEducation(
                study_right_id=pk,
                kind=spec.kind,
                document_type_id=values[("document-type", spec.document_type)]
                if spec.document_type
                else None,
                document_number=spec.document_number,
                issued_on=spec.issued_on,
                issuer=spec.issuer,
                country=spec.country,
                recognition_decision=spec.recognition_decision,
                recognition_date=spec.recognition_date,
            )
            for spec in right.prior
        ]

    def mobilities(right: RightSpec, pk: int) -> list[Any]:
        return [
            Mobility(
                study_right_id=pk,
                host_institution=host,
                host_country=country,
                programme_name=name,
                valid_from=begin,
                valid_to=end,
                credits_earned=earned,
                credits_recognised=recognised,
            )
            for host, country, name, begin, end, earned, recognised in right.mobilities
        ]

    def results(right: RightSpec, pk: int) -> list[Any]:
        return [
            Result(
                study_right_id=pk,
                semester=spec.semester,
                course_unit_code=spec.code,
                course_unit_title=spec.title,
                credits=spec.credits,
                grade=spec.grade,
                passed=spec.passed,
                assessed_on=spec.assessed_on,
            )
            for spec in right.results
        ]

    def loans(right: RightSpec, pk: int) -> list[Any]:
        return [
            StudyLoan(
                study_right_id=pk,
                kind=kind,
                amount=amount,
                granted_on=granted,
                valid_from=granted,
                valid_to=until,
                source_system=LOAN_LENDER,
                local_id=local_id,
            )
            for kind, amount, granted, until, local_id in right.loans
        ]

    def scholarships(right: RightSpec, pk: int) -> list[Any]:
        return [
            Scholarship(
                study_right_id=pk,
                kind=kind,
                amount=amount,
                valid_from=begin,
                valid_to=end,
                payer=payer,
            )
            for kind, amount, begin, end, payer in right.scholarships
        ]

    def graduation(right: RightSpec, pk: int) -> list[Any]:
        if right.graduation is None:
            return []
        day, degree, thesis, diploma = right.graduation
        return [
            Graduation(
                study_right_id=pk,
                graduated_on=day,
                degree=degree,
                thesis_title=thesis,
                diploma_reference=diploma,
            )
        ]

    tables = (
        (FundingPeriod, "funding periods", "funding", funding),
        (PriorEducation, "prior education", "prior", prior),
        (Mobility, "mobility", "mobilities", mobilities),
        (Result, "results", "results", results),
        (StudyLoan, "loans", "loans", loans),
        (Scholarship, "scholarships", "scholarships", scholarships),
    )
    for model, label, attribute, build in tables:
        total = plan.count(attribute)
        pending: list[Any] = []
        for right, pk in zip(plan.rights, right_ids, strict=True):
            pending += build(right, pk)
            if len(pending) >= inserter.batch_size:
                inserter.insert(model, pending, label, total)
                pending = []
        if pending:
            inserter.insert(model, pending, label, total)
    graduates = [
        obj
        for right, pk in zip(plan.rights, right_ids, strict=True)
        for obj in graduation(right, pk)
    ]
    for start in range(0, len(graduates), inserter.batch_size):
        inserter.insert(
            Graduation,
            graduates[start : start + inserter.batch_size],
            "graduations",
            len(graduates),
        )


def students_seed(
    *,
    scale: Scale,
    seed: int,
    progress: Progress,
    today: dt.date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Generate, check and insert the demo Student Register; returns the number of study
    rights."""
    today = today or timezone.localdate()
    plan = students_generate(scale=scale, seed=seed, today=today, **_references(today))
    plan_check(plan, today)
    current = sum(1 for right in plan.rights if right.ended_on is None)
    progress(
        f"students: generated {len(plan.rights)} study rights ({current} current), "
        f"{plan.count('periods')} status periods, {plan.count('results')} results"
    )
    values = _classifier_ids()
    inserter = _Inserter(progress, batch_size)
    right_ids = _insert_rights(plan, inserter)
    _insert_periods(plan, right_ids, values, inserter)
    _insert_children(plan, right_ids, values, inserter)
    return len(plan.rights)

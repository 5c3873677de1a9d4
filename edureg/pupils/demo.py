"""Demo pupils: classes and enrolments of the pupil-age demo people, with history, transfers,
departures, NVŠ groups with monthly funding marks, and school clubs.

`pupils_generate` is a pure function of its inputs (plain references to the people, schools and
NVŠ programmes already in the database, the seed, the school year and today's date), so the
same seed gives the same classes and enrolments; `pupils_seed` reads those references, generates
and writes everything through the bulk path (`bulk_create_with_audit`) with versions and
change-log entries, never a service per row.

How the pupils move, year by year:
- a child's stage follows age in the calendar year: pre-school groups at 1–5 in a kindergarten,
  the pre-primary group at 6, grade 1 at 7 … grade 12 at 18;
- a pupil stays at the school while it teaches the next grade, and goes to a school of the same
  municipality that does when it does not (kindergarten → school, primary school →
  progymnasium, progymnasium → gymnasium);
- a past year's enrolment is closed on the next school year's 1 September and linked to the
  enrolment it continues as; a few pupils transfer to another school or leave during a year,
  with a departure reason and, mostly, the director's order number.
The database rules hold for every row written: at most one open general-education enrolment per
pupil, one NVŠ basket provider per pupil and month, one mark per pupil, provider and month.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from edureg.core.audit import bulk_create_with_audit
from edureg.core.context import Actor
from edureg.core.demo import DEFAULT_BATCH_SIZE, PROGRESS_EVERY, Progress, Scale, demo_rng
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.models import Institution, InstitutionKind
from edureg.people.models import Person
from edureg.programmes.models import Programme, ProgrammeKind, ProgrammeStatus, VersionStatus
from edureg.pupils import services
from edureg.pupils.models import Enrolment, Group, GroupKind, NvsFundingMark

SYSTEM = Actor.system("seed_demo")

# Past school years kept before the current one. At national scale each past year is about
# 350,000 more enrolments, and the audited bulk path writes about 1,900 records a second on
# SQLite (record + version + change-log row, DEBUG on): with one past year the pupils add about
# 9 minutes to the national seed (measured 2026-11-22), with none about 4½.
HISTORY_YEARS = {Scale.SMALL: 3, Scale.NATIONAL: 1}

# Per pupil and school year.
TRANSFER_RATE = 0.015
DEPARTURE_RATE = 0.008
PRESCHOOL_ATTENDANCE = 0.85
# Per school-age pupil in the current school year.
NVS_RATE = 0.10
SECOND_NVS_RATE = 0.02
CLUB_RATE = 0.08

CLASS_SIZE = 25
PRESCHOOL_GROUP_SIZE = 18
NVS_GROUP_SIZE = 15
PUPILS_PER_CLUB = 120
MAX_CLUBS = 6

# Stage codes: Grade values ("preschool", "preprimary", "1" … "12").
STAGES_BY_AGE = {age: "preschool" for age in range(1, 6)} | {6: "preprimary"}
STAGES_BY_AGE |= {age: str(age - 6) for age in range(7, 19)}
SCHOOL_GRADES = [str(g) for g in range(1, 13)]
# Lithuanian class letters (no q, w, x, y).
CLASS_LETTERS = "abcdefghijklmnoprstuvz"
ROMAN = {"9": "I", "10": "II", "11": "III", "12": "IV"}
PRESCHOOL_NAMES = (
    "Ežiukai", "Boružėlės", "Drugeliai", "Bitutės", "Kiškučiai", "Pelėdžiukai", "Saulutės",
    "Nykštukai", "Voveraitės", "Žiogeliai", "Varliukai", "Meškiukai", "Pūkuotukai", "Lapiukai",
    "Gandriukai", "Žvirbliukai", "Debesėliai", "Lašeliai", "Spindulėliai", "Gilės",
)  # fmt: skip

# (code, Lithuanian name, English name). The agency's list (KL_ISV_PRIEZ2) is not public; these
# are demo values, created only when missing.
DEPARTURE_REASONS = (
    ("moved-abroad", "Išvyko į užsienį", "Moved abroad"),
    ("other-school", "Išvyko mokytis į kitą mokyklą", "Left for another school"),
    ("family-learning", "Pradėjo mokytis šeimoje", "Started family learning"),
    ("vocational", "Išvyko mokytis į profesinio mokymo įstaigą", "Left for vocational training"),
    ("completed", "Baigė ugdymo programą", "Completed the programme"),
)
# Reasons of departures that end a pupil's enrolments, with weights; `vocational` only from 15.
LEAVING_REASONS = (("moved-abroad", 55), ("family-learning", 15), ("vocational", 30))

# Clubs of general-education schools: (name, direction, sub-direction).
CLUBS = (
    ("Robotikos būrelis", "technology", "robotics"),
    ("Krepšinio būrelis", "sport", "basketball"),
    ("Futbolo būrelis", "sport", "football"),
    ("Dailės būrelis", "art", "painting"),
    ("Mokyklos choras", "music", "vocal"),
    ("Instrumentinės muzikos būrelis", "music", "instrumental"),
    ("Liaudies šokių būrelis", "dance", "folk-dance"),
    ("Programavimo būrelis", "it", "programming"),
    ("Teatro studija", "theatre", ""),
    ("Jaunųjų gamtininkų būrelis", "science", ""),
    ("Anglų kalbos klubas", "languages", ""),
)

# Language of instruction of some schools: the Polish and Russian schools of the Vilnius region,
# Visaginas and Klaipėda. (municipality, share Polish, share Russian)
MINORITY_LANGUAGES = {
    "LT-42": (0.6, 0.1),
    "LT-58": (0.5, 0.1),
    "LT-57": (0.05, 0.08),
    "LT-59": (0.0, 0.7),
    "LT-20": (0.0, 0.1),
}


def school_year_of(day: dt.date) -> int:
    """The school year a day falls in, by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def september_first(year: int) -> dt.date:
    return dt.date(year, 9, 1)


# --- Inputs and outputs -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PupilRef:
    person_id: int
    birth_year: int
    citizenship: str
    municipality: str  # ISO code of the declared municipality, "" when unknown


@dataclass(frozen=True, slots=True)
class SchoolRef:
    institution_id: int
    register_id: str
    kind: str  # InstitutionKind
    main_type: str  # institution-type code
    municipality: str
    parent_type: str = ""  # a branch: its parent's type


@dataclass(frozen=True, slots=True)
class NvsProgrammeRef:
    programme_id: int
    provider_id: int
    municipality: str
    name: str
    directions: tuple[str, ...]  # nvs-direction code, then the sub-direction code if any


@dataclass(slots=True)
class GroupSpec:
    institution_id: int
    school_year: int
    name: str
    kind: str
    grade: str = ""
    language: str = "lt"
    programme_id: int | None = None
    directions: tuple[str, ...] = ()


@dataclass(slots=True)
class EnrolmentSpec:
    person_id: int
    group: int  # index into PupilPlan.groups
    institution_id: int
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None
    contract_date: dt.date | None
    reason: str = ""
    order_number: str = ""
    next: int = -1  # index of the enrolment this one continues as


@dataclass(frozen=True, slots=True)
class MarkSpec:
    enrolment: int  # index into PupilPlan.enrolments
    person_id: int
    provider_id: int
    month: dt.date
    basket: bool
    municipal_funds: bool
    state_funds: bool
    other_funding: bool


@dataclass
class PupilPlan:
    groups: list[GroupSpec] = field(default_factory=list)
    enrolments: list[EnrolmentSpec] = field(default_factory=list)
    marks: list[MarkSpec] = field(default_factory=list)


# --- Generation ----------------------------------------------------------------------------


def _stages_taught(school: SchoolRef, rng: random.Random) -> tuple[str, ...]:
    """The stages a school teaches, by its type (a branch: a small primary of its parent)."""
    kind = school.parent_type if school.kind == InstitutionKind.BRANCH else school.main_type
    if kind == "kindergarten":
        return ("preschool", "preprimary")
    if school.kind == InstitutionKind.BRANCH:
        return ("preprimary", *SCHOOL_GRADES[:4])
    if kind == "primary-school":
        return ("preprimary", *SCHOOL_GRADES[:4])
    if kind == "progymnasium":
        extra = ("preprimary",) if rng.random() < 0.3 else ()
        return (*extra, *SCHOOL_GRADES[:8])
    if kind == "basic-school":
        extra = ("preprimary",) if rng.random() < 0.2 else ()
        return (*extra, *SCHOOL_GRADES[:10])
    if kind == "gymnasium":
        # Most gymnasiums teach I–IV only; many also 5–8, some every grade.
        draw = rng.random()
        first = 8 if draw < 0.6 else 4 if draw < 0.9 else 0
        return tuple(SCHOOL_GRADES[first:])
    return ()


def _language(municipality: str, rng: random.Random) -> str:
    polish, russian = MINORITY_LANGUAGES.get(municipality, (0.0, 0.0))
    draw = rng.random()
    return "pl" if draw < polish else "ru" if draw < polish + russian else "lt"


class _Chooser:
    """Weighted choice of a school for a stage, in the pupil's municipality when it has one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.local: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
        self.national: dict[str, tuple[list[int], list[float]]] = {}

    def add(self, municipality: str, stage: str, school: int, weight: float) -> None:
        for ids, cumulative in (
            self.local.setdefault((municipality, stage), ([], [])),
            self.national.setdefault(stage, ([], [])),
        ):
            ids.append(school)
            cumulative.append((cumulative[-1] if cumulative else 0.0) + weight)

    def choose(self, municipality: str, stage: str, exclude: int = -1) -> int | None:
        options = self.local.get((municipality, stage)) or self.national.get(stage)
        if not options:
            return None
        ids, cumulative = options
        for _ in range(4):
            pick = ids[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]
            if pick != exclude:
                return pick
        return None


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    if last < first:
        return None
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _order_number(rng: random.Random) -> str:
    # Most departures follow a director's order ("V-" orders are the usual series).
    return f"V-{rng.randint(1, 450)}" if rng.random() < 0.85 else ""


@dataclass(slots=True)
class _Stint:
    """A pupil at one school, in one stage, in one school year (before classes are formed)."""

    pupil: int
    year: int
    school: int
    stage: str
    age: int
    valid_from: dt.date
    valid_to: dt.date | None
    contract_date: dt.date
    reason: str = ""
    order_number: str = ""
    next: int = -1


def _general_stints(
    pupils: Sequence[PupilRef],
    chooser: _Chooser,
    teaches: dict[int, frozenset[str]],
    years: Sequence[int],
    today: dt.date,
    rng: random.Random,
) -> list[_Stint]:
    stints: list[_Stint] = []
    current_year = years[-1]
    for index, pupil in enumerate(pupils):
        attends_preschool = rng.random() < PRESCHOOL_ATTENDANCE
        # A foreign pupil may have arrived during the years shown, in the middle of a year.
        arrival = rng.choice(years) if pupil.citizenship != "LT" and rng.random() < 0.5 else None
        school: int | None = None
        contract = today
        previous: int = -1
        for year in years:
            if arrival is not None and year < arrival:
                continue
            age = year - pupil.birth_year
            stage = STAGES_BY_AGE.get(age)
            if stage is None or (stage == "preschool" and not attends_preschool):
                if previous >= 0 and stints[previous].stage == "12":
                    stints[previous].reason = "completed"
                previous = -1
                school = None
                continue
            start = september_first(year)
            year_end = september_first(year + 1)
            if arrival == year and year != years[0]:
                late = _date_between(rng, start + dt.timedelta(days=20), min(year_end, today))
                if late is None:
                    continue
                start = late
            if school is None or stage not in teaches[school]:
                moved_from = school
                school = chooser.choose(pupil.municipality, stage)
                if school is None:
                    previous = -1
                    continue
                contract = start - dt.timedelta(days=rng.randint(0, 20))
                if previous >= 0 and moved_from is not None:
                    stints[previous].reason = "other-school"
            stint = _Stint(
                pupil=index,
                year=year,
                school=school,
                stage=stage,
                age=age,
                valid_from=start,
                valid_to=year_end if year < current_year else None,
                contract_date=contract,
            )
            if previous >= 0:
                stints[previous].next = len(stints)
            stints.append(stint)
            previous = len(stints) - 1
            # During the year: a transfer to another school, or leaving the register's schools.
            last_day = min(year_end - dt.timedelta(days=1), today - dt.timedelta(days=1))
            draw = rng.random()
            if draw < TRANSFER_RATE and stage != "preschool":
                day = _date_between(rng, start + dt.timedelta(days=14), last_day)
                other = chooser.choose(pupil.municipality, stage, exclude=school)
                if day is None or other is None:
                    continue
                stint.valid_to = day
                stint.reason, stint.order_number = "other-school", _order_number(rng)
                school, contract = other, day - dt.timedelta(days=rng.randint(0, 5))
                stint.next = len(stints)
                stints.append(
                    _Stint(
                        pupil=index,
                        year=year,
                        school=school,
                        stage=stage,
                        age=age,
                        valid_from=day,
                        valid_to=year_end if year < current_year else None,
                        contract_date=contract,
                    )
                )
                previous = len(stints) - 1
            elif draw < TRANSFER_RATE + DEPARTURE_RATE:
                day = _date_between(rng, start + dt.timedelta(days=14), last_day)
                if day is None:
                    continue
                reasons = [(r, w) for r, w in LEAVING_REASONS if r != "vocational" or age >= 15]
                stint.valid_to = day
                stint.reason = rng.choices([r for r, _ in reasons], [w for _, w in reasons])[0]
                stint.order_number = _order_number(rng)
                break  # gone from the register's schools
    return stints


def _split(members: list[int], parts: int) -> list[list[int]]:
    size, extra = divmod(len(members), parts)
    chunks, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        chunks.append(members[start:end])
        start = end
    return chunks


def _class_name(stage: str, letter: int, gymnasium: bool, used: set[str], age: int) -> str:
    if stage == "preschool":
        base = PRESCHOOL_NAMES[(letter + 3 * age) % len(PRESCHOOL_NAMES)]
    elif stage == "preprimary":
        base = f"Priešmokyklinė {CLASS_LETTERS[letter % len(CLASS_LETTERS)]}"
    else:
        grade = ROMAN[stage] if gymnasium and stage in ROMAN else stage
        base = f"{grade}{CLASS_LETTERS[letter % len(CLASS_LETTERS)]}"
    name = base
    for number in itertools.count(2):
        if name not in used:
            break
        name = f"{base} {number}"
    used.add(name)
    return name


def _form_classes(
    stints: list[_Stint],
    schools: dict[int, SchoolRef],
    languages: dict[int, str],
    plan: PupilPlan,
    rng: random.Random,
) -> list[int]:
    """Classes of ~25 (pre-school groups of ~18, by age) per school, year and stage; returns
    each stint's group index. A pupil who stays at a school keeps the letter where sizes allow."""
    cohorts: dict[tuple[int, int, str, int], list[int]] = defaultdict(list)
    for index, stint in enumerate(stints):
        age = stint.age if stint.stage == "preschool" else 0
        cohorts[(stint.school, stint.year, stint.stage, age)].append(index)
    group_of = [-1] * len(stints)
    letter_of = [-1] * len(stints)
    previous = [-1] * len(stints)
    for index, stint in enumerate(stints):
        if stint.next >= 0:
            previous[stint.next] = index
    used: dict[tuple[int, int], set[str]] = defaultdict(set)
    # Years in order, so that last year's letters are known when a cohort is split.
    for key in sorted(cohorts, key=lambda k: (k[1], k[0], k[2], k[3])):
        school, year, stage, age = key
        members = cohorts[key]
        size = PRESCHOOL_GROUP_SIZE if stage == "preschool" else CLASS_SIZE
        parts = max(1, round(len(members) / size))
        rank = {}
        for member in members:
            before = previous[member]
            if before >= 0 and stints[before].school == school and letter_of[before] >= 0:
                rank[member] = min(letter_of[before], parts - 1)
            else:
                rank[member] = rng.randrange(parts)
        ordered = sorted(members, key=lambda i: (rank[i], i))
        gymnasium = schools[school].main_type == "gymnasium"
        for letter, chunk in enumerate(_split(ordered, parts)):
            if not chunk:
                continue
            plan.groups.append(
                GroupSpec(
                    institution_id=school,
                    school_year=year,
                    name=_class_name(stage, letter, gymnasium, used[(school, year)], age),
                    kind=GroupKind.GENERAL,
                    grade=stage,
                    language=languages[school],
                )
            )
            for member in chunk:
                group_of[member] = len(plan.groups) - 1
                letter_of[member] = letter
    return group_of


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def _nvs(
    pupils: Sequence[PupilRef],
    school_age: list[int],
    programmes: Sequence[NvsProgrammeRef],
    year: int,
    today: dt.date,
    plan: PupilPlan,
    rng: random.Random,
) -> None:
    """NVŠ groups of ~15 per programme, and their pupils' monthly funding marks: the basket from
    the pupil's first provider, municipal funds from a second one."""
    if not programmes:
        return
    local: dict[str, list[int]] = defaultdict(list)
    for index, programme in enumerate(programmes):
        local[programme.municipality].append(index)
    everywhere = list(range(len(programmes)))
    attending: dict[int, list[int]] = defaultdict(list)  # programme → pupils, in pupil order
    choices: dict[int, list[int]] = {}  # pupil → programmes, first one pays the basket
    for pupil in school_age:
        if rng.random() >= NVS_RATE:
            continue
        pool = local.get(pupils[pupil].municipality) or everywhere
        picked = [rng.choice(pool)]
        if rng.random() < SECOND_NVS_RATE / NVS_RATE:
            second = rng.choice(pool)
            # A pupil's marks are one per provider and month: a second group at another one.
            if programmes[second].provider_id != programmes[picked[0]].provider_id:
                picked.append(second)
        choices[pupil] = picked
        for programme_index in picked:
            attending[programme_index].append(pupil)
    # Group names number the provider's groups of the year, so they never collide.
    serial: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
    enrolment_of: dict[tuple[int, int], int] = {}
    season_end = min(today, dt.date(year + 1, 5, 31))
    for programme_index in sorted(attending):
        programme = programmes[programme_index]
        members = attending[programme_index]
        for chunk in _split(members, max(1, round(len(members) / NVS_GROUP_SIZE))):
            number = next(serial[programme.provider_id])
            plan.groups.append(
                GroupSpec(
                    institution_id=programme.provider_id,
                    school_year=year,
                    name=f"{programme.name[:44]} {number}",
                    kind=GroupKind.NVS,
                    programme_id=programme.programme_id,
                    directions=programme.directions,
                )
            )
            start = _date_between(
                rng, september_first(year), min(september_first(year) + dt.timedelta(14), today)
            ) or september_first(year)
            for pupil in chunk:
                enrolment_of[(pupil, programme_index)] = len(plan.enrolments)
                plan.enrolments.append(
                    EnrolmentSpec(
                        person_id=pupils[pupil].person_id,
                        group=len(plan.groups) - 1,
                        institution_id=programme.provider_id,
                        kind=GroupKind.NVS,
                        valid_from=start,
                        valid_to=None,
                        contract_date=start,
                    )
                )
    for pupil, picked in choices.items():
        for position, programme_index in enumerate(picked):
            enrolment = enrolment_of[(pupil, programme_index)]
            spec = plan.enrolments[enrolment]
            basket = position == 0
            for month in _months(spec.valid_from, season_end):
                plan.marks.append(
                    MarkSpec(
                        enrolment=enrolment,
                        person_id=spec.person_id,
                        provider_id=spec.institution_id,
                        month=month,
                        basket=basket,
                        municipal_funds=not basket,
                        state_funds=False,
                        other_funding=basket and rng.random() < 0.05,
                    )
                )


def _clubs(
    pupils: Sequence[PupilRef],
    current: list[_Stint],
    year: int,
    today: dt.date,
    plan: PupilPlan,
    rng: random.Random,
) -> None:
    """Clubs of the general-education schools, each with its direction, and the pupils in them."""
    by_school: dict[int, list[int]] = defaultdict(list)
    for stint in current:
        if stint.stage in SCHOOL_GRADES and stint.valid_to is None:
            by_school[stint.school].append(stint.pupil)
    for school in sorted(by_school):
        members = [p for p in by_school[school] if rng.random() < CLUB_RATE]
        if not members:
            continue
        count = min(MAX_CLUBS, max(1, round(len(by_school[school]) / PUPILS_PER_CLUB)))
        clubs = rng.sample(CLUBS, count)
        first_group = len(plan.groups)
        for name, direction, subdirection in clubs:
            plan.groups.append(
                GroupSpec(
                    institution_id=school,
                    school_year=year,
                    name=name,
                    kind=GroupKind.CLUB,
                    directions=(direction, subdirection) if subdirection else (direction,),
                )
            )
        start = min(september_first(year) + dt.timedelta(days=rng.randint(7, 21)), today)
        for pupil in members:
            group = first_group + rng.randrange(count)
            plan.enrolments.append(
                EnrolmentSpec(
                    person_id=pupils[pupil].person_id,
                    group=group,
                    institution_id=school,
                    kind=GroupKind.CLUB,
                    valid_from=start,
                    valid_to=None,
                    contract_date=None,
                )
            )


def pupils_generate(
    *,
    scale: Scale,
    seed: int,
    today: dt.date,
    pupils: Sequence[PupilRef],
    schools: Sequence[SchoolRef],
    nvs_programmes: Sequence[NvsProgrammeRef],
) -> PupilPlan:
    """Classes, enrolments and NVŠ marks for `scale`, reproducible for the seed and the day."""
    rng = demo_rng(seed, "pupils")
    year = school_year_of(today)
    years = list(range(year - HISTORY_YEARS[scale], year + 1))
    chooser = _Chooser(rng)
    teaches: dict[int, frozenset[str]] = {}
    languages: dict[int, str] = {}
    by_id = {school.institution_id: school for school in schools}
    for school in schools:
        stages = _stages_taught(school, rng)
        teaches[school.institution_id] = frozenset(stages)
        languages[school.institution_id] = (
            "lt" if school.main_type == "kindergarten" else _language(school.municipality, rng)
        )
        weight = rng.lognormvariate(0, 0.5)
        for stage in stages:
            chooser.add(school.municipality, stage, school.institution_id, weight)
    stints = _general_stints(pupils, chooser, teaches, years, today, rng)
    plan = PupilPlan()
    group_of = _form_classes(stints, by_id, languages, plan, rng)
    for index, stint in enumerate(stints):
        plan.enrolments.append(
            EnrolmentSpec(
                person_id=pupils[stint.pupil].person_id,
                group=group_of[index],
                institution_id=stint.school,
                kind=GroupKind.GENERAL,
                valid_from=stint.valid_from,
                valid_to=stint.valid_to,
                contract_date=stint.contract_date,
                reason=stint.reason,
                order_number=stint.order_number if stint.reason != "completed" else "",
                next=stint.next,
            )
        )
    current = [s for s in stints if s.year == year]
    school_age = sorted({s.pupil for s in current if s.stage in SCHOOL_GRADES and not s.valid_to})
    _nvs(pupils, school_age, nvs_programmes, year, today, plan, rng)
    _clubs(pupils, current, year, today, plan, rng)
    return plan


# --- Insertion -------------------------------------------------------------------------------


def departure_reasons_ensure() -> dict[str, int]:
    """The demo departure reasons, created when missing (directly, under the seed's audit
    context: the classifier service wants a national classifiers role, which the seed has not)."""
    classifier = Classifier.objects.get(code="departure-reason")
    ids = {}
    for code, name_lt, name_en in DEPARTURE_REASONS:
        value, _created = ClassifierValue.objects.get_or_create(
            classifier=classifier, code=code, defaults={"name_lt": name_lt, "name_en": name_en}
        )
        ids[code] = value.pk
    return ids


def _references(today: dt.date, scale: Scale) -> dict[str, Any]:
    year = school_year_of(today)
    oldest, youngest = year - HISTORY_YEARS[scale] - max(STAGES_BY_AGE), year - min(STAGES_BY_AGE)
    pupils = [
        PupilRef(
            person_id=pk,
            birth_year=born.year,
            citizenship=citizenship,
            municipality=municipality or "",
        )
        for pk, born, citizenship, municipality in Person.objects.filter(
            birth_date__year__gte=oldest, birth_date__year__lte=youngest
        )
        .order_by("pk")
        .values_list("pk", "birth_date", "citizenship", "declared_municipality__code")
    ]
    schools = [
        SchoolRef(
            institution_id=pk,
            register_id=register_id,
            kind=kind,
            main_type=main_type or "",
            municipality=municipality,
            parent_type=parent_type or "",
        )
        for pk, register_id, kind, main_type, municipality, parent_type in Institution.objects.filter(
            main_group__code__in=("school", "preschool"), deregistered_on__isnull=True
        )
        .order_by("register_id")
        .values_list(
            "pk",
            "register_id",
            "kind",
            "main_type__code",
            "municipality__code",
            "parent__main_type__code",
        )
    ]
    programmes: dict[int, NvsProgrammeRef] = {}
    rows = (
        Programme.objects.filter(
            kind=ProgrammeKind.NVS,
            status=ProgrammeStatus.REGISTERED,
            versions__status=VersionStatus.REGISTERED,
        )
        .order_by("state_code", "pk", "-versions__number")
        .values_list(
            "pk",
            "provider_id",
            "provider__municipality__code",
            "versions__name_lt",
            "versions__nvs_direction__code",
            "versions__nvs_subdirection__code",
        )
    )
    for programme_id, provider_id, municipality, name, direction, subdirection in rows:
        programmes.setdefault(
            programme_id,
            NvsProgrammeRef(
                programme_id=programme_id,
                provider_id=provider_id,
                municipality=municipality,
                name=name,
                directions=tuple(code for code in (direction, subdirection) if code),
            ),
        )
    return {"pupils": pupils, "schools": schools, "nvs_programmes": list(programmes.values())}


def _value_id(classifier: str, code: str) -> int | None:
    return (
        ClassifierValue.objects.filter(classifier__code=classifier, code=code)
        .values_list("pk", flat=True)
        .first()
    )


class _Inserter:
    """Chunked inserts through the audited bulk path, with progress lines."""

    def __init__(self, progress: Progress, batch_size: int) -> None:
        self.progress = progress
        self.batch_size = batch_size

    def insert(self, model: Any, objs: list[Any], label: str, done: int, total: int) -> list[int]:
        created = bulk_create_with_audit(model, objs, batch_size=self.batch_size)
        after = done + len(created)
        if after // PROGRESS_EVERY > done // PROGRESS_EVERY or after == total:
            self.progress(f"{label}: {after}/{total}")
        return [obj.pk for obj in created]


def _insert_groups(
    plan: PupilPlan, inserter: _Inserter, directions: dict[tuple[str, str], ClassifierValue]
) -> list[int]:
    # General-education classes: the general class type, group learning, daily mode.
    general = {
        "class_type_id": _value_id("class-type", "1"),
        "learning_form_id": _value_id("learning-form", "group"),
        "learning_mode_id": _value_id("learning-mode", "daily"),
    }
    ids: list[int] = []
    total = len(plan.groups)
    for start in range(0, total, inserter.batch_size):
        chunk = plan.groups[start : start + inserter.batch_size]
        groups = [
            Group(
                institution_id=spec.institution_id,
                school_year=spec.school_year,
                name=spec.name,
                kind=spec.kind,
                grade=spec.grade,
                language=spec.language,
                programme_id=spec.programme_id,
                **(general if spec.kind == GroupKind.GENERAL else {}),
            )
            for spec in chunk
        ]
        ids += inserter.insert(Group, groups, "pupil groups", start, total)
    # Directions are a many-to-many field with its own history: set through the service, which
    # versions the group; only clubs and NVŠ groups have them (a few thousand at most).
    for spec, pk in zip(plan.groups, ids, strict=True):
        if spec.directions:
            group = Group.objects.select_related("institution").get(pk=pk)
            chosen = [
                directions[(classifier, code)]
                for classifier, code in zip(
                    ("nvs-direction", "nvs-subdirection"), spec.directions, strict=False
                )
            ]
            services.group_directions_set(actor=SYSTEM, group=group, directions=chosen)
    return ids


def _insert_enrolments(
    plan: PupilPlan, group_ids: list[int], reason_ids: dict[str, int], inserter: _Inserter
) -> list[int]:
    """Latest first, so that the enrolment a closed one continues as already has its key."""
    specs = plan.enrolments
    order = sorted(range(len(specs)), key=lambda i: specs[i].valid_from, reverse=True)
    ids = [0] * len(specs)
    pending: list[int] = []
    done = 0

    def flush() -> None:
        nonlocal done
        objs = []
        for index in pending:
            spec = specs[index]
            objs.append(
                Enrolment(
                    person_id=spec.person_id,
                    group_id=group_ids[spec.group],
                    institution_id=spec.institution_id,
                    kind=spec.kind,
                    valid_from=spec.valid_from,
                    valid_to=spec.valid_to,
                    contract_date=spec.contract_date,
                    departure_reason_id=reason_ids[spec.reason] if spec.reason else None,
                    departure_order_number=spec.order_number,
                    transferred_to_id=ids[spec.next] if spec.next >= 0 else None,
                )
            )
        for index, pk in zip(
            pending, inserter.insert(Enrolment, objs, "enrolments", done, len(specs)), strict=True
        ):
            ids[index] = pk
        done += len(pending)
        pending.clear()

    for index in order:
        successor = specs[index].next
        if successor >= 0 and ids[successor] == 0:
            flush()
            if ids[successor] == 0:
                raise AssertionError("an enrolment continues as one that starts no later")
        pending.append(index)
        if len(pending) >= inserter.batch_size:
            flush()
    if pending:
        flush()
    return ids


def _insert_marks(plan: PupilPlan, enrolment_ids: list[int], inserter: _Inserter) -> int:
    total = len(plan.marks)
    for start in range(0, total, inserter.batch_size):
        marks = [
            NvsFundingMark(
                person_id=spec.person_id,
                provider_id=spec.provider_id,
                enrolment_id=enrolment_ids[spec.enrolment],
                month=spec.month,
                basket=spec.basket,
                municipal_funds=spec.municipal_funds,
                state_funds=spec.state_funds,
                other_funding=spec.other_funding,
            )
            for spec in plan.marks[start : start + inserter.batch_size]
        ]
        inserter.insert(NvsFundingMark, marks, "NVŠ funding marks", start, total)
    return total


def pupils_seed(
    *,
    scale: Scale,
    seed: int,
    progress: Progress,
    today: dt.date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Generate and insert the demo Pupil Register; returns the number of enrolments."""
    today = today or timezone.localdate()
    reason_ids = departure_reasons_ensure()
    directions = {
        (value.classifier.code, value.code): value
        for value in ClassifierValue.objects.select_related("classifier").filter(
            Q(classifier__code="nvs-direction") | Q(classifier__code="nvs-subdirection")
        )
    }
    plan = pupils_generate(scale=scale, seed=seed, today=today, **_references(today, scale))
    progress(
        f"pupils: generated {len(plan.groups)} groups, {len(plan.enrolments)} enrolments, "
        f"{len(plan.marks)} NVŠ funding marks (school year {school_year_of(today)})"
    )
    inserter = _Inserter(progress, batch_size)
    group_ids = _insert_groups(plan, inserter, directions)
    enrolment_ids = _insert_enrolments(plan, group_ids, reason_ids, inserter)
    _insert_marks(plan, enrolment_ids, inserter)
    return len(plan.enrolments)

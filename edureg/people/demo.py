"""Demo people: pupils and students with valid personal codes and Lithuanian names.

`people_generate` is a pure function of the scale and the seed (no database), so the same seed
gives the same people, personal codes and public ids; `people_insert` writes them through the
bulk path with versions and change-log entries.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from stdnum.ee.ik import calc_check_digit

from edureg.core.demo import DEFAULT_BATCH_SIZE, Progress, Scale, demo_rng, insert_in_chunks
from edureg.institutions.models import Municipality
from edureg.people.models import Person, Sex

# --- Names -----------------------------------------------------------------------------------

# Given names differ by generation: today's pupils are Nojus and Lėja, today's students Mantas
# and Greta. Both lists are among the most common names of their birth years.
_MALE_YOUNG = (
    "Jonas", "Lukas", "Matas", "Dovydas", "Nojus", "Kajus", "Benas", "Herkus", "Rokas",
    "Jokūbas", "Markas", "Adomas", "Augustas", "Ąžuolas", "Titas", "Pijus", "Emilis", "Liudvikas",
    "Motiejus", "Dominykas", "Gustas", "Danielius", "Elijus", "Simas", "Mykolas", "Kostas",
    "Tauras", "Vakaris", "Aronas", "Domas",
)  # fmt: skip
_MALE_OLDER = (
    "Mantas", "Tomas", "Paulius", "Gytis", "Žygimantas", "Šarūnas", "Lukas", "Deividas",
    "Karolis", "Justas", "Ignas", "Arnas", "Edvinas", "Laurynas", "Rokas", "Andrius", "Darius",
    "Vytautas", "Aurimas", "Mindaugas", "Marius", "Tadas", "Evaldas", "Giedrius", "Dovydas",
    "Martynas", "Povilas", "Jonas", "Matas", "Erikas",
)  # fmt: skip
_FEMALE_YOUNG = (
    "Emilija", "Sofija", "Lėja", "Kamilė", "Gabija", "Austėja", "Urtė", "Rugilė", "Ugnė",
    "Liepa", "Gustė", "Miglė", "Amelija", "Barbora", "Elzė", "Patricija", "Luknė", "Saulė",
    "Žemyna", "Vakarė", "Adelė", "Ema", "Ieva", "Smiltė", "Kotryna", "Lukrecija", "Deimantė",
    "Atėnė", "Marija", "Viltė",
)  # fmt: skip
_FEMALE_OLDER = (
    "Ieva", "Rūta", "Gabija", "Monika", "Greta", "Austėja", "Karolina", "Indrė", "Agnė",
    "Simona", "Viktorija", "Eglė", "Giedrė", "Kristina", "Justina", "Ugnė", "Miglė", "Goda",
    "Žemyna", "Saulė", "Aistė", "Gintarė", "Laura", "Inga", "Rasa", "Vaida", "Dovilė", "Akvilė",
    "Skaistė", "Urtė",
)  # fmt: skip

# Family names in the male form; the female forms are derived by the grammar below.
_FAMILY_NAMES = (
    "Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas", "Žukauskas",
    "Butkus", "Paulauskas", "Urbonas", "Kavaliauskas", "Šimkus", "Baranauskas", "Navickas",
    "Ramanauskas", "Savickas", "Rimkus", "Mockus", "Žilinskas", "Adomaitis", "Vaitkus",
    "Lukošius", "Kairys", "Mažeika", "Grigas", "Jonaitis", "Pocius", "Stonkus", "Ivanauskas",
    "Sinkevičius", "Kaminskas", "Marcinkevičius", "Vaičiulis", "Balčiūnas", "Morkūnas", "Šukys",
    "Gudaitis", "Kučinskas", "Rutkauskas", "Vitkus", "Jakštas", "Mikalauskas", "Sakalauskas",
    "Bernotas", "Norkus", "Černiauskas", "Dambrauskas", "Valaitis", "Bartkus", "Jasiūnas",
    "Kriščiūnas", "Žemaitis", "Lapinskas", "Tamošiūnas", "Bagdonas", "Juška", "Daukša",
    "Račkauskas", "Vaškelis", "Kulikauskas", "Šidlauskas",
)  # fmt: skip

# (ending, unmarried female ending), longest first so that -ius wins over -us.
_UNMARRIED_ENDINGS = (("ius", "iūtė"), ("as", "aitė"), ("is", "ytė"), ("ys", "ytė"), ("us", "utė"))
_MARRIED_ENDINGS = ("ius", "as", "is", "ys", "us")


def female_family_name(male: str, *, married: bool = False) -> str:
    """The female form of a Lithuanian family name.

    Unmarried: Kazlauskas → Kazlauskaitė, Adomaitis → Adomaitytė, Kairys → Kairytė,
    Butkus → Butkutė, Stankevičius → Stankevičiūtė, Mažeika → Mažeikaitė.
    Married: the stem takes -ienė (Kazlauskienė, Stankevičienė, Mažeikienė).
    """
    if married:
        for ending in _MARRIED_ENDINGS:
            if male.endswith(ending):
                return male[: -len(ending)] + "ienė"
        return male.removesuffix("a") + "ienė"
    for ending, female in _UNMARRIED_ENDINGS:
        if male.endswith(ending):
            return male[: -len(ending)] + female
    return male.removesuffix("a") + "aitė"


# Foreign citizens: the largest groups among Lithuania's foreign pupils and students, with names
# as their documents spell them in Latin letters. Family names are (male form, female form).
@dataclass(frozen=True)
class _Nationality:
    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[tuple[str, str], ...]


_FOREIGN: dict[str, _Nationality] = {
    "UA": _Nationality(
        40,
        ("Oleksandr", "Andrii", "Dmytro", "Maksym", "Artem", "Bohdan", "Yaroslav", "Mykyta"),
        ("Olena", "Anastasiia", "Sofiia", "Yuliia", "Daryna", "Kateryna", "Viktoriia", "Polina"),
        (
            ("Shevchenko", "Shevchenko"), ("Kovalenko", "Kovalenko"), ("Bondarenko", "Bondarenko"),
            ("Tkachenko", "Tkachenko"), ("Melnyk", "Melnyk"), ("Boiko", "Boiko"),
            ("Kovalchuk", "Kovalchuk"), ("Moroz", "Moroz"),
        ),
    ),
    "BY": _Nationality(
        20,
        ("Aliaksandr", "Dzmitry", "Siarhei", "Andrei", "Uladzimir", "Mikita"),
        ("Hanna", "Volha", "Katsiaryna", "Alena", "Maryia", "Darya"),
        (
            ("Ivanou", "Ivanova"), ("Kazlou", "Kazlova"), ("Novik", "Novik"),
            ("Karpovich", "Karpovich"), ("Zhuk", "Zhuk"), ("Makarevich", "Makarevich"),
        ),
    ),
    "PL": _Nationality(
        8,
        ("Jakub", "Kacper", "Szymon", "Jan", "Piotr", "Mateusz"),
        ("Zuzanna", "Julia", "Maja", "Zofia", "Hanna", "Aleksandra"),
        (
            ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
            ("Wójcik", "Wójcik"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
        ),
    ),
    "LV": _Nationality(
        6,
        ("Jānis", "Andris", "Mārtiņš", "Roberts", "Kārlis", "Artūrs"),
        ("Anna", "Līga", "Elza", "Marta", "Sofija", "Laura"),
        (
            ("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"),
            ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"),
        ),
    ),
    "IN": _Nationality(
        8,
        ("Arjun", "Rahul", "Vikram", "Aditya", "Rohan", "Karan"),
        ("Priya", "Ananya", "Diya", "Kavya", "Isha", "Neha"),
        (("Sharma", "Sharma"), ("Patel", "Patel"), ("Gupta", "Gupta"), ("Reddy", "Reddy"),
         ("Iyer", "Iyer"), ("Nair", "Nair")),
    ),
    "DE": _Nationality(
        4,
        ("Lukas", "Leon", "Felix", "Jonas", "Paul", "Maximilian"),
        ("Mia", "Emma", "Hannah", "Lea", "Lena", "Clara"),
        (("Müller", "Müller"), ("Schmidt", "Schmidt"), ("Schneider", "Schneider"),
         ("Fischer", "Fischer"), ("Weber", "Weber")),
    ),
    "KZ": _Nationality(
        4,
        ("Nursultan", "Arman", "Daniyar", "Yerlan", "Timur"),
        ("Aigerim", "Dana", "Madina", "Aruzhan", "Kamila"),
        (("Nurlanov", "Nurlanova"), ("Akhmetov", "Akhmetova"), ("Omarov", "Omarova"),
         ("Seitkali", "Seitkali")),
    ),
    "TR": _Nationality(
        3,
        ("Emre", "Mehmet", "Can", "Burak", "Mert"),
        ("Elif", "Zeynep", "Ayşe", "Defne", "Ece"),
        (("Yılmaz", "Yılmaz"), ("Kaya", "Kaya"), ("Demir", "Demir"), ("Şahin", "Şahin"),
         ("Çelik", "Çelik")),
    ),
}  # fmt: skip
_FOREIGN_CODES = tuple(_FOREIGN)
_FOREIGN_CUM_WEIGHTS = tuple(itertools.accumulate(n.weight for n in _FOREIGN.values()))


def lithuanian_name(rng: random.Random, *, sex: str, born: int) -> tuple[str, str]:
    """(given names, family name) of a Lithuanian born in year `born`.

    About one in twenty has two given names; some women born before 2001 carry the married
    (-ienė) form of the family name.
    """
    male = sex == Sex.MALE
    if born >= 2005:
        pool = _MALE_YOUNG if male else _FEMALE_YOUNG
    else:
        pool = _MALE_OLDER if male else _FEMALE_OLDER
    given = rng.choice(pool)
    if rng.random() < 0.05:
        second = rng.choice(pool)
        if second != given:
            given = f"{given} {second}"
    family = rng.choice(_FAMILY_NAMES)
    if not male:
        family = female_family_name(family, married=born <= 2000 and rng.random() < 0.3)
    return given, family


# --- Generation -------------------------------------------------------------------------------

# National: pupils in general education (≈350k, classifiers.md "Scale") and HEI students (≈100k).
_COUNTS = {Scale.SMALL: (300, 100), Scale.NATIONAL: (350_000, 100_000)}
_PUPIL_YEARS = range(2007, 2021)
# Students are mostly 19–25; older ones study part-time or for a master's degree.
_STUDENT_YEAR_WEIGHTS = {year: 1 for year in range(1985, 1995)} | {
    year: (4 if year < 2001 else 10) for year in range(1995, 2007)
}
# Foreign citizens without a personal code: few among pupils, about 9% of students (of whom
# many have a code); together about 3% of all.
_FOREIGN_SHARE_PUPILS = 0.02
_FOREIGN_SHARE_STUDENTS = 0.065


@dataclass(frozen=True, slots=True)
class PersonSpec:
    public_id: uuid.UUID
    personal_code: str | None
    foreign_id: str | None
    given_names: str
    family_name: str
    birth_date: dt.date
    sex: str
    citizenship: str
    municipality: str | None  # ISO 3166-2 code of the declared municipality


def personal_code(rng: random.Random, *, birth_date: dt.date, sex: str, used: set[str]) -> str:
    """A valid, unused personal code `GYYMMDDNNNK` for this birth date and sex."""
    century = 3 if birth_date.year < 2000 else 5
    first = century + (0 if sex == Sex.MALE else 1)
    stem = f"{first}{birth_date:%y%m%d}"
    while True:
        head = f"{stem}{rng.randrange(1000):03d}"
        # calc_check_digit ignores the last character of what it is given.
        code = head + calc_check_digit(head + "0")
        if code not in used:
            used.add(code)
            return code


def _birth_date(rng: random.Random, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=rng.randrange(days))


def people_generate(
    *, scale: Scale, seed: int, municipalities: Sequence[tuple[str, float]]
) -> list[PersonSpec]:
    """Pupils then students for `scale`, reproducible for `seed`.

    `municipalities` are (ISO code, weight) pairs for the declared municipality, weighted like
    the institutions (by population).
    """
    rng = demo_rng(seed, "people")
    pupils, students = _COUNTS[scale]
    muni_codes = [code for code, _ in municipalities]
    muni_cum = list(itertools.accumulate(weight for _, weight in municipalities))
    student_years = list(_STUDENT_YEAR_WEIGHTS)
    student_cum = list(itertools.accumulate(_STUDENT_YEAR_WEIGHTS.values()))
    used_codes: set[str] = set()
    foreign_serial = itertools.count(1)
    specs: list[PersonSpec] = []
    for index in range(pupils + students):
        is_pupil = index < pupils
        if is_pupil:
            year = rng.choice(_PUPIL_YEARS)
            foreign = rng.random() < _FOREIGN_SHARE_PUPILS
        else:
            year = rng.choices(student_years, cum_weights=student_cum)[0]
            foreign = rng.random() < _FOREIGN_SHARE_STUDENTS
        birth = _birth_date(rng, year)
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        municipality = rng.choices(muni_codes, cum_weights=muni_cum)[0]
        if foreign:
            citizenship = rng.choices(_FOREIGN_CODES, cum_weights=_FOREIGN_CUM_WEIGHTS)[0]
            nationality = _FOREIGN[citizenship]
            male = sex == Sex.MALE
            given = rng.choice(nationality.male if male else nationality.female)
            family = rng.choice(nationality.family)[0 if male else 1]
            code, foreign_id = None, f"U{next(foreign_serial):010d}"
        else:
            citizenship = "LT"
            given, family = lithuanian_name(rng, sex=sex, born=year)
            code = personal_code(rng, birth_date=birth, sex=sex, used=used_codes)
            foreign_id = None
        specs.append(
            PersonSpec(
                public_id=public_id,
                personal_code=code,
                foreign_id=foreign_id,
                given_names=given,
                family_name=family,
                birth_date=birth,
                sex=str(sex),
                citizenship=citizenship,
                municipality=municipality,
            )
        )
    return specs


# --- Insertion -------------------------------------------------------------------------------


def people_insert(
    specs: Sequence[PersonSpec], *, progress: Progress, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Insert the people with their first versions and change-log entries."""
    municipality_ids = dict(Municipality.objects.values_list("code", "id"))

    def build(spec: PersonSpec) -> Person:
        return Person(
            public_id=spec.public_id,
            personal_code=spec.personal_code,
            foreign_id=spec.foreign_id,
            given_names=spec.given_names,
            family_name=spec.family_name,
            birth_date=spec.birth_date,
            sex=spec.sex,
            citizenship=spec.citizenship,
            declared_municipality_id=municipality_ids.get(spec.municipality or ""),
        )

    return insert_in_chunks(
        Person, specs, build, label="persons", progress=progress, batch_size=batch_size
    )


# --- Families: parents of the children under 18 --------------------------------------------

# Share of the children's families whose parents are in the demo data. The small scale has
# enough of them for every screen; at national scale they are kept few, so that the seed stays
# within minutes (the population register's feed brings the real ones).
FAMILY_SHARE = {Scale.SMALL: 0.3, Scale.NATIONAL: 0.01}
TWO_PARENTS = 0.8
GUARDIAN_NOT_PARENT = 0.04
MAX_SIBLINGS = 3
# Endings of a child's family name and the father's form: Kazlauskaitė → Kazlauskas.
_FATHER_FORM = (("iūtė", "ius"), ("aitė", "as"), ("ytė", "is"), ("utė", "us"))


@dataclass(frozen=True, slots=True)
class ChildRef:
    person_id: int
    family_name: str
    sex: str
    birth_date: dt.date
    municipality: str  # ISO 3166-2 code, "" when unknown


@dataclass(frozen=True, slots=True)
class RelationSpec:
    guardian: int  # index into the new parents
    child_id: int
    kind: str
    valid_from: dt.date


def father_family_name(child_family_name: str, child_sex: str) -> str:
    """The family name of a child's father: a son's own, a daughter's in the male form."""
    if child_sex == Sex.MALE:
        return child_family_name
    for ending, male in _FATHER_FORM:
        if child_family_name.endswith(ending):
            return child_family_name[: -len(ending)] + male
    return child_family_name


def _years_earlier(day: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    year = day.year - rng.randint(low, high)
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(year + 1, 1, 1) - start).days))


def families_generate(
    *, scale: Scale, seed: int, children: Sequence[ChildRef], used_codes: set[str]
) -> tuple[list[PersonSpec], list[RelationSpec]]:
    """Parents for a share of the children: brothers and sisters (the same father's family name,
    the same municipality) share them; a mother carries the married form of the family name.
    A few children have a guardian who is not a parent. Reproducible for the seed."""
    rng = demo_rng(seed, "families")
    by_family: dict[tuple[str, str], list[ChildRef]] = {}
    for child in sorted(children, key=lambda c: (c.birth_date, c.person_id)):
        key = (child.municipality, father_family_name(child.family_name, child.sex))
        by_family.setdefault(key, []).append(child)
    parents: list[PersonSpec] = []
    relations: list[RelationSpec] = []
    for (municipality, surname), kids in sorted(by_family.items()):
        for start in range(0, len(kids), MAX_SIBLINGS):
            family = kids[start : start + MAX_SIBLINGS]
            if rng.random() >= FAMILY_SHARE[scale]:
                continue
            eldest = family[0].birth_date
            guardians: list[tuple[str, str, str]] = []  # (sex, family name, kind)
            if rng.random() < GUARDIAN_NOT_PARENT:
                guardians.append(
                    (Sex.FEMALE, female_family_name(surname, married=True), "guardian")
                )
            else:
                guardians.append((Sex.FEMALE, female_family_name(surname, married=True), "parent"))
                if rng.random() < TWO_PARENTS:
                    guardians.append((Sex.MALE, surname, "parent"))
            for sex, family_name, kind in guardians:
                low, high = (24, 40) if kind == "parent" else (45, 65)
                born = _years_earlier(eldest, rng, low, high)
                pool = _FEMALE_OLDER if sex == Sex.FEMALE else _MALE_OLDER
                parents.append(
                    PersonSpec(
                        public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        personal_code=personal_code(rng, birth_date=born, sex=sex, used=used_codes),
                        foreign_id=None,
                        given_names=rng.choice(pool),
                        family_name=family_name,
                        birth_date=born,
                        sex=str(sex),
                        citizenship="LT",
                        municipality=municipality or None,
                    )
                )
                for child in family:
                    relations.append(
                        RelationSpec(len(parents) - 1, child.person_id, kind, child.birth_date)
                    )
    return parents, relations


def families_seed(
    *, scale: Scale, seed: int, progress: Progress, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Insert parents (and a few other guardians) of a share of the children under 18, with
    the relations the population register's feed will bring in production. Returns how many
    parents were added."""
    from django.utils import timezone

    from edureg.core.audit import bulk_create_with_audit
    from edureg.people.models import Guardianship, adult_from

    children = [
        ChildRef(pk, family, sex, born, municipality or "")
        for pk, family, sex, born, municipality in Person.objects.filter(
            citizenship="LT", birth_date__gt=adult_from(timezone.localdate())
        )
        .order_by("pk")
        .values_list("pk", "family_name", "sex", "birth_date", "declared_municipality__code")
    ]
    used = set(
        Person.objects.filter(personal_code__isnull=False).values_list("personal_code", flat=True)
    )
    parents, relations = families_generate(
        scale=scale, seed=seed, children=children, used_codes=used
    )
    people_insert(parents, progress=progress, batch_size=batch_size)
    ids = dict(
        Person.objects.filter(public_id__in=[p.public_id for p in parents]).values_list(
            "public_id", "pk"
        )
    )
    rows = [
        Guardianship(
            guardian_id=ids[parents[r.guardian].public_id],
            child_id=r.child_id,
            kind=r.kind,
            valid_from=r.valid_from,
            source="demo",
        )
        for r in relations
    ]
    for start in range(0, len(rows), batch_size):
        bulk_create_with_audit(
            Guardianship, rows[start : start + batch_size], batch_size=batch_size
        )
    progress(
        f"families: {len(parents)} parents and guardians of {len({r.child_id for r in relations})} children"
    )
    return len(parents)

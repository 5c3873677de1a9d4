"""Pupil Register (MR) open data: pupils of the current school year, and gymnasium counts.

These datasets are made from personal data, so what leaves the register is cut down first:
- a person appears only under pseudonyms: keyed hashes (HMAC-SHA256 with
  `settings.OPEN_DATA_PSEUDONYM_KEY`) of the person's public id, never of the personal code or
  the name, so a pseudonym cannot be recomputed from a known personal code, stays the same from
  one export to the next, and changes for everybody when the key is changed;
- the birth date is published as the year only, the citizenship as "Lithuania or abroad";
- counts below 5 are left empty (DESIGN.md §2: open data is published "with small counts
  suppressed").
The export is the register's own publication, not a user's read: it reads every institution's
enrolments, and only this module decides what of them is published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from edureg.institutions.models import Institution, InstitutionKind
from edureg.people.models import Sex
from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.opendata.common import CHUNK_SIZE, names, provider_type
from edureg.statistics.opendata.registry import Row, register

PUPILS = "datasets/gov/nsa/mr/mokiniai_einamiesiems_mokslo_metams"
GYMNASIUM_COUNTS = "datasets/gov/nsa/mr/gimnaziju_mokiniu_skaiciai"

# The counts dataset starts with the 2018–2019 school year.
FIRST_COUNTED_YEAR = 2018
# Counts below this are suppressed (DESIGN.md §2, "small counts suppressed").
SMALLEST_PUBLISHED_COUNT = 5

COUNT_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, GYMNASIUM_COUNTS + "/MokSkaicius")

# The manifest's enum values (its titles: Vyras, Moteris) for the register's sex codes.
SEX: dict[str, str] = {Sex.MALE.value: "V", Sex.FEMALE.value: "M"}
ORIGIN_LITHUANIA = "Lietuvos Respublika"
ORIGIN_ABROAD = "Užsienio valstybė"

LANGUAGES = {
    "lt": "Lietuvių",
    "pl": "Lenkų",
    "ru": "Rusų",
    "en": "Anglų",
    "de": "Vokiečių",
    "fr": "Prancūzų",
    "be": "Baltarusių",
    "uk": "Ukrainiečių",
}
GYMNASIUM_CLASSES = {"9": "I", "10": "II", "11": "III", "12": "IV"}
STAGES = {"preschool": "Ikimokyklinio ugdymo grupė", "preprimary": "Priešmokyklinio ugdymo grupė"}


# --- Helpers ---------------------------------------------------------------------------------


def pseudonym(purpose: str, public_id: uuid.UUID | str, *, key: str | None = None) -> str:
    """The published stand-in for a public id: HMAC-SHA256 under the pseudonym key.

    `purpose` keeps the pseudonyms of different columns apart, so that one column cannot be
    joined to another by equal values.
    """
    secret = settings.OPEN_DATA_PSEUDONYM_KEY if key is None else key
    message = f"{purpose}:{public_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def school_year_of(day: dt.date) -> int:
    """The school year a day falls in, by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a school year (1 September – 31 August)."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def suppressed(count: int) -> int | None:
    return count if count >= SMALLEST_PUBLISHED_COUNT else None


def grade_name(grade: str, *, gymnasium: bool) -> str | None:
    """ "5 klasė"; in a gymnasium grades 9–12 are its classes I–IV."""
    if not grade:
        return None
    if grade in STAGES:
        return STAGES[grade]
    if gymnasium and grade in GYMNASIUM_CLASSES:
        return f"{GYMNASIUM_CLASSES[grade]} gimnazijos klasė"
    return f"{grade} klasė"


def teaching_type(kind: str, grade: str) -> str:
    """The kind of education an enrolment is for, by the group."""
    if kind == GroupKind.NVS:
        return "Neformalusis vaikų švietimas"
    if kind == GroupKind.CLUB:
        return "Neformalusis švietimas (būrelis)"
    if grade == "preschool":
        return "Ikimokyklinis ugdymas"
    if grade == "preprimary":
        return "Priešmokyklinis ugdymas"
    number = int(grade) if grade.isdigit() else 0
    if number <= 4:
        return "Pradinis ugdymas"
    if number <= 10:
        return "Pagrindinis ugdymas"
    return "Vidurinis ugdymas"


def _is_gymnasium(institution: Institution) -> bool:
    main_type: Any = institution.main_type
    return main_type is not None and main_type.code == "gymnasium"


# --- Pupils of the current school year ----------------------------------------------------


@register(PUPILS, "MokinysmMetams")
def pupils_this_year() -> Iterator[Row]:
    """One row per enrolment valid on some day of the current school year.

    The register keeps `valid_to` as the first day the pupil no longer belongs to the group;
    the dataset's `irasas_galioja_iki` is the last day that they do, so the manifest's rule
    (galioja_iki ≥ school year start) is `valid_to > start` here.
    """
    start, end = school_year_bounds(school_year_of(timezone.localdate()))
    enrolments = (
        Enrolment.objects.filter(valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .select_related(
            "person",
            "group__class_type",
            "group__class_purpose",
            "group__learning_mode",
            "institution__main_type",
            "institution__main_group",
            "institution__municipality__county",
        )
        # What is never published is not even read.
        .defer("person__personal_code", "person__given_names", "person__family_name")
        .order_by("pk")
    )
    for enrolment in enrolments.iterator(chunk_size=CHUNK_SIZE):
        person, group, institution = enrolment.person, enrolment.group, enrolment.institution
        municipality = institution.municipality
        yield {
            "iraso_id": pseudonym("enrolment", enrolment.public_id),
            "asm_kodas": pseudonym("person", person.public_id),
            "vardas_pavarde": pseudonym("name", person.public_id),
            "gimimo_metai": dt.date(person.birth_date.year, 1, 1),
            "lytis": SEX.get(person.sex),
            "kilme": ORIGIN_LITHUANIA if person.citizenship == "LT" else ORIGIN_ABROAD,
            # A free teacher has no legal-entity code; their personal code is never published.
            "inst_kodas": institution.jar_code or None,
            "inst_pavadinimas_lt": institution.name_lt,
            "inst_tipas": provider_type(institution),
            "inst_savivaldybe": municipality.name_lt,
            "inst_apsk_pav": municipality.county.name_lt if municipality.county else None,
            "mokymo_tipas": teaching_type(group.kind, group.grade),
            "mokymosi_organizavimo_budas": names(group.learning_mode)[0],
            "mokomoji_kalba": LANGUAGES.get(group.language, group.language) or None,
            "klase_tipas": names(group.class_type)[0],
            "klase_pakopa_pav": grade_name(group.grade, gymnasium=_is_gymnasium(institution)),
            "klase_nr": group.name,
            "klases_paskirtis": names(group.class_purpose)[0],
            "irasas_galioja_nuo": enrolment.valid_from,
            "irasas_galioja_iki": (
                enrolment.valid_to - dt.timedelta(days=1) if enrolment.valid_to else None
            ),
            "einam_mokslo_metupradzia": start,
            "einam_mokslo_metupabaiga": end,
            "duomenu_atnaujinimo_data": enrolment.updated_at,
        }


# --- Gymnasium pupil counts ---------------------------------------------------------------

BANDS = {
    "nuo_1_iki_4_klases_mokiniu_sk": ("1", "2", "3", "4"),
    "nuo_5_iki_8_klases_mokiniu_sk": ("5", "6", "7", "8"),
    "nuo_9_iki_10_klases_mokiniu_sk": ("9", "10"),
    "nuo_11_iki_12_klases_mokiniu_sk": ("11", "12"),
    "ikimokyklines_grupes_mokiniu_sk": ("preschool",),
    "priesmokyklines_grupes_mokiniu_sk": ("preprimary",),
    # Vocational classes and optional children's education groups are not kept by the
    # register: their counts are 0, which is suppressed like any count below 5.
    "profesinio_ugdymo_klases_mokiniu_sk": (),
    "pvaiku_ugdymo_grupes_mokiniu_sk": (),
}
BAND_OF_GRADE = {grade: band for band, grades in BANDS.items() for grade in grades}


def suppress_counts(counts: dict[str, int], groups: list[list[str]]) -> dict[str, int | None]:
    """Leave cells below 5 empty; within a group of cells that add up to a published total,
    also leave the smallest other cell empty when only one would be, so that the hidden one
    cannot be worked out by subtraction."""
    published: dict[str, int | None] = {key: suppressed(value) for key, value in counts.items()}
    for cells in groups:
        hidden = [cell for cell in cells if published[cell] is None]
        if len(hidden) == 1:
            shown = sorted((c for c in cells if published[c] is not None), key=lambda c: counts[c])
            if shown:
                published[shown[0]] = None
    return published


@register(GYMNASIUM_COUNTS, "MokSkaicius")
def gymnasium_counts() -> Iterator[Row]:
    """Pupils per gymnasium (and gymnasium branch) and school year, by sex and grade band.

    A pupil is counted once per institution and school year in which they were enrolled in one
    of its general-education classes, in the band of that class.
    """
    enrolments = Enrolment.objects.filter(
        kind=GroupKind.GENERAL,
        institution__main_type__code="gymnasium",
        group__school_year__gte=FIRST_COUNTED_YEAR,
    )
    by_sex: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    updated: dict[tuple[int, int], dt.datetime] = {}
    for institution_id, year, sex, count, last in (
        enrolments.values_list("institution_id", "group__school_year", "person__sex")
        .annotate(count=Count("person_id", distinct=True), last=Max("updated_at"))
        .order_by()
    ):
        key = (institution_id, year)
        by_sex[key][sex] = count
        if key not in updated or last > updated[key]:
            updated[key] = last
    by_band: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(BANDS, 0))
    for institution_id, year, grade, count in (
        enrolments.values_list("institution_id", "group__school_year", "group__grade")
        .annotate(count=Count("person_id", distinct=True))
        .order_by()
    ):
        band = BAND_OF_GRADE.get(grade)
        if band is not None:
            by_band[(institution_id, year)][band] += count
    institutions = {
        institution.pk: institution
        for institution in Institution.objects.filter(
            pk__in={institution_id for institution_id, _ in by_sex}
        ).select_related("main_type", "main_group", "municipality", "parent")
    }
    keys = sorted(by_sex, key=lambda k: (k[1], _joint_code(institutions[k[0]]), k[0]))
    for institution_id, year in keys:
        institution = institutions[institution_id]
        sexes = by_sex[(institution_id, year)]
        girls, boys = sexes.get(Sex.FEMALE, 0), sexes.get(Sex.MALE, 0)
        counts = {"mokiniu_sk_viso": girls + boys, "m_mokiniu_sk": girls, "v_mokiniu_sk": boys}
        counts |= by_band[(institution_id, year)]
        published = suppress_counts(counts, [["m_mokiniu_sk", "v_mokiniu_sk"], list(BANDS)])
        start, end = school_year_bounds(year)
        branch = institution.kind == InstitutionKind.BRANCH
        parent = institution.parent if branch and institution.parent else institution
        yield {
            "vda_id": str(uuid.uuid5(COUNT_KEYS, f"{institution.register_id}:{year}")),
            "mokslo_metai_pavadinimas": f"{year}-{year + 1}",
            "mokslo_metai_pradzios_data": start,
            "mokslo_metai_pabaigos_data": end,
            "ins_pagr_tipas": provider_type(institution),
            "institucijos_kodas": institution.jar_code or None,
            "institucijos_pavadinimas": parent.name_lt,
            "padalinys_kodas": (institution.branch_code or None) if branch else None,
            "padalinys_pavadinimas": institution.name_lt if branch else None,
            "jungtinis_kodas": _joint_code(institution),
            "savivaldybe": institution.municipality.name_lt,
            # The register keeps no address code or coordinates.
            "aob_kodas": None,
            "e_koord": None,
            "n_koord": None,
            "koord_x": None,
            "koord_y": None,
            **published,
            "paskutinis_atnaujinimas": updated[(institution_id, year)],
        }


def _joint_code(institution: Institution) -> str:
    if institution.kind == InstitutionKind.BRANCH and institution.branch_code:
        return institution.branch_code
    return institution.jar_code or institution.register_id

"""SMPKR open data: study and training programmes, their accreditations, and students per
programme and year (from the Student Register).

`ProgramosStojimas` describes the national admissions (LAMA BPO): applications, invitations and
signed study contracts. edureg does not hold the admission system's applications or invitations;
it holds the study rights that admissions end in. So each row (per admission year, programme and
HEI, from 2024 as the manifest says) publishes the students who started the programme that year,
not by transfer, as the contracts signed (`lamabpo_pasir_pagr_stojim`; edureg cannot tell the main
admission from the additional one, so all are counted there), below 5 left empty; every other
column is published empty (docs/statistics.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Prefetch
from django.db.models.functions import ExtractYear
from django.utils import timezone

from edureg.institutions.models import Institution
from edureg.programmes.models import (
    Accreditation,
    Programme,
    ProgrammeKind,
    ProgrammeVersion,
    StudyCycle,
    StudyType,
)
from edureg.programmes.selectors import PUBLIC_STATUSES
from edureg.statistics.opendata.common import (
    CHUNK_SIZE,
    choice_labels,
    code,
    names,
    provider_code,
    provider_type,
    published_programmes,
    version_in_force,
)
from edureg.statistics.opendata.mr import suppressed
from edureg.statistics.opendata.registry import Row, register
from edureg.students.models import Graduation, StatusPeriod, StudyStatus

DATASET = "datasets/gov/nsa/smpkr/studiju_mokymu_programu_duomenys"

# "Studijų ir mokymų programos": study programmes and (vocational) training programmes.
# General-education programmes are in SMPKR too but are not part of this dataset, and NVŠ
# programmes have a dataset of their own.
KINDS = (ProgrammeKind.STUDY, ProgrammeKind.VOCATIONAL)

# Keys of accreditation rows are derived, not stored: the same accreditation and criterion give
# the same key in every monthly export.
ACCREDITATION_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, DATASET + "/ProgramosAkreditacija")
STUDENT_COUNT_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, DATASET + "/ProgramosStudentas")


@register(DATASET, "StudijuPrograma")
def study_programmes() -> Iterator[Row]:
    study_types = choice_labels(StudyType)
    cycles = choice_labels(StudyCycle)
    for programme in published_programmes(KINDS):
        version = version_in_force(programme)
        provider = programme.provider
        provider_id, code_type = provider_code(provider)
        row: dict[str, Any] = {
            "vda_prime_key": str(programme.public_id),
            "prg_valst_kodas": programme.state_code,
            "prg_ireg_data": programme.registered_on,
            "prg_isreg_data": programme.deregistered_on,
            "prg_isreg_priezast_lt": names(programme.deregistration_reason)[0],
            "prg_reg_inst_lt": provider.name_lt,
            "prg_reg_inst_en": provider.name_en,
            "prg_reg_inst_kodas": provider_id,
            "prg_reg_inst_kodo_tipas": code_type,
            "prg_reg_inst_tipas": provider_type(provider),
            "prg_reg_inst_adr": provider.address,
            # Any edit of the record (a decision, a change in the works) moves updated_at.
            "duom_paskut_redag": programme.updated_at,
        }
        if version is not None:
            level_lt, level_en = names(version.isced_level)
            field_lt, field_en = names(version.study_field)
            type_lt, type_en = study_types.get(version.study_type, (None, None))
            cycle_lt, cycle_en = cycles.get(version.cycle, (None, None))
            row |= {
                "prg_isced_kodas": code(version.isced_level),
                "prg_pavad_lt": version.name_lt,
                "prg_pavad_en": version.name_en,
                "prg_lygmuo_lt": level_lt,
                "prg_lygmuo_en": level_en,
                "stud_tipas_lt": type_lt,
                "stud_tipas_en": type_en,
                "stud_pakopa_lt": cycle_lt,
                "stud_pakopa_en": cycle_en,
                "prg_apimtis_kred": version.credits,
                "teik_issilav_lt": version.education_awarded_lt,
                "teik_issilav_en": version.education_awarded_en,
                "stud_sritis_lt": field_lt,
                "stud_sritis_en": field_en,
                # The register keeps the sub-field as one free text, not a bilingual classifier.
                "stud_posritis_lt": version.study_subfield,
                # The last change of the programme is the registration of the version in force.
                "prg_paskut_kitimas": version.decided_at or programme.registered_on,
            }
        yield row


@register(DATASET, "ProgramosAkreditacija")
def accreditations() -> Iterator[Row]:
    """One row per criterion scored; an accreditation without scores gives one row."""
    queryset = (
        Accreditation.objects.filter(
            programme__status__in=PUBLIC_STATUSES, programme__kind__in=KINDS
        )
        .select_related("programme__provider")
        .prefetch_related(
            Prefetch(
                "programme__versions",
                queryset=ProgrammeVersion.objects.select_related("isced_level"),
            )
        )
        .order_by("programme__state_code", "decided_on", "pk")
    )
    for accreditation in queryset.iterator(chunk_size=CHUNK_SIZE):
        programme = accreditation.programme
        version = version_in_force(programme)
        base: dict[str, Any] = {
            "prg_valst_kodas": programme.state_code,
            "prg_isced_kodas": code(version.isced_level) if version else None,
            "inst_kodas": programme.provider.jar_code,
            "sprendimas": accreditation.decision,
            "akred_data": accreditation.decided_on,
            "akred_terminas": accreditation.valid_until,
            "akred_paskut_redagav": accreditation.updated_at,
            # Scores are kept on the accreditation row, so they were last edited with it.
            "balo_paskut_redagav": accreditation.updated_at if accreditation.scores else None,
        }
        scores = accreditation.scores if isinstance(accreditation.scores, dict) else {}
        if not scores:
            yield base | {"vda_prime_key": _accreditation_key(accreditation.pk, "")}
            continue
        # Sorted, because PostgreSQL's jsonb does not keep the order the keys were written in.
        for criterion in sorted(scores):
            yield base | {
                "vda_prime_key": _accreditation_key(accreditation.pk, criterion),
                # Criteria are recorded under one (Lithuanian) name.
                "akred_ivert_kriterijus_lt": criterion,
                "akred_ivert_balas": scores[criterion],
            }


def _accreditation_key(pk: int, criterion: str) -> str:
    return str(uuid.uuid5(ACCREDITATION_KEYS, f"{pk}:{criterion}"))


# --- Students per programme, HEI and year (Student Register) --------------------------------

# (programme id, institution id, calendar year)
CountKey = tuple[int, int, int]


def _studied_per_year(today: dt.date) -> dict[CountKey, set[int]]:
    """The people with a studying period on at least one day of each calendar year, per
    programme and HEI. Academic leave and interruptions are not studying; an open period runs
    until today, so no future year is counted."""
    studied: dict[CountKey, set[int]] = defaultdict(set)
    periods = (
        StatusPeriod.objects.filter(status=StudyStatus.STUDYING, valid_from__lte=today)
        .values_list(
            "study_right__programme_id",
            "study_right__institution_id",
            "study_right__person_id",
            "valid_from",
            "valid_to",
        )
        .order_by()
    )
    for programme_id, institution_id, person_id, valid_from, valid_to in periods.iterator(
        chunk_size=CHUNK_SIZE
    ):
        # [valid_from, valid_to): the last day studied is the day before valid_to.
        last_day = min(valid_to - dt.timedelta(days=1), today) if valid_to else today
        for year in range(valid_from.year, last_day.year + 1):
            studied[(programme_id, institution_id, year)].add(person_id)
    return studied


def _graduated_per_year(today: dt.date) -> dict[CountKey, int]:
    graduations = (
        Graduation.objects.filter(graduated_on__lte=today)
        .values_list(
            "study_right__programme_id",
            "study_right__institution_id",
            ExtractYear("graduated_on"),
        )
        .annotate(count=Count("study_right__person_id", distinct=True))
        .order_by()
    )
    return {
        (programme_id, institution_id, year): count
        for programme_id, institution_id, year, count in graduations
    }


@register(DATASET, "ProgramosStudentas")
def students_per_programme() -> Iterator[Row]:
    """Per programme, HEI and calendar year: the students who studied in the programme on at
    least one day of the year, and those who graduated from it that year.

    A person is counted once per row, however many study rights they had in it. Counts below
    5 are left empty, as in every count the register publishes (DESIGN.md §2, `mr.suppressed`);
    the two counts are not parts of a published total, so no other cell has to be hidden with
    them.
    """
    today = timezone.localdate()
    studied = _studied_per_year(today)
    graduated = _graduated_per_year(today)
    keys = set(studied) | set(graduated)
    programmes = Programme.objects.in_bulk({key[0] for key in keys})
    institutions = Institution.objects.in_bulk({key[1] for key in keys})

    def order(key: CountKey) -> tuple[int, str, str, int, int]:
        programme, institution = programmes[key[0]], institutions[key[1]]
        return (key[2], programme.state_code or "", institution.jar_code, key[0], key[1])

    for key in sorted(keys, key=order):
        programme, institution, year = programmes[key[0]], institutions[key[1]], key[2]
        yield {
            "vda_prime_key": str(
                uuid.uuid5(
                    STUDENT_COUNT_KEYS,
                    f"{programme.public_id}:{institution.register_id}:{year}",
                )
            ),
            # The manifest types the year as a date: its first day.
            "metai": dt.date(year, 1, 1),
            "prg_valst_kodas": programme.state_code,
            "inst_kodas": institution.jar_code or None,
            "stud_studijav": suppressed(len(studied.get(key, ()))),
            "stud_baige": suppressed(graduated.get(key, 0)),
        }


ADMISSION_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, DATASET + "/ProgramosStojimas")
FIRST_ADMISSION_YEAR = 2024


@register(DATASET, "ProgramosStojimas")
def admissions() -> Iterator[Row]:
    """Entrants per admission year, programme and HEI: the study rights that admissions ended
    in (see the module docstring for what is and is not published)."""
    from edureg.students.models import StudyRight

    entrants = (
        StudyRight.objects.filter(
            transferred_from__isnull=True,
            started_on__gte=dt.date(FIRST_ADMISSION_YEAR, 1, 1),
            programme__status__in=PUBLIC_STATUSES,
        )
        .values_list("programme_id", "institution_id", ExtractYear("started_on"))
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {(p, i, y): n for p, i, y, n in entrants}
    programmes = Programme.objects.in_bulk({key[0] for key in counts})
    institutions = Institution.objects.in_bulk({key[1] for key in counts})
    for key in sorted(counts, key=lambda k: (k[2], programmes[k[0]].state_code or "", k[1])):
        programme, institution, year = programmes[key[0]], institutions[key[1]], key[2]
        yield {
            "vda_prime_key": str(
                uuid.uuid5(
                    ADMISSION_KEYS, f"{programme.public_id}:{institution.register_id}:{year}"
                )
            ),
            "pasirinkimo_metai": dt.date(year, 1, 1),
            "prg_valst_kodas": programme.state_code,
            "inst_kodas": institution.jar_code or None,
            "lamabpo_pasir_pagr_stojim": suppressed(counts[key]),
        }

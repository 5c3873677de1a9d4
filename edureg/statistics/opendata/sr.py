"""Student Register (SR) open data: study interruptions and terminations.

`datasets/gov/nsa/sr/studiju_pertraukimas`, model `Pertraukimas`: one row per stage of a study
right, where a stage is
- "pertraukimas": an interruption (status `interrupted`). A study right's interruption periods
  that overlap or follow each other with no day of studies between them are merged into one
  row carrying all their reasons, as the manifest describes (the rule is in `intervals.py`).
  Academic leave (`academic_leave`) is not an interruption: the student keeps studying status
  in law and its reasons are a different classifier, so it is not published here;
- "nutraukimas": the termination of the study right (the `terminated` end marker).

What leaves the register is cut down as in the Pupil Register data (`mr.py`): the student and
the study right appear only under keyed pseudonyms of their public ids (a purpose of their own,
so that neither joins to the pupil datasets' columns), the birth date as the year only; the
personal code and the name are not even read. Rows are per person, not counts, so there is
nothing to suppress.

Several reasons of one stage are written in the one `nutr_pert_priezastis` column, Lithuanian
names in order of their codes, separated by "; ". The manifest declares the column a string and
notes (comment row, spinta issue 161) that it is to become an array `nutr_pert_priezastis[]`;
until then the header stays the manifest's, and one row per stage keeps the stage count right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch

from edureg.core.models import ClassifierValue
from edureg.people.models import Sex
from edureg.programmes.models import ProgrammeVersion, StudyCycle
from edureg.statistics.opendata.common import (
    CHUNK_SIZE,
    choice_labels,
    names,
    provider_type,
    version_in_force,
)
from edureg.statistics.opendata.export import ExportError
from edureg.statistics.opendata.intervals import Period, merge_periods
from edureg.statistics.opendata.mr import pseudonym
from edureg.statistics.opendata.registry import Row, register
from edureg.students.models import END_STATUSES, StatusPeriod, StudyRight, StudyStatus

DATASET = "datasets/gov/nsa/sr/studiju_pertraukimas"

STAGE_INTERRUPTION = "pertraukimas"
STAGE_TERMINATION = "nutraukimas"

# "Duomenys kaupiami nuo 2010 m.": stages that ended before 2010 are not published.
FIRST_PUBLISHED_DAY = dt.date(2010, 1, 1)

REASON_SEPARATOR = "; "

# The manifest has no enum for the sex; the words are those of the MR manifest's enum titles.
SEX = {Sex.MALE.value: "Vyras", Sex.FEMALE.value: "Moteris"}

# Pseudonym purposes of this dataset's columns.
STUDENT = "sr-student"
STUDY_RIGHT = "sr-study-right"
RECORD = "sr-record"


def reasons_text(reasons: Iterable[ClassifierValue]) -> str | None:
    """Reason names in order of their codes, in one cell."""
    ordered = sorted(reasons, key=lambda value: value.code)
    for value in ordered:
        if REASON_SEPARATOR.strip() in value.name_lt:
            # A reason named with the separator would read as two reasons.
            raise ExportError(f"reason {value.code!r} has {REASON_SEPARATOR!r} in its name")
    return REASON_SEPARATOR.join(value.name_lt for value in ordered) or None


def _study_rights() -> Iterator[StudyRight]:
    """Study rights with an interruption or a termination, with everything a row needs."""
    periods = StatusPeriod.objects.prefetch_related("reasons").order_by("valid_from", "pk")
    versions = ProgrammeVersion.objects.select_related("study_field")
    published = StatusPeriod.objects.filter(
        status__in=(StudyStatus.INTERRUPTED, StudyStatus.TERMINATED)
    ).values("study_right_id")
    rights = (
        StudyRight.objects.filter(pk__in=published)
        .select_related(
            "person",
            "programme",
            "institution__main_type",
            "institution__main_group",
            "graduation",
        )
        # What is never published is not even read.
        .defer("person__personal_code", "person__given_names", "person__family_name")
        .prefetch_related(
            Prefetch("periods", queryset=periods),
            Prefetch("programme__versions", queryset=versions),
        )
        .order_by("pk")
    )
    return rights.iterator(chunk_size=CHUNK_SIZE)


def _reason_period(period: StatusPeriod) -> Period[ClassifierValue]:
    return Period(
        start=period.valid_from, end=period.valid_to, reasons=frozenset(period.reasons.all())
    )


def _return_to(periods: list[StatusPeriod], day: dt.date | None) -> StatusPeriod | None:
    """The period that starts on the day a merged interruption ends, if the student came back
    (an interruption closed by a termination, graduation or transfer is not a return)."""
    if day is None:
        return None
    for period in periods:
        if period.valid_from == day and period.status not in END_STATUSES:
            return period
    return None


def _stages(right: StudyRight) -> Iterator[dict[str, Any]]:
    """The stage columns of a study right's rows, in date order."""
    periods = list(right.periods.all())
    interruptions = merge_periods(
        _reason_period(p) for p in periods if p.status == StudyStatus.INTERRUPTED
    )
    stages: list[dict[str, Any]] = []
    for merged in interruptions:
        if merged.end is not None and merged.end <= FIRST_PUBLISHED_DAY:
            continue
        returned = _return_to(periods, merged.end)
        course = returned.course if returned is not None else None
        stages.append(
            {
                "etapas": STAGE_INTERRUPTION,
                "nutr_pert_priezastis": reasons_text(merged.reasons),
                "etapo_pradz_data": merged.start,
                # [start, end): `end` is the first day back at studies.
                "grizimo_data": merged.end if returned is not None else None,
                "kursas_i_kuri_grizo": str(course) if course is not None else None,
            }
        )
    for period in periods:
        if period.status == StudyStatus.TERMINATED and period.valid_from >= FIRST_PUBLISHED_DAY:
            stages.append(
                {
                    "etapas": STAGE_TERMINATION,
                    "nutr_pert_priezastis": reasons_text(period.reasons.all()),
                    "etapo_pradz_data": period.valid_from,
                    "grizimo_data": None,
                    "kursas_i_kuri_grizo": None,
                }
            )
    stages.sort(key=lambda stage: stage["etapo_pradz_data"])
    yield from stages


@register(DATASET, "Pertraukimas")
def interruptions_and_terminations() -> Iterator[Row]:
    cycles = choice_labels(StudyCycle)
    for right in _study_rights():
        person, institution = right.person, right.institution
        version = version_in_force(right.programme)
        graduation = getattr(right, "graduation", None)
        common = {
            "studento_stud_id": pseudonym(STUDY_RIGHT, right.public_id),
            "st_id": pseudonym(STUDENT, person.public_id),
            "studento_gimmetai": dt.date(person.birth_date.year, 1, 1),
            "studento_lytis": SEX.get(person.sex),
            "std_pakopos_pav": cycles.get(right.cycle, (None, None))[0],
            "prg_stud_sritis_pav": names(version.study_field)[0] if version else None,
            "ins_pagr_tipas": provider_type(institution),
            "std_studiju_pradzia": right.started_on,
            "std_numatoma_stud_pabaiga": right.expected_end,
            "stud_baigimo_data": graduation.graduated_on if graduation is not None else None,
        }
        for stage in _stages(right):
            key = f"{right.public_id}:{stage['etapas']}:{stage['etapo_pradz_data']}"
            yield {"iraso_id": pseudonym(RECORD, key), **common, **stage}

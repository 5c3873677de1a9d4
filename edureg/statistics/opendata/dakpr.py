"""DAKPR open data: final theses defended, from the Student Register's completed studies.

`datasets/gov/nsa/dakpr/baigiamieji_darbai`, model `BaigiamasisDarbas`: one row per graduation
with a final thesis title, from 2001 ("nuo 2001 metų"). The author appears only under a keyed
pseudonym of their public id, with the birth year only; the personal code and the name are not
even read. The document is the diploma of the cycle (edureg keeps its reference, not its blank).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Prefetch

from edureg.programmes.models import ProgrammeVersion, StudyCycle
from edureg.statistics.opendata.common import CHUNK_SIZE, version_in_force
from edureg.statistics.opendata.mr import SEX, pseudonym
from edureg.statistics.opendata.registry import Row, register
from edureg.students.models import Graduation

DATASET = "datasets/gov/nsa/dakpr/baigiamieji_darbai"
FIRST_PUBLISHED_DAY = dt.date(2001, 1, 1)

# The document that certifies the education acquired in each cycle.
DOCUMENTS = {
    StudyCycle.PROFESSIONAL_BACHELOR: "Profesinio bakalauro diplomas",
    StudyCycle.BACHELOR: "Bakalauro diplomas",
    StudyCycle.MASTER: "Magistro diplomas",
    StudyCycle.INTEGRATED: "Magistro diplomas",
    StudyCycle.RESIDENCY: "Rezidentūros pažymėjimas",
    StudyCycle.DOCTORAL: "Daktaro diplomas",
}

AUTHOR, THESIS, RECORD = "dakpr-author", "dakpr-thesis", "dakpr-record"


@register(DATASET, "BaigiamasisDarbas")
def theses() -> Iterator[Row]:
    graduations = (
        Graduation.objects.filter(graduated_on__gte=FIRST_PUBLISHED_DAY)
        .exclude(thesis_title="")
        .select_related(
            "study_right__person",
            "study_right__institution",
            "study_right__programme",
            "qualification",
        )
        .defer(
            "study_right__person__personal_code",
            "study_right__person__given_names",
            "study_right__person__family_name",
        )
        .prefetch_related(
            Prefetch("study_right__programme__versions", queryset=ProgrammeVersion.objects.all())
        )
        .order_by("graduated_on", "pk")
    )
    for graduation in graduations.iterator(chunk_size=CHUNK_SIZE):
        right = graduation.study_right
        person, programme = right.person, right.programme
        version = version_in_force(programme)
        qualification = graduation.qualification
        yield {
            "iraso_id": pseudonym(RECORD, right.public_id),
            "bdarbo_id": pseudonym(THESIS, right.public_id),
            "bdarbo_tema": graduation.thesis_title,
            "prg_valst_kodas": programme.state_code,
            "prg_pavad": version.name_lt if version else None,
            "igyt_issilav_pav": (version.education_awarded_lt or None) if version else None,
            "igyt_kvl_pav": qualification.name_lt if qualification else graduation.degree or None,
            "bdokumento_pav": DOCUMENTS.get(right.cycle),
            "bdokumento_isdavimo_data": graduation.graduated_on,
            "ins_pavad": right.institution.name_lt,
            "asm_id": pseudonym(AUTHOR, person.public_id),
            "asm_gim_metai": dt.date(person.birth_date.year, 1, 1),
            "asm_lytis": SEX.get(person.sex),
        }

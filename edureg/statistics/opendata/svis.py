"""SVIS open data: general-education schools and their branches, current and historical.

`datasets/gov/nsa/svis/bendrojo_ugdymo_mokyklos`, model `BugdymoMokykla`: one row per
institution or branch of the main group "general-education school", registered or deregistered.

What edureg does not hold is published empty, as the manifest allows for any property: the
address register's codes and names (settlement, eldership, municipality code, street, house,
address object code) and coordinates — the register keeps the address as one line of text, which
is not split into the manifest's parts; the group of purposes (paskirčių grupė); the date of
deregistration from the legal-entities register (JAR), which is that register's own record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from edureg.institutions.models import FounderType, Institution, InstitutionKind
from edureg.statistics.opendata.common import CHUNK_SIZE, choice_labels, names
from edureg.statistics.opendata.registry import Row, register

DATASET = "datasets/gov/nsa/svis/bendrojo_ugdymo_mokyklos"
SCHOOL_GROUP = "school"
KEYS = uuid.uuid5(uuid.NAMESPACE_URL, DATASET + "/BugdymoMokykla")


@register(DATASET, "BugdymoMokykla")
def schools() -> Iterator[Row]:
    founders = choice_labels(FounderType)
    institutions = (
        Institution.objects.filter(main_group__code=SCHOOL_GROUP)
        .select_related("main_group", "main_type", "municipality", "parent")
        .order_by("register_id")
    )
    for institution in institutions.iterator(chunk_size=CHUNK_SIZE):
        branch = institution.kind == InstitutionKind.BRANCH
        parent = institution.parent if branch else None
        yield {
            "iraso_id": str(uuid.uuid5(KEYS, institution.register_id)),
            "ins_id": institution.register_id,
            "ins_kodas": institution.jar_code or None,
            "ins_pavad_lt": institution.name_lt,
            "ins_ireg_smir_data": institution.registered_on,
            "ins_isreg_smir_data": institution.deregistered_on,
            "ins_grupe_pav": names(institution.main_group)[0],
            "ins_pagr_tipas": names(institution.main_type)[0],
            "sav_pav": institution.municipality.name_lt,
            "prk_pavad": founders.get(institution.founder_type, (None, None))[0],
            "ar_padalinys": "1" if branch else "0",
            "ins_motin_id": parent.register_id if parent else None,
            "ins_motin_kodas": (parent.jar_code or None) if parent else None,
            "ins_motin_pavad": parent.name_lt if parent else None,
        }

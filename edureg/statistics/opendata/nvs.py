"""NVŠ open data: non-formal children's education programmes, and how many pupils attend them.

`Lankymas` comes from the Pupil Register: per published NVŠ programme and school year, the pupils
enrolled in an NVŠ group of that programme on at least one day of the year. A pupil counts once
per programme and year, however many of its groups they attended. Counts below 5 are left empty,
as in every count the register publishes (`mr.suppressed`); the counts are not parts of a
published total, so no other cell has to be hidden with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from django.db.models import Count, F, Q

from edureg.core.models import ClassifierValue
from edureg.programmes.models import Programme, ProgrammeKind
from edureg.programmes.selectors import PUBLIC_STATUSES
from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.opendata.common import (
    names,
    provider_code,
    provider_type,
    published_programmes,
    version_in_force,
)
from edureg.statistics.opendata.mr import school_year_bounds, suppressed
from edureg.statistics.opendata.registry import Row, register

DATASET = "datasets/gov/nsa/nspr/neformaliojo_vaiku_svietimo_programos"

# The manifest allows exactly these texts for the deregistration reason (its enums), which are
# not the names the register's classifier shows; they are keyed by the classifier's codes.
DEREGISTRATION_REASONS: dict[str, tuple[str, str]] = {
    "provider-request": (
        "Programos teikėjo prašymu",
        "According to the program developer's request",
    ),
    "not-delivered": (
        "Nevykdant daugiau kaip dvejus metus",
        "Do not take place more than two years",
    ),
    "registrar-decision": (
        "Registro tvarkytojo sprendimu",
        "By Decision of the Register Manager",
    ),
    "merged": (
        "Prijungiant prie kitos programos",
        "Connected to the other program",
    ),
}


def deregistration_reason(reason: object) -> tuple[str | None, str | None]:
    """(Lithuanian, English) text of a reason; a reason the manifest has no text for (one the
    agency added later) is published under the classifier's own names rather than dropped."""
    if not isinstance(reason, ClassifierValue):
        return None, None
    return DEREGISTRATION_REASONS.get(reason.code) or names(reason)


@register(DATASET, "Programa")
def nvs_programmes() -> Iterator[Row]:
    for programme in published_programmes([ProgrammeKind.NVS]):
        version = version_in_force(programme)
        provider = programme.provider
        provider_id, code_type = provider_code(provider)
        reason_lt, reason_en = deregistration_reason(programme.deregistration_reason)
        direction_lt, direction_en = names(version.nvs_direction if version else None)
        subdirection_lt, subdirection_en = names(version.nvs_subdirection if version else None)
        yield {
            "vda_prime_key": str(programme.public_id),
            # The public id is also what attendance rows (Lankymas) will refer to.
            "programos_id": str(programme.public_id),
            "prg_kodas": programme.state_code,
            "prg_pavad_lt": version.name_lt if version else None,
            "prg_pavad_en": version.name_en if version else None,
            "prg_ireg_data": programme.registered_on,
            "prg_isreg_data": programme.deregistered_on,
            "prg_isreg_priezast_lt": reason_lt,
            "prg_isreg_priezast_en": reason_en,
            # Purpose (paskirtis) and entry requirements are not recorded by the register yet.
            "prg_kryptis_lt": direction_lt,
            "prg_kryptis_en": direction_en,
            "prg_pakraipa_lt": subdirection_lt,
            "prg_pakraipa_en": subdirection_en,
            "prg_teikejas_lt": provider.name_lt,
            "prg_teikejas_en": provider.name_en,
            "prg_teikejo_kodas": provider_id,
            "prg_teikejo_kodo_tipas": code_type,
            "prg_teikejo_tipas": provider_type(provider),
            "prg_teikejo_adresas": provider.address,
            "prg_paskut_kitimas": (
                version.decided_at if version and version.decided_at else programme.registered_on
            ),
            "duom_paskut_redagav": programme.updated_at,
        }


ATTENDANCE_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, DATASET + "/Lankymas")


@register(DATASET, "Lankymas")
def nvs_attendance() -> Iterator[Row]:
    """Pupils per published NVŠ programme and school year (one set-based count per year)."""
    years = (
        Enrolment.objects.filter(
            kind=GroupKind.NVS,
            group__programme__kind=ProgrammeKind.NVS,
            group__programme__status__in=PUBLIC_STATUSES,
        )
        .values_list("group__school_year", flat=True)
        .distinct()
        .order_by("group__school_year")
    )
    for year in list(years):
        start, end = school_year_bounds(year)
        counts = (
            Enrolment.objects.filter(
                kind=GroupKind.NVS,
                group__programme__kind=ProgrammeKind.NVS,
                group__programme__status__in=PUBLIC_STATUSES,
                valid_from__lte=end,
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
            .values(programme=F("group__programme"))
            .annotate(pupils=Count("person", distinct=True))
            .order_by()
        )
        programmes = Programme.objects.in_bulk([item["programme"] for item in counts])
        for item in sorted(counts, key=lambda i: programmes[i["programme"]].state_code or ""):
            programme = programmes[item["programme"]]
            yield {
                "vda_prime_key": str(uuid.uuid5(ATTENDANCE_KEYS, f"{programme.public_id}:{year}")),
                "programos_id": str(programme.public_id),
                "mokslo_metai": f"{year}-{year + 1}",
                "mok_sk": suppressed(item["pupils"]),
            }

"""Writes to institutions and the loading of municipalities and counties."""

from __future__ import annotations

from typing import Any

import pycountry
from django.db import transaction

from edureg.core.context import Actor, acting_as
from edureg.institutions.models import County, Institution, Municipality, MunicipalityKind

_KIND_BY_PYCOUNTRY_TYPE = {
    "City municipality": MunicipalityKind.CITY,
    "District municipality": MunicipalityKind.DISTRICT,
    "Municipality": MunicipalityKind.MUNICIPALITY,
}
# pycountry names city municipalities in the genitive ("Kauno miestas"); the English name
# wants the city's own name.
_CITY_NOMINATIVE = {
    "Alytaus": "Alytus",
    "Kauno": "Kaunas",
    "Klaipėdos": "Klaipėda",
    "Palangos": "Palanga",
    "Panevėžio": "Panevėžys",
    "Šiaulių": "Šiauliai",
    "Vilniaus": "Vilnius",
}


def _municipality_names(name: str, kind: str) -> tuple[str, str]:
    if kind == MunicipalityKind.CITY:
        genitive = name.removesuffix(" miestas")
        nominative = _CITY_NOMINATIVE.get(genitive, genitive)
        return f"{genitive} miesto savivaldybė", f"{nominative} city municipality"
    if kind == MunicipalityKind.DISTRICT:
        return f"{name} (rajono savivaldybė)", f"{name} district municipality"
    return f"{name} (savivaldybė)", f"{name} municipality"


@transaction.atomic
def municipalities_load() -> int:
    """Create the 10 counties and 60 municipalities of ISO 3166-2:LT from pycountry.

    Returns how many were created; existing rows are kept (names may have been edited).
    """
    subdivisions = [s for s in pycountry.subdivisions if s.country_code == "LT"]
    created = 0
    counties = {}
    for sub in subdivisions:
        if sub.type == "County":
            county, was_created = County.objects.get_or_create(
                code=sub.code,
                defaults={"name_lt": sub.name, "name_en": sub.name.replace("apskritis", "county")},
            )
            counties[sub.code] = county
            created += was_created
    for sub in subdivisions:
        kind = _KIND_BY_PYCOUNTRY_TYPE.get(sub.type)
        if kind is None:
            continue
        name_lt, name_en = _municipality_names(sub.name, kind)
        _, was_created = Municipality.objects.get_or_create(
            code=sub.code,
            defaults={
                "name_lt": name_lt,
                "name_en": name_en,
                "kind": kind,
                "county": counties[sub.parent_code],
            },
        )
        created += was_created
    return created


def _check_may_write(actor: Actor) -> None:
    """The institutions register is kept by the agency (national scope)."""
    from edureg.access.models import FunctionArea
    from edureg.access.scoping import require

    require(actor, FunctionArea.INSTITUTIONS, national=True)


@transaction.atomic
def institution_create(*, actor: Actor, **fields: Any) -> Institution:
    _check_may_write(actor)
    institution = Institution(**fields)
    with acting_as(actor):
        institution.full_clean()
        institution.save()
    return institution


@transaction.atomic
def institution_update(*, actor: Actor, institution: Institution, **changes: Any) -> Institution:
    _check_may_write(actor)
    for name, value in changes.items():
        setattr(institution, name, value)
    with acting_as(actor):
        institution.full_clean()
        institution.save()
    return institution

"""Programmes made through the services, as a provider and the registrar would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.programmes import services
from edureg.programmes.models import Programme

SYSTEM = Actor.system("tests")


def classifier(code_list: str, code: str) -> ClassifierValue:
    return ClassifierValue.objects.get(classifier__code=code_list, code=code)


def study_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name_lt": "Informatika",
        "name_en": "Informatics",
        "description_lt": "Programavimas, algoritmai ir duomenų bazės.",
        "description_en": "Programming, algorithms and databases.",
        "study_type": "university",
        "cycle": "bachelor",
        "study_field": classifier("study-field", "informatics"),
        "isced_level": classifier("isced-level", "6"),
        "ltks_level": classifier("ltks-level", "6"),
        "credits": Decimal(240),
        "duration_years": Decimal(4),
        "languages": "lt,en",
        "education_awarded_lt": "Informatikos bakalauras",
        "education_awarded_en": "Bachelor of Informatics",
    }
    fields.update(overrides)
    return fields


def draft_study_programme(
    provider: Institution, actor: Actor = SYSTEM, **overrides: Any
) -> Programme:
    return services.programme_draft_create(
        actor=actor,
        provider=provider,
        kind="study",
        modules=[
            {
                "name_lt": "Programavimo pagrindai",
                "name_en": "Programming basics",
                "credits": Decimal(6),
            },
            {
                "name_lt": "Diskrečioji matematika",
                "name_en": "Discrete mathematics",
                "credits": Decimal(6),
            },
        ],
        **study_fields(**overrides),
    )


def registered_study_programme(provider: Institution, **overrides: Any) -> Programme:
    programme = draft_study_programme(provider, **overrides)
    services.programme_submit(actor=SYSTEM, programme=programme)
    return services.programme_register(actor=SYSTEM, programme=programme)

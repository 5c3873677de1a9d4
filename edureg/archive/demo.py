"""Demo retention rules, so that the archive's pages are not empty in the walk-through.

DEMO VALUES: the periods and the legal bases below are plausible illustrations written for the
demo, not the agency's actual retention schedule. The agency enters its own rules, with the
legal acts that set them, in the back office.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from edureg.archive import services
from edureg.archive.models import RecordKind, RetentionEvent, RetentionRule
from edureg.core.context import Actor

SYSTEM = Actor.system("seed_demo")
DEMO = "(demonstracinė reikšmė)"

# (code, kind, event, archived after, destroyed after, legal basis)
RULES = (
    (
        "demo-mr-mokinys",
        RecordKind.PERSON,
        RetentionEvent.LEARNING_ENDED,
        5,
        50,
        "Mokinių registro nuostatai, asmens duomenų saugojimo terminai: mokinio duomenys "
        f"saugomi 50 metų nuo mokymosi pabaigos {DEMO}",
    ),
    (
        "demo-mr-mirtis",
        RecordKind.PERSON,
        RetentionEvent.DEATH,
        1,
        10,
        "Mokinių registro ir Studentų registro nuostatai: mirusio asmens duomenys archyvuojami "
        f"po 1 metų, sunaikinami po 10 metų {DEMO}",
    ),
    (
        "demo-mr-mokymasis",
        RecordKind.ENROLMENT,
        RetentionEvent.DEPARTURE,
        10,
        50,
        "Mokinių registro nuostatai: pasibaigusio mokymosi įrašai (su NVŠ žymomis) archyvuojami "
        f"po 10 metų nuo išvykimo {DEMO}",
    ),
    (
        "demo-sr-studijos",
        RecordKind.STUDY_RIGHT,
        RetentionEvent.STUDY_ENDED,
        10,
        75,
        "Studentų registro nuostatai: baigtų ar nutrauktų studijų duomenys saugomi 75 metus "
        f"{DEMO}",
    ),
    (
        "demo-importai",
        RecordKind.IMPORTS,
        RetentionEvent.FINISHED,
        1,
        3,
        "Bendrųjų dokumentų saugojimo terminų rodyklė (duomenų teikimo žurnalai) ir BDAR "
        f"5 str. 1 d. e punktas (saugojimo apribojimas) {DEMO}",
    ),
    (
        "demo-pokyciu-srautas",
        RecordKind.CHANGE_FEED,
        RetentionEvent.RECORDED,
        2,
        2,
        "Duomenų teikimo sutarčių sąlygos: pokyčių srauto įrašai saugomi 2 metus; BDAR 5 str. "
        f"1 d. e punktas {DEMO}",
    ),
    (
        "demo-prieigos-zurnalas",
        RecordKind.ACCESS_LOG,
        RetentionEvent.RECORDED,
        5,
        5,
        "Asmens duomenų teisinės apsaugos įstatymas ir BDAR 5 str. 1 d. e punktas: skaitytojo "
        f"tapatybė ir tikslas prieigos žurnale saugomi 5 metus {DEMO}",
    ),
)


def retention_rules_seed(today: dt.date | None = None) -> list[RetentionRule]:
    """The demo rules, valid from the start of this year, unless there are rules already."""
    if RetentionRule.objects.exists():
        return list(RetentionRule.objects.all())
    start = (today or timezone.localdate()).replace(month=1, day=1)
    return [
        services.retention_rule_create(
            actor=SYSTEM,
            code=code,
            kind=kind,
            event=event,
            archive_after_years=archive,
            destroy_after_years=destroy,
            legal_basis=basis,
            valid_from=start,
        )
        for code, kind, event, archive, destroy, basis in RULES
    ]

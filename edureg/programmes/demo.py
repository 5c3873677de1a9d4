"""Demo programmes for the generated institutions, registered through the same services as
real ones, so every programme gets its state code by the coding rules.

Universities and foreign HEI branches offer bachelor and master study programmes, colleges
professional bachelor ones, vocational schools vocational programmes, NVŠ providers and free
teachers NVŠ programmes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from edureg.core.audit import bulk_create_with_audit
from edureg.core.context import Actor
from edureg.core.demo import Progress, Scale, demo_rng
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.programmes import services
from edureg.programmes.models import Accreditation, Programme

SYSTEM = Actor.system("seed_demo")

# (name_lt, name_en, study field code, description_lt)
STUDY = [
    ("Informatika", "Informatics", "informatics", "Algoritmai, programavimas, duomenų bazės."),
    (
        "Programų sistemos",
        "Software Systems",
        "software-engineering",
        "Programinės įrangos kūrimas.",
    ),
    ("Matematika", "Mathematics", "mathematics", "Analizė, algebra, tikimybės."),
    ("Fizika", "Physics", "physics", "Klasikinė ir kvantinė fizika."),
    ("Biologija", "Biology", "biology", "Ląstelės, genetika, ekologija."),
    ("Slauga", "Nursing", "nursing", "Pacientų priežiūra ir sveikatos stiprinimas."),
    ("Agronomija", "Agronomy", "agronomy", "Augalininkystė ir dirvožemio mokslas."),
    ("Ekonomika", "Economics", "economics", "Mikro- ir makroekonomika."),
    ("Psichologija", "Psychology", "psychology", "Žmogaus elgsena ir raida."),
    ("Teisė", "Law", "law", "Valstybės ir privatinė teisė."),
    ("Verslo vadyba", "Business Management", "management", "Organizacijų valdymas."),
    ("Tarptautinis verslas", "International Business", "business", "Verslas pasaulio rinkose."),
    ("Pedagogika", "Pedagogy", "pedagogy", "Mokymas ir ugdymas."),
]
VOCATIONAL = [
    ("Virėjo modulinė profesinio mokymo programa", "Cook"),
    ("Automobilių mechaniko modulinė profesinio mokymo programa", "Car mechanic"),
    ("Kirpėjo modulinė profesinio mokymo programa", "Hairdresser"),
    ("Suvirintojo modulinė profesinio mokymo programa", "Welder"),
    ("Apskaitininko modulinė profesinio mokymo programa", "Accountant"),
    ("Elektriko modulinė profesinio mokymo programa", "Electrician"),
]
NVS = [
    ("Robotikos būrelis", "Robotics club", "technology", "robotics"),
    ("Krepšinio treniruotės", "Basketball training", "sport", "basketball"),
    ("Dailės studija", "Art studio", "art", "painting"),
    ("Vokalinis ansamblis", "Vocal ensemble", "music", "vocal"),
    ("Liaudies šokių kolektyvas", "Folk dance group", "dance", "folk-dance"),
    ("Programavimo pradmenys", "Programming for beginners", "it", "programming"),
    ("Jaunųjų gamtininkų klubas", "Young naturalists' club", "science", ""),
]
PER_INSTITUTION = {
    Scale.SMALL: {
        "university": 4,
        "college": 3,
        "foreign-hei-branch": 2,
        "vocational": 2,
        "nvs": 1,
    },
    Scale.NATIONAL: {
        "university": 40,
        "college": 20,
        "foreign-hei-branch": 3,
        "vocational": 8,
        "nvs": 3,
    },
}


def _value(code_list: str, code: str) -> ClassifierValue | None:
    if not code:
        return None
    return ClassifierValue.objects.get(classifier__code=code_list, code=code)


def _register(provider: Institution, kind: str, **fields: Any) -> None:
    programme = services.programme_draft_create(
        actor=SYSTEM, provider=provider, kind=kind, **fields
    )
    services.programme_submit(actor=SYSTEM, programme=programme)
    services.programme_register(actor=SYSTEM, programme=programme)


def _study_fields(rng: Any, provider: Institution, college: bool) -> dict[str, Any]:
    name_lt, name_en, field, description = rng.choice(STUDY)
    if college:
        cycle, credits, years, level = "professional_bachelor", 180, 3, "6"
    elif rng.random() < 0.35:
        cycle, credits, years, level = "master", 120, 2, "7"
    else:
        cycle, credits, years, level = "bachelor", 240, 4, "6"
    return {
        "name_lt": name_lt,
        "name_en": name_en,
        "description_lt": description,
        "study_type": "college" if college else "university",
        "cycle": cycle,
        "study_field": _value("study-field", field),
        "isced_level": _value("isced-level", level),
        "ltks_level": _value("ltks-level", level),
        "credits": Decimal(credits),
        "duration_years": Decimal(years),
        "part_time": rng.random() < 0.3,
        "languages": "lt,en" if rng.random() < 0.25 else "lt",
        "education_awarded_lt": f"{name_lt} ({cycle})",
        "modules": [
            {
                "name_lt": f"{name_lt}: įvadas",
                "name_en": f"{name_en}: introduction",
                "credits": Decimal(6),
            },
            {"name_lt": "Baigiamasis darbas", "name_en": "Final thesis", "credits": Decimal(15)},
        ],
    }


def programmes_seed(*, scale: Scale, seed: int, progress: Progress) -> int:
    rng = demo_rng(seed, "programmes")
    # Foreign HEI branches draw from their own stream, so adding them left the other
    # providers' programmes as they were.
    branch_rng = demo_rng(seed, "programmes-foreign-hei-branches")
    counts = PER_INSTITUTION[scale]
    providers = (
        Institution.objects.filter(kind__in=["institution", "free_teacher", "foreign_hei_branch"])
        .select_related("main_group")
        .order_by("register_id")
    )
    created = 0
    for provider in providers:
        main_group: Any = provider.main_group
        group = main_group.code
        if group in ("university", "college"):
            for _ in range(counts[group]):
                _register(
                    provider, "study", **_study_fields(rng, provider, college=group == "college")
                )
                created += 1
        elif group == "foreign-hei-branch":
            for _ in range(counts[group]):
                _register(provider, "study", **_study_fields(branch_rng, provider, college=False))
                created += 1
        elif group == "vocational":
            for _ in range(counts["vocational"]):
                name_lt, name_en = rng.choice(VOCATIONAL)
                _register(
                    provider,
                    "vocational",
                    name_lt=name_lt,
                    name_en=f"{name_en} modular vocational training programme",
                    isced_level=_value("isced-level", "3"),
                    ltks_level=_value("ltks-level", "4"),
                    credits=Decimal(rng.choice([60, 90, 110])),
                    duration_years=Decimal(2),
                )
                created += 1
        elif group in ("31714102", "31914102", "nvs-school"):
            for _ in range(counts["nvs"]):
                name_lt, name_en, direction, subdirection = rng.choice(NVS)
                _register(
                    provider,
                    "nvs",
                    name_lt=name_lt,
                    name_en=name_en,
                    nvs_direction=_value("nvs-direction", direction),
                    nvs_subdirection=_value("nvs-subdirection", subdirection),
                    hours=rng.choice([36, 72, 144]),
                )
                created += 1
        if created and created % 500 == 0:
            progress(f"programmes: {created} registered")
    progress(f"programmes: {created} registered")
    accredited = accreditations_seed(seed=seed)
    progress(f"programmes: {accredited} accreditations")
    return created


# Study-programme accreditation criteria (the centre for quality assessment's areas).
CRITERIA = (
    "Studijų tikslai, rezultatai ir turinys",
    "Mokslinės veiklos ir studijų sąsajos",
    "Studentų priėmimas ir parama",
    "Studijų vyksmas ir studentų pasiekimų vertinimas",
    "Dėstytojai",
    "Studijų materialieji ištekliai",
    "Studijų kokybės valdymas ir viešinimas",
)


def accreditations_seed(*, seed: int) -> int:
    """An accreditation for each registered study programme, from its own random stream (so the
    programmes above stay as they were): for 6 years when every criterion scores 3 or more, else
    for 3 years."""
    rng = demo_rng(seed, "programme-accreditations")
    programmes = Programme.objects.filter(
        kind="study", status="registered", registered_on__isnull=False
    ).order_by("pk")
    records = []
    for programme in programmes:
        scores = {criterion: rng.choice([2, 3, 3, 4, 4, 5]) for criterion in CRITERIA}
        years = 6 if min(scores.values()) >= 3 else 3
        decided: dt.date = programme.registered_on  # type: ignore[assignment]  # filtered above
        records.append(
            Accreditation(
                programme=programme,
                decision=f"Akredituota {years} metams",
                decided_on=decided,
                valid_until=dt.date(decided.year + years, decided.month, min(decided.day, 28)),
                scores=scores,
            )
        )
    bulk_create_with_audit(Accreditation, records)
    return len(records)

"""Classifier values known from public sources (shared/reference/classifiers.md).

Seeding creates what is missing and never overwrites a value the agency has edited. Lists marked
`complete: False` were only partly public; the agency adds the rest in the back office.
Official numeric codes are used where the source gives them; elsewhere the code is a stable
mnemonic of ours, since a classifier value is always referenced by its code.
"""

from __future__ import annotations

import gettext
import re
from typing import Any

import pycountry

# Each entry: code, official_code, name_lt, name_en, complete, values.
# A value: (code, name_lt, name_en) or (code, name_lt, name_en, parent_code); the parent is a
# value of `parent_classifier` when given, else of the same classifier.
CLASSIFIERS: list[dict[str, Any]] = [
    {
        "code": "sex",
        "name_lt": "Lytis",
        "name_en": "Sex",
        "values": [("V", "Vyras", "Male"), ("M", "Moteris", "Female")],
    },
    {
        "code": "origin",
        "name_lt": "Kilmė",
        "name_en": "Origin",
        "values": [
            ("LT", "Lietuva", "Lithuania"),
            ("FOREIGN", "Užsienio valstybė", "Foreign state"),
        ],
    },
    {
        "code": "institution-group",
        "name_lt": "Institucijos pagrindinė grupė",
        "name_en": "Institution main group",
        "complete": False,
        "values": [
            (
                "31714101",
                "Kitas švietimo teikėjas, vykdantis ikimokyklinį ir (ar) priešmokyklinį ugdymą",
                "Other education provider, pre-school and/or pre-primary education",
            ),
            (
                "31714102",
                "Kitas švietimo teikėjas, vykdantis neformalųjį vaikų švietimą",
                "Other education provider, non-formal children's education",
            ),
            (
                "31914101",
                "Laisvasis mokytojas, vykdantis ikimokyklinį ir (ar) priešmokyklinį ugdymą",
                "Free teacher, pre-school and/or pre-primary education",
            ),
            (
                "31914102",
                "Laisvasis mokytojas, vykdantis neformalųjį vaikų švietimą",
                "Free teacher, non-formal children's education",
            ),
            ("school", "Bendrojo ugdymo mokykla", "General-education school"),
            ("preschool", "Ikimokyklinio ugdymo mokykla", "Pre-school institution"),
            ("vocational", "Profesinio mokymo įstaiga", "Vocational training institution"),
            ("nvs-school", "Neformaliojo švietimo mokykla", "Non-formal education school"),
            ("university", "Universitetas", "University"),
            ("college", "Kolegija", "College"),
            ("foreign-hei-branch", "Užsienio aukštosios mokyklos filialas", "Foreign HEI branch"),
        ],
    },
    {
        "code": "institution-type",
        "name_lt": "Švietimo institucijos pagrindinis tipas",
        "name_en": "Institution main type",
        "complete": False,
        "parent_classifier": "institution-group",
        "values": [
            ("gymnasium", "Gimnazija", "Gymnasium", "school"),
            ("progymnasium", "Progimnazija", "Progymnasium", "school"),
            ("basic-school", "Pagrindinė mokykla", "Basic school", "school"),
            ("primary-school", "Pradinė mokykla", "Primary school", "school"),
            ("kindergarten", "Lopšelis-darželis", "Nursery-kindergarten", "preschool"),
            ("vet-centre", "Profesinio mokymo centras", "Vocational training centre", "vocational"),
            ("vet-school", "Profesinė mokykla", "Vocational school", "vocational"),
            ("music-school", "Muzikos mokykla", "Music school", "nvs-school"),
            ("sports-school", "Sporto mokykla", "Sports school", "nvs-school"),
            ("art-school", "Dailės mokykla", "Art school", "nvs-school"),
            ("nvs-provider", "NVŠ teikėjas", "NVŠ provider", "31714102"),
            ("free-teacher", "Laisvasis mokytojas", "Free teacher", "31914102"),
            ("university", "Universitetas", "University", "university"),
            ("college", "Kolegija", "College", "college"),
            (
                "foreign-hei-branch",
                "Užsienio AM filialas",
                "Foreign HEI branch",
                "foreign-hei-branch",
            ),
        ],
    },
    {
        "code": "nvs-provider-code-type",
        "name_lt": "NVŠ teikėjo kodo tipas",
        "name_en": "NVŠ provider code type",
        "values": [
            ("jar", "LT JAR kodas", "LT legal-entity code"),
            ("personal", "LT asmens kodas", "LT personal code"),
            ("other", "Kitas kodas", "Other code"),
            ("old-jar", "Senas LT JAR kodas", "Old LT legal-entity code"),
            ("branch", "Padalinio kodas", "Branch code"),
        ],
    },
    {
        "code": "class-type",
        "official_code": "KL_M_KLASIUTIPAI",
        "name_lt": "Klasės tipas",
        "name_en": "Class type",
        "complete": False,
        "values": [
            ("1", "Bendroji", "General"),
            ("2", "Jaunimo", "Youth"),
            ("3", "Suaugusiųjų", "Adult"),
        ],
    },
    {
        "code": "class-purpose",
        "name_lt": "Klasės paskirtis",
        "name_en": "Class purpose",
        "complete": False,
        "values": [
            (
                "210701",
                "Vilniaus lietuvių namų išlyginamoji klasė",
                "Levelling class of Vilnius Lithuanian House",
            ),
            ("210702", "Lietuvių kalbos išlyginamoji klasė", "Lithuanian-language levelling class"),
        ],
    },
    {
        "code": "learning-form",
        "name_lt": "Mokymosi forma",
        "name_en": "Learning form",
        "values": [
            ("group", "Grupinio mokymosi forma", "Group form"),
            ("individual", "Pavienio mokymosi forma", "Individual form"),
            ("family", "Ugdymas šeimoje", "Family learning"),
        ],
    },
    {
        "code": "learning-mode",
        "name_lt": "Mokymo proceso organizavimo būdas",
        "name_en": "Learning mode",
        "values": [
            ("daily", "Kasdienis", "Daily"),
            ("extramural", "Neakivaizdinis", "Extramural"),
            ("distance", "Nuotolinis", "Distance"),
            ("individual", "Individualus", "Individual"),
            ("self-study", "Savarankiškas", "Self-study"),
        ],
    },
    {
        "code": "departure-reason",
        "official_code": "KL_ISV_PRIEZ2",
        "name_lt": "Išvykimo priežastis",
        "name_en": "Departure reason",
        "complete": False,
        # The rest of the list is the agency's; a death (the population register's feed) needs
        # its value whatever the agency seeds.
        "values": [("death", "Mirtis", "Death")],
    },
    {
        "code": "nvs-funding-kind",
        "name_lt": "NVŠ finansavimo rūšis",
        "name_en": "NVŠ funding kind",
        "values": [
            ("nvs-targeted", "NVŠ tikslinis finansavimas", "NVŠ targeted funding"),
            ("municipal", "Savivaldybės lėšos", "Municipal funds"),
            ("state", "Valstybės lėšos", "State funds"),
            ("other", "Kitas finansavimas", "Other funding"),
        ],
    },
    {
        "code": "nvs-programme-deregistration-reason",
        "name_lt": "NVŠ programos išregistravimo priežastis",
        "name_en": "NVŠ programme deregistration reason",
        "values": [
            ("provider-request", "Teikėjo prašymu", "At the provider's request"),
            (
                "not-delivered",
                "Nevykdoma ilgiau nei dvejus metus",
                "Not delivered for over two years",
            ),
            ("registrar-decision", "Registro tvarkytojo sprendimu", "By the registrar's decision"),
            ("merged", "Sujungta su kita programa", "Merged into another programme"),
        ],
    },
    {
        "code": "special-needs-level",
        "name_lt": "Specialiųjų ugdymosi poreikių lygis",
        "name_en": "Special educational needs level",
        "values": [
            ("small", "Nedideli", "Small"),
            ("moderate", "Vidutiniai", "Moderate"),
            ("large", "Dideli", "Large"),
            ("very-large", "Labai dideli", "Very large"),
        ],
    },
    {
        "code": "course-level",
        "name_lt": "Dalyko kurso lygis",
        "name_en": "Course level",
        "values": [("A", "Išplėstinis", "Advanced"), ("B", "Bendrasis", "General")],
    },
    {
        "code": "study-funding-source",
        "official_code": "KL_M_FINSALT",
        "name_lt": "Studijų finansavimo šaltinis",
        "name_en": "Study funding source",
        "complete": False,
        "values": [
            ("11", "Valstybės finansuojama vieta", "State-funded place"),
            ("self-paid", "Valstybės nefinansuojama vieta", "Non-state-funded (self-paid) place"),
        ],
    },
    {
        "code": "academic-leave-reason",
        "name_lt": "Akademinių atostogų priežastis",
        "name_en": "Academic leave reason",
        "values": [
            ("illness", "Liga", "Illness"),
            ("childcare", "Nėštumas ar vaiko priežiūra", "Pregnancy or child care"),
            ("personal", "Asmeninės priežastys", "Personal reasons"),
        ],
    },
    {
        "code": "study-termination-reason",
        "name_lt": "Studijų nutraukimo priežastis",
        "name_en": "Study termination reason",
        "complete": False,
        "values": [
            ("own-request", "Studento prašymu", "At the student's request"),
            (
                "not-registered",
                "Laiku neužsiregistravo studijoms",
                "Did not register for studies on time",
            ),
            ("academic-debt", "Akademinės skolos", "Academic debt"),
            ("dishonesty", "Akademinis nesąžiningumas", "Academic dishonesty"),
            ("no-return", "Negrįžo po akademinių atostogų", "Did not return from leave"),
            ("not-paying", "Nemokėjo už studijas", "Did not pay"),
            ("death", "Mirtis", "Death"),
        ],
    },
    {
        "code": "ltks-level",
        "name_lt": "Lietuvos kvalifikacijų sandaros (LTKS) lygis",
        "name_en": "Lithuanian Qualifications Framework (LTKS) level",
        "values": [(str(n), f"LTKS {n} lygis", f"LTKS level {n} (EQF {n})") for n in range(1, 9)],
    },
    {
        "code": "document-type",
        "name_lt": "Dokumento tipas",
        "name_en": "Document type",
        "complete": False,
        "values": [
            ("2001", "Pagrindinio išsilavinimo pažymėjimas", "Basic education certificate"),
            ("3014", "Brandos atestatas", "Maturity certificate"),
            ("3016", "Brandos atestato priedas", "Annex to the maturity certificate"),
            # The rest are mnemonics of ours: the official list is not public.
            ("primary", "Pradinio išsilavinimo pažymėjimas", "Primary education certificate"),
            (
                "achievements",
                "Mokymosi pasiekimų pažymėjimas",
                "Certificate of learning achievements",
            ),
            ("maturity-duplicate", "Brandos atestato dublikatas", "Maturity certificate duplicate"),
            ("vet-diploma", "Profesinio mokymo diplomas", "Vocational training diploma"),
            (
                "competences",
                "Kompetencijų įgijimo pažymėjimas",
                "Certificate of acquired competences",
            ),
            ("hei-diploma", "Aukštojo mokslo diplomas", "Higher education diploma"),
            ("studies", "Pažyma apie studijas", "Certificate of studies"),
        ],
    },
    {
        "code": "school-subject",
        "name_lt": "Mokomasis dalykas",
        "name_en": "School subject",
        "complete": False,
        "values": [
            ("lithuanian", "Lietuvių kalba ir literatūra", "Lithuanian language and literature"),
            ("mathematics", "Matematika", "Mathematics"),
            ("english", "Anglų kalba", "English"),
            ("german", "Vokiečių kalba", "German"),
            ("russian", "Rusų kalba", "Russian"),
            ("history", "Istorija", "History"),
            ("geography", "Geografija", "Geography"),
            ("biology", "Biologija", "Biology"),
            ("chemistry", "Chemija", "Chemistry"),
            ("physics", "Fizika", "Physics"),
            ("it", "Informatika", "Information technology"),
            ("ethics", "Etika", "Ethics"),
            ("arts", "Dailė", "Art"),
            ("music", "Muzika", "Music"),
            ("pe", "Fizinis ugdymas", "Physical education"),
            ("technologies", "Technologijos", "Technologies"),
        ],
    },
    {
        "code": "blank-write-off-reason",
        "name_lt": "Blanko nurašymo priežastis",
        "name_en": "Blank write-off reason",
        "complete": False,
        "values": [
            ("misprint", "Sugadintas spausdinant", "Spoiled in printing"),
            ("damaged", "Sugadintas pildant ranka", "Spoiled when filled in"),
            ("lost", "Pamestas", "Lost"),
            ("stolen", "Pavogtas", "Stolen"),
        ],
    },
    {
        "code": "isced-level",
        "name_lt": "Švietimo lygmuo (ISCED 2011)",
        "name_en": "Level of education (ISCED 2011)",
        "values": [
            ("0", "Ikimokyklinis ir priešmokyklinis ugdymas", "Early childhood education"),
            ("1", "Pradinis ugdymas", "Primary education"),
            ("2", "Pagrindinis ugdymas", "Lower secondary education"),
            ("3", "Vidurinis ugdymas", "Upper secondary education"),
            ("4", "Povidurinis neaukštasis mokslas", "Post-secondary non-tertiary education"),
            ("5", "Trumposios pakopos aukštasis mokslas", "Short-cycle tertiary education"),
            ("6", "Bakalauras arba lygiavertis", "Bachelor's or equivalent"),
            ("7", "Magistras arba lygiavertis", "Master's or equivalent"),
            ("8", "Doktorantūra arba lygiavertė", "Doctoral or equivalent"),
        ],
    },
    {
        "code": "study-field-group",
        "name_lt": "Studijų krypčių grupė",
        "name_en": "Study field group",
        "complete": False,
        "values": [
            ("B", "Informatikos mokslai", "Informatics"),
            ("C", "Fiziniai mokslai", "Physical sciences"),
            ("D", "Gyvybės mokslai", "Life sciences"),
            ("G", "Sveikatos mokslai", "Health sciences"),
            ("I", "Žemės ūkio mokslai", "Agricultural sciences"),
            ("J", "Socialiniai mokslai", "Social sciences"),
            ("L", "Verslo ir viešoji vadyba", "Business and public management"),
            ("M", "Ugdymo mokslai", "Education"),
        ],
    },
    {
        "code": "study-field",
        "name_lt": "Studijų kryptis",
        "name_en": "Study field",
        "complete": False,
        "parent_classifier": "study-field-group",
        "values": [
            ("informatics", "Informatika", "Informatics", "B"),
            ("software-engineering", "Programų sistemos", "Software engineering", "B"),
            ("physics", "Fizika", "Physics", "C"),
            ("mathematics", "Matematika", "Mathematics", "C"),
            ("biology", "Biologija", "Biology", "D"),
            ("medicine", "Medicina", "Medicine", "G"),
            ("nursing", "Slauga", "Nursing", "G"),
            ("agronomy", "Agronomija", "Agronomy", "I"),
            ("economics", "Ekonomika", "Economics", "J"),
            ("psychology", "Psichologija", "Psychology", "J"),
            ("law", "Teisė", "Law", "J"),
            ("business", "Verslas", "Business", "L"),
            ("management", "Vadyba", "Management", "L"),
            ("pedagogy", "Pedagogika", "Pedagogy", "M"),
        ],
    },
    {
        "code": "programme-deregistration-reason",
        "name_lt": "Programos išregistravimo priežastis",
        "name_en": "Programme deregistration reason",
        "values": [
            ("provider-request", "Programos teikėjo prašymu", "At the provider's request"),
            (
                "not-delivered",
                "Nevykdant daugiau kaip dvejus metus",
                "Not delivered for over two years",
            ),
            ("registrar-decision", "Registro tvarkytojo sprendimu", "By the registrar's decision"),
            ("merged", "Prijungiant prie kitos programos", "Merged into another programme"),
            ("not-accredited", "Programa neakredituota", "Not accredited"),
        ],
    },
    {
        "code": "nvs-direction",
        "name_lt": "NVŠ programos kryptis",
        "name_en": "NVŠ programme direction",
        "complete": False,
        "values": [
            ("art", "Dailė", "Visual arts"),
            ("music", "Muzika", "Music"),
            ("dance", "Šokis", "Dance"),
            ("theatre", "Teatras", "Theatre"),
            ("sport", "Sportas", "Sport"),
            ("technology", "Technologijos", "Technology"),
            ("science", "Gamtos mokslai", "Natural sciences"),
            ("it", "Informacinės technologijos", "Information technology"),
            ("languages", "Kalbos", "Languages"),
        ],
    },
    {
        "code": "nvs-subdirection",
        "name_lt": "NVŠ programos pakraipa",
        "name_en": "NVŠ programme sub-direction",
        "complete": False,
        "parent_classifier": "nvs-direction",
        "values": [
            ("painting", "Tapyba", "Painting", "art"),
            ("instrumental", "Instrumentinė muzika", "Instrumental music", "music"),
            ("vocal", "Vokalinė muzika", "Vocal music", "music"),
            ("folk-dance", "Liaudies šokis", "Folk dance", "dance"),
            ("basketball", "Krepšinis", "Basketball", "sport"),
            ("football", "Futbolas", "Football", "sport"),
            ("robotics", "Robotika", "Robotics", "technology"),
            ("programming", "Programavimas", "Programming", "it"),
        ],
    },
]

# Names the ISO 639 catalogue has no Lithuanian translation for, or an English name too
# technical for a form ("Modern Greek (1453-)").
_LANGUAGE_NAMES = {
    "el": ("Graikų", "Greek"),
    "eo": ("Esperanto", "Esperanto"),
    "hi": ("Hindi", "Hindi"),
    "km": ("Khmerų", "Khmer"),
    "ms": ("Malajų", "Malay"),
    "ne": ("Nepalų", "Nepali"),
    "si": ("Sinhalų", "Sinhala"),
    "sw": ("Suahilių", "Swahili"),
    "ht": ("Haičio kreolų", "Haitian Creole"),
}


def _languages() -> list[tuple[str, str, str]]:
    """ISO 639-1 languages (the two-letter codes records hold: "lt", "pl", "ru", "en"), named
    in Lithuanian from the ISO 639-3 translations that ship with pycountry."""
    lithuanian = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["lt"])
    values = []
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code is None:
            continue
        name_en = re.sub(r"\s*\(macrolanguage\)$", "", language.name)
        name_lt = lithuanian.gettext(language.name)
        if name_lt == language.name:
            name_lt = name_en
        name_lt, name_en = _LANGUAGE_NAMES.get(code, (name_lt, name_en))
        values.append((code, name_lt[:1].upper() + name_lt[1:], name_en))
    # Lithuanian first, then the languages Lithuanian schools teach in, then the rest by code.
    first = ["lt", "pl", "ru", "en", "de", "fr", "uk", "be"]
    return sorted(values, key=lambda v: (first.index(v[0]) if v[0] in first else len(first), v[0]))


CLASSIFIERS.append(
    {
        "code": "language",
        "name_lt": "Kalba (ISO 639)",
        "name_en": "Language (ISO 639)",
        "values": _languages(),
    }
)

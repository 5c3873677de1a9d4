"""Classifier values known from public sources (shared/reference/classifiers.md).

Seeding creates what is missing and never overwrites a value the agency has edited. Lists marked
`complete: False` were only partly public; the agency adds the rest in the back office.
Official numeric codes are used where the source gives them; elsewhere the code is a stable
mnemonic of ours, since a classifier value is always referenced by its code.
"""

from __future__ import annotations

from typing import Any

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
        "values": [],
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
        ],
    },
]

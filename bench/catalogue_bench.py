"""Benchmark: read the public programme catalogue at national scale, against bare SQL.

    .venv/bin/python bench/catalogue_bench.py --database sqlite
    scripts/with-postgres.sh .venv/bin/python bench/catalogue_bench.py --database postgres

Migrates a fresh database and loads a country's worth of programmes with plain `bulk_create`
(a read benchmark: no history rows, no change log): the 39 higher-education institutions, the
60 vocational schools and the 300 NVŠ providers of the national demo institutions, 20,000
programmes (study, vocational training, NVŠ) with 2-3 decided versions each, one of them
registered, state codes issued by the coding rules, modules, accreditations and
qualifications. After ANALYZE it times, with the Django test client in the same process
(DEBUG off, no network), the public catalogue's pages, its JSON API and the full CSV download;
and, beside each, in the same process and on the same connection, the bare SQL that fetches
the same data through `connection.cursor()`. Results are printed as a Markdown table for
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = ROOT / "var" / "bench-catalogue.sqlite3"

# --- Generated content ------------------------------------------------------------------------

# Study field code -> (weight, ISCED-F code, programme names (LT, EN), topics (LT, EN)). The
# names are those of real Lithuanian programmes.
STUDY_FIELDS: dict[str, tuple[int, str, list[tuple[str, str]], list[tuple[str, str]]]] = {
    "informatics": (9, "0613",
        [("Informatika", "Informatics"), ("Informatikos inžinerija", "Informatics Engineering"),
         ("Taikomoji informatika", "Applied Informatics"),
         ("Verslo informatika", "Business Informatics"), ("Bioinformatika", "Bioinformatics"),
         ("Kibernetinis saugumas", "Cyber Security"), ("Duomenų mokslas", "Data Science"),
         ("Dirbtinis intelektas", "Artificial Intelligence")],
        [("algoritmai ir duomenų struktūros", "algorithms and data structures"),
         ("duomenų bazės", "databases"), ("kompiuterių tinklai", "computer networks"),
         ("mašininis mokymasis", "machine learning"),
         ("operacinės sistemos", "operating systems")]),
    "software-engineering": (7, "0613",
        [("Programų sistemos", "Software Systems"),
         ("Programų inžinerija", "Software Engineering"),
         ("Informacinės sistemos", "Information Systems"),
         ("Multimedija ir interneto technologijos", "Multimedia and Internet Technologies"),
         ("Žaidimų kūrimas", "Game Development")],
        [("objektinis programavimas", "object-oriented programming"),
         ("programų testavimas", "software testing"),
         ("naudotojo sąsajų projektavimas", "user interface design"),
         ("debesų kompiuterija", "cloud computing")]),
    "physics": (3, "0533",
        [("Fizika", "Physics"), ("Taikomoji fizika", "Applied Physics"),
         ("Lazerinė fizika ir optinės technologijos", "Laser Physics and Optical Technologies"),
         ("Medžiagų technologijos", "Materials Technology")],
        [("klasikinė mechanika", "classical mechanics"), ("kvantinė fizika", "quantum physics"),
         ("puslaidininkių fizika", "semiconductor physics"), ("optika", "optics")]),
    "mathematics": (3, "0541",
        [("Matematika", "Mathematics"), ("Taikomoji matematika", "Applied Mathematics"),
         ("Statistika", "Statistics"),
         ("Finansų ir draudimo matematika", "Financial and Actuarial Mathematics")],
        [("matematinė analizė", "calculus"), ("tiesinė algebra", "linear algebra"),
         ("tikimybių teorija", "probability theory"), ("skaitiniai metodai", "numerical methods")]),
    "biology": (3, "0511",
        [("Biologija", "Biology"), ("Molekulinė biologija", "Molecular Biology"),
         ("Genetika", "Genetics"), ("Biochemija", "Biochemistry"),
         ("Ekologija ir aplinkotyra", "Ecology and Environmental Sciences")],
        [("ląstelės biologija", "cell biology"), ("genetika", "genetics"),
         ("mikrobiologija", "microbiology"), ("ekologija", "ecology")]),
    "medicine": (3, "0912",
        [("Medicina", "Medicine"), ("Odontologija", "Odontology"), ("Farmacija", "Pharmacy"),
         ("Visuomenės sveikata", "Public Health")],
        [("anatomija", "anatomy"), ("fiziologija", "physiology"),
         ("farmakologija", "pharmacology"), ("klinikinė praktika", "clinical practice")]),
    "nursing": (5, "0913",
        [("Bendrosios praktikos slauga", "General Practice Nursing"), ("Akušerija", "Midwifery"),
         ("Kineziterapija", "Physiotherapy"), ("Burnos higiena", "Oral Hygiene")],
        [("pacientų priežiūra", "patient care"), ("sveikatos stiprinimas", "health promotion"),
         ("slaugos etika", "nursing ethics"), ("skubioji pagalba", "emergency care")]),
    "agronomy": (3, "0811",
        [("Agronomija", "Agronomy"), ("Žemės ūkio technologijos", "Agricultural Technologies"),
         ("Sodininkystė", "Horticulture"), ("Miškininkystė", "Forestry")],
        [("augalininkystė", "crop production"), ("dirvožemio mokslas", "soil science"),
         ("augalų apsauga", "plant protection"),
         ("tiksliojo ūkininkavimo technologijos", "precision farming technologies")]),
    "economics": (8, "0311",
        [("Ekonomika", "Economics"), ("Finansai", "Finance"),
         ("Apskaita ir auditas", "Accounting and Audit"), ("Ekonometrija", "Econometrics"),
         ("Finansų inžinerija", "Financial Engineering")],
        [("mikroekonomika", "microeconomics"), ("makroekonomika", "macroeconomics"),
         ("finansų rinkos", "financial markets"), ("mokesčiai", "taxation")]),
    "psychology": (3, "0313",
        [("Psichologija", "Psychology"),
         ("Organizacinė psichologija", "Organisational Psychology"),
         ("Klinikinė psichologija", "Clinical Psychology")],
        [("raidos psichologija", "developmental psychology"),
         ("socialinė psichologija", "social psychology"),
         ("psichologinis vertinimas", "psychological assessment")]),
    "law": (5, "0421",
        [("Teisė", "Law"),
         ("Tarptautinė ir Europos Sąjungos teisė", "International and European Union Law"),
         ("Teisė ir policijos veikla", "Law and Police Activities"),
         ("Verslo teisė", "Business Law")],
        [("konstitucinė teisė", "constitutional law"), ("civilinė teisė", "civil law"),
         ("baudžiamoji teisė", "criminal law"), ("Europos Sąjungos teisė", "European Union law")]),
    "business": (9, "0413",
        [("Tarptautinis verslas", "International Business"), ("Rinkodara", "Marketing"),
         ("Logistika", "Logistics"),
         ("Turizmas ir viešbučių verslas", "Tourism and Hotel Business"),
         ("Elektroninis verslas", "E-business")],
        [("rinkodara", "marketing"), ("tiekimo grandinės", "supply chains"),
         ("verslo planavimas", "business planning"), ("derybos", "negotiation")]),
    "management": (10, "0413",
        [("Verslo vadyba", "Business Management"),
         ("Viešasis administravimas", "Public Administration"),
         ("Projektų valdymas", "Project Management"),
         ("Personalo vadyba", "Human Resource Management"),
         ("Sporto vadyba", "Sports Management")],
        [("organizacijų valdymas", "organisational management"),
         ("strateginis planavimas", "strategic planning"),
         ("personalo vadyba", "human resource management"),
         ("kokybės vadyba", "quality management")]),
    "pedagogy": (5, "0111",
        [("Pedagogika", "Pedagogy"),
         ("Ikimokyklinis ir priešmokyklinis ugdymas", "Early Childhood Education"),
         ("Pradinis ugdymas", "Primary Education"), ("Socialinė pedagogika", "Social Pedagogy"),
         ("Matematikos ir informatikos pedagogika", "Mathematics and Informatics Pedagogy")],
        [("didaktika", "didactics"), ("ugdymo psichologija", "educational psychology"),
         ("įtraukusis ugdymas", "inclusive education"),
         ("pedagoginė praktika", "teaching practice")]),
}  # fmt: skip
# Fields whose first year also teaches informatics (the search word then occurs in text).
WITH_INFORMATICS_COURSE = {"physics", "mathematics", "economics", "business"}
DEGREE_STEMS = {
    "informatics": ("Informatikos mokslų", "Informatics Sciences"),
    "software-engineering": ("Informatikos mokslų", "Informatics Sciences"),
    "physics": ("Fizinių mokslų", "Physical Sciences"),
    "mathematics": ("Matematikos mokslų", "Mathematical Sciences"),
    "biology": ("Gyvybės mokslų", "Life Sciences"),
    "medicine": ("Sveikatos mokslų", "Health Sciences"),
    "nursing": ("Sveikatos mokslų", "Health Sciences"),
    "agronomy": ("Žemės ūkio mokslų", "Agricultural Sciences"),
    "economics": ("Socialinių mokslų", "Social Sciences"),
    "psychology": ("Socialinių mokslų", "Social Sciences"),
    "law": ("Teisės", "Law"),
    "business": ("Verslo ir vadybos", "Business and Management"),
    "management": ("Verslo ir vadybos", "Business and Management"),
    "pedagogy": ("Ugdymo mokslų", "Educational Sciences"),
}
CYCLES = {
    # cycle: (prefix of the coding rule, level, credits, years, degree LT, EN, cycle LT)
    "professional_bachelor": ("6531", "6", 180, 3, "profesinis bakalauras", "Professional "
                              "Bachelor of", "koleginių studijų (profesinio bakalauro)"),
    "bachelor": ("6121", "6", 240, 4, "bakalauras", "Bachelor of",
                 "pirmosios pakopos (bakalauro)"),
    "master": ("6211", "7", 120, 2, "magistras", "Master of", "antrosios pakopos (magistro)"),
    "integrated": ("6011", "7", 360, 6, "magistras", "Master of", "vientisųjų studijų"),
}  # fmt: skip
STUDY_SENTENCES = [
    ("Studijų rezultatai apima dalykines žinias, tyrimų gebėjimus, specialiuosius ir socialinius "
     "gebėjimus.", "Learning outcomes cover subject knowledge, research skills, and special and "
     "social abilities."),
    ("Baigus studijas suteikiamas kvalifikacinis laipsnis, leidžiantis tęsti studijas kitoje "
     "pakopoje.", "Graduates receive a degree that gives access to the next cycle of studies."),
    ("Programoje dėsto praktikai ir kviestiniai dėstytojai iš užsienio universitetų.",
     "Practitioners and visiting lecturers from universities abroad teach on the programme."),
    ("Studentams teikiama akademinė, finansinė, socialinė ir psichologinė parama.",
     "Students receive academic, financial, social and psychological support."),
    ("Absolventai dirba įmonėse, viešajame sektoriuje ir mokslo institucijose.",
     "Graduates work in companies, the public sector and research institutions."),
    ("Studijų metu atliekama ne mažiau kaip 30 kreditų profesinė praktika.",
     "The programme includes a professional placement of at least 30 credits."),
    ("Dalį semestro galima studijuoti užsienyje pagal Erasmus+ programą.",
     "Part of a semester can be spent abroad through Erasmus+."),
    ("Programa parengta kartu su socialiniais partneriais ir darbdaviais.",
     "The programme was designed with social partners and employers."),
    ("Baigiamasis darbas ginamas viešai kvalifikacinėje komisijoje.",
     "The final thesis is defended in public before a qualification committee."),
    ("Studentai dalyvauja mokslinių tyrimų ir taikomuosiuose projektuose.",
     "Students take part in research and applied projects."),
    ("Taikomi probleminio mokymosi ir projektinio darbo metodai.",
     "Problem-based learning and project work are used throughout."),
    ("Studijos vyksta auditorijose, laboratorijose ir nuotoliniu būdu.",
     "Classes take place in lecture rooms, laboratories and online."),
]  # fmt: skip
# (name LT in the genitive, name EN, ISCED-F, task LT, task EN)
PROFESSIONS = [
    ("Virėjo", "Cook", "1013", "gaminti patiekalus pagal technologijos korteles",
     "prepare dishes from recipe cards"),
    ("Konditerio", "Confectioner", "0721", "gaminti konditerijos gaminius",
     "make confectionery"),
    ("Padavėjo ir barmeno", "Waiter and bartender", "1013", "aptarnauti svečius",
     "serve guests"),
    ("Automobilių mechaniko", "Car mechanic", "0716", "diagnozuoti ir remontuoti automobilius",
     "diagnose and repair cars"),
    ("Suvirintojo", "Welder", "0715", "suvirinti metalo konstrukcijas",
     "weld metal structures"),
    ("Elektriko", "Electrician", "0713", "įrengti ir prižiūrėti elektros instaliaciją",
     "install and maintain wiring"),
    ("Kirpėjo", "Hairdresser", "1012", "kirpti, dažyti ir formuoti šukuosenas",
     "cut, colour and style hair"),
    ("Kosmetiko", "Beautician", "1012", "atlikti veido ir kūno priežiūros procedūras",
     "carry out face and body care"),
    ("Apskaitininko", "Accountant", "0411", "tvarkyti įmonės apskaitą",
     "keep a company's accounts"),
    ("Logisto", "Logistics clerk", "0416", "organizuoti krovinių gabenimą",
     "organise freight transport"),
    ("Staliaus", "Joiner", "0722", "gaminti baldus ir medinius gaminius",
     "make furniture and wooden articles"),
    ("Mūrininko", "Bricklayer", "0732", "mūryti ir tinkuoti", "lay bricks and plaster"),
    ("Apdailininko (statybininko)", "Finishing worker (builder)", "0732",
     "atlikti vidaus ir išorės apdailos darbus", "do interior and exterior finishing"),
    ("Santechniko", "Plumber", "0732", "įrengti vandentiekio ir šildymo sistemas",
     "install water and heating systems"),
    ("Kompiuterių tinklų derintojo", "Computer network technician", "0612",
     "įrengti ir derinti kompiuterių tinklus", "install and configure computer networks"),
    ("Programuotojo", "Programmer", "0613", "kurti ir testuoti programas",
     "write and test software"),
    ("Kompiuterinės įrangos derintojo", "Computer hardware technician", "0714",
     "surinkti ir derinti kompiuterinę įrangą", "assemble and configure computer hardware"),
    ("Socialinio darbuotojo padėjėjo", "Social worker's assistant", "0923",
     "padėti socialinių paslaugų gavėjams", "assist people in social care"),
    ("Floristo", "Florist", "0214", "kurti floristines kompozicijas",
     "design floral arrangements"),
    ("Siuvėjo", "Tailor", "0723", "siūti ir taisyti drabužius", "sew and alter clothes"),
    ("Traktorininko", "Tractor driver", "0811", "vairuoti ir prižiūrėti žemės ūkio techniką",
     "drive and maintain farm machinery"),
    ("Vairuotojo ekspeditoriaus", "Freight driver", "1041", "vežti krovinius",
     "transport goods by road"),
    ("Viešbučio darbuotojo", "Hotel worker", "1015", "aptarnauti viešbučio svečius",
     "look after hotel guests"),
    ("Masažuotojo", "Massage therapist", "0915", "atlikti masažo procedūras",
     "give massage treatments"),
]  # fmt: skip
VOCATIONAL_MODULES = [
    ("Įvadas į profesiją", "Introduction to the occupation"),
    ("Bendrieji veiklos srities procesai", "General processes of the field"),
    ("Darbuotojų sauga ir sveikata", "Occupational safety and health"),
    ("Įvadas į darbo rinką", "Introduction to the labour market"),
]
STUDY_MODULES = [
    ("Akademinis raštingumas", "Academic writing"),
    ("Profesinė užsienio kalba", "Professional foreign language"),
    ("Tyrimų metodologija", "Research methodology"),
    ("Profesinė praktika", "Professional placement"),
    ("Baigiamasis darbas", "Final thesis"),
]
# (name LT, name EN, NVŠ direction, sub-direction, activity LT, activity EN)
NVS = [
    ("Robotikos būrelis", "Robotics club", "technology", "robotics",
     "konstruoja ir programuoja robotus", "build and program robots"),
    ("LEGO robotika", "LEGO robotics", "technology", "robotics",
     "kuria LEGO modelius ir juos programuoja", "build and program LEGO models"),
    ("Programavimo pradmenys", "Programming for beginners", "it", "programming",
     "mokosi Scratch ir Python programavimo", "learn Scratch and Python"),
    ("Informatika vaikams", "Informatics for children", "it", "programming",
     "susipažįsta su informatika ir algoritmais", "discover informatics and algorithms"),
    ("Jaunųjų informatikų klubas", "Young informaticians' club", "it", "programming",
     "sprendžia olimpiadų uždavinius", "solve olympiad problems"),
    ("Krepšinio treniruotės", "Basketball training", "sport", "basketball",
     "treniruojasi ir žaidžia varžybose", "train and play matches"),
    ("Futbolo akademija", "Football academy", "sport", "football",
     "lavina techniką ir komandinį žaidimą", "improve technique and team play"),
    ("Plaukimo pamokos", "Swimming lessons", "sport", "",
     "mokosi plaukti įvairiais stiliais", "learn to swim in several styles"),
    ("Dailės studija", "Art studio", "art", "painting",
     "piešia ir tapo įvairiomis technikomis", "draw and paint in various techniques"),
    ("Keramikos studija", "Ceramics studio", "art", "",
     "lipdo ir žiedžia iš molio", "model and throw clay"),
    ("Vokalinis ansamblis", "Vocal ensemble", "music", "vocal",
     "dainuoja ansamblyje ir koncertuoja", "sing in an ensemble and perform"),
    ("Gitaros pamokos", "Guitar lessons", "music", "instrumental",
     "mokosi groti gitara", "learn to play the guitar"),
    ("Fortepijono pamokos", "Piano lessons", "music", "instrumental",
     "mokosi groti fortepijonu", "learn to play the piano"),
    ("Liaudies šokių kolektyvas", "Folk dance group", "dance", "folk-dance",
     "šoka lietuvių liaudies šokius", "dance Lithuanian folk dances"),
    ("Šiuolaikinio šokio studija", "Contemporary dance studio", "dance", "",
     "mokosi šiuolaikinio šokio", "learn contemporary dance"),
    ("Teatro studija", "Theatre studio", "theatre", "",
     "vaidina spektakliuose", "act in performances"),
    ("Jaunųjų gamtininkų klubas", "Young naturalists' club", "science", "",
     "tyrinėja gamtą ir atlieka bandymus", "explore nature and do experiments"),
    ("Anglų kalbos klubas", "English club", "languages", "",
     "kalbasi ir žaidžia angliškai", "talk and play in English"),
    ("Šachmatų būrelis", "Chess club", "sport", "",
     "mokosi šachmatų strategijos", "learn chess strategy"),
]  # fmt: skip
DEREGISTRATION_REASONS = ["provider-request", "not-delivered", "not-accredited", "merged"]

# Twenty thousand programmes: study programmes of the 39 HEIs, vocational programmes of 60
# schools, NVŠ programmes of 300 providers; 2% never registered (drafts and submissions).
KIND_SHARES = {"study": 0.30, "vocational": 0.20, "nvs": 0.50}
DRAFT_SHARE = 0.02
DEREGISTERED_SHARE = 0.20
OPEN_VERSION_SHARE = 0.10
FIRST_DECISION = dt.date(2011, 1, 1)
LAST_DECISION = dt.date(2025, 12, 31)


def _configure(database: str) -> None:
    """Point Django at the benchmark database; must run before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "edureg.settings"
    # Measure what production runs: with DEBUG on, Django also records every query.
    os.environ["DEBUG"] = "0"
    if database == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    elif not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "--database postgres needs DATABASE_URL; run it as "
            "scripts/with-postgres.sh .venv/bin/python bench/catalogue_bench.py "
            "--database postgres"
        )


# --- Loading ----------------------------------------------------------------------------------


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)), dt.UTC)


def _languages(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class _Loader:
    """Builds and bulk-inserts the catalogue; everything comes from one seeded generator."""

    def __init__(self, seed: int, programmes: int) -> None:
        from edureg.core.models import ClassifierValue

        self.rng = random.Random(f"edureg-bench-catalogue:{seed}")
        self.seed = seed
        self.total = programmes
        self.values: dict[tuple[str, str], int] = {
            (classifier, code): pk
            for classifier, code, pk in ClassifierValue.objects.values_list(
                "classifier__code", "code", "id"
            )
        }
        self.group_letter = dict(
            ClassifierValue.objects.filter(classifier__code="study-field").values_list(
                "code", "parent__code"
            )
        )
        self.counts: dict[str, int] = defaultdict(int)

    def value(self, classifier: str, code: str) -> int | None:
        return self.values[(classifier, code)] if code else None

    # Providers.

    def providers(self) -> dict[str, list[tuple[int, float]]]:
        """Insert the HEIs, vocational schools and NVŠ providers of the national demo; return
        (id, weight) of the providers of each programme kind."""
        from edureg.core.demo import Scale
        from edureg.institutions.demo import institutions_generate
        from edureg.institutions.models import Institution, Municipality

        wanted = {
            "university": "study",
            "college": "study",
            "foreign-hei-branch": "study",
            "vocational": "vocational",
            "31714102": "nvs",
        }
        specs = [
            spec
            for spec in institutions_generate(scale=Scale.NATIONAL, seed=self.seed)
            if spec.main_group in wanted
        ]
        municipalities = dict(Municipality.objects.values_list("code", "id"))
        objects = [
            Institution(
                register_id=spec.register_id,
                kind=spec.kind,
                jar_code=spec.jar_code,
                name_lt=spec.name_lt,
                name_en=spec.name_en,
                main_group_id=self.values[("institution-group", spec.main_group)],
                main_type_id=self.value("institution-type", spec.main_type or ""),
                founder_type=spec.founder_type,
                municipality_id=municipalities[spec.municipality],
                address=spec.address,
                registered_on=spec.registered_on,
            )
            for spec in specs
        ]
        Institution.objects.bulk_create(objects, batch_size=500)
        self.counts["providers"] = len(objects)
        self.counts["HEIs"] = sum(
            spec.main_group in ("university", "college", "foreign-hei-branch") for spec in specs
        )
        ids = dict(
            Institution.objects.filter(register_id__in=[s.register_id for s in specs]).values_list(
                "register_id", "id"
            )
        )
        by_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for rank, spec in enumerate(specs):
            # The big universities come first in the demo's list; colleges are smaller.
            weight = {"university": 3.0, "college": 1.5, "foreign-hei-branch": 0.3}.get(
                spec.main_group, 1.0
            ) * self.rng.uniform(0.5, 1.5)
            if spec.main_group == "university":
                weight *= 2.0 if rank < 7 else 1.0
            by_kind[wanted[spec.main_group]].append((ids[spec.register_id], weight))
        self.hei_type = {
            ids[spec.register_id]: "college" if spec.main_group == "college" else "university"
            for spec in specs
        }
        return by_kind

    # Programme content.

    def study(self, provider: int) -> dict[str, Any]:
        rng = self.rng
        fields = list(STUDY_FIELDS)
        weights = [STUDY_FIELDS[f][0] for f in fields]
        college = self.hei_type[provider] == "college"
        while True:
            field = rng.choices(fields, weights=weights)[0]
            if not (college and field in ("medicine", "physics", "biology")):
                break
        _, isced_field, names, topics = STUDY_FIELDS[field]
        if college:
            cycle = "professional_bachelor"
        elif field in ("medicine", "law") and rng.random() < 0.5:
            cycle = "integrated"
        else:
            cycle = "master" if rng.random() < 0.4 else "bachelor"
        prefix, level, credits, years, degree_lt, degree_en, cycle_lt = CYCLES[cycle]
        if cycle == "master" and rng.random() < 0.3:
            credits, years = 90, Decimal("1.5")
        name_lt, name_en = rng.choice(names)
        chosen = rng.sample(topics, 3)
        stem_lt, stem_en = DEGREE_STEMS[field]
        sentences = rng.sample(STUDY_SENTENCES, 5)
        description_lt = [
            f"{name_lt} – {cycle_lt} studijų programa.",
            f"Programos tikslas – parengti {stem_lt.lower()} srities specialistus, gebančius "
            "savarankiškai spręsti profesinės veiklos uždavinius ir mokytis visą gyvenimą.",
            f"Studijuojama: {chosen[0][0]}, {chosen[1][0]} ir {chosen[2][0]}.",
            *(s[0] for s in sentences),
        ]
        description_en = [
            f"{name_en}: a {cycle.replace('_', ' ')} study programme.",
            f"It prepares specialists in {stem_en.lower()} who solve professional problems "
            "on their own and keep learning throughout their lives.",
            f"Students study {chosen[0][1]}, {chosen[1][1]} and {chosen[2][1]}.",
            *(s[1] for s in sentences),
        ]
        if field in WITH_INFORMATICS_COURSE and rng.random() < 0.5:
            description_lt.insert(2, "Pirmame kurse dėstoma matematika, informatika ir statistika.")
            description_en.insert(
                2, "The first year teaches mathematics, informatics and statistics."
            )
        languages = _languages(
            rng, [("lt", 70), ("lt,en", 15), ("en", 15 if cycle == "master" else 5)]
        )
        part_time = rng.random() < 0.3
        return {
            "kind": "study",
            "stem": f"{prefix}{self.group_letter[field]}X",
            "digits": 3,
            "name_lt": name_lt,
            "name_en": name_en,
            "description_lt": " ".join(description_lt),
            "description_en": " ".join(description_en),
            "isced_level_id": self.value("isced-level", level),
            "isced_field": isced_field,
            "ltks_level_id": self.value("ltks-level", level),
            "study_type": "college" if college else "university",
            "cycle": cycle,
            "study_field_id": self.value("study-field", field),
            "credits": Decimal(credits),
            "duration_years": Decimal(years),
            "full_time": not (part_time and rng.random() < 0.15),
            "part_time": part_time,
            "languages": languages,
            "education_awarded_lt": f"{stem_lt} {degree_lt}",
            "education_awarded_en": f"{degree_en} {stem_en}",
            "modules": [
                (f"{t_lt[0].upper()}{t_lt[1:]}", t_en.capitalize()) for t_lt, t_en in chosen
            ]
            + rng.sample(STUDY_MODULES, 2),
            "module_credits": [Decimal(6), Decimal(6), Decimal(6), Decimal(9), Decimal(15)],
        }

    def vocational(self, provider: int) -> dict[str, Any]:
        rng = self.rng
        genitive, name_en, isced_field, task_lt, task_en = rng.choice(PROFESSIONS)
        post_secondary = rng.random() < 0.35
        level = "4" if post_secondary else "3"
        credits = rng.choice([60, 90]) if post_secondary else rng.choice([90, 110])
        return {
            "kind": "vocational",
            "stem": "P",
            "digits": 8,
            "profession": genitive,
            "name_lt": f"{genitive} modulinė profesinio mokymo programa",
            "name_en": f"{name_en} modular vocational training programme",
            "description_lt": (
                f"Programos tikslas – parengti kvalifikuotą darbuotoją, gebantį {task_lt}. "
                + (
                    "Priimami asmenys, turintys vidurinį išsilavinimą. "
                    if post_secondary
                    else "Priimami asmenys, įgiję pagrindinį išsilavinimą. "
                )
                + "Programą sudaro privalomieji ir pasirenkamieji moduliai; ją baigus laikomas "
                "kvalifikacijos egzaminas. "
                + "Praktinis mokymas vyksta sektoriniame praktinio mokymo centre ir įmonėse."
            ),
            "description_en": (
                f"The programme trains skilled workers who {task_en}. "
                + (
                    "Open to people with upper secondary education. "
                    if post_secondary
                    else "Open to people with lower secondary education. "
                )
                + "It consists of compulsory and optional modules and ends with a qualification "
                "exam. "
                + "Practical training takes place in a sectoral training centre and companies."
            ),
            "isced_level_id": self.value("isced-level", "4" if post_secondary else "3"),
            "isced_field": isced_field,
            "ltks_level_id": self.value("ltks-level", "4" if post_secondary else level),
            "credits": Decimal(credits),
            "duration_years": Decimal(credits) / Decimal(60),
            "full_time": True,
            "part_time": rng.random() < 0.2,
            "languages": _languages(rng, [("lt", 85), ("lt,ru", 8), ("lt,pl", 5), ("lt,en", 2)]),
            "education_awarded_lt": f"{genitive} kvalifikacija, LTKS {level} lygis",
            "education_awarded_en": f"{name_en} qualification, LTKS level {level}",
            "modules": [
                VOCATIONAL_MODULES[0],
                (f"{genitive} darbo pagrindai", f"{name_en}: basics of the work"),
                (f"{genitive} specializacija", f"{name_en}: specialisation"),
                VOCATIONAL_MODULES[rng.randrange(1, 4)],
            ],
            "module_credits": [Decimal(5), Decimal(30), Decimal(20), Decimal(5)],
        }

    def nvs(self, provider: int) -> dict[str, Any]:
        rng = self.rng
        name_lt, name_en, direction, subdirection, activity_lt, activity_en = rng.choice(NVS)
        age = rng.choice([5, 7, 10, 12, 14])
        return {
            "kind": "nvs",
            "stem": "N",
            "digits": 8,
            "name_lt": name_lt,
            "name_en": name_en,
            "description_lt": (
                f"Užsiėmimai {age}–18 metų vaikams ir jaunuoliams: dalyviai {activity_lt}. "
                "Grupėje iki 15 vaikų, užsiėmimai vyksta du kartus per savaitę. "
                "Programa finansuojama NVŠ lėšomis (krepšelis)."
            ),
            "description_en": (
                f"For children and young people aged {age} to 18, who {activity_en}. "
                "Groups of up to 15 meet twice a week; funded through the NVŠ voucher."
            ),
            "nvs_direction_id": self.value("nvs-direction", direction),
            "nvs_subdirection_id": self.value("nvs-subdirection", subdirection),
            "hours": rng.choice([36, 72, 144]),
            "full_time": True,
            "part_time": False,
            "languages": _languages(rng, [("lt", 90), ("lt,en", 4), ("ru", 3), ("pl", 3)]),
            "modules": [],
            "module_credits": [],
        }

    # Programmes and versions.

    def load(self) -> None:
        from django.db import transaction

        from edureg.programmes.models import (
            Accreditation,
            CodeSequence,
            Module,
            Programme,
            ProgrammeVersion,
            Qualification,
        )

        rng = self.rng
        with transaction.atomic():
            providers = self.providers()
            qualifications = {
                genitive: Qualification(
                    kind="qualification",
                    code=f"K{index + 1:04d}",
                    name_lt=f"{genitive} kvalifikacija",
                    name_en=f"{name_en} qualification",
                    ltks_level_id=self.value("ltks-level", "4"),
                    competences=task_lt.capitalize() + ".",
                )
                for index, (genitive, name_en, _, task_lt, _) in enumerate(PROFESSIONS)
            }
            Qualification.objects.bulk_create(list(qualifications.values()))

            plans: list[tuple[Programme, dict[str, Any], int, bool]] = []
            make = {"study": self.study, "vocational": self.vocational, "nvs": self.nvs}
            for kind, share in KIND_SHARES.items():
                ids = [pk for pk, _ in providers[kind]]
                weights = [w for _, w in providers[kind]]
                for _ in range(round(self.total * share)):
                    provider = rng.choices(ids, weights=weights)[0]
                    content = make[kind](provider)
                    draft = rng.random() < DRAFT_SHARE
                    decided = 1 if draft else rng.choice([2, 3])
                    # A programme never registered is a draft or awaits the registrar.
                    status = rng.choice(["draft", "submitted"]) if draft else "draft"
                    programme = Programme(kind=kind, provider_id=provider, status=status)
                    plans.append((programme, content, decided, draft))

            # First registrations in date order, so that older programmes have lower codes;
            # each later version is decided a year or more after the one before.
            days: dict[int, list[dt.date]] = {}
            for index, (_, _, decided, draft) in enumerate(plans):
                if not draft:
                    chain = [_day(rng, FIRST_DECISION, dt.date(2023, 6, 30))]
                    for _ in range(decided - 1):
                        chain.append(_day(rng, chain[-1] + dt.timedelta(days=365), LAST_DECISION))
                    days[index] = chain
            sequences: dict[str, int] = defaultdict(int)
            for index in sorted(days, key=lambda i: days[i][0]):
                programme, content, _, _ = plans[index]
                stem = content["stem"]
                sequences[stem] += 1
                if sequences[stem] >= 10 ** content["digits"]:
                    sys.exit(f"the codes of stem {stem} are used up: load fewer programmes")
                programme.state_code = f"{stem}{sequences[stem]:0{content['digits']}d}"
                programme.registered_on = days[index][0]
                programme.version = 2
                if rng.random() < DEREGISTERED_SHARE:
                    programme.status = "deregistered"
                    programme.version = 3
                    programme.deregistered_on = _day(
                        rng, days[index][-1] + dt.timedelta(days=180), dt.date(2026, 6, 30)
                    )
                    programme.deregistration_reason_id = self.value(
                        "programme-deregistration-reason", rng.choice(DEREGISTRATION_REASONS)
                    )
                else:
                    programme.status = "registered"
            CodeSequence.objects.bulk_create(
                [CodeSequence(stem=stem, last_number=n) for stem, n in sequences.items()]
            )
            Programme.objects.bulk_create([p for p, _, _, _ in plans], batch_size=1000)
            self.counts["programmes"] = len(plans)

            versions: list[ProgrammeVersion] = []
            registered: list[tuple[ProgrammeVersion, dict[str, Any]]] = []
            accreditations: list[Accreditation] = []
            skip = {"kind", "stem", "digits", "profession", "modules", "module_credits"}
            for index, (programme, content, decided, draft) in enumerate(plans):
                fields = {k: v for k, v in content.items() if k not in skip}
                if draft:
                    status = programme.status
                    versions.append(
                        ProgrammeVersion(
                            programme=programme,
                            number=1,
                            status=status,
                            submitted_at=_moment(LAST_DECISION, rng) if status != "draft" else None,
                            **fields,
                        )
                    )
                    continue
                for number, day in enumerate(days[index], start=1):
                    version = ProgrammeVersion(
                        programme=programme,
                        number=number,
                        status="registered" if number == decided else "superseded",
                        submitted_at=_moment(day - dt.timedelta(days=30), rng),
                        decided_at=_moment(day, rng),
                        **fields,
                    )
                    if number < decided:
                        # Older versions differ a little: another name now and then, other
                        # credits or hours, one sentence fewer.
                        if content["kind"] == "study" and rng.random() < 0.3:
                            version.name_lt = f"{version.name_lt} (ankstesnė redakcija)"
                        version.description_lt = version.description_lt.rsplit(". ", 1)[0] + "."
                        version.description_en = version.description_en.rsplit(". ", 1)[0] + "."
                        if version.credits is not None and content["kind"] == "vocational":
                            version.credits += 10
                        if version.hours is not None:
                            version.hours = 36 if version.hours == 72 else 72
                    else:
                        registered.append((version, content))
                    versions.append(version)
                if rng.random() < OPEN_VERSION_SHARE and programme.status == "registered":
                    status = rng.choice(["draft", "submitted", "changes_requested"])
                    versions.append(
                        ProgrammeVersion(
                            programme=programme,
                            number=decided + 1,
                            status=status,
                            submitted_at=_moment(LAST_DECISION, rng) if status != "draft" else None,
                            **{**fields, "name_lt": f"{fields['name_lt']} (nauja redakcija)"},
                        )
                    )
                if content["kind"] == "study":
                    decided_on = _day(rng, programme.registered_on, dt.date(2025, 6, 30))
                    years = rng.choice([3, 6, 6, 7])
                    accreditations.append(
                        Accreditation(
                            programme=programme,
                            decision=f"Akredituota {years} metams",
                            decided_on=decided_on,
                            valid_until=decided_on + dt.timedelta(days=365 * years),
                            scores={
                                criterion: rng.randint(2, 5)
                                for criterion in (
                                    "Tikslai ir rezultatai",
                                    "Turinys",
                                    "Dėstytojai",
                                    "Ištekliai",
                                    "Kokybės valdymas",
                                )
                            },
                        )
                    )
            ProgrammeVersion.objects.bulk_create(versions, batch_size=1000)
            self.counts["versions"] = len(versions)
            Accreditation.objects.bulk_create(accreditations, batch_size=1000)
            self.counts["accreditations"] = len(accreditations)

            modules = [
                Module(
                    version=version,
                    position=position,
                    name_lt=name_lt,
                    name_en=name_en,
                    credits=credits,
                    mandatory=position < 3,
                )
                for version, content in registered
                for position, ((name_lt, name_en), credits) in enumerate(
                    zip(content["modules"], content["module_credits"], strict=True)
                )
            ]
            Module.objects.bulk_create(modules, batch_size=1000)
            self.counts["modules"] = len(modules)
            through = ProgrammeVersion.qualifications.through
            links = [
                through(
                    programmeversion_id=version.pk,
                    qualification_id=qualifications[content["profession"]].pk,
                )
                for version, content in registered
                if content["kind"] == "vocational"
            ]
            through.objects.bulk_create(links, batch_size=1000)
            self.counts["qualification links"] = len(links)
            self.counts["public programmes"] = sum(not draft for _, _, _, draft in plans)


def _analyze(database: str) -> None:
    """Fresh planner statistics, as a database in service has: ANALYZE on SQLite (and the
    write-ahead log folded into the file), VACUUM ANALYZE on PostgreSQL (statistics and the
    visibility map that autovacuum would have made)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if database == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")


# --- Bare SQL ---------------------------------------------------------------------------------


class Sql:
    """The bare SQL that fetches what each catalogue request shows, through the same connection.

    Conditions are written the way Django writes them on each database (LIKE with ESCAPE on
    SQLite, UPPER(...) LIKE UPPER(...) on PostgreSQL; REGEXP with Django's own function on
    SQLite, ~* on PostgreSQL), so the two sides ask the database the same questions.
    """

    def __init__(self, vendor: str) -> None:
        from edureg.core.models import ClassifierValue
        from edureg.institutions.models import Institution, Municipality
        from edureg.programmes.models import (
            Accreditation,
            Module,
            Programme,
            ProgrammeVersion,
            Qualification,
        )

        self.vendor = vendor
        self.t = {
            "p": Programme._meta.db_table,
            "v": ProgrammeVersion._meta.db_table,
            "i": Institution._meta.db_table,
            "m": Municipality._meta.db_table,
            "c": ClassifierValue._meta.db_table,
            "mod": Module._meta.db_table,
            "acc": Accreditation._meta.db_table,
            "q": Qualification._meta.db_table,
            "pq": ProgrammeVersion.qualifications.through._meta.db_table,
        }
        self.public = "p.status IN ('registered', 'deregistered')"

    def like(self, column: str) -> str:
        if self.vendor == "sqlite":
            return rf"{column} LIKE %s ESCAPE '\'"
        return f"UPPER({column}::text) LIKE UPPER(%s)"

    def iexact(self, column: str) -> str:
        if self.vendor == "sqlite":
            return rf"{column} LIKE %s ESCAPE '\'"
        return f"UPPER({column}::text) = UPPER(%s)"

    def iregex(self, column: str) -> str:
        if self.vendor == "sqlite":
            return f"{column} REGEXP '(?i)' || %s"
        return f"{column}::text ~* %s"

    def search(self, words: str) -> tuple[str, list[Any]]:
        parts, params = [], []
        for word in words.split():
            columns = ("v.name_lt", "v.name_en", "v.description_lt", "v.description_en")
            parts.append("(" + " OR ".join(self.like(c) for c in columns) + ")")
            params += [f"%{word}%"] * 4
        return f"({self.iexact('p.state_code')} OR ({' AND '.join(parts)}))", [words, *params]

    def joined(self, columns: str) -> str:
        t = self.t
        return (
            f"SELECT {columns} FROM {t['p']} p "  # noqa: S608
            f"JOIN {t['v']} v ON v.programme_id = p.id AND v.status = 'registered' "
            f"JOIN {t['i']} i ON i.id = p.provider_id "
            f"JOIN {t['m']} m ON m.id = i.municipality_id "
            f"LEFT JOIN {t['c']} il ON il.id = v.isced_level_id "
        )

    LIST_COLUMNS = (
        "p.id, p.state_code, p.kind, p.status, v.name_lt, v.name_en, il.name_lt, il.name_en, "
        "i.register_id, i.name_lt, i.name_en, m.name_lt, m.name_en"
    )

    def page(self, cursor: Any, condition: str = "", params: Sequence[Any] = ()) -> int:
        """A list page: the number of matches, and the first 50 rows with their registered
        version, provider and municipality."""
        where = f"WHERE {self.public}" + (f" AND {condition}" if condition else "")
        if condition:
            cursor.execute(f"{self.joined('COUNT(*)')} {where}", params)
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {self.t['p']} p {where}")  # noqa: S608
        count = int(cursor.fetchone()[0])
        sql = f"{self.joined(self.LIST_COLUMNS)} {where} ORDER BY p.state_code, p.id LIMIT 50"
        cursor.execute(sql, params)
        cursor.fetchall()
        return count

    API_COLUMNS = (
        "p.state_code, p.kind, p.status, p.registered_on, p.deregistered_on, dr.code, "
        "i.register_id, i.name_lt, i.name_en, m.code, v.number, v.status, v.name_lt, "
        "v.name_en, v.description_lt, v.description_en, il.code, v.isced_field, ll.code, "
        "v.study_type, v.cycle, sf.code, v.study_subfield, v.credits, v.hours, "
        "v.duration_years, v.full_time, v.part_time, v.languages, v.education_awarded_lt, "
        "v.education_awarded_en, nd.code, ns.code, v.decided_at"
    )

    def classifier_joins(self) -> str:
        c = self.t["c"]
        return (
            f"LEFT JOIN {c} ll ON ll.id = v.ltks_level_id "
            f"LEFT JOIN {c} sf ON sf.id = v.study_field_id "
            f"LEFT JOIN {c} nd ON nd.id = v.nvs_direction_id "
            f"LEFT JOIN {c} ns ON ns.id = v.nvs_subdirection_id "
            f"LEFT JOIN {c} dr ON dr.id = p.deregistration_reason_id "
        )

    def api_page(self, cursor: Any, condition: str, params: Sequence[Any]) -> list[str]:
        """An API page: 50 programmes (and one more, to know there is a next page) in state
        code order, with every field the serializer writes; no count."""
        sql = (
            f"{self.joined(self.API_COLUMNS)}{self.classifier_joins()}"
            f"WHERE {self.public} AND {condition} ORDER BY p.state_code LIMIT 51"
        )
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()[:50]]

    def programme(self, cursor: Any, state_code: str) -> None:
        """A programme page: the programme with provider, its decided versions with their
        classifier values, the modules and qualifications of the version in force, and its
        accreditations."""
        t, c = self.t, self.t["c"]
        cursor.execute(
            f"SELECT p.*, i.register_id, i.name_lt, i.name_en, m.name_lt, m.name_en, "  # noqa: S608
            f"dr.name_lt FROM {t['p']} p JOIN {t['i']} i ON i.id = p.provider_id "
            f"JOIN {t['m']} m ON m.id = i.municipality_id "
            f"LEFT JOIN {c} dr ON dr.id = p.deregistration_reason_id "
            f"WHERE {self.public} AND p.state_code = %s",
            [state_code],
        )
        programme_id = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT v.id, v.status, v.*, il.name_lt, ll.name_lt, sf.name_lt, "  # noqa: S608
            f"nd.name_lt, ns.name_lt FROM {t['v']} v LEFT JOIN {c} il ON il.id = v.isced_level_id "
            f"LEFT JOIN {c} ll ON ll.id = v.ltks_level_id "
            f"LEFT JOIN {c} sf ON sf.id = v.study_field_id "
            f"LEFT JOIN {c} nd ON nd.id = v.nvs_direction_id "
            f"LEFT JOIN {c} ns ON ns.id = v.nvs_subdirection_id "
            f"WHERE v.programme_id = %s AND v.status IN ('registered', 'superseded') "
            f"ORDER BY v.number DESC",
            [programme_id],
        )
        current = next(row[0] for row in cursor.fetchall() if row[1] == "registered")
        cursor.execute(
            f"SELECT * FROM {t['mod']} WHERE version_id = %s ORDER BY position, id",  # noqa: S608
            [current],
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT q.code, q.name_lt, q.name_en, l.code FROM {t['pq']} pq "  # noqa: S608
            f"JOIN {t['q']} q ON q.id = pq.qualification_id "
            f"LEFT JOIN {c} l ON l.id = q.ltks_level_id WHERE pq.programmeversion_id = %s",
            [current],
        )
        cursor.fetchall()
        cursor.execute(
            f"SELECT * FROM {t['acc']} WHERE programme_id = %s "  # noqa: S608
            f"ORDER BY decided_on DESC",
            [programme_id],
        )
        cursor.fetchall()

    def export(self, cursor: Any) -> int:
        """The whole public catalogue with every CSV column, read to the end."""
        sql = (
            f"{self.joined(self.API_COLUMNS)}{self.classifier_joins()}"
            f"WHERE {self.public} ORDER BY p.state_code, p.id"
        )
        cursor.execute(sql)
        rows = 0
        while batch := cursor.fetchmany(2000):
            rows += len(batch)
        return rows


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    matches: int
    queries: int
    view: list[float]
    bare: list[float]
    note: str = ""


def _percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def _measure(
    label: str,
    request: Callable[[], int],
    bare: Callable[[], int],
    *,
    repeat: int,
    warmup: int,
) -> Result:
    """Time `request` (Django, end to end) and `bare` (the SQL alone) alternately, after a
    few untimed rounds of each; each returns its number of matches, which must agree."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        request()
        bare()
    with CaptureQueriesContext(connection) as captured:
        matches = request()
    queries = len(captured)  # now: the next request empties the connection's query log
    expected = bare()
    if matches != expected:
        sys.exit(f"{label}: Django found {matches}, the bare SQL {expected}")
    view_times, bare_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        view_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare()
        bare_times.append(time.perf_counter() - started)
    return Result(label, matches, queries, view_times, bare_times)


RESULT_COUNT = re.compile(r'class="result-count"[^>]*>\s*([\d\s\xa0]+)')


def _list_count(response: Any) -> int:
    """The number of matches the list page says it has."""
    assert response.status_code == 200, response.status_code
    found = RESULT_COUNT.search(response.content.decode())
    assert found, "no result count on the page"
    return int(re.sub(r"\D", "", found.group(1)))


def _run(args: argparse.Namespace) -> list[Result]:
    from django.db import connection
    from django.test import Client

    from edureg.core.models import ClassifierValue
    from edureg.programmes.models import Programme

    client = Client()
    sql = Sql(connection.vendor)
    repeat, warmup = args.repeat, 2
    results = []

    def page_bare(condition: str = "", params: Sequence[Any] = ()) -> Callable[[], int]:
        def run() -> int:
            with connection.cursor() as cursor:
                return sql.page(cursor, condition, params)

        return run

    def page_request(url: str) -> Callable[[], int]:
        return lambda: _list_count(client.get(url))

    results.append(
        _measure(
            "list `/programmes/` (page 1 of all)",
            page_request("/programmes/"),
            page_bare(),
            repeat=repeat,
            warmup=warmup,
        )
    )
    word = args.query
    condition, params = sql.search(word)
    results.append(
        _measure(
            f"search `/programmes/?q={word}`",
            page_request(f"/programmes/?q={word}"),
            page_bare(condition, params),
            repeat=repeat,
            warmup=warmup,
        )
    )

    field = ClassifierValue.objects.of("study-field").get(code="informatics")
    filters = "kind=study&study_field=informatics&language=en&mode=part_time"
    condition = (
        f"p.kind = 'study' AND v.study_field_id = %s AND {sql.iregex('v.languages')} "
        "AND v.part_time"
    )
    results.append(
        _measure(
            f"filter `/programmes/?{filters}`",
            page_request(f"/programmes/?{filters}"),
            page_bare(condition, [field.pk, r"(^|,)\s*en\s*(,|$)"]),
            repeat=repeat,
            warmup=warmup,
        )
    )

    rng = random.Random(f"edureg-bench-catalogue:{args.seed}:pages")
    codes = list(
        Programme.objects.filter(status__in=["registered", "deregistered"])
        .order_by("state_code")
        .values_list("state_code", flat=True)
    )
    sample = rng.sample(codes, 50)
    turn = {"view": 0, "bare": 0}

    def detail_request() -> int:
        code = sample[turn["view"] % len(sample)]
        turn["view"] += 1
        response = client.get(f"/programmes/{code}/")
        assert response.status_code == 200, (code, response.status_code)
        return 1

    def detail_bare() -> int:
        code = sample[turn["bare"] % len(sample)]
        turn["bare"] += 1
        with connection.cursor() as cursor:
            sql.programme(cursor, code)
        return 1

    results.append(
        _measure(
            "programme page `/programmes/<code>/` (50 codes in turn)",
            detail_request,
            detail_bare,
            repeat=repeat,
            warmup=warmup,
        )
    )

    condition, params = sql.search(word)
    api_url = f"/api/v1/catalogue/programmes/?q={word}"
    api_codes: dict[str, list[str]] = {}

    def api_request() -> int:
        response = client.get(api_url)
        assert response.status_code == 200, response.status_code
        api_codes["view"] = [row["state_code"] for row in response.json()["results"]]
        return len(api_codes["view"])

    def api_bare() -> int:
        with connection.cursor() as cursor:
            api_codes["bare"] = sql.api_page(cursor, condition, params)
        return len(api_codes["bare"])

    results.append(
        _measure(
            f"API `{api_url}` (first cursor page)",
            api_request,
            api_bare,
            repeat=repeat,
            warmup=warmup,
        )
    )
    if api_codes["view"] != api_codes["bare"]:
        sys.exit("API: Django and the bare SQL return different programmes")

    export: dict[str, int] = {}

    def csv_request() -> int:
        response = client.get("/programmes/programmes.csv")
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content)
        export["bytes"] = len(body)
        return body.count(b"\n") - 1  # the header line; no field holds a line break

    def csv_bare() -> int:
        with connection.cursor() as cursor:
            return sql.export(cursor)

    result = _measure(
        "CSV `/programmes/programmes.csv` (whole catalogue, streamed to the end)",
        csv_request,
        csv_bare,
        repeat=args.csv_repeat,
        warmup=1,
    )
    result.note = f"{export['bytes'] / 1024**2:.1f} MiB"
    results.append(result)
    return results


# --- Report -----------------------------------------------------------------------------------


def _database_size(database: str) -> str:
    from django.db import connection

    mib = 1024**2
    if database == "sqlite":
        return f"{SQLITE_PATH.stat().st_size / mib:,.0f} MiB (file, after checkpoint)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return f"{int(cursor.fetchone()[0]) / mib:,.0f} MiB (`pg_database_size`)"


def _database_version(database: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if database == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024**2:.1f} GiB RAM"
    return f"{os.cpu_count()} cores ({cpu or platform.processor()}){memory}"


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:,.0f}" if milliseconds >= 100 else f"{milliseconds:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--programmes", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page")
    parser.add_argument("--csv-repeat", type=int, default=10, help="timed CSV downloads")
    parser.add_argument("--query", default="informatika", help="the search word")
    args = parser.parse_args()
    _configure(args.database)

    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    loader = _Loader(args.seed, args.programmes)
    loader.load()
    loaded = time.perf_counter()
    _analyze(args.database)
    analyzed = time.perf_counter()
    load_before = os.getloadavg()[0]
    results = _run(args)
    measured = time.perf_counter()
    load_after = os.getloadavg()[0]

    print()
    print(f"Machine: {_machine()}; Python {platform.python_version()}; "
          f"Django {django.get_version()}; {_database_version(args.database)}")  # fmt: skip
    print()
    print("| data | count |")
    print("|---|---:|")
    for name, count in loader.counts.items():
        print(f"| {name} | {count:,} |")
    print(f"| database size | {_database_size(args.database)} |")
    print()
    print(
        f"Timings: migrate {migrated - began:.1f} s, load {loaded - migrated:.1f} s, "
        f"analyze {analyzed - loaded:.1f} s, measure {measured - analyzed:.1f} s, "
        f"total {measured - began:.1f} s. {args.repeat} timed requests per page "
        f"({args.csv_repeat} for the CSV), after untimed warm-up ones. Load average (1 min) "
        f"{load_before:.2f} before measuring, {load_after:.2f} after: the benchmark itself makes "
        "about 1; more means other processes shared the two cores."
    )
    print()
    print(
        "| request | matches | SQL queries | Django p50 ms | Django p95 ms | bare SQL p50 ms "
        "| bare SQL p95 ms | p50 ÷ bare p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        view50, view95 = _percentile(r.view, 0.5), _percentile(r.view, 0.95)
        bare50, bare95 = _percentile(r.bare, 0.5), _percentile(r.bare, 0.95)
        label = f"{r.label}, {r.note}" if r.note else r.label
        print(
            f"| {label} | {r.matches:,} | {r.queries} | {_ms(view50)} | {_ms(view95)} "
            f"| {_ms(bare50)} | {_ms(bare95)} | {view50 / bare50:.1f} |"
        )


if __name__ == "__main__":
    main()

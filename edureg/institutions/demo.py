"""Demo institutions: schools, kindergartens, NVŠ providers, free teachers, vocational schools,
higher-education institutions and branches, spread over the 60 municipalities.

`institutions_generate` is a pure function of the scale and the seed (no database);
`institutions_insert` writes the result through the bulk path with versions and change-log
entries. The higher-education institutions carry their real names so that the demo reads
naturally; every code (JAR, register id) is made up.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from stdnum.ee.ik import calc_check_digit

from edureg.core.demo import (
    DEFAULT_BATCH_SIZE,
    Progress,
    Scale,
    apportion,
    demo_rng,
    insert_in_chunks,
)
from edureg.core.models import ClassifierValue
from edureg.institutions.models import FounderType, Institution, InstitutionKind, Municipality
from edureg.people.demo import lithuanian_name
from edureg.people.models import Sex

# --- Reference tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seat:
    """The town an institution's name starts with, and the municipality's population."""

    town: str  # nominative, for addresses: "Garliava"
    genitive: str  # for names: "Garliavos „Šaltinio“ gimnazija"
    population: int  # thousands, rounded (2023)


# Municipality ISO code → its seat. A district municipality around a city of the same name
# (Kaunas, Vilnius, …) takes its largest other town, so that names stay distinct.
MUNICIPALITY_SEATS: dict[str, _Seat] = {
    "LT-01": _Seat("Naujoji Akmenė", "Naujosios Akmenės", 19),
    "LT-02": _Seat("Alytus", "Alytaus", 50),
    "LT-03": _Seat("Daugai", "Daugų", 25),
    "LT-04": _Seat("Anykščiai", "Anykščių", 22),
    "LT-05": _Seat("Birštonas", "Birštono", 4),
    "LT-06": _Seat("Biržai", "Biržų", 23),
    "LT-07": _Seat("Druskininkai", "Druskininkų", 20),
    "LT-08": _Seat("Elektrėnai", "Elektrėnų", 22),
    "LT-09": _Seat("Ignalina", "Ignalinos", 14),
    "LT-10": _Seat("Jonava", "Jonavos", 41),
    "LT-11": _Seat("Joniškis", "Joniškio", 20),
    "LT-12": _Seat("Jurbarkas", "Jurbarko", 25),
    "LT-13": _Seat("Kaišiadorys", "Kaišiadorių", 29),
    "LT-14": _Seat("Kalvarija", "Kalvarijos", 10),
    "LT-15": _Seat("Kaunas", "Kauno", 305),
    "LT-16": _Seat("Garliava", "Garliavos", 98),
    "LT-17": _Seat("Kazlų Rūda", "Kazlų Rūdos", 11),
    "LT-18": _Seat("Kėdainiai", "Kėdainių", 47),
    "LT-19": _Seat("Kelmė", "Kelmės", 26),
    "LT-20": _Seat("Klaipėda", "Klaipėdos", 160),
    "LT-21": _Seat("Gargždai", "Gargždų", 68),
    "LT-22": _Seat("Kretinga", "Kretingos", 36),
    "LT-23": _Seat("Kupiškis", "Kupiškio", 16),
    "LT-24": _Seat("Lazdijai", "Lazdijų", 18),
    "LT-25": _Seat("Marijampolė", "Marijampolės", 57),
    "LT-26": _Seat("Mažeikiai", "Mažeikių", 52),
    "LT-27": _Seat("Molėtai", "Molėtų", 17),
    "LT-28": _Seat("Neringa", "Neringos", 4),
    "LT-29": _Seat("Pagėgiai", "Pagėgių", 7),
    "LT-30": _Seat("Pakruojis", "Pakruojo", 19),
    "LT-31": _Seat("Palanga", "Palangos", 18),
    "LT-32": _Seat("Panevėžys", "Panevėžio", 87),
    "LT-33": _Seat("Ramygala", "Ramygalos", 36),
    "LT-34": _Seat("Pasvalys", "Pasvalio", 23),
    "LT-35": _Seat("Plungė", "Plungės", 33),
    "LT-36": _Seat("Prienai", "Prienų", 26),
    "LT-37": _Seat("Radviliškis", "Radviliškio", 36),
    "LT-38": _Seat("Raseiniai", "Raseinių", 31),
    "LT-39": _Seat("Rietavas", "Rietavo", 8),
    "LT-40": _Seat("Rokiškis", "Rokiškio", 27),
    "LT-41": _Seat("Šakiai", "Šakių", 26),
    "LT-42": _Seat("Šalčininkai", "Šalčininkų", 30),
    "LT-43": _Seat("Šiauliai", "Šiaulių", 100),
    "LT-44": _Seat("Kuršėnai", "Kuršėnų", 39),
    "LT-45": _Seat("Šilalė", "Šilalės", 22),
    "LT-46": _Seat("Šilutė", "Šilutės", 38),
    "LT-47": _Seat("Širvintos", "Širvintų", 15),
    "LT-48": _Seat("Skuodas", "Skuodo", 16),
    "LT-49": _Seat("Švenčionys", "Švenčionių", 23),
    "LT-50": _Seat("Tauragė", "Tauragės", 37),
    "LT-51": _Seat("Telšiai", "Telšių", 38),
    "LT-52": _Seat("Trakai", "Trakų", 33),
    "LT-53": _Seat("Ukmergė", "Ukmergės", 34),
    "LT-54": _Seat("Utena", "Utenos", 37),
    "LT-55": _Seat("Varėna", "Varėnos", 20),
    "LT-56": _Seat("Vilkaviškis", "Vilkaviškio", 35),
    "LT-57": _Seat("Vilnius", "Vilniaus", 600),
    "LT-58": _Seat("Nemenčinė", "Nemenčinės", 105),
    "LT-59": _Seat("Visaginas", "Visagino", 18),
    "LT-60": _Seat("Zarasai", "Zarasų", 15),
}

# The small scale: the two largest cities and one district.
SMALL_MUNICIPALITIES = ("LT-15", "LT-16", "LT-57")

# Neighbourhoods (genitive) of the cities: big cities name many schools after them.
_NEIGHBOURHOODS: dict[str, tuple[str, ...]] = {
    "LT-57": (
        "Antakalnio", "Žirmūnų", "Fabijoniškių", "Pašilaičių", "Justiniškių", "Lazdynų",
        "Karoliniškių", "Šeškinės", "Naujininkų", "Žvėryno", "Pilaitės", "Baltupių",
        "Viršuliškių", "Jeruzalės", "Santariškių", "Naujosios Vilnios", "Grigiškių", "Verkių",
        "Užupio", "Markučių", "Rasų", "Paupio", "Šnipiškių", "Bajorų", "Visorių",
    ),
    "LT-15": (
        "Šilainių", "Dainavos", "Eigulių", "Vilijampolės", "Aleksoto", "Žaliakalnio",
        "Panemunės", "Petrašiūnų", "Kalniečių", "Šančių", "Senamiesčio", "Gričiupio",
        "Romainių", "Palemono", "Vaišvydavos",
    ),
    "LT-20": (
        "Vėtrungės", "Smeltės", "Baltijos", "Gedminų", "Tauralaukio", "Girulių", "Melnragės",
        "Bandužių", "Žardės", "Vingio",
    ),
    "LT-43": ("Dainų", "Lieporių", "Rėkyvos", "Medelyno", "Gubernijos", "Zoknių"),
    "LT-32": ("Kniaudiškių", "Tulpių", "Molainių", "Pilėnų", "Rožyno", "Skaistakalnio"),
    "LT-02": ("Vidzgirio", "Putinų", "Likiškėlių", "Dainavos"),
}  # fmt: skip
# Villages (genitive) for branches and further names outside the cities.
_VILLAGES = (
    "Pakalniškių", "Paberžės", "Bagaslaviškio", "Gelvonų", "Žaslių", "Rumšiškių", "Užpalių",
    "Salako", "Dusetų", "Antazavės", "Kriaunų", "Skapiškio", "Šeduvos", "Baisogalos", "Alovės",
    "Pivašiūnų", "Kietaviškių", "Dubingių", "Vandžiogalos", "Raudondvario", "Pakuonio",
    "Veiverių", "Seirijų", "Leipalingio", "Kavarsko", "Troškūnų", "Žeimių", "Krakių",
    "Josvainių", "Šėtos",
)  # fmt: skip

_SCHOOL_QUOTED = (
    "Saulės", "Ąžuolo", "Vyturio", "Žiburio", "Šaltinio", "Versmės", "Aušros", "Santarvės",
    "Žemynos", "Varpo", "Gabijos", "Vilties", "Šviesos", "Ryto", "Sėjos", "Rasos", "Atžalyno",
    "Smilties", "Jaunystės", "Šilo", "Vaivorykštės", "Santakos", "Taikos", "Pušyno", "Žaros",
    "Gintaro", "Verdenės", "Ąžuolyno", "Sąjūdžio", "Spindulio",
)  # fmt: skip
_SCHOOL_PATRONS = (
    "Maironio", "Vydūno", "Simono Daukanto", "Vinco Kudirkos", "Jono Basanavičiaus",
    "Salomėjos Nėries", "Žemaitės", "Antano Vienuolio", "Motiejaus Valančiaus", "Vaižganto",
    "Martyno Mažvydo", "Kristijono Donelaičio", "Lazdynų Pelėdos", "Vytauto Didžiojo",
    "Adomo Mickevičiaus", "Justino Marcinkevičiaus", "Jono Biliūno", "Balio Sruogos",
    "Antano Baranausko", "Vinco Krėvės", "Prano Mašioto", "Šatrijos Raganos", "Juozo Grušo",
    "Stasio Šalkauskio", "Kazio Borutos", "Mikalojaus Konstantino Čiurlionio",
)  # fmt: skip
_KINDERGARTEN_QUOTED = (
    "Žiogelis", "Bitutė", "Saulutė", "Ąžuoliukas", "Vyturėlis", "Žilvitis", "Pušaitė",
    "Eglutė", "Voveraitė", "Drugelis", "Gandriukas", "Žvaigždutė", "Pelėdžiukas",
    "Šermukšnėlė", "Pasaka", "Nykštukas", "Kregždutė", "Gintarėlis", "Boružėlė", "Žuvėdra",
    "Obelėlė", "Rugelis", "Smalsutis", "Varpelis", "Ežiukas", "Pumpurėlis", "Giliukas",
    "Vaikystė", "Linelis", "Liepaitė", "Berželis", "Raudonkepuraitė", "Zuikutis", "Šilelis",
    "Volungėlė", "Aitvarėlis", "Sakalėlis", "Vėrinėlis", "Debesėlis", "Putinėlis", "Klevelis",
    "Žemuogėlė", "Spragtukas", "Čiauškutė", "Jūratė", "Dainorėlis", "Kiškelis", "Lakštingala",
    "Svirnelis", "Mažylis",
)  # fmt: skip
_NVS_LEGAL_FORMS = ("VšĮ", "UAB", "Asociacija", "MB")
_NVS_ACTIVITIES = (
    "Robotikos", "Šokio", "Muzikos", "Dailės", "Teatro", "Krepšinio", "Futbolo", "Plaukimo",
    "Programavimo", "Keramikos", "Šachmatų", "Gamtos", "Jaunųjų tyrėjų", "Kalbų",
    "Sportinių šokių", "Imtynių", "Tinklinio", "Lengvosios atletikos", "Dramos", "Fotografijos",
)  # fmt: skip
_NVS_NOUNS = (
    "akademija",
    "studija",
    "mokykla",
    "klubas",
    "centras",
    "dirbtuvės",
    "laboratorija",
    "erdvė",
)
_VET_CENTRE_FIELDS = (
    "profesinio", "technologijų", "paslaugų verslo", "statybininkų", "transporto",
    "turizmo ir prekybos", "maisto pramonės ir prekybos", "informacinių technologijų",
    "žemės ūkio", "energetikos",
)  # fmt: skip
_VET_SCHOOL_FIELDS = (
    "politechnikos",
    "technologijų ir verslo",
    "žemės ūkio",
    "paslaugų",
    "amatų",
    "technikos",
)
_STREETS = (
    "Mokyklos", "Vilniaus", "Gedimino", "Laisvės", "Sodų", "Taikos", "Žalgirio", "Kęstučio",
    "Vytauto", "Maironio", "Basanavičiaus", "Ąžuolų", "Liepų", "Beržų", "Pušyno", "Parko",
    "Dariaus ir Girėno", "Respublikos", "Jaunystės", "Šviesos",
)  # fmt: skip

# (register type code, nominative, genitive, share of schools). Shares follow the register's
# school statistics: gymnasiums lead, primary schools are few.
_SCHOOL_TYPES = (
    ("gymnasium", "gimnazija", "gimnazijos", 40),
    ("progymnasium", "progimnazija", "progimnazijos", 22),
    ("basic-school", "pagrindinė mokykla", "pagrindinės mokyklos", 26),
    ("primary-school", "pradinė mokykla", "pradinės mokyklos", 12),
)
_GENITIVE_OF_TYPE = {nominative: genitive for _, nominative, genitive, _ in _SCHOOL_TYPES}

# (name, English name, municipality, founder). Real higher-education institutions (17
# universities and academies, 19 colleges) and three foreign HEI branches.
_UNIVERSITIES = (
    ("Vilniaus universitetas", "Vilnius University", "LT-57", FounderType.STATE),
    ("Kauno technologijos universitetas", "Kaunas University of Technology", "LT-15",
     FounderType.STATE),
    ("Vytauto Didžiojo universitetas", "Vytautas Magnus University", "LT-15", FounderType.STATE),
    ("Vilniaus Gedimino technikos universitetas", "Vilnius Gediminas Technical University",
     "LT-57", FounderType.STATE),
    ("Lietuvos sveikatos mokslų universitetas", "Lithuanian University of Health Sciences",
     "LT-15", FounderType.STATE),
    ("Mykolo Romerio universitetas", "Mykolas Romeris University", "LT-57", FounderType.STATE),
    ("Klaipėdos universitetas", "Klaipėda University", "LT-20", FounderType.STATE),
    ("Lietuvos sporto universitetas", "Lithuanian Sports University", "LT-15",
     FounderType.STATE),
    ("Vilniaus dailės akademija", "Vilnius Academy of Arts", "LT-57", FounderType.STATE),
    ("Lietuvos muzikos ir teatro akademija", "Lithuanian Academy of Music and Theatre", "LT-57",
     FounderType.STATE),
    ("Generolo Jono Žemaičio Lietuvos karo akademija",
     "General Jonas Žemaitis Military Academy of Lithuania", "LT-57", FounderType.STATE),
    ("ISM vadybos ir ekonomikos universitetas", "ISM University of Management and Economics",
     "LT-57", FounderType.NON_STATE),
    ("Europos humanitarinis universitetas", "European Humanities University", "LT-57",
     FounderType.NON_STATE),
    ("Kazimiero Simonavičiaus universitetas", "Kazimieras Simonavičius University", "LT-57",
     FounderType.NON_STATE),
    ("LCC tarptautinis universitetas", "LCC International University", "LT-20",
     FounderType.NON_STATE),
    ("Vilniaus Šv. Juozapo kunigų seminarija", "Vilnius St Joseph Seminary", "LT-57",
     FounderType.NON_STATE),
    ("Telšių vyskupo Vincento Borisevičiaus kunigų seminarija",
     "Telšiai Bishop Vincentas Borisevičius Seminary", "LT-51", FounderType.NON_STATE),
)  # fmt: skip
_COLLEGES = (
    ("Vilniaus kolegija", "Vilnius University of Applied Sciences", "LT-57", FounderType.STATE),
    ("Kauno kolegija", "Kauno kolegija Higher Education Institution", "LT-15",
     FounderType.STATE),
    ("Klaipėdos valstybinė kolegija", "Klaipėda State University of Applied Sciences", "LT-20",
     FounderType.STATE),
    ("Panevėžio kolegija", "Panevėžys University of Applied Sciences", "LT-32",
     FounderType.STATE),
    ("Šiaulių valstybinė kolegija", "Šiauliai State University of Applied Sciences", "LT-43",
     FounderType.STATE),
    ("Utenos kolegija", "Utena University of Applied Sciences", "LT-54", FounderType.STATE),
    ("Alytaus kolegija", "Alytus University of Applied Sciences", "LT-02", FounderType.STATE),
    ("Marijampolės kolegija", "Marijampolė University of Applied Sciences", "LT-25",
     FounderType.STATE),
    ("Lietuvos aukštoji jūreivystės mokykla", "Lithuanian Maritime Academy", "LT-20",
     FounderType.STATE),
    ("Vilniaus technologijų ir dizaino kolegija",
     "Vilnius University of Applied Sciences of Technology and Design", "LT-57",
     FounderType.STATE),
    ("Kauno technikos kolegija", "Kaunas University of Applied Engineering Sciences", "LT-15",
     FounderType.STATE),
    ("Kauno miškų ir aplinkos inžinerijos kolegija",
     "Kaunas Forestry and Environmental Engineering University of Applied Sciences", "LT-15",
     FounderType.STATE),
    ("Vilniaus verslo kolegija", "Vilnius Business College", "LT-57", FounderType.NON_STATE),
    ("Kolpingo kolegija", "Kolping University of Applied Sciences", "LT-15",
     FounderType.NON_STATE),
    ("Socialinių mokslų kolegija", "College of Social Sciences", "LT-20", FounderType.NON_STATE),
    ("Tarptautinė teisės ir verslo aukštoji mokykla",
     "International School of Law and Business", "LT-57", FounderType.NON_STATE),
    ("Vilniaus kooperacijos kolegija", "Vilnius Cooperative College", "LT-57",
     FounderType.NON_STATE),
    ("Šv. Ignaco Lojolos kolegija", "St Ignatius of Loyola College", "LT-15",
     FounderType.NON_STATE),
    ("Vilniaus dizaino kolegija", "Vilnius Design College", "LT-57", FounderType.NON_STATE),
)  # fmt: skip
_FOREIGN_HEI_BRANCHES = (
    ("Balstogės universiteto filialas Vilniuje", "University of Białystok branch in Vilnius",
     "LT-57"),
    ("Baltijos tarptautinės akademijos filialas Vilniuje",
     "Baltic International Academy branch in Vilnius", "LT-57"),
    ("Liepojos universiteto filialas Klaipėdoje", "Liepāja University branch in Klaipėda",
     "LT-20"),
)  # fmt: skip

# --- Scale ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    schools: int
    kindergartens: int
    nvs_providers: int
    free_teachers: int
    vocational: int
    universities: int
    colleges: int
    foreign_hei_branches: int
    branch_share: float


# National: about 1,000 general-education schools, 60 vocational institutions and 36 HEIs
# (shared/reference/classifiers.md "Scale"); kindergartens, NVŠ providers and free teachers
# in proportion to those.
_COUNTS = {
    Scale.SMALL: _Counts(20, 4, 3, 1, 1, 2, 1, 0, 0.05),
    Scale.NATIONAL: _Counts(1000, 600, 300, 150, 60, 17, 19, 3, 0.05),
}

# Founder-type mixes (municipal, state, non-state). Schools and kindergartens are mostly the
# municipality's; a few are national schools or private.
_FOUNDERS = (FounderType.MUNICIPAL, FounderType.STATE, FounderType.NON_STATE)
_SCHOOL_FOUNDER_WEIGHTS = (90, 3, 7)
_KINDERGARTEN_FOUNDER_WEIGHTS = (85, 1, 14)
_NVS_FOUNDER_WEIGHTS = (5, 0, 95)
_VOCATIONAL_FOUNDER_WEIGHTS = (0, 92, 8)


def municipality_weights(scale: Scale) -> list[tuple[str, float]]:
    """(ISO code, population) of the municipalities a scale uses, in code order.

    People and institutions are spread by these weights, so Vilnius, Kaunas and Klaipėda
    cities hold the most of both.
    """
    codes = SMALL_MUNICIPALITIES if scale == Scale.SMALL else tuple(MUNICIPALITY_SEATS)
    return [(code, float(MUNICIPALITY_SEATS[code].population)) for code in sorted(codes)]


# --- Generation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstitutionSpec:
    register_id: str
    kind: str
    jar_code: str
    branch_code: str
    name_lt: str
    name_en: str
    main_group: str  # code of an `institution-group` value
    main_type: str | None  # code of an `institution-type` value
    founder_type: str
    municipality: str  # ISO 3166-2 code
    parent_register_id: str | None
    address: str
    registered_on: dt.date


class _Names:
    """Hands out names unique across the run, preferring the most natural pattern.

    Candidates come in tiers (e.g. „Saulės“ gimnazija before Antakalnio „Saulės“ gimnazija);
    each tier is shuffled once so the choice is random but reproducible.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._queues: dict[tuple[str, ...], list[list[str]]] = {}

    def claim(self, name: str) -> bool:
        """Reserve a name made elsewhere; False when it is taken."""
        if name in self._used:
            return False
        self._used.add(name)
        return True

    def take(self, key: tuple[str, ...], tiers: Sequence[Sequence[str]]) -> str:
        """A name from the first tier with one left; `tiers` is read only when `key` is new."""
        queues = self._queues.get(key)
        if queues is None:
            queues = []
            for tier in tiers:
                queue = list(tier)
                self._rng.shuffle(queue)
                queue.reverse()  # pop() from the end then follows the shuffled order
                queues.append(queue)
            self._queues[key] = queues
        for queue in queues:
            while queue:
                name = queue.pop()
                if name not in self._used:
                    self._used.add(name)
                    return name
        # Every pattern is taken (only if a scale outgrows the word lists): number the last.
        base = tiers[-1][0]
        for number in itertools.count(2):
            name = f"{base} Nr. {number}"
            if name not in self._used:
                self._used.add(name)
                return name
        raise AssertionError("unreachable")


class _Generator:
    def __init__(self, scale: Scale, seed: int) -> None:
        self.scale = scale
        self.counts = _COUNTS[scale]
        self.rng = demo_rng(seed, "institutions")
        self.names = _Names(self.rng)
        self.municipalities = municipality_weights(scale)
        self.jar_codes: set[str] = set()
        self.register_serial = itertools.count(1)
        self.specs: list[InstitutionSpec] = []

    # Codes and common fields.

    def jar_code(self, founder: str) -> str:
        """A new, valid 9-digit legal-entity code.

        Budgetary institutions' codes start with 19, newer private entities' with 30.
        """
        prefix = "30" if founder == FounderType.NON_STATE else "19"
        while True:
            head = f"{prefix}{self.rng.randrange(1_000_000):06d}"
            code = head + calc_check_digit(head + "0")  # the last character is ignored
            if code not in self.jar_codes:
                self.jar_codes.add(code)
                return code

    def register_id(self) -> str:
        return f"1{next(self.register_serial):06d}"

    def registered_on(self) -> dt.date:
        start, end = dt.date(1990, 1, 1), dt.date(2015, 12, 31)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def address(self, municipality: str) -> str:
        street = self.rng.choice(_STREETS)
        return f"{street} g. {self.rng.randint(1, 120)}, {MUNICIPALITY_SEATS[municipality].town}"

    def founder(self, weights: Sequence[int]) -> str:
        return str(self.rng.choices(_FOUNDERS, weights=weights)[0])

    def add(
        self,
        *,
        name_lt: str,
        municipality: str,
        main_group: str,
        main_type: str | None,
        founder: str,
        kind: str = InstitutionKind.INSTITUTION,
        name_en: str = "",
        jar_code: str | None = None,
        parent: InstitutionSpec | None = None,
        branch_code: str = "",
    ) -> InstitutionSpec:
        spec = InstitutionSpec(
            register_id=self.register_id(),
            kind=str(kind),
            jar_code=self.jar_code(founder) if jar_code is None else jar_code,
            branch_code=branch_code,
            name_lt=name_lt,
            name_en=name_en,
            main_group=main_group,
            main_type=main_type,
            founder_type=str(founder),
            municipality=municipality,
            parent_register_id=parent.register_id if parent else None,
            address=self.address(municipality),
            registered_on=self.registered_on(),
        )
        self.specs.append(spec)
        return spec

    def spread(self, total: int, *, exponent: float, minimum: int) -> list[tuple[str, int]]:
        """How many of `total` each municipality gets, by population**exponent.

        An exponent below 1 flattens the spread: rural municipalities have more schools per
        inhabitant than cities.
        """
        codes = [code for code, _ in self.municipalities]
        weights = [population**exponent for _, population in self.municipalities]
        return list(zip(codes, apportion(total, weights, minimum=minimum), strict=True))

    # Kinds of institution.

    def schools(self) -> list[InstitutionSpec]:
        type_weights = [share for *_, share in _SCHOOL_TYPES]
        schools = []
        for municipality, count in self.spread(self.counts.schools, exponent=0.8, minimum=1):
            town = MUNICIPALITY_SEATS[municipality].genitive
            places = _NEIGHBOURHOODS.get(municipality, ())
            for _ in range(count):
                code, kind, _, _ = self.rng.choices(_SCHOOL_TYPES, weights=type_weights)[0]
                natural = [f"{town} „{q}“ {kind}" for q in _SCHOOL_QUOTED]
                natural += [f"{town} {patron} {kind}" for patron in _SCHOOL_PATRONS]
                natural += [f"{town} {place} {kind}" for place in places]
                more = [f"{town} {p} „{q}“ {kind}" for p in places for q in _SCHOOL_QUOTED]
                name = self.names.take((municipality, code), [natural, more or [f"{town} {kind}"]])
                schools.append(
                    self.add(
                        name_lt=name,
                        municipality=municipality,
                        main_group="school",
                        main_type=code,
                        founder=self.founder(_SCHOOL_FOUNDER_WEIGHTS),
                    )
                )
        return schools

    def branches(self, schools: Sequence[InstitutionSpec]) -> None:
        """Some schools run a branch (skyrius) in a village or another neighbourhood.

        A branch shares its parent's legal-entity code and is told apart by the branch code.
        """
        count = max(1, round(len(schools) * self.counts.branch_share)) if schools else 0
        for parent in sorted(self.rng.sample(list(schools), count), key=lambda s: s.register_id):
            places = _NEIGHBOURHOODS.get(parent.municipality, _VILLAGES)
            nominative = next(t for t in _GENITIVE_OF_TYPE if parent.name_lt.endswith(t))
            parent_genitive = (
                parent.name_lt.removesuffix(nominative) + _GENITIVE_OF_TYPE[nominative]
            )
            name = self.names.take(
                ("branch", parent.register_id),
                [[f"{parent_genitive} {place} skyrius" for place in places]],
            )
            self.add(
                kind=InstitutionKind.BRANCH,
                name_lt=name,
                municipality=parent.municipality,
                main_group=parent.main_group,
                main_type=parent.main_type,
                founder=parent.founder_type,
                jar_code=parent.jar_code,
                parent=parent,
                branch_code=f"{parent.jar_code}001",
            )

    def kindergartens(self) -> None:
        for municipality, count in self.spread(self.counts.kindergartens, exponent=1.0, minimum=1):
            town = MUNICIPALITY_SEATS[municipality].genitive
            places = _NEIGHBOURHOODS.get(municipality, ())
            kind = "lopšelis-darželis"
            public_tiers = [
                [f"{town} {kind} „{q}“" for q in _KINDERGARTEN_QUOTED],
                [f"{town} {place} {kind}" for place in places]
                + [f"{town} {place} {kind} „{q}“" for place in places
                   for q in _KINDERGARTEN_QUOTED],
                [f"{town} {kind}"],
            ]  # fmt: skip
            # Private kindergartens are named by their owner, not after the town.
            private_tiers = [
                [f"{form} „{q}“" for form in ("VšĮ", "UAB") for q in _KINDERGARTEN_QUOTED],
                [f"{town} privatus darželis „{q}“" for q in _KINDERGARTEN_QUOTED],
            ]
            for _ in range(count):
                founder = self.founder(_KINDERGARTEN_FOUNDER_WEIGHTS)
                if founder == FounderType.NON_STATE:
                    name = self.names.take(("private-kindergarten", municipality), private_tiers)
                else:
                    name = self.names.take((municipality, "kindergarten"), public_tiers)
                self.add(
                    name_lt=name,
                    municipality=municipality,
                    main_group="preschool",
                    main_type="kindergarten",
                    founder=founder,
                )

    def nvs_providers(self) -> None:
        codes = [code for code, _ in self.municipalities]
        weights = [population for _, population in self.municipalities]
        for _ in range(self.counts.nvs_providers):
            municipality = self.rng.choices(codes, weights=weights)[0]
            form = self.rng.choice(_NVS_LEGAL_FORMS)
            town = MUNICIPALITY_SEATS[municipality].genitive
            tiers = [
                [f"{form} „{a} {n}“" for a in _NVS_ACTIVITIES for n in _NVS_NOUNS],
                [f"{form} „{town} {a.lower()} {n}“" for a in _NVS_ACTIVITIES for n in _NVS_NOUNS],
            ]
            self.add(
                name_lt=self.names.take(("nvs", form, municipality), tiers),
                municipality=municipality,
                main_group="31714102",
                main_type="nvs-provider",
                founder=self.founder(_NVS_FOUNDER_WEIGHTS),
            )

    def free_teachers(self) -> None:
        """Free teachers are people registered by name, without a legal-entity code."""
        codes = [code for code, _ in self.municipalities]
        weights = [population for _, population in self.municipalities]
        for _ in range(self.counts.free_teachers):
            municipality = self.rng.choices(codes, weights=weights)[0]
            # Namesakes exist, but a demo list reads better without them.
            while True:
                sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
                born = self.rng.randint(1960, 1995)
                name = " ".join(lithuanian_name(self.rng, sex=sex, born=born))
                if self.names.claim(name):
                    break
            self.add(
                kind=InstitutionKind.FREE_TEACHER,
                name_lt=name,
                municipality=municipality,
                main_group="31914102",
                main_type="free-teacher",
                founder=FounderType.NON_STATE,
                jar_code="",
            )

    def vocational(self) -> None:
        for municipality, count in self.spread(self.counts.vocational, exponent=0.5, minimum=0):
            town = MUNICIPALITY_SEATS[municipality].genitive
            for _ in range(count):
                if self.rng.random() < 0.6:
                    main_type = "vet-centre"
                    options = [f"{town} {field} mokymo centras" for field in _VET_CENTRE_FIELDS]
                else:
                    main_type = "vet-school"
                    options = [f"{town} {field} mokykla" for field in _VET_SCHOOL_FIELDS]
                self.add(
                    name_lt=self.names.take((municipality, main_type), [options]),
                    municipality=municipality,
                    main_group="vocational",
                    main_type=main_type,
                    founder=self.founder(_VOCATIONAL_FOUNDER_WEIGHTS),
                )

    def higher_education(self) -> None:
        for table, count, group in (
            (_UNIVERSITIES, self.counts.universities, "university"),
            (_COLLEGES, self.counts.colleges, "college"),
        ):
            for name_lt, name_en, municipality, founder in table[:count]:
                self.names.claim(name_lt)
                self.add(
                    name_lt=name_lt,
                    name_en=name_en,
                    municipality=municipality,
                    main_group=group,
                    main_type=group,
                    founder=founder,
                )
        for name_lt, name_en, municipality in _FOREIGN_HEI_BRANCHES[
            : self.counts.foreign_hei_branches
        ]:
            self.add(
                kind=InstitutionKind.FOREIGN_HEI_BRANCH,
                name_lt=name_lt,
                name_en=name_en,
                municipality=municipality,
                main_group="foreign-hei-branch",
                main_type="foreign-hei-branch",
                founder=FounderType.NON_STATE,
            )


def institutions_generate(*, scale: Scale, seed: int) -> list[InstitutionSpec]:
    """Every demo institution for `scale`, reproducible for `seed`; parents before branches."""
    generator = _Generator(scale, seed)
    generator.higher_education()
    schools = generator.schools()
    generator.kindergartens()
    generator.vocational()
    generator.nvs_providers()
    generator.free_teachers()
    generator.branches(schools)
    return generator.specs


# --- Insertion -------------------------------------------------------------------------------


def institutions_insert(
    specs: Sequence[InstitutionSpec],
    *,
    progress: Progress,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert the institutions, then the branches that point at them."""
    municipality_ids = dict(Municipality.objects.values_list("code", "id"))
    classifier_ids = {
        (classifier, code): pk
        for classifier, code, pk in ClassifierValue.objects.filter(
            classifier__code__in=("institution-group", "institution-type")
        ).values_list("classifier__code", "code", "id")
    }
    parent_ids: dict[str, int] = {}

    def build(spec: InstitutionSpec) -> Institution:
        return Institution(
            register_id=spec.register_id,
            kind=spec.kind,
            jar_code=spec.jar_code,
            branch_code=spec.branch_code,
            name_lt=spec.name_lt,
            name_en=spec.name_en,
            main_group_id=classifier_ids[("institution-group", spec.main_group)],
            main_type_id=classifier_ids[("institution-type", spec.main_type)]
            if spec.main_type
            else None,
            founder_type=spec.founder_type,
            municipality_id=municipality_ids[spec.municipality],
            parent_id=parent_ids[spec.parent_register_id] if spec.parent_register_id else None,
            address=spec.address,
            registered_on=spec.registered_on,
        )

    parents = [spec for spec in specs if spec.parent_register_id is None]
    branches = [spec for spec in specs if spec.parent_register_id is not None]
    inserted = insert_in_chunks(
        Institution, parents, build, label="institutions", progress=progress, batch_size=batch_size
    )
    parent_ids.update(
        Institution.objects.filter(
            register_id__in={spec.parent_register_id for spec in branches}
        ).values_list("register_id", "id")
    )
    inserted += insert_in_chunks(
        Institution, branches, build, label="branches", progress=progress, batch_size=batch_size
    )
    return inserted

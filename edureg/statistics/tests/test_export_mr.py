"""Pupil Register open data: the current school year's pupils under pseudonyms, and gymnasium
counts with small counts suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions.models import Institution, InstitutionKind
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person, Sex
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import services
from edureg.pupils.models import Enrolment, Group, GroupKind
from edureg.statistics.opendata.manifest import MANIFEST_DIR, load_datasets
from edureg.statistics.opendata.mr import (
    GYMNASIUM_COUNTS,
    PUPILS,
    pseudonym,
    school_year_of,
    suppress_counts,
)

pytestmark = pytest.mark.django_db

SHARED_MANIFESTS = Path(__file__).resolve().parents[4] / "shared" / "reference" / "open-data"
SPEC_DIR = SHARED_MANIFESTS if SHARED_MANIFESTS.is_dir() else MANIFEST_DIR
SPEC = load_datasets(SPEC_DIR)
SYSTEM = Actor.system("tests")

THIS_YEAR = school_year_of(timezone.localdate())
SEPT_1 = dt.date(THIS_YEAR, 9, 1)
LAST_SEPT_1 = dt.date(THIS_YEAR - 1, 9, 1)


def export(dataset: str, out: Path) -> dict[str, list[dict[str, str]]]:
    call_command("export_open_data", dataset, "--out", str(out), stdout=io.StringIO())
    tables = {}
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.stem] = list(csv.DictReader(handle))
    return tables


def headers(out: Path) -> dict[str, list[str]]:
    result = {}
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            result[path.stem] = next(csv.reader(handle))
    return result


def everything_written(out: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(out.glob("*.csv")))


def pupil(born: dt.date, *, male: bool = True, citizenship: str = "LT", **names: str) -> Person:
    return PersonFactory(
        personal_code=personal_code(born, male=male),
        birth_date=born,
        sex=Sex.MALE if male else Sex.FEMALE,
        citizenship=citizenship,
        **names,
    )


def general_class(institution: Institution, name: str, grade: str, year: int = THIS_YEAR) -> Group:
    return services.group_create(
        actor=SYSTEM,
        institution=institution,
        school_year=year,
        name=name,
        kind=GroupKind.GENERAL,
        grade=grade,
        class_type=ClassifierValue.objects.get(classifier__code="class-type", code="1"),
        learning_mode=ClassifierValue.objects.get(classifier__code="learning-mode", code="daily"),
    )


def enrol(person: Person, group: Group, on: dt.date = SEPT_1) -> Enrolment:
    return services.pupil_enrol(actor=SYSTEM, person=person, group=group, valid_from=on)


# --- Structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", [PUPILS, GYMNASIUM_COUNTS])
def test_each_dataset_has_one_file_per_model_headed_by_the_manifest_properties(
    dataset: str, tmp_path: Path
) -> None:
    # Given a pupil in a gymnasium class this school year
    enrol(pupil(dt.date(2011, 3, 4)), general_class(InstitutionFactory(), "Ia", "9"))

    # When the dataset is exported
    export(dataset, tmp_path)

    # Then the files and their headers are exactly the manifest's
    spec = SPEC[dataset]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{model.name}.csv" for model in spec.models
    )
    assert headers(tmp_path) == {model.name: model.property_names for model in spec.models}


# --- Pupils of the current school year ------------------------------------------------------


def test_no_personal_code_name_or_public_id_is_published(tmp_path: Path) -> None:
    # Given pupils with known personal codes and names, in this year's and last year's classes
    school = InstitutionFactory()
    people = [
        pupil(dt.date(2012, 1, 15), given_names="Ąžuolas", family_name="Kazlauskas"),
        pupil(dt.date(2012, 6, 30), male=False, given_names="Liepa", family_name="Mažeikaitė"),
        pupil(dt.date(2011, 11, 2), given_names="Herkus", family_name="Vaitkus"),
        pupil(dt.date(2011, 2, 27), male=False, given_names="Smiltė", family_name="Žukauskaitė"),
        pupil(dt.date(2012, 9, 9), given_names="Kajus", family_name="Bagdonas"),
        pupil(dt.date(2012, 4, 1), male=False, given_names="Urtė", family_name="Grigaitė"),
    ]
    this_year = general_class(school, "Ia", "9")
    last_year = general_class(school, "8a", "8", year=THIS_YEAR - 1)
    for person in people:
        previous = enrol(person, last_year, on=LAST_SEPT_1)
        services.pupil_move(actor=SYSTEM, enrolment=previous, group=this_year, on=SEPT_1)
    # (moving into another school year's class is a move within the school)

    # When both MR datasets are exported
    export(PUPILS, tmp_path / "pupils")
    export(GYMNASIUM_COUNTS, tmp_path / "counts")

    # Then no file holds a personal code, a name, a public id or a full birth date
    written = everything_written(tmp_path / "pupils") + everything_written(tmp_path / "counts")
    assert written
    for person in people:
        assert person.personal_code and person.personal_code not in written
        assert person.given_names not in written
        assert person.family_name not in written
        assert str(person.public_id) not in written
        assert person.birth_date.isoformat() not in written
    for enrolment in Enrolment.objects.all():
        assert str(enrolment.public_id) not in written
    assert not re.search(r"\b[3-6]\d{10}\b", written)


def test_a_pupil_is_published_under_a_pseudonym_with_the_birth_year_only(
    tmp_path: Path,
) -> None:
    # Given a foreign girl in a gymnasium class since 1 September
    school = InstitutionFactory(name_lt="Vilniaus „Žiburio“ gimnazija")
    person = pupil(dt.date(2011, 5, 17), male=False, citizenship="UA")
    enrolment = enrol(person, general_class(school, "Ia", "9"))

    # When the pupils dataset is exported
    (row,) = export(PUPILS, tmp_path)["MokinysmMetams"]

    # Then she appears under keyed hashes of her public id, with her birth year only
    assert row["asm_kodas"] == pseudonym("person", person.public_id)
    assert re.fullmatch(r"[0-9a-f]{64}", row["asm_kodas"])
    assert row["vardas_pavarde"] == pseudonym("name", person.public_id)
    assert row["vardas_pavarde"] != row["asm_kodas"]
    assert row["iraso_id"] == pseudonym("enrolment", enrolment.public_id)
    assert row["gimimo_metai"] == "2011"
    # and sex and origin in the manifest's values
    model = SPEC[PUPILS].get_model("MokinysmMetams")
    assert row["lytis"] == "M"
    assert row["lytis"] in model.get_property("lytis").enum_values
    assert row["kilme"] == "Užsienio valstybė"
    assert row["kilme"] in model.get_property("kilme").enum_values
    # and the school, the class and the dates of the school year
    assert row["inst_kodas"] == school.jar_code
    assert row["inst_pavadinimas_lt"] == "Vilniaus „Žiburio“ gimnazija"
    assert row["inst_tipas"] == "Gimnazija"
    assert row["inst_savivaldybe"] == school.municipality.name_lt
    assert row["inst_apsk_pav"] == "Vilniaus apskritis"
    assert row["mokymo_tipas"] == "Pagrindinis ugdymas"
    assert row["mokymosi_organizavimo_budas"] == "Kasdienis"
    assert row["mokomoji_kalba"] == "Lietuvių"
    assert row["klase_tipas"] == "Bendroji"
    assert row["klase_pakopa_pav"] == "I gimnazijos klasė"
    assert row["klase_nr"] == "Ia"
    assert row["irasas_galioja_nuo"] == SEPT_1.isoformat()
    assert row["irasas_galioja_iki"] == ""
    assert row["einam_mokslo_metupradzia"] == SEPT_1.isoformat()
    assert row["einam_mokslo_metupabaiga"] == f"{THIS_YEAR + 1}-08-31"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", row["duomenu_atnaujinimo_data"]
    )


def test_the_pseudonym_is_stable_across_exports_and_changes_with_the_key(
    tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    # Given a pupil, exported twice with the same key
    enrol(pupil(dt.date(2013, 8, 8)), general_class(InstitutionFactory(), "7a", "7"))
    first = export(PUPILS, tmp_path / "first")["MokinysmMetams"][0]
    again = export(PUPILS, tmp_path / "again")["MokinysmMetams"][0]

    # When the key is changed
    settings.OPEN_DATA_PSEUDONYM_KEY = "another-key-of-at-least-thirty-two-characters"  # type: ignore[attr-defined]
    other = export(PUPILS, tmp_path / "other")["MokinysmMetams"][0]

    # Then the same key gave the same pseudonyms, and the new key gives different ones
    columns = ("iraso_id", "asm_kodas", "vardas_pavarde")
    assert [first[c] for c in columns] == [again[c] for c in columns]
    for column in columns:
        assert other[column] != first[column]


def test_only_enrolments_valid_in_the_current_school_year_are_published(tmp_path: Path) -> None:
    # Given a pupil who finished last year's class on the last day of the school year, one who
    # left during this year, and one in a club
    school = InstitutionFactory()
    finished, departed, clubbed = (pupil(dt.date(2012, 2, d)) for d in (1, 2, 3))
    reason, _ = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="completed",
        defaults={"name_lt": "Baigė ugdymo programą", "name_en": "Completed"},
    )
    old = enrol(finished, general_class(school, "8a", "8", year=THIS_YEAR - 1), on=LAST_SEPT_1)
    services.pupil_depart(actor=SYSTEM, enrolment=old, on=SEPT_1, reason=reason)
    gone = enrol(departed, general_class(school, "Ib", "9"))
    services.pupil_depart(
        actor=SYSTEM, enrolment=gone, on=SEPT_1 + dt.timedelta(days=1), reason=reason
    )
    club = services.group_create(
        actor=SYSTEM, institution=school, school_year=THIS_YEAR, name="Choras", kind=GroupKind.CLUB
    )
    enrol(clubbed, club)

    # When the pupils dataset is exported
    rows = export(PUPILS, tmp_path)["MokinysmMetams"]

    # Then last year's enrolment (its last day was 31 August) is not there; this year's are,
    # with the last day of the one that ended
    by_person = {row["asm_kodas"]: row for row in rows}
    assert pseudonym("person", finished.public_id) not in by_person
    ended = by_person[pseudonym("person", departed.public_id)]
    assert ended["irasas_galioja_iki"] == SEPT_1.isoformat()
    in_club = by_person[pseudonym("person", clubbed.public_id)]
    assert in_club["mokymo_tipas"] == "Neformalusis švietimas (būrelis)"
    assert in_club["klase_pakopa_pav"] == ""


# --- Gymnasium counts -----------------------------------------------------------------------


def test_gymnasium_counts_by_year_sex_and_band_with_small_counts_suppressed(
    tmp_path: Path,
) -> None:
    # Given a gymnasium with 6 girls in class I and 2 boys in class III this year, and 7 boys
    # in class II last year; and a progymnasium, which is not counted
    gymnasium = InstitutionFactory()
    first, third = general_class(gymnasium, "Ia", "9"), general_class(gymnasium, "IIIa", "11")
    for day in range(1, 7):
        enrol(pupil(dt.date(2011, 4, day), male=False), first)
    for day in range(1, 3):
        enrol(pupil(dt.date(2009, 4, day)), third)
    second_last_year = general_class(gymnasium, "IIa", "10", year=THIS_YEAR - 1)
    for day in range(1, 8):
        enrol(pupil(dt.date(2009, 7, day)), second_last_year, on=LAST_SEPT_1)
    progymnasium = InstitutionFactory(
        main_type=ClassifierValue.objects.get(
            classifier__code="institution-type", code="progymnasium"
        )
    )
    enrol(pupil(dt.date(2015, 1, 1)), general_class(progymnasium, "5a", "5"))

    # When the counts are exported
    rows = export(GYMNASIUM_COUNTS, tmp_path)["MokSkaicius"]

    # Then there is one row per gymnasium and school year, the oldest first
    assert [(r["mokslo_metai_pavadinimas"], r["jungtinis_kodas"]) for r in rows] == [
        (f"{THIS_YEAR - 1}-{THIS_YEAR}", gymnasium.jar_code),
        (f"{THIS_YEAR}-{THIS_YEAR + 1}", gymnasium.jar_code),
    ]
    last_year, this_year = rows
    assert last_year["mokiniu_sk_viso"] == "7"
    # (no girls: 0 is below 5, so the boys' count, the total minus 0, is left empty as well)
    assert last_year["m_mokiniu_sk"] == last_year["v_mokiniu_sk"] == ""
    assert last_year["nuo_9_iki_10_klases_mokiniu_sk"] == "7"
    # and counts below 5 are left empty, with the girls' count too, since the boys' would
    # otherwise be the total minus the girls
    assert this_year["mokiniu_sk_viso"] == "8"
    assert this_year["v_mokiniu_sk"] == ""
    assert this_year["m_mokiniu_sk"] == ""
    assert this_year["nuo_9_iki_10_klases_mokiniu_sk"] == "6"
    assert this_year["nuo_11_iki_12_klases_mokiniu_sk"] == ""
    assert this_year["nuo_1_iki_4_klases_mokiniu_sk"] == ""
    assert this_year["mokslo_metai_pradzios_data"] == SEPT_1.isoformat()
    assert this_year["mokslo_metai_pabaigos_data"] == f"{THIS_YEAR + 1}-08-31"
    assert this_year["ins_pagr_tipas"] == "Gimnazija"
    assert this_year["institucijos_kodas"] == gymnasium.jar_code
    assert this_year["institucijos_pavadinimas"] == gymnasium.name_lt
    assert this_year["padalinys_kodas"] == this_year["padalinys_pavadinimas"] == ""
    assert this_year["paskutinis_atnaujinimas"] == timezone.localdate().isoformat()
    assert this_year["vda_id"] != last_year["vda_id"]


def test_a_gymnasium_branch_is_counted_under_its_own_code_and_its_parent_name(
    tmp_path: Path,
) -> None:
    parent = InstitutionFactory()
    branch = InstitutionFactory(
        kind=InstitutionKind.BRANCH,
        parent=parent,
        jar_code=parent.jar_code,
        branch_code=f"{parent.jar_code}001",
        name_lt="Vilniaus „Saulės“ gimnazijos Pilaitės skyrius",
    )
    group = general_class(branch, "Ia", "9")
    for day in range(1, 11):
        enrol(pupil(dt.date(2011, 8, day), male=day % 2 == 0), group)

    (row,) = export(GYMNASIUM_COUNTS, tmp_path)["MokSkaicius"]

    assert row["institucijos_kodas"] == parent.jar_code
    assert row["institucijos_pavadinimas"] == parent.name_lt
    assert row["padalinys_kodas"] == row["jungtinis_kodas"] == f"{parent.jar_code}001"
    assert row["padalinys_pavadinimas"] == "Vilniaus „Saulės“ gimnazijos Pilaitės skyrius"
    assert (row["mokiniu_sk_viso"], row["m_mokiniu_sk"], row["v_mokiniu_sk"]) == ("10", "5", "5")


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        # nothing small: all published
        ({"a": 5, "b": 9}, {"a": 5, "b": 9}),
        # one small cell: the smallest other one goes too
        ({"a": 4, "b": 9, "c": 7}, {"a": None, "b": 9, "c": None}),
        # two small cells already hide each other
        ({"a": 0, "b": 3, "c": 7}, {"a": None, "b": None, "c": 7}),
    ],
)
def test_small_counts_are_suppressed_so_that_they_cannot_be_worked_out(
    counts: dict[str, int], published: dict[str, int | None]
) -> None:
    assert suppress_counts(counts, [list(counts)]) == published

"""Student Register open data: interruptions and terminations under pseudonyms, with merged
interruption periods; students per programme and year with small counts suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person, Sex
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.programmes.models import Programme
from edureg.programmes.tests.factories import registered_study_programme
from edureg.statistics.opendata.manifest import MANIFEST_DIR, load_datasets
from edureg.statistics.opendata.mr import pseudonym
from edureg.statistics.opendata.sr import DATASET as SR
from edureg.statistics.opendata.sr import RECORD, STUDENT, STUDY_RIGHT
from edureg.students.models import Graduation, StatusPeriod, StudyRight, StudyStatus

pytestmark = pytest.mark.django_db

SHARED_MANIFESTS = Path(__file__).resolve().parents[4] / "shared" / "reference" / "open-data"
SPEC_DIR = SHARED_MANIFESTS if SHARED_MANIFESTS.is_dir() else MANIFEST_DIR
SPEC = load_datasets(SPEC_DIR)
SMPKR = "datasets/gov/nsa/smpkr/studiju_mokymu_programu_duomenys"

D = dt.date
THIS_YEAR = timezone.localdate().year
STUDYING = StudyStatus.STUDYING
INTERRUPTED = StudyStatus.INTERRUPTED
TERMINATED = StudyStatus.TERMINATED
GRADUATED = StudyStatus.GRADUATED

# One dated period of a study right: (status, from, to, reason codes, course returned to).
Spec = tuple[str, dt.date, dt.date | None, tuple[str, ...], int | None]


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


def reason(code: str) -> ClassifierValue:
    return ClassifierValue.objects.get(classifier__code="study-termination-reason", code=code)


def student(born: dt.date, *, male: bool = True, **names: str) -> Person:
    person: Person = PersonFactory(  # type: ignore[assignment]  # factory_boy's create
        personal_code=personal_code(born, male=male),
        birth_date=born,
        sex=Sex.MALE if male else Sex.FEMALE,
        **names,
    )
    return person


def study_right(
    person: Person,
    programme: Programme,
    periods: list[Spec],
    *,
    graduated_on: dt.date | None = None,
    expected_end: dt.date | None = None,
) -> StudyRight:
    """A study right with its status history, written as the services leave it."""
    last_status = periods[-1][0]
    right = StudyRight.objects.create(
        person=person,
        institution=programme.provider,
        programme=programme,
        cycle="bachelor",
        form="full_time",
        started_on=periods[0][1],
        expected_end=expected_end,
        status=last_status,
        ended_on=periods[-1][1] if last_status in (TERMINATED, GRADUATED) else None,
    )
    for status, valid_from, valid_to, reasons, course in periods:
        period = StatusPeriod.objects.create(
            study_right=right,
            status=status,
            valid_from=valid_from,
            valid_to=valid_to,
            course=course,
        )
        period.reasons.set([reason(code) for code in reasons])
    if graduated_on is not None:
        Graduation.objects.create(study_right=right, graduated_on=graduated_on, degree="bakalauras")
    return right


def hei(**fields: object) -> Institution:
    institution: Institution = InstitutionFactory(**fields)  # type: ignore[assignment]
    return institution


# --- Structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", [SR, SMPKR])
def test_the_files_and_their_headers_are_exactly_the_manifests(
    dataset: str, tmp_path: Path
) -> None:
    # Given a student who interrupted and came back
    programme = registered_study_programme(hei())
    study_right(
        student(D(2001, 5, 1)),
        programme,
        [
            (STUDYING, D(2020, 9, 1), D(2021, 2, 1), (), None),
            (INTERRUPTED, D(2021, 2, 1), D(2021, 9, 1), ("own-request",), None),
            (STUDYING, D(2021, 9, 1), None, (), 2),
        ],
    )

    # When the dataset is exported
    tables = export(dataset, tmp_path)

    # Then there is one file per model, headed by the manifest's properties in its order
    spec = SPEC[dataset]
    assert headers(tmp_path) == {model.name: model.property_names for model in spec.models}
    assert tables["Pertraukimas" if dataset == SR else "ProgramosStudentas"]


# --- Interruptions and terminations ---------------------------------------------------------


def test_interruptions_with_no_day_between_them_are_one_row_with_every_reason(
    tmp_path: Path,
) -> None:
    # Given the manifest's example: interrupted 2021-09-04 – 2022-01-30, then again
    # 2022-01-31 – 2022-09-01 for other reasons, back in the second course on 2022-09-02
    school = hei(name_lt="Vilniaus universitetas")
    programme = registered_study_programme(school)
    person = student(D(2002, 7, 19), male=False)
    right = study_right(
        person,
        programme,
        [
            (STUDYING, D(2020, 9, 1), D(2021, 9, 4), (), None),
            (INTERRUPTED, D(2021, 9, 4), D(2022, 1, 31), ("not-paying",), None),
            (INTERRUPTED, D(2022, 1, 31), D(2022, 9, 2), ("own-request", "academic-debt"), None),
            (STUDYING, D(2022, 9, 2), None, (), 2),
        ],
        expected_end=D(2025, 6, 30),
    )

    # When the dataset is exported
    (row,) = export(SR, tmp_path)["Pertraukimas"]

    # Then one interruption is published, from the first start to the return, with all reasons
    assert row["etapas"] == "pertraukimas"
    assert row["etapo_pradz_data"] == "2021-09-04"
    assert row["grizimo_data"] == "2022-09-02"
    assert row["kursas_i_kuri_grizo"] == "2"
    assert row["nutr_pert_priezastis"] == "; ".join(
        reason(code).name_lt for code in ("academic-debt", "not-paying", "own-request")
    )
    # under the pseudonyms of the student and the study right, with the birth year only
    assert row["st_id"] == pseudonym(STUDENT, person.public_id)
    assert row["studento_stud_id"] == pseudonym(STUDY_RIGHT, right.public_id)
    assert row["iraso_id"] == pseudonym(RECORD, f"{right.public_id}:pertraukimas:2021-09-04")
    assert len({row["st_id"], row["studento_stud_id"], row["iraso_id"]}) == 3
    assert row["studento_gimmetai"] == "2002"
    assert row["studento_lytis"] == "Moteris"
    # and the studies they belong to
    assert row["std_pakopos_pav"] == "bakalauras"
    assert row["prg_stud_sritis_pav"] == "Informatika"
    assert row["std_studiju_pradzia"] == "2020-09-01"
    assert row["std_numatoma_stud_pabaiga"] == "2025-06-30"
    assert row["stud_baigimo_data"] == ""


def test_a_day_of_studies_keeps_interruptions_apart_and_a_termination_is_its_own_stage(
    tmp_path: Path,
) -> None:
    # Given a student back for one day between two interruptions, the second ended by a
    # termination for two reasons
    programme = registered_study_programme(hei())
    right = study_right(
        student(D(2000, 1, 2)),
        programme,
        [
            (STUDYING, D(2019, 9, 1), D(2021, 2, 1), (), None),
            (INTERRUPTED, D(2021, 2, 1), D(2021, 6, 1), ("own-request",), None),
            (STUDYING, D(2021, 6, 1), D(2021, 6, 2), (), 1),
            (INTERRUPTED, D(2021, 6, 2), D(2022, 3, 1), ("not-paying",), None),
            (TERMINATED, D(2022, 3, 1), None, ("no-return", "not-paying"), None),
        ],
    )

    # When the dataset is exported
    rows = export(SR, tmp_path)["Pertraukimas"]

    # Then each interruption and the termination are published in date order
    assert [
        (r["etapas"], r["etapo_pradz_data"], r["grizimo_data"], r["kursas_i_kuri_grizo"])
        for r in rows
    ] == [
        ("pertraukimas", "2021-02-01", "2021-06-01", "1"),
        # closed by the termination: no return
        ("pertraukimas", "2021-06-02", "", ""),
        ("nutraukimas", "2022-03-01", "", ""),
    ]
    assert rows[2]["nutr_pert_priezastis"] == "; ".join(
        [reason("no-return").name_lt, reason("not-paying").name_lt]
    )
    assert {r["studento_stud_id"] for r in rows} == {pseudonym(STUDY_RIGHT, right.public_id)}
    assert len({r["iraso_id"] for r in rows}) == 3


def test_a_student_who_never_interrupted_is_not_in_the_interruptions(tmp_path: Path) -> None:
    programme = registered_study_programme(hei())
    study_right(
        student(D(1999, 3, 3)),
        programme,
        [
            (STUDYING, D(2018, 9, 1), D(2022, 6, 30), (), None),
            (GRADUATED, D(2022, 6, 30), None, (), None),
        ],
        graduated_on=D(2022, 6, 30),
    )

    assert export(SR, tmp_path)["Pertraukimas"] == []


def test_no_personal_code_name_or_public_id_is_published(tmp_path: Path) -> None:
    # Given interrupted and terminated students with known codes and names
    programme = registered_study_programme(hei())
    people = [
        student(D(2001, 1, 15), given_names="Ąžuolas", family_name="Kazlauskas"),
        student(D(2002, 6, 30), male=False, given_names="Liepa", family_name="Mažeikaitė"),
    ]
    rights = [
        study_right(
            person,
            programme,
            [
                (STUDYING, D(2020, 9, 1), D(2021, 2, 1), (), None),
                (INTERRUPTED, D(2021, 2, 1), D(2021, 9, 1), ("own-request",), None),
                (TERMINATED, D(2021, 9, 1), None, ("no-return",), None),
            ],
            graduated_on=None,
        )
        for person in people
    ]

    # When both datasets fed by the Student Register are exported
    export(SR, tmp_path / "sr")
    export(SMPKR, tmp_path / "smpkr")

    # Then no file holds a personal code, a name, a public id or a full birth date
    written = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(tmp_path.glob("*/*.csv"))
    )
    assert "nutraukimas" in written
    for person in people:
        assert person.personal_code and person.personal_code not in written
        assert person.given_names not in written
        assert person.family_name not in written
        assert str(person.public_id) not in written
        assert person.birth_date.isoformat() not in written
    for right in rights:
        assert str(right.public_id) not in written
    assert not re.search(r"\b[3-6]\d{10}\b", written)


def interrupted_once(programme: Programme, born: dt.date) -> StudyRight:
    return study_right(
        student(born),
        programme,
        [
            (STUDYING, D(2020, 9, 1), D(2021, 2, 1), (), None),
            (INTERRUPTED, D(2021, 2, 1), D(2021, 9, 1), ("own-request", "academic-debt"), None),
            (STUDYING, D(2021, 9, 1), None, (), 2),
        ],
    )


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_students(
    tmp_path: Path,
) -> None:
    interrupted_once(registered_study_programme(hei()), D(2001, 1, 1))
    with CaptureQueriesContext(connection) as one:
        export(SR, tmp_path / "one")
    for n in range(3):
        interrupted_once(registered_study_programme(hei()), D(2001, 2, 1 + n))
    with CaptureQueriesContext(connection) as four:
        tables = export(SR, tmp_path / "four")

    assert len(tables["Pertraukimas"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# --- Students per programme and year --------------------------------------------------------


def direct_count_studied(programme: Programme, year: int) -> int:
    return (
        StatusPeriod.objects.filter(
            status=STUDYING,
            study_right__programme=programme,
            study_right__institution=programme.provider,
            valid_from__lte=D(year, 12, 31),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=D(year, 1, 1)))
        .values("study_right__person")
        .distinct()
        .count()
    )


def direct_count_graduated(programme: Programme, year: int) -> int:
    return (
        Graduation.objects.filter(study_right__programme=programme, graduated_on__year=year)
        .values("study_right__person")
        .distinct()
        .count()
    )


def test_students_per_programme_and_year_agree_with_a_direct_count(tmp_path: Path) -> None:
    # Given a large programme: seven students from 2020, six of them graduating in 2024
    # (one after an interruption through 2021), one still studying
    large = registered_study_programme(hei(), name_lt="Informatika")
    for n in range(6):
        periods: list[Spec] = [(STUDYING, D(2020, 9, 1), D(2024, 6, 28), (), None)]
        if n == 0:
            periods = [
                (STUDYING, D(2020, 9, 1), D(2021, 1, 1), (), None),
                (INTERRUPTED, D(2021, 1, 1), D(2022, 1, 1), ("own-request",), None),
                (STUDYING, D(2022, 1, 1), D(2024, 6, 28), (), 2),
            ]
        study_right(
            student(D(2001, 1, 1 + n)),
            large,
            [*periods, (GRADUATED, D(2024, 6, 28), None, (), None)],
            graduated_on=D(2024, 6, 28),
        )
    study_right(student(D(2001, 2, 1)), large, [(STUDYING, D(2020, 9, 1), None, (), None)])
    # and a small programme elsewhere: two students in 2023
    small = registered_study_programme(hei(), name_lt="Fizika")
    for n in range(2):
        study_right(
            student(D(2003, 3, 1 + n)), small, [(STUDYING, D(2023, 2, 1), D(2023, 9, 1), (), None)]
        )

    # When the programmes dataset is exported
    rows = export(SMPKR, tmp_path)["ProgramosStudentas"]

    # Then every row's counts are the database's (counts below 5 left empty)
    def published(count: int) -> str:
        return str(count) if count >= 5 else ""

    by_key: dict[tuple[str | None, str, str], dict[str, str]] = {
        (r["prg_valst_kodas"], r["inst_kodas"], r["metai"]): r for r in rows
    }
    assert len(by_key) == len(rows)
    for programme in (large, small):
        for year in range(2020, THIS_YEAR + 1):
            studied = direct_count_studied(programme, year)
            graduated = direct_count_graduated(programme, year)
            key = (programme.state_code, programme.provider.jar_code, f"{year}-01-01")
            if not studied and not graduated:
                assert key not in by_key
                continue
            assert by_key[key]["stud_studijav"] == published(studied)
            assert by_key[key]["stud_baige"] == published(graduated)
    # and the numbers are those of the story above: the student interrupted through 2021 did
    # not study in it, everyone else studied every year until graduating
    large_code, large_jar = large.state_code, large.provider.jar_code
    assert by_key[(large_code, large_jar, "2020-01-01")]["stud_studijav"] == "7"
    assert by_key[(large_code, large_jar, "2021-01-01")]["stud_studijav"] == "6"
    assert by_key[(large_code, large_jar, "2024-01-01")]["stud_studijav"] == "7"
    assert by_key[(large_code, large_jar, "2024-01-01")]["stud_baige"] == "6"
    # the one still studying is counted every year up to this one, but below 5
    assert by_key[(large_code, large_jar, f"{THIS_YEAR}-01-01")]["stud_studijav"] == ""
    small_row = by_key[(small.state_code, small.provider.jar_code, "2023-01-01")]
    assert (small_row["stud_studijav"], small_row["stud_baige"]) == ("", "")
    assert len(rows) == len(range(2020, THIS_YEAR + 1)) + 1

"""`export_open_data`: the agency's open datasets written by their manifests.

The manifests under shared/reference/open-data are the specification when that directory is
next to the repository; elsewhere (a release tarball) the app's own copy stands in for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from edureg.core.context import Actor, acting_as
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes import services
from edureg.programmes.models import Accreditation, Programme
from edureg.programmes.tests.factories import draft_study_programme, registered_study_programme
from edureg.statistics.opendata import nvs, registry
from edureg.statistics.opendata.common import provider_code
from edureg.statistics.opendata.export import ExportError, format_row, format_value
from edureg.statistics.opendata.manifest import MANIFEST_DIR, Property, load_datasets

pytestmark = pytest.mark.django_db

SHARED_MANIFESTS = Path(__file__).resolve().parents[4] / "shared" / "reference" / "open-data"
SPEC_DIR = SHARED_MANIFESTS if SHARED_MANIFESTS.is_dir() else MANIFEST_DIR
SPEC = load_datasets(SPEC_DIR)

SMPKR = "datasets/gov/nsa/smpkr/studiju_mokymu_programu_duomenys"
NVS = "datasets/gov/nsa/nspr/neformaliojo_vaiku_svietimo_programos"
SYSTEM = Actor.system("tests")
ISO_DATETIME_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")


def export(dataset: str, out: Path) -> tuple[dict[str, list[dict[str, str]]], str]:
    """Run the command; return each file's rows (by model) and what it printed."""
    stdout = io.StringIO()
    call_command("export_open_data", dataset, "--out", str(out), stdout=stdout)
    tables = {}
    for path in sorted(out.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            tables[path.stem] = list(csv.DictReader(handle))
    return tables, stdout.getvalue()


def headers(out: Path) -> dict[str, list[str]]:
    result = {}
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            result[path.stem] = next(csv.reader(handle))
    return result


def classifier(code_list: str, code: str) -> ClassifierValue:
    return ClassifierValue.objects.get(classifier__code=code_list, code=code)


def registered_nvs_programme(name_lt: str = "Smuikavimo studija", **fields: object) -> Programme:
    programme = services.programme_draft_create(
        actor=SYSTEM,
        provider=InstitutionFactory(),
        kind="nvs",
        name_lt=name_lt,
        nvs_direction=classifier("nvs-direction", "music"),
        hours=72,
        **fields,
    )
    services.programme_submit(actor=SYSTEM, programme=programme)
    return services.programme_register(actor=SYSTEM, programme=programme)


# --- Structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", [SMPKR, NVS])
def test_every_model_gets_one_file_whose_header_is_the_manifest_property_list(
    dataset: str, tmp_path: Path
) -> None:
    # Given a study programme and an NVŠ programme in the register
    registered_study_programme(InstitutionFactory())
    registered_nvs_programme()

    # When the dataset is exported
    export(dataset, tmp_path)

    # Then there is exactly one file per model, headed by its properties in manifest order
    spec = SPEC[dataset]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{model.name}.csv" for model in spec.models
    )
    assert headers(tmp_path) == {model.name: model.property_names for model in spec.models}


def test_every_table_of_every_bundled_manifest_has_a_producer() -> None:
    # No table is left header-only: each is produced from the registers (what edureg cannot
    # hold is published empty column by column, docs/statistics.md).
    produced = set(registry.registered())
    for name, dataset in SPEC.items():
        for model in dataset.models:
            assert (name, model.name) in produced, f"{name} {model.name}"


@pytest.mark.parametrize("dataset", [SMPKR, NVS])
def test_the_export_reports_the_rows_of_each_table(dataset: str, tmp_path: Path) -> None:
    registered_study_programme(InstitutionFactory())
    registered_nvs_programme()

    tables, printed = export(dataset, tmp_path)

    for model in SPEC[dataset].models:
        assert f"{model.name}.csv: {len(tables[model.name])} rows\n" in printed
        assert "header only" not in printed


def test_the_files_are_utf8_without_a_byte_order_mark(tmp_path: Path) -> None:
    registered_study_programme(InstitutionFactory(name_lt="Šiaulių „Žiburio“ kolegija"))

    export(SMPKR, tmp_path)

    raw = (tmp_path / "StudijuPrograma.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "Šiaulių „Žiburio“ kolegija" in raw.decode("utf-8")


def test_every_registered_mapping_names_a_model_of_the_manifests() -> None:
    # A producer registered under a misspelt model would silently never run.
    for dataset, model in registry.registered():
        assert SPEC[dataset].get_model(model)


def test_the_app_ships_manifests_identical_to_the_shared_ones() -> None:
    if not SHARED_MANIFESTS.is_dir():
        pytest.skip("shared/reference/open-data is not next to this checkout")
    shared = {path.name: path.read_bytes() for path in SHARED_MANIFESTS.glob("*.csv")}
    bundled = {path.name: path.read_bytes() for path in MANIFEST_DIR.glob("*.csv")}
    assert len(shared) == 7
    assert bundled == shared


# --- SMPKR ----------------------------------------------------------------------------------


def test_a_registered_study_programme_is_published_with_its_register_data(
    tmp_path: Path,
) -> None:
    # Given a registered study programme of a gymnasium-typed provider
    provider = InstitutionFactory(address="Gedimino pr. 1, Vilnius")
    programme = registered_study_programme(provider, study_subfield="Programų inžinerija")
    programme.refresh_from_db()

    # When SMPKR is exported
    tables, _ = export(SMPKR, tmp_path)

    # Then its row carries the state code, formatted dates and numbers and both languages
    (row,) = tables["StudijuPrograma"]
    assert row["vda_prime_key"] == str(programme.public_id)
    assert row["prg_valst_kodas"] == programme.state_code
    assert re.fullmatch(r"6121BX\d{3}", row["prg_valst_kodas"])
    assert row["prg_isced_kodas"] == "6"
    assert (row["prg_pavad_lt"], row["prg_pavad_en"]) == ("Informatika", "Informatics")
    assert (row["prg_lygmuo_lt"], row["prg_lygmuo_en"]) == (
        "Bakalauras arba lygiavertis",
        "Bachelor's or equivalent",
    )
    assert (row["stud_tipas_lt"], row["stud_tipas_en"]) == (
        "universitetinės studijos",
        "university studies",
    )
    assert (row["stud_pakopa_lt"], row["stud_pakopa_en"]) == ("bakalauras", "bachelor")
    assert row["prg_apimtis_kred"] == "240"
    assert (row["teik_issilav_lt"], row["teik_issilav_en"]) == (
        "Informatikos bakalauras",
        "Bachelor of Informatics",
    )
    assert (row["stud_sritis_lt"], row["stud_sritis_en"]) == ("Informatika", "Informatics")
    assert row["stud_posritis_lt"] == "Programų inžinerija"
    assert row["prg_ireg_data"] == programme.registered_on.isoformat()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["prg_ireg_data"])
    assert row["prg_isreg_data"] == ""
    assert row["prg_isreg_priezast_lt"] == ""
    assert row["prg_reg_inst_lt"] == provider.name_lt
    assert row["prg_reg_inst_en"] == provider.name_en
    assert row["prg_reg_inst_kodas"] == provider.jar_code
    assert row["prg_reg_inst_kodo_tipas"] == "LT JAR kodas"
    assert row["prg_reg_inst_tipas"] == "Gimnazija"
    assert row["prg_reg_inst_adr"] == "Gedimino pr. 1, Vilnius"
    today = timezone.localdate().isoformat()
    assert row["prg_paskut_kitimas"] == today
    assert row["duom_paskut_redag"] == timezone.localdate(programme.updated_at).isoformat()


def test_fractional_credits_are_written_with_a_decimal_point(tmp_path: Path) -> None:
    programme = draft_study_programme(InstitutionFactory(), credits=Decimal("187.5"))
    services.programme_submit(actor=SYSTEM, programme=programme)
    services.programme_register(actor=SYSTEM, programme=programme)

    tables, _ = export(SMPKR, tmp_path)

    assert tables["StudijuPrograma"][0]["prg_apimtis_kred"] == "187.5"


def test_a_deregistered_programme_stays_published_with_its_dates_and_reason(
    tmp_path: Path,
) -> None:
    programme = draft_study_programme(InstitutionFactory())
    services.programme_submit(actor=SYSTEM, programme=programme)
    services.programme_register(actor=SYSTEM, programme=programme, on=dt.date(2019, 9, 1))
    services.programme_deregister(
        actor=SYSTEM,
        programme=programme,
        reason=classifier("programme-deregistration-reason", "not-accredited"),
        on=dt.date(2024, 6, 30),
    )

    tables, _ = export(SMPKR, tmp_path)

    (row,) = tables["StudijuPrograma"]
    assert row["prg_ireg_data"] == "2019-09-01"
    assert row["prg_isreg_data"] == "2024-06-30"
    assert row["prg_isreg_priezast_lt"] == "Programa neakredituota"


def test_drafts_submissions_and_unregistered_changes_are_never_published(tmp_path: Path) -> None:
    # Given a draft, a submitted programme, and a registered one with a change in the works
    provider = InstitutionFactory()
    draft = draft_study_programme(provider, name_lt="Juodraštis")
    submitted = draft_study_programme(provider, name_lt="Pateikta")
    services.programme_submit(actor=SYSTEM, programme=submitted)
    registered = registered_study_programme(provider)
    services.programme_change_start(actor=SYSTEM, programme=registered)
    services.programme_draft_update(
        actor=SYSTEM, programme=registered, name_lt="Nepatvirtintas pakeitimas"
    )
    with acting_as(SYSTEM):
        Accreditation.objects.create(
            programme=draft, decision="Akredituota", decided_on=dt.date(2023, 1, 1)
        )

    # When SMPKR is exported
    tables, _ = export(SMPKR, tmp_path)

    # Then only the registered programme appears, with the content the registrar registered
    (row,) = tables["StudijuPrograma"]
    assert row["vda_prime_key"] == str(registered.public_id)
    assert row["prg_pavad_lt"] == "Informatika"
    published = (tmp_path / "StudijuPrograma.csv").read_text(encoding="utf-8")
    for hidden in (draft, submitted):
        assert str(hidden.public_id) not in published
    for text in ("Juodraštis", "Pateikta", "Nepatvirtintas pakeitimas"):
        assert text not in published
    assert tables["ProgramosAkreditacija"] == []


def test_nvs_programmes_are_not_in_the_study_dataset(tmp_path: Path) -> None:
    registered_nvs_programme()

    tables, _ = export(SMPKR, tmp_path)

    assert tables["StudijuPrograma"] == []


def test_an_accreditation_gives_one_row_per_criterion_with_stable_keys(tmp_path: Path) -> None:
    # Given an accreditation with two scored criteria and one without scores
    programme = registered_study_programme(InstitutionFactory())
    with acting_as(SYSTEM):
        Accreditation.objects.create(
            programme=programme,
            decision="Akredituota 7 metams",
            decided_on=dt.date(2023, 5, 10),
            valid_until=dt.date(2030, 5, 9),
            scores={"Studijų tikslai ir rezultatai": 4, "Ištekliai": 3.5},
        )
        Accreditation.objects.create(
            programme=programme, decision="Akredituota 3 metams", decided_on=dt.date(2016, 1, 4)
        )

    # When SMPKR is exported twice
    first, _ = export(SMPKR, tmp_path / "first")
    second, _ = export(SMPKR, tmp_path / "second")

    # Then each criterion has its row, dates are days, and keys do not change between runs
    rows = first["ProgramosAkreditacija"]
    assert [
        (r["akred_data"], r["akred_ivert_kriterijus_lt"], r["akred_ivert_balas"]) for r in rows
    ] == [
        ("2016-01-04", "", ""),
        ("2023-05-10", "Ištekliai", "3.5"),
        ("2023-05-10", "Studijų tikslai ir rezultatai", "4"),
    ]
    assert {r["prg_valst_kodas"] for r in rows} == {programme.state_code}
    assert {r["inst_kodas"] for r in rows} == {programme.provider.jar_code}
    assert {r["prg_isced_kodas"] for r in rows} == {"6"}
    assert rows[1]["akred_terminas"] == "2030-05-09"
    assert rows[0]["akred_terminas"] == ""
    assert rows[0]["balo_paskut_redagav"] == ""
    assert rows[1]["balo_paskut_redagav"] == timezone.localdate().isoformat()
    keys = [r["vda_prime_key"] for r in rows]
    assert len(set(keys)) == 3
    assert [r["vda_prime_key"] for r in second["ProgramosAkreditacija"]] == keys


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_programmes(
    tmp_path: Path,
) -> None:
    provider = InstitutionFactory()
    registered_study_programme(provider)
    with CaptureQueriesContext(connection) as one:
        export(SMPKR, tmp_path / "one")
    for _ in range(3):
        registered_study_programme(provider)
    with CaptureQueriesContext(connection) as four:
        tables, _ = export(SMPKR, tmp_path / "four")

    assert len(tables["StudijuPrograma"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


# --- NVŠ ------------------------------------------------------------------------------------


def test_a_registered_nvs_programme_is_published_with_its_code_direction_and_provider(
    tmp_path: Path,
) -> None:
    programme = registered_nvs_programme(
        name_en="Violin studio", nvs_subdirection=classifier("nvs-subdirection", "instrumental")
    )
    programme.refresh_from_db()
    provider = programme.provider

    tables, _ = export(NVS, tmp_path)

    (row,) = tables["Programa"]
    assert row["prg_kodas"] == programme.state_code
    assert re.fullmatch(r"N\d{8}", row["prg_kodas"])
    assert row["vda_prime_key"] == row["programos_id"] == str(programme.public_id)
    assert (row["prg_pavad_lt"], row["prg_pavad_en"]) == ("Smuikavimo studija", "Violin studio")
    assert (row["prg_kryptis_lt"], row["prg_kryptis_en"]) == ("Muzika", "Music")
    assert (row["prg_pakraipa_lt"], row["prg_pakraipa_en"]) == (
        "Instrumentinė muzika",
        "Instrumental music",
    )
    assert row["prg_ireg_data"] == programme.registered_on.isoformat()
    assert row["prg_isreg_data"] == row["prg_isreg_priezast_lt"] == ""
    assert (row["prg_teikejas_lt"], row["prg_teikejas_en"]) == (provider.name_lt, provider.name_en)
    assert row["prg_teikejo_kodas"] == provider.jar_code
    assert row["prg_teikejo_kodo_tipas"] == "LT JAR kodas"
    assert row["prg_teikejo_tipas"] == "Gimnazija"
    assert row["prg_paskut_kitimas"] == timezone.localdate().isoformat()
    # datetime with ref L: ISO 8601 to the millisecond, with the offset of Vilnius time
    assert ISO_DATETIME_MS.fullmatch(row["duom_paskut_redagav"])
    assert dt.datetime.fromisoformat(row["duom_paskut_redagav"]) == programme.updated_at.replace(
        microsecond=programme.updated_at.microsecond // 1000 * 1000
    )
    assert tables["Lankymas"] == []


@pytest.mark.parametrize(
    ("code", "lithuanian", "english"),
    [
        (
            "provider-request",
            "Programos teikėjo prašymu",
            "According to the program developer's request",
        ),
        (
            "not-delivered",
            "Nevykdant daugiau kaip dvejus metus",
            "Do not take place more than two years",
        ),
        (
            "registrar-decision",
            "Registro tvarkytojo sprendimu",
            "By Decision of the Register Manager",
        ),
        ("merged", "Prijungiant prie kitos programos", "Connected to the other program"),
    ],
)
def test_a_deregistered_nvs_programme_gives_the_reason_in_the_manifest_words(
    code: str, lithuanian: str, english: str, tmp_path: Path
) -> None:
    programme = registered_nvs_programme()
    services.programme_deregister(
        actor=SYSTEM,
        programme=programme,
        reason=classifier("programme-deregistration-reason", code),
        on=dt.date(2025, 1, 31),
    )

    tables, _ = export(NVS, tmp_path)

    (row,) = tables["Programa"]
    assert row["prg_isreg_data"] == "2025-01-31"
    assert (row["prg_isreg_priezast_lt"], row["prg_isreg_priezast_en"]) == (lithuanian, english)
    model = SPEC[NVS].get_model("Programa")
    assert lithuanian in model.get_property("prg_isreg_priezast_lt").enum_values
    assert english in model.get_property("prg_isreg_priezast_en").enum_values


def test_every_mapped_nvs_reason_is_an_enum_value_of_the_manifest() -> None:
    model = SPEC[NVS].get_model("Programa")
    allowed_lt = set(model.get_property("prg_isreg_priezast_lt").enum_values)
    allowed_en = set(model.get_property("prg_isreg_priezast_en").enum_values)
    for lithuanian, english in nvs.DEREGISTRATION_REASONS.values():
        assert lithuanian in allowed_lt
        assert english in allowed_en


def test_study_programmes_are_not_in_the_nvs_dataset(tmp_path: Path) -> None:
    registered_study_programme(InstitutionFactory())
    draft = services.programme_draft_create(
        actor=SYSTEM,
        provider=InstitutionFactory(),
        kind="nvs",
        name_lt="Neregistruota studija",
        nvs_direction=classifier("nvs-direction", "art"),
    )

    tables, _ = export(NVS, tmp_path)

    assert tables["Programa"] == []
    assert str(draft.public_id) not in (tmp_path / "Programa.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        ({"kind": "institution", "jar_code": "190000000"}, ("190000000", "LT JAR kodas")),
        (
            {"kind": "branch", "jar_code": "190000000", "branch_code": "190000000-2"},
            ("190000000-2", "Institucijos padalinio kodas"),
        ),
        # A free teacher has no legal-entity code, and a personal code is never published.
        ({"kind": "free_teacher", "jar_code": ""}, ("LM000123", "Kitas kodas")),
    ],
)
def test_a_provider_is_identified_by_the_code_the_manifest_expects(
    fields: dict[str, str], published: tuple[str, str]
) -> None:
    provider = Institution(register_id="LM000123", **fields)

    assert provider_code(provider) == published
    allowed = SPEC[NVS].get_model("Programa").get_property("prg_teikejo_kodo_tipas").enum_values
    assert published[1] in allowed


# --- Errors ---------------------------------------------------------------------------------


def test_an_unknown_dataset_fails_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command("export_open_data", "datasets/gov/nsa/nera", "--out", str(tmp_path))

    message = str(error.value)
    assert "unknown dataset 'datasets/gov/nsa/nera'" in message
    assert SMPKR in message
    assert NVS in message
    assert list(tmp_path.iterdir()) == []


def test_an_out_path_that_is_a_file_fails_clearly(tmp_path: Path) -> None:
    target = tmp_path / "not-a-directory"
    target.write_text("x", encoding="utf-8")

    with pytest.raises(CommandError, match="exists and is not a directory"):
        call_command("export_open_data", NVS, "--out", str(target))

    assert target.read_text(encoding="utf-8") == "x"


def test_an_out_directory_that_cannot_be_created_fails_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(CommandError, match="cannot create the directory"):
        call_command("export_open_data", NVS, "--out", str(blocker / "sub"))


def test_a_missing_out_directory_is_created(tmp_path: Path) -> None:
    tables, _ = export(NVS, tmp_path / "a" / "b")

    assert set(tables) == {"Programa", "Lankymas"}


# --- Formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "ref", "value", "text"),
    [
        ("date", "D", dt.date(2024, 9, 1), "2024-09-01"),
        ("date", "", dt.date(2024, 9, 1), "2024-09-01"),
        ("date", "Y", dt.date(2007, 3, 14), "2007"),
        ("date", "M", dt.date(2007, 3, 14), "2007-03"),
        # 22:30 UTC on 31 August is already 1 September in Vilnius
        ("date", "D", dt.datetime(2024, 8, 31, 22, 30, tzinfo=dt.UTC), "2024-09-01"),
        (
            "datetime",
            "L",
            dt.datetime(2024, 1, 15, 10, 0, 0, 123456, tzinfo=dt.UTC),
            "2024-01-15T12:00:00.123+02:00",
        ),
        ("datetime", "", dt.datetime(2024, 7, 1, 9, 0, tzinfo=dt.UTC), "2024-07-01T12:00:00+03:00"),
        ("number", "", Decimal("240.0"), "240"),
        ("number", "", Decimal("7.50"), "7.5"),
        ("number", "", Decimal("1E+3"), "1000"),
        ("number", "", 0.1, "0.1"),
        ("integer", "", 42, "42"),
        ("string", "", "Kaunas", "Kaunas"),
        ("string", "", 3.5, "3.5"),
        ("integer", "", None, ""),
        ("date", "D", None, ""),
    ],
)
def test_values_are_formatted_by_their_manifest_type(
    type_: str, ref: str, value: object, text: str
) -> None:
    assert format_value(Property(name="x", type=type_, ref=ref), value) == text


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("datetime", dt.datetime(2024, 1, 1, 12, 0)),  # noqa: DTZ001 - naive on purpose
        ("integer", True),
        ("integer", "12"),
        ("number", "1.5"),
        ("date", "2024-01-01"),
    ],
)
def test_a_value_of_the_wrong_kind_stops_the_export(type_: str, value: object) -> None:
    with pytest.raises(ExportError):
        format_value(Property(name="x", type=type_), value)


def test_a_row_with_a_property_the_manifest_does_not_have_stops_the_export() -> None:
    model = SPEC[NVS].get_model("Lankymas")

    with pytest.raises(ExportError, match="unknown properties"):
        format_row(model, {"mok_sk": 3, "mokiniu_skaicius": 3})


# --- Outside a test transaction -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_command_reads_one_snapshot_when_it_opens_its_own_transaction(tmp_path: Path) -> None:
    # Here the command's transaction is the outermost one, as in production, so on PostgreSQL
    # it runs at REPEATABLE READ (which must be chosen before the first query).
    programme = registered_nvs_programme()

    tables, printed = export(NVS, tmp_path)

    assert [row["prg_kodas"] for row in tables["Programa"]] == [programme.state_code]
    assert "2 files written" in printed
